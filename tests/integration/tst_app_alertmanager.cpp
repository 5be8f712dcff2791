// Stratus in a real monitoring stack: Debian's Prometheus (2.42) and Alertmanager (0.25) on
// 127.0.0.1, configured from the packaged files (packaging/prometheus, packaging/grafana).
//  - Prometheus scrapes `stratus --server`; a query through its HTTP API returns each station's
//    temperature equal to /stations/{id}; /metrics passes promtool; the example rules load and
//    evaluate; every query of the Grafana dashboard runs.
//  - A replay of real SAO reports (KGSO's day, with its 76 °C report) raises a critical anomaly while
//    the Alertmanager is down (/health says so); when it comes up the alert is delivered to a webhook
//    receiver in this test; the Alertmanager is stopped and restarted empty, and the still-firing
//    alert arrives again; then the resolve. The direct webhook receives the same alert in the same
//    format (version 4) and with the same fingerprint as Alertmanager's.
#include "PrometheusStack.h"
#include "StratusProcess.h"
#include "TimeUtil.h"
#include "WebhookReceiver.h"

#include <QRegularExpression>
#include <QtTest>

using namespace monitoring;

namespace {
QJsonObject stationTemperatureFromApi(StratusProcess &server, const QString &id)
{
    return server.get(QStringLiteral("/stations/") + id).json().value(QLatin1String("latest")).toObject();
}

// Every firing or resolved KGSO out_of_range notification the webhook receiver got on `path`.
QList<QJsonObject> kgsoMessages(const WebhookReceiver &r, const QString &path, const QString &status)
{
    QList<QJsonObject> out;
    for (const auto &req : r.delivered(path)) {
        const QJsonObject m = req.json().object();
        if (m.value(QLatin1String("status")).toString() != status)
            continue;
        for (const QJsonValue &a : m.value(QLatin1String("alerts")).toArray()) {
            const QJsonObject labels = a.toObject().value(QLatin1String("labels")).toObject();
            if (labels.value(QLatin1String("station")).toString() == QLatin1String("KGSO")
                && labels.value(QLatin1String("kind")).toString() == QLatin1String("out_of_range")) {
                out.append(m);
                break;
            }
        }
    }
    return out;
}

QJsonObject receiverOf(const QJsonObject &health, const char *kind)
{
    for (const QJsonValue &v : health.value(QLatin1String("notify")).toObject().value(QLatin1String("receivers")).toArray()) {
        if (v.toObject().value(QLatin1String("kind")).toString() == QLatin1String(kind))
            return v.toObject();
    }
    return {};
}

QStringList keys(const QJsonObject &o)
{
    QStringList k = o.keys();
    k.sort();
    return k;
}
} // namespace

class TestAlertmanager : public QObject
{
    Q_OBJECT

private:
    // Every query of the packaged dashboard runs in Prometheus; the station, overview and process
    // panels have data.
    static void checkDashboardQueries(Prometheus &prometheus)
    {
        QFile dashboardFile(testdata::source("packaging/grafana/stratus-dashboard.json"));
        QVERIFY(dashboardFile.open(QIODevice::ReadOnly));
        const QJsonObject dashboard = QJsonDocument::fromJson(dashboardFile.readAll()).object();
        const QStringList mustHaveData{QStringLiteral("Stations"), QStringLiteral("Sources"), QStringLiteral("Temperature"),
                                       QStringLiteral("Relative humidity"), QStringLiteral("Time since the latest reading"),
                                       QStringLiteral("Resident memory"), QStringLiteral("Versions")};
        int queries = 0;
        for (const QJsonValue &p : dashboard.value(QLatin1String("panels")).toArray()) {
            const QJsonObject panel = p.toObject();
            for (const QJsonValue &t : panel.value(QLatin1String("targets")).toArray()) {
                QString expr = t.toObject().value(QLatin1String("expr")).toString();
                expr.replace(QStringLiteral("$instance"), QStringLiteral(".*")).replace(QStringLiteral("$station"), QStringLiteral(".*"));
                expr.replace(QStringLiteral("$__rate_interval"), QStringLiteral("1m"));
                QString error;
                const QJsonObject data = prometheus.query(expr, &error);
                QVERIFY2(error.isEmpty(), qPrintable(panel.value(QLatin1String("title")).toString() + u": " + error));
                if (mustHaveData.contains(panel.value(QLatin1String("title")).toString()))
                    QVERIFY2(!data.value(QLatin1String("result")).toArray().isEmpty(), qPrintable(panel.value(QLatin1String("title")).toString()));
                ++queries;
            }
        }
        QVERIFY(queries >= 20);
    }

    // KGSO's real reports of 1995-03-18 (one says 76 °C), as the SAO file has them; returns how many.
    static int writeKgsoDay(const QString &path)
    {
        QFile sao(testdata::shared("data/sao_19950318/observations.csv"));
        QFile kgso(path);
        if (!sao.open(QIODevice::ReadOnly) || !kgso.open(QIODevice::WriteOnly))
            return -1;
        kgso.write(sao.readLine());
        int rows = 0;
        while (!sao.atEnd()) {
            const QByteArray line = sao.readLine();
            if (line.startsWith("KGSO,")) {
                kgso.write(line);
                ++rows;
            }
        }
        return rows;
    }

    // The packaged routing with the test's receiver and 1 s waits.
    static QString alertmanagerConfig(const WebhookReceiver &receiver)
    {
        QString c = packaged("prometheus/alertmanager.yml");
        c.replace(QStringLiteral("http://127.0.0.1:5001"), receiver.url(QString()));
        c.replace(QStringLiteral("group_wait: 30s"), QStringLiteral("group_wait: 1s"));
        c.replace(QStringLiteral("group_interval: 5m"), QStringLiteral("group_interval: 1s"));
        return c;
    }

    // The alert Alertmanager delivered: Stratus' labels and annotations, started before it was up.
    static void checkFiringAlert(const QJsonObject &message, quint16 apiPort, qint64 amStartedMs)
    {
        const QJsonObject alert = message.value(QLatin1String("alerts")).toArray().first().toObject();
        const QJsonObject labels = alert.value(QLatin1String("labels")).toObject();
        QCOMPARE(labels.value(QLatin1String("alertname")).toString(), QStringLiteral("StratusOutOfRange"));
        QCOMPARE(labels.value(QLatin1String("severity")).toString(), QStringLiteral("critical"));
        QCOMPARE(labels.value(QLatin1String("variable")).toString(), QStringLiteral("temperature"));
        const QJsonObject annotations = alert.value(QLatin1String("annotations")).toObject();
        QCOMPARE(annotations.value(QLatin1String("value")).toString(), QStringLiteral("76 °C"));
        QCOMPARE(annotations.value(QLatin1String("station_url")).toString(), QStringLiteral("http://127.0.0.1:%1/stations/KGSO").arg(apiPort));
        QVERIFY(!annotations.value(QLatin1String("description")).toString().isEmpty());
        QVERIFY2(*stratus::timeutil::parseIsoUtc(alert.value(QLatin1String("startsAt")).toString()) < amStartedMs,
                 "the alert started while the Alertmanager was down");
    }

    // The direct webhook's message against Alertmanager's: the same keys, labels and fingerprint.
    static void checkSameMessage(const QJsonObject &direct, const QJsonObject &viaAlertmanager)
    {
        QCOMPARE(direct.value(QLatin1String("version")).toString(), QStringLiteral("4"));
        QCOMPARE(keys(direct), keys(viaAlertmanager));
        const QJsonObject ours = direct.value(QLatin1String("alerts")).toArray().first().toObject();
        const QJsonObject theirs = viaAlertmanager.value(QLatin1String("alerts")).toArray().first().toObject();
        QCOMPARE(keys(ours), keys(theirs));
        QCOMPARE(ours.value(QLatin1String("fingerprint")).toString(), theirs.value(QLatin1String("fingerprint")).toString());
        QCOMPARE(ours.value(QLatin1String("labels")).toObject(), theirs.value(QLatin1String("labels")).toObject());
    }

private slots:
    void prometheusScrapesTheServer()
    {
        StratusProcess server;
        QVERIFY2(server.startServer({QStringLiteral("--source"), QStringLiteral("replay"), QStringLiteral("--file"),
                               testdata::shared("data/nws_recorded/nws_recorded.jsonl"), QStringLiteral("--speed"),
                               QStringLiteral("max")}),
                 qPrintable(server.error()));
        QVERIFY(server.waitForReplayEnd());

        Prometheus prometheus;
        const QString target = QStringLiteral("127.0.0.1:%1").arg(server.port());
        const QString problem = prometheus.start(freePort(), prometheusConfig(target, QStringLiteral("127.0.0.1:%1").arg(freePort()), freePort()));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));

        QJsonArray temps;
        QVERIFY(QTest::qWaitFor([&] {
            temps = prometheus.vector(QStringLiteral("stratus_station_temperature_celsius{job=\"stratus-server\"}"));
            return temps.size() == 5;
        }, 30000));
        for (const QJsonValue &v : temps) {
            const QJsonObject sample = v.toObject();
            const QString id = sample.value(QLatin1String("metric")).toObject().value(QLatin1String("station")).toString();
            const double viaPrometheus = sample.value(QLatin1String("value")).toArray().at(1).toString().toDouble();
            const QJsonObject latest = stationTemperatureFromApi(server, id);
            QVERIFY2(latest.contains(QLatin1String("temperature")), qPrintable(id));
            QCOMPARE(viaPrometheus, latest.value(QLatin1String("temperature")).toDouble()); // exactly
        }
        QCOMPARE(prometheus.vector(QStringLiteral("up{job=\"stratus-server\"} == 1")).size(), 1);
        QCOMPARE(prometheus.vector(QStringLiteral("stratus_source_state{job=\"stratus-server\"} == 4")).size(), 1); // finished

        // The live page passes Prometheus' own linter.
        QProcess promtool;
        promtool.start(QStringLiteral("promtool"), {QStringLiteral("check"), QStringLiteral("metrics")});
        QVERIFY(promtool.waitForStarted());
        promtool.write(server.get(QStringLiteral("/metrics")).body);
        promtool.closeWriteChannel();
        QVERIFY(promtool.waitForFinished(30000));
        const QByteArray lint = promtool.readAll() + promtool.readAllStandardError();
        QVERIFY2(promtool.exitCode() == 0 && lint.trimmed().isEmpty(), lint.constData());

        // The example rules load and evaluate without errors.
        QJsonArray groups;
        QVERIFY(QTest::qWaitFor([&] {
            groups = get(prometheus.url(QStringLiteral("/api/v1/rules"))).json().object().value(QLatin1String("data")).toObject().value(
                QLatin1String("groups")).toArray();
            if (groups.size() != 2)
                return false;
            for (const QJsonValue &g : groups) {
                for (const QJsonValue &r : g.toObject().value(QLatin1String("rules")).toArray()) {
                    if (r.toObject().value(QLatin1String("health")).toString() != QLatin1String("ok"))
                        return false;
                }
            }
            return true;
        }, 20000));

        checkDashboardQueries(prometheus);
    }

    void criticalAnomalyReachesAlertmanagerThroughAnOutage()
    {
        QTemporaryDir dir;
        const QString kgso = dir.filePath(QStringLiteral("kgso.csv"));
        QCOMPARE(writeKgsoDay(kgso), 23);

        WebhookReceiver receiver;
        QVERIFY(receiver.listen());
        const quint16 amPort = freePort();
        const quint16 apiPort = freePort();
        QFile conf(dir.filePath(QStringLiteral("stratus.conf")));
        QVERIFY(conf.open(QIODevice::WriteOnly));
        conf.write(QStringLiteral("[notify]\nalertmanager = http://127.0.0.1:%1\nmin_severity = critical\nresend_interval_s = 1\n"
                                  "resolve_after_s = 45\nwebhook = %2\nwebhook_group_wait_s = 0\n")
                       .arg(amPort)
                       .arg(receiver.url(QStringLiteral("/direct")))
                       .toUtf8());
        conf.close();

        StratusProcess server;
        // 3600×: the 76 °C report (05:50) comes about 6 s after the start.
        QVERIFY2(server.startServer({QStringLiteral("--port"), QString::number(apiPort), QStringLiteral("--config"), conf.fileName(),
                               QStringLiteral("--source"), QStringLiteral("replay"), QStringLiteral("--file"), kgso,
                               QStringLiteral("--shift-to-now"), QStringLiteral("--speed"), QStringLiteral("3600")}),
                 qPrintable(server.error()));

        // The Alertmanager is down: the alert fires anyway, /health says the receiver is down.
        QJsonObject health;
        QVERIFY(QTest::qWaitFor([&] {
            health = server.get(QStringLiteral("/health")).json();
            return health.value(QLatin1String("notify")).toObject().value(QLatin1String("firing")).toInt() >= 1
                && receiverOf(health, "alertmanager").value(QLatin1String("state")).toString() == QLatin1String("down");
        }, 60000));
        QCOMPARE(health.value(QLatin1String("status")).toString(), QStringLiteral("degraded"));
        QVERIFY(!receiverOf(health, "alertmanager").value(QLatin1String("last_error")).toString().isEmpty());
        const QByteArray metrics = server.get(QStringLiteral("/metrics")).body;
        QVERIFY(metrics.contains("stratus_alerts_firing{kind=\"out_of_range\",severity=\"critical\"} 1\n"));
        QVERIFY(metrics.contains(QStringLiteral("stratus_notifications_alertmanager_up{alertmanager=\"http://127.0.0.1:%1/api/v2/alerts\"} 0\n").arg(amPort).toUtf8()));

        // The Alertmanager comes up (the packaged routing, short waits, the test's receiver).
        const QString amConfig = alertmanagerConfig(receiver);
        const qint64 amStartedMs = QDateTime::currentMSecsSinceEpoch();
        auto alertmanager = std::make_unique<Alertmanager>();
        QString problem = alertmanager->start(amPort, amConfig);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY2(QTest::qWaitFor([&] { return !kgsoMessages(receiver, QStringLiteral("/stratus-critical"), QStringLiteral("firing")).isEmpty(); }, 30000),
                 alertmanager->log().constData());
        const QJsonObject firing = kgsoMessages(receiver, QStringLiteral("/stratus-critical"), QStringLiteral("firing")).first();
        checkFiringAlert(firing, apiPort, amStartedMs);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(QTest::qWaitFor([&] {
            return receiverOf(server.get(QStringLiteral("/health")).json(), "alertmanager").value(QLatin1String("state")).toString() == QLatin1String("up");
        }, 10000));

        // The direct webhook: the same alert, the same format, the same fingerprint.
        QVERIFY(QTest::qWaitFor([&] { return !kgsoMessages(receiver, QStringLiteral("/direct"), QStringLiteral("firing")).isEmpty(); }, 10000));
        checkSameMessage(kgsoMessages(receiver, QStringLiteral("/direct"), QStringLiteral("firing")).first(), firing);
        if (QTest::currentTestFailed())
            return;

        // Stopped, restarted with nothing remembered: the alert that still fires arrives again.
        const qsizetype before = kgsoMessages(receiver, QStringLiteral("/stratus-critical"), QStringLiteral("firing")).size();
        alertmanager->stop();
        QTest::qWait(2000);
        alertmanager = std::make_unique<Alertmanager>();
        problem = alertmanager->start(amPort, amConfig);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(QTest::qWaitFor([&] {
            return kgsoMessages(receiver, QStringLiteral("/stratus-critical"), QStringLiteral("firing")).size() > before;
        }, 30000));
        QVERIFY(QTest::qWaitFor([&] {
            for (const QJsonValue &a : alertmanager->alerts()) {
                if (a.toObject().value(QLatin1String("labels")).toObject().value(QLatin1String("station")).toString() == QLatin1String("KGSO"))
                    return true;
            }
            return false;
        }, 10000));

        // No 76 °C since: the alert resolves, and the Alertmanager delivers the resolve.
        QVERIFY2(QTest::qWaitFor([&] { return !kgsoMessages(receiver, QStringLiteral("/stratus-critical"), QStringLiteral("resolved")).isEmpty(); }, 90000),
                 qPrintable(server.stderrText()));
        QVERIFY(QTest::qWaitFor([&] { return !kgsoMessages(receiver, QStringLiteral("/direct"), QStringLiteral("resolved")).isEmpty(); }, 10000));
        health = server.get(QStringLiteral("/health")).json();
        QCOMPARE(health.value(QLatin1String("notify")).toObject().value(QLatin1String("firing")).toInt(), 0);
        QCOMPARE(receiverOf(health, "webhook").value(QLatin1String("failed")).toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestAlertmanager)
#include "tst_app_alertmanager.moc"
