// RateLimiter: a token bucket per client address (the API's 429s). Bursts are checked back to back
// (microseconds apart, far below one token's refill time); refills by waiting a known time.
#include "api/RateLimiter.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>

using namespace stratus;

namespace {
const QHostAddress kClientA(QStringLiteral("127.0.0.1"));
const QHostAddress kClientB(QStringLiteral("127.0.0.2"));
const QHostAddress kClientV6(QStringLiteral("::1"));

int admittedInARow(RateLimiter &limiter, const QHostAddress &client, int tries)
{
    int n = 0;
    while (n < tries && limiter.admit(client))
        ++n;
    return n;
}
} // namespace

class TestRateLimiter : public QObject
{
    Q_OBJECT
private slots:
    void aBurstThenRefusal()
    {
        RateLimiter limiter(1, 5); // one a second: refilling a token takes 1 s
        QCOMPARE(admittedInARow(limiter, kClientA, 100), 5);
        QVERIFY(!limiter.admit(kClientA));
    }

    void eachClientHasItsOwnBucket()
    {
        RateLimiter limiter(1, 3);
        QCOMPARE(admittedInARow(limiter, kClientA, 100), 3);
        QCOMPARE(admittedInARow(limiter, kClientB, 100), 3);
        QCOMPARE(admittedInARow(limiter, kClientV6, 100), 3);
        QVERIFY(!limiter.admit(kClientA));
    }

    void tokensComeBackAtTheRate()
    {
        RateLimiter limiter(4, 4); // a token every 250 ms, at most 4 saved
        QCOMPARE(admittedInARow(limiter, kClientA, 100), 4);
        QElapsedTimer waited;
        waited.start();
        QTest::qSleep(600);
        // The tokens earned since the refusal that ended the burst (a little more under load).
        const double earned = std::min(4.0, 4.0 * static_cast<double>(waited.nsecsElapsed()) * 1e-9);
        const int n = admittedInARow(limiter, kClientA, 100);
        QVERIFY2(n >= 2 && n >= int(earned) && n <= int(earned) + 1, qPrintable(QStringLiteral("%1 after %2 tokens").arg(n).arg(earned)));
    }

    void aBurstBelowTheRateIsRaisedToIt()
    {
        RateLimiter limiter(4, 1); // a burst of 1 would refuse a second request within 1/4 s
        QCOMPARE(admittedInARow(limiter, kClientA, 100), 4);
    }

    void zeroMeansUnlimited()
    {
        RateLimiter limiter;
        QCOMPARE(limiter.ratePerS(), 0.0);
        QCOMPARE(admittedInARow(limiter, kClientA, 100000), 100000);
        limiter.configure(-3, 10); // a negative rate is no limit either
        QCOMPARE(admittedInARow(limiter, kClientA, 1000), 1000);
    }

    void reconfiguringStartsEveryBucketFull()
    {
        RateLimiter limiter(1, 2);
        QCOMPARE(admittedInARow(limiter, kClientA, 10), 2);
        limiter.configure(1, 3);
        QCOMPARE(limiter.ratePerS(), 1.0);
        QCOMPARE(admittedInARow(limiter, kClientA, 10), 3);
    }

    // One host usually holds a whole IPv6 /64: rotating through it must not buy fresh buckets.
    void ipv6ClientsArePer64()
    {
        RateLimiter limiter(1, 3);
        QCOMPARE(admittedInARow(limiter, QHostAddress(QStringLiteral("2001:db8:1:2::1")), 100), 3);
        QVERIFY(!limiter.admit(QHostAddress(QStringLiteral("2001:db8:1:2::ffff"))));
        QVERIFY(!limiter.admit(QHostAddress(QStringLiteral("2001:db8:1:2:abcd:1234:5678:9abc"))));
        QCOMPARE(admittedInARow(limiter, QHostAddress(QStringLiteral("2001:db8:1:3::1")), 100), 3); // the next /64
        // An IPv4-mapped address is its IPv4 client.
        QCOMPARE(admittedInARow(limiter, kClientA, 100), 3);
        QVERIFY(!limiter.admit(QHostAddress(QStringLiteral("::ffff:127.0.0.1"))));
    }

    // A scan from many addresses used to clear every bucket, un-throttling the client that was over
    // its limit. Now only idle clients are forgotten, and the table stays bounded.
    void manyClientsDoNotResetAThrottledOne()
    {
        RateLimiter limiter(1, 2);
        QCOMPARE(admittedInARow(limiter, kClientA, 100), 2);
        for (quint32 i = 0; i < 3 * RateLimiter::kMaxClients; ++i) {
            limiter.admit(QHostAddress(0x0A000000u + i)); // 10.0.0.0/8
            if (i % 1000 == 0)
                QVERIFY(!limiter.admit(kClientA)); // still throttled (and recently seen)
        }
        QVERIFY(limiter.clients() <= RateLimiter::kMaxClients);
        QVERIFY(!limiter.admit(kClientA));
    }
};

QTEST_APPLESS_MAIN(TestRateLimiter)
#include "tst_pipeline_rate_limiter.moc"
