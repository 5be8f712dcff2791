// HttpClient on its own against a real loopback server: per-host rate limit, retry schedule,
// Retry-After parsing, non-retryable statuses.
#include "FixtureHttpServer.h"
#include "sources/HttpClient.h"

#include <QDateTime>
#include <QTimeZone>
#include <QTest>

using namespace stratus;

class TestSourcesHttp : public QObject
{
    Q_OBJECT
private slots:
    void retryAfterParsing()
    {
        const qint64 now = QDateTime(QDate(2015, 10, 21), QTime(7, 27, 0), QTimeZone::utc()).toMSecsSinceEpoch();
        QCOMPARE(HttpClient::parseRetryAfter("120", now), std::optional<qint64>(120'000));
        QCOMPARE(HttpClient::parseRetryAfter(" 0 ", now), std::optional<qint64>(0));
        QCOMPARE(HttpClient::parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now), std::optional<qint64>(60'000));
        QVERIFY(!HttpClient::parseRetryAfter("soon", now));
        QVERIFY(!HttpClient::parseRetryAfter("", now));
        QVERIFY(!HttpClient::parseRetryAfter("-5", now));
    }

    void backoffIsExponentialWithJitterAndCapped()
    {
        HttpClient::Options o;
        o.backoffBaseMs = 500;
        o.backoffMaxMs = 8000;
        for (int retry = 1; retry <= 8; ++retry) {
            const double cap = std::min(500.0 * (1 << (retry - 1)), 8000.0);
            QCOMPARE(HttpClient::backoffDelayMs(retry, o, 0.0), qint64(cap / 2));
            QVERIFY(HttpClient::backoffDelayMs(retry, o, 0.999) <= qint64(cap));
            QVERIFY(HttpClient::backoffDelayMs(retry, o, 0.999) >= qint64(cap * 0.99));
        }
    }

    void perHostRateLimit()
    {
        FixtureHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/x"), FixtureHttpServer::ok("{}"));
        HttpClient::Options o;
        o.minIntervalPerHostMs = 200;
        HttpClient http(o);
        int done = 0;
        for (int i = 0; i < 6; ++i)
            http.get(QUrl(server.baseUrl().toString() + QStringLiteral("/x")), &http, [&](const HttpClient::Response &r) {
                QVERIFY(r.ok());
                ++done;
            });
        QTRY_COMPARE_WITH_TIMEOUT(done, 6, 10000);
        const auto reqs = server.requests(QStringLiteral("/x"));
        QCOMPARE(reqs.size(), 6);
        // Measured where the server receives them, so one late arrival can shorten one gap; the
        // client sends every 200 ms. Without the limit all six arrive within a few ms.
        for (int i = 1; i < 6; ++i)
            QVERIFY2(reqs[i].atMs - reqs[i - 1].atMs >= 100, qPrintable(QString::number(reqs[i].atMs - reqs[i - 1].atMs)));
        QVERIFY2(reqs[5].atMs - reqs[0].atMs >= 900, qPrintable(QString::number(reqs[5].atMs - reqs[0].atMs)));
        QCOMPARE(http.pending(), 0);
    }

    void clientErrorsAreNotRetried()
    {
        FixtureHttpServer server;
        QVERIFY(server.listen());
        HttpClient http(HttpClient::Options{});
        HttpClient::Response got;
        bool finished = false;
        http.get(QUrl(server.baseUrl().toString() + QStringLiteral("/missing")), &http, [&](const HttpClient::Response &r) {
            got = r;
            finished = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(finished, 10000);
        QCOMPARE(got.status, 404);
        QCOMPARE(got.attempts, 1);
        QVERIFY(got.error.startsWith(QStringLiteral("HTTP 404")));
        QVERIFY(got.body.contains("no fixture"));
    }

    void contextGoneMeansNoCallback()
    {
        FixtureHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/x"), FixtureHttpServer::ok("{}"));
        HttpClient http(HttpClient::Options{});
        bool called = false;
        {
            QObject context;
            http.get(QUrl(server.baseUrl().toString() + QStringLiteral("/x")), &context, [&](const HttpClient::Response &) { called = true; });
        }
        QTRY_COMPARE_WITH_TIMEOUT(http.pending(), 0, 10000);
        QVERIFY(!called);
    }
};

QTEST_GUILESS_MAIN(TestSourcesHttp)
#include "tst_pipeline_sources_http.moc"
