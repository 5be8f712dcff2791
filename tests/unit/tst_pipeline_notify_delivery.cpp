// Delivery of alerts over real HTTP to receivers in this process (WebhookReceiver): the Alertmanager
// notifier (retry with backoff while the receiver is down, nothing lost, batches of 256, a refused
// batch dropped, state sent as it is when sent), the direct webhook (groups by station and kind,
// group wait, resolved once, bounded queue, retries then given up, all counted), and the service an
// engine creates, fed through a real LocalBus. The end-to-end test with Debian's Alertmanager is
// tst_app_alertmanager.
#include "LiveState.h"
#include "WebhookReceiver.h"
#include "bus/LocalBus.h"
#include "notify/AlertPayload.h"
#include "notify/AlertmanagerNotifier.h"
#include "notify/NotificationService.h"
#include "notify/WebhookNotifier.h"
#include "TimeUtil.h"

#include <QNetworkAccessManager>
#include <QtTest>

using namespace stratus;

namespace {
Anomaly anomaly(const QString &station, AnomalyKind kind, Severity severity, Variable variable = Variable::Temperature)
{
    Anomaly a;
    a.stationId = station;
    a.kind = kind;
    a.severity = severity;
    a.variable = variable;
    a.timestampMs = QDateTime::currentMSecsSinceEpoch();
    a.value = 76;
    a.score = 1;
    a.reason = QStringLiteral("temperature 76 °C is above the physical limit");
    return a;
}

NotifyOptions fastOptions()
{
    NotifyOptions o;
    o.retryInitialMs = 50;
    o.retryMaxMs = 400;
    o.resendIntervalMs = 60'000;
    o.timeoutMs = 5000;
    o.webhookGroupWaitMs = 0;
    return o;
}

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

class TestNotifyDelivery : public QObject
{
    Q_OBJECT

private slots:
    void alertmanagerRetriesWithBackoffUntilItAnswers()
    {
        WebhookReceiver am;
        QVERIFY(am.listen());
        am.failFirst(4);
        const NotifyOptions o = fastOptions();
        AlertTracker tracker(o);
        QNetworkAccessManager network;
        AlertmanagerNotifier n(QUrl(am.url(QStringLiteral("/api/v2/alerts"))), tracker, &network, o);
        const QStringList fps = tracker.observe({anomaly(QStringLiteral("KGSO"), AnomalyKind::OutOfRange, Severity::Critical)}, now());
        n.enqueue(fps);
        QVERIFY(QTest::qWaitFor([&] { return n.status().state == NotifyStatus::Target::State::Down; }, 5000));
        QVERIFY2(n.status().lastError.contains(QLatin1String("503")), qPrintable(n.status().lastError));
        QCOMPARE(n.status().queued, 1); // waiting, not lost
        QVERIFY(QTest::qWaitFor([&] { return n.status().sent == 1; }, 10000));
        QCOMPARE(am.requests().size(), 5);
        // Exponential backoff: each pause at least 0.8 × 50 ms × 2^k (the jitter's lower bound).
        for (int k = 1; k < 4; ++k) {
            const qint64 gap = am.requests()[k].atMs - am.requests()[k - 1].atMs;
            QVERIFY2(gap >= static_cast<qint64>(0.8 * 50 * (1 << (k - 1))) - 2, qPrintable(QString::number(gap)));
        }
        const NotifyStatus::Target s = n.status();
        QCOMPARE(s.state, NotifyStatus::Target::State::Up);
        QCOMPARE(s.errors, 4);
        QCOMPARE(s.sent, 1);
        QCOMPARE(s.queued, 0);
        // The alert that finally arrived still fires: its endsAt was computed when it was sent.
        const WebhookReceiver::Request r = am.delivered().first();
        const QJsonArray body = r.json().array();
        QCOMPARE(body.size(), 1);
        const QJsonObject alert = body.first().toObject();
        QCOMPARE(alert.value(QLatin1String("labels")).toObject().value(QLatin1String("station")).toString(), QStringLiteral("KGSO"));
        const qint64 endsAt = *timeutil::parseIsoUtc(alert.value(QLatin1String("endsAt")).toString());
        QVERIFY(endsAt > r.wallMs + 3 * o.resendIntervalMs);
    }

    void aStateChangeWhileDownIsSentAsItIsThen()
    {
        WebhookReceiver am;
        QVERIFY(am.listen());
        am.failFirst(2);
        NotifyOptions o = fastOptions();
        o.resolveAfterMs = 1; // resolves at the next expire()
        AlertTracker tracker(o);
        QNetworkAccessManager network;
        AlertmanagerNotifier n(QUrl(am.url(QStringLiteral("/api/v2/alerts"))), tracker, &network, o);
        const qint64 t0 = now();
        n.enqueue(tracker.observe({anomaly(QStringLiteral("KMSN"), AnomalyKind::Spike, Severity::Warning)}, t0));
        QVERIFY(QTest::qWaitFor([&] { return am.requests().size() >= 1; }, 5000));
        n.enqueue(tracker.expire(t0 + 10)); // resolved while the Alertmanager is down
        QVERIFY(QTest::qWaitFor([&] { return !am.delivered().isEmpty(); }, 10000));
        QTest::qWait(200);
        // One alert, sent once more after the outage, resolved: not its stale firing state first.
        QCOMPARE(am.delivered().size(), 1);
        const QJsonObject alert = am.delivered().first().json().array().first().toObject();
        QCOMPARE(alert.value(QLatin1String("endsAt")).toString(), timeutil::toIsoUtc(t0 + 10));
    }

    void refusedBatchIsDroppedAndTheNextGoesThrough()
    {
        WebhookReceiver am;
        QVERIFY(am.listen());
        am.failFirst(1, 400);
        const NotifyOptions o = fastOptions();
        AlertTracker tracker(o);
        QNetworkAccessManager network;
        AlertmanagerNotifier n(QUrl(am.url(QStringLiteral("/api/v2/alerts"))), tracker, &network, o);
        n.enqueue(tracker.observe({anomaly(QStringLiteral("KMSN"), AnomalyKind::Spike, Severity::Warning)}, now()));
        QVERIFY(QTest::qWaitFor([&] { return n.status().dropped == 1; }, 5000));
        n.enqueue(tracker.observe({anomaly(QStringLiteral("KMKE"), AnomalyKind::Spike, Severity::Warning)}, now()));
        QVERIFY(QTest::qWaitFor([&] { return n.status().sent == 1; }, 5000));
        QCOMPARE(am.requests().size(), 2); // the refused one was not retried
        QCOMPARE(n.status().state, NotifyStatus::Target::State::Up);
    }

    void largeQueuesGoInBatchesOf256()
    {
        WebhookReceiver am;
        QVERIFY(am.listen());
        const NotifyOptions o = fastOptions();
        AlertTracker tracker(o);
        QList<Anomaly> many;
        for (int i = 0; i < 600; ++i)
            many.append(anomaly(QStringLiteral("S%1").arg(i, 4, 10, QLatin1Char('0')), AnomalyKind::Spike, Severity::Warning));
        const QStringList fps = tracker.observe(many, now());
        QCOMPARE(fps.size(), 600);
        QNetworkAccessManager network;
        AlertmanagerNotifier n(QUrl(am.url(QStringLiteral("/api/v2/alerts"))), tracker, &network, o);
        n.enqueue(fps);
        QVERIFY(QTest::qWaitFor([&] { return n.status().sent == 600; }, 10000));
        QTest::qWait(100);
        QList<int> sizes;
        QSet<QString> stations;
        for (const auto &r : am.requests()) {
            sizes << int(r.json().array().size());
            for (const QJsonValue &v : r.json().array())
                stations.insert(v.toObject().value(QLatin1String("labels")).toObject().value(QLatin1String("station")).toString());
        }
        QCOMPARE(sizes, (QList<int>{256, 256, 88}));
        QCOMPARE(stations.size(), 600);
    }

    void webhookGroupsByStationAndKindAndSendsResolvesOnce()
    {
        WebhookReceiver hook;
        QVERIFY(hook.listen());
        NotifyOptions o = fastOptions();
        o.webhookGroupWaitMs = 300;
        o.resolveAfterMs = 1;
        o.linkBase = QStringLiteral("http://127.0.0.1:8080");
        AlertTracker tracker(o);
        QNetworkAccessManager network;
        WebhookNotifier n(QUrl(hook.url(QStringLiteral("/hook"))), tracker, &network, o);
        const qint64 t0 = now();
        n.changed(tracker.observe({anomaly(QStringLiteral("KMSN"), AnomalyKind::Spike, Severity::Warning)}, t0), t0);
        n.changed(tracker.observe({anomaly(QStringLiteral("KMSN"), AnomalyKind::Spike, Severity::Warning, Variable::WindSpeed),
                                   anomaly(QStringLiteral("KMKE"), AnomalyKind::Spike, Severity::Critical)},
                                  t0 + 50),
                  t0 + 50);
        QVERIFY(QTest::qWaitFor([&] { return hook.delivered().size() == 2; }, 5000));
        QVERIFY(hook.delivered().first().atMs >= 250); // collected for the group wait
        QHash<QString, QJsonObject> byGroup;
        for (const auto &r : hook.delivered())
            byGroup.insert(r.json().object().value(QLatin1String("groupKey")).toString(), r.json().object());
        const QJsonObject kmsn = byGroup.value(QStringLiteral("{}:{kind=\"spike\", station=\"KMSN\"}"));
        QCOMPARE(kmsn.value(QLatin1String("alerts")).toArray().size(), 2);
        QCOMPARE(kmsn.value(QLatin1String("status")).toString(), QStringLiteral("firing"));
        QCOMPARE(kmsn.value(QLatin1String("externalURL")).toString(), QStringLiteral("http://127.0.0.1:8080"));
        QCOMPARE(kmsn.value(QLatin1String("alerts")).toArray().first().toObject().value(QLatin1String("endsAt")).toString(),
                 QString::fromLatin1(AlertPayload::kZeroTime));
        QVERIFY(byGroup.contains(QStringLiteral("{}:{kind=\"spike\", station=\"KMKE\"}")));

        // Both groups resolve: one message each, then nothing more however often it ticks.
        n.changed(tracker.expire(now() + 10), now());
        QVERIFY(QTest::qWaitFor([&] { return hook.delivered().size() == 4; }, 5000));
        for (qsizetype i = 2; i < 4; ++i)
            QCOMPARE(hook.delivered()[i].json().object().value(QLatin1String("status")).toString(), QStringLiteral("resolved"));
        for (int i = 0; i < 5; ++i)
            n.tick(now());
        QTest::qWait(400);
        QCOMPARE(hook.delivered().size(), 4);

        // Fired and resolved within the group wait: the receiver never saw it fire, nothing to say.
        n.changed(tracker.observe({anomaly(QStringLiteral("KDSM"), AnomalyKind::Stuck, Severity::Warning)}, now()), now());
        n.changed(tracker.expire(now() + 10), now());
        QTest::qWait(600);
        n.tick(now());
        QCOMPARE(hook.delivered().size(), 4);
    }

    void webhookQueueIsBoundedAndFailuresCounted()
    {
        WebhookReceiver hook;
        QVERIFY(hook.listen());
        hook.answer([](const WebhookReceiver::Request &) { return 503; });
        NotifyOptions o = fastOptions();
        o.webhookQueue = 3;
        o.webhookRetries = 1;
        AlertTracker tracker(o);
        QNetworkAccessManager network;
        WebhookNotifier n(QUrl(hook.url(QStringLiteral("/hook"))), tracker, &network, o);
        QList<Anomaly> six;
        for (const char *s : {"KMSN", "KMKE", "KMDW", "KMSP", "KDSM", "KGSO"})
            six.append(anomaly(QString::fromLatin1(s), AnomalyKind::Spike, Severity::Warning));
        n.changed(tracker.observe(six, now()), now());
        QCOMPARE(n.status().dropped, 3);
        QCOMPARE(n.status().queued, 3);
        // Each of the three left is tried twice (once + one retry), then given up.
        QVERIFY(QTest::qWaitFor([&] { return n.status().failed == 3; }, 10000));
        const NotifyStatus::Target s = n.status();
        QCOMPARE(s.errors, 6);
        QCOMPARE(s.queued, 0);
        QCOMPARE(s.sent, 0);
        QCOMPARE(s.state, NotifyStatus::Target::State::Down);
        QCOMPARE(hook.requests().size(), 6);
        QStringList groups;
        for (const auto &r : hook.requests())
            groups << r.json().object().value(QLatin1String("groupLabels")).toObject().value(QLatin1String("station")).toString();
        QCOMPARE(groups, QStringLiteral("KMSP KMSP KDSM KDSM KGSO KGSO").split(u' ')); // the oldest were dropped
    }

    void serviceFedByTheBusPushesToEveryReceiver()
    {
        WebhookReceiver am1, am2, hook;
        QVERIFY(am1.listen() && am2.listen() && hook.listen());
        am2.failFirst(2);
        NotifyOptions o = fastOptions();
        o.alertmanagers = {NotifyOptions::alertmanagerPushUrl(QUrl(am1.url(QString()))),
                           NotifyOptions::alertmanagerPushUrl(QUrl(am2.url(QStringLiteral("/prefix/"))))};
        o.webhook = QUrl(hook.url(QStringLiteral("/hook")));
        LiveState state;
        LocalBus bus;
        NotificationService service(o, state, bus);
        QCOMPARE(state.notifyStatus().targets.size(), 3);
        bus.publishAnomalies({anomaly(QStringLiteral("KGSO"), AnomalyKind::OutOfRange, Severity::Critical),
                              anomaly(QStringLiteral("KGSO"), AnomalyKind::Spike, Severity::Info)}); // below warning
        QVERIFY(QTest::qWaitFor([&] {
            return !am1.delivered().isEmpty() && !am2.delivered().isEmpty() && !hook.delivered().isEmpty();
        }, 10000));
        QCOMPARE(am1.delivered().first().path, QStringLiteral("/api/v2/alerts"));
        QCOMPARE(am2.delivered().first().path, QStringLiteral("/prefix/api/v2/alerts"));
        QCOMPARE(am1.delivered().first().json().array().size(), 1);
        QVERIFY(QTest::qWaitFor([&] { return state.notifyStatus().targets[1].state == NotifyStatus::Target::State::Up; }, 3000));
        const NotifyStatus s = state.notifyStatus();
        QCOMPARE(s.firingTotal(), 1);
        QCOMPARE(s.firing[size_t(AnomalyKind::OutOfRange)][size_t(Severity::Critical)], 1);
        QCOMPARE(s.targets[1].errors, 2);
        QVERIFY(!s.anyDown());
        QCOMPARE(s.toJson().value(QLatin1String("state")).toString(), QStringLiteral("ok"));
    }
};

QTEST_GUILESS_MAIN(TestNotifyDelivery)
#include "tst_pipeline_notify_delivery.moc"
