// A cluster scraped by Debian's Prometheus (label `kafka`): a `--worker --role all` serves
// /metrics and /health on its own port (--metrics-port 0, printed), a `--server --connect` serves
// the cluster's REST API; Prometheus, configured from the packaged scrape config, scrapes both.
// Through Prometheus' HTTP API each station's temperature equals /stations/{id} of the connected
// server, and the worker's consumed-record counter equals what the collector published.
#include "KafkaPipelineHelpers.h"
#include "PrometheusStack.h"

#include <QRegularExpression>
#include <QtTest>

using namespace monitoring;

namespace {
// The first "stratus: <what> http://ADDR:PORT" line a process prints.
QString announced(QProcess &p, const QString &what, QByteArray *seen)
{
    const QRegularExpression re(QStringLiteral("stratus: %1 (http://[0-9.]+:[0-9]+)").arg(what));
    QString url;
    QTest::qWaitFor([&] {
        p.waitForReadyRead(100);
        *seen += p.readAll();
        const auto m = re.match(QString::fromUtf8(*seen));
        if (m.hasMatch())
            url = m.captured(1);
        return !url.isEmpty() || p.state() != QProcess::Running;
    }, 60000);
    return url;
}
} // namespace

class TestKafkaPrometheus : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        const QString problem = m_cluster.start(1);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
    void cleanupTestCase() { m_cluster.stop(); }

    void prometheusScrapesServerAndWorker()
    {
        const QString ns = KafkaTestCluster::newNamespace();
        std::vector<std::unique_ptr<QProcess>> procs;
        const auto stop = qScopeGuard([&] { stopAll(procs); });
        procs.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, QStringLiteral("w1"))
                                                  + QStringList{QStringLiteral("--metrics-port"), QStringLiteral("0")}));
        QByteArray workerOut;
        const QString workerUrl = announced(*procs.back(), QStringLiteral("metrics on"), &workerOut);
        QVERIFY2(!workerUrl.isEmpty(), workerOut.constData());
        QTemporaryDir dir;
        procs.push_back(KafkaTestCluster::stratus({QStringLiteral("--server"), QStringLiteral("--connect"), m_cluster.bootstrap(),
                                                   QStringLiteral("--namespace"), ns, QStringLiteral("--port"), QStringLiteral("0"),
                                                   QStringLiteral("--db"), dir.filePath(QStringLiteral("h.sqlite"))}));
        QByteArray serverOut;
        const QString serverUrl = announced(*procs.back(), QStringLiteral("serving"), &serverOut);
        QVERIFY2(!serverUrl.isEmpty(), serverOut.constData());

        auto collector = KafkaTestCluster::stratus(collectArgs(m_cluster, ns, testdata::shared("data/nws_recorded/nws_recorded.jsonl")));
        QVERIFY(collector->waitForFinished(120000));
        const QString collected = QString::fromUtf8(collector->readAll());
        QCOMPARE(collector->exitCode(), 0);
        const auto m = QRegularExpression(QStringLiteral("collected (\\d+) readings")).match(collected);
        QVERIFY2(m.hasMatch(), qPrintable(collected));
        const int readings = m.captured(1).toInt();
        QVERIFY(readings > 500);

        // The worker's own endpoints.
        const Answer health = get(workerUrl + QStringLiteral("/health"));
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json().object().value(QLatin1String("role")).toString(), QStringLiteral("all"));
        QCOMPARE(health.json().object().value(QLatin1String("worker")).toString(), QStringLiteral("w1"));

        Prometheus prometheus;
        const QString problem = prometheus.start(freePort(), prometheusConfig(QUrl(serverUrl).authority(), QUrl(workerUrl).authority(), freePort()));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        // Every reading the collector published went through the worker, as Prometheus sees it: the
        // readings, and the end-of-stream marker the collector writes into each of the 4 partitions.
        const int records = readings + 4;
        QJsonArray consumed;
        QVERIFY2(QTest::qWaitFor([&] {
            consumed = prometheus.vector(QStringLiteral("stratus_worker_records_in_total{job=\"stratus-worker\",stage=\"aggregate\"}"));
            return consumed.size() == 1 && consumed.first().toObject().value(QLatin1String("value")).toArray().at(1).toString().toInt() == records;
        }, 60000), qPrintable(QStringLiteral("%1 readings collected; Prometheus has %2; the worker says %3")
                                  .arg(readings)
                                  .arg(QString::fromUtf8(QJsonDocument(consumed).toJson(QJsonDocument::Compact)),
                                       QString::fromUtf8(get(workerUrl + QStringLiteral("/metrics")).body)
                                           .split(u'\n')
                                           .filter(QStringLiteral("records_in"))
                                           .join(u' '))));
        QCOMPARE(prometheus.vector(QStringLiteral("stratus_worker_up{job=\"stratus-worker\"} == 1")).size(), 1);
        QVERIFY(QTest::qWaitFor([&] { // both targets, once each has been scraped
            return prometheus.vector(QStringLiteral("process_resident_memory_bytes{job=~\"stratus-.*\"} > 0")).size() == 2;
        }, 30000));

        // The connected server's latest values, through Prometheus, equal its REST API's.
        QJsonArray temps;
        QVERIFY(QTest::qWaitFor([&] {
            temps = prometheus.vector(QStringLiteral("stratus_station_temperature_celsius{job=\"stratus-server\"}"));
            if (temps.size() != 5)
                return false;
            for (const QJsonValue &v : temps) {
                const QString id = v.toObject().value(QLatin1String("metric")).toObject().value(QLatin1String("station")).toString();
                const double viaPrometheus = v.toObject().value(QLatin1String("value")).toArray().at(1).toString().toDouble();
                const QJsonObject latest = get(serverUrl + QStringLiteral("/stations/") + id).json().object().value(QLatin1String("latest")).toObject();
                if (!latest.contains(QLatin1String("temperature")) || latest.value(QLatin1String("temperature")).toDouble() != viaPrometheus)
                    return false; // the last readings may still be arriving: scrape again
            }
            return true;
        }, 60000));
    }

private:
    KafkaTestCluster m_cluster;
};

QTEST_GUILESS_MAIN(TestKafkaPrometheus)
#include "tst_app_kafka_prometheus.moc"
