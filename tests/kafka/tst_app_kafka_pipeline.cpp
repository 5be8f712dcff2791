// The distributed pipeline on a real Kafka broker (label `kafka`): real recorded data through
// collector + 2 workers must give exactly the windows and forecasts of the in-process engine, also
// when a worker is killed with SIGKILL mid-stream; poison records must land in the dead-letter
// topic while processing goes on.
#include "Engine.h"
#include "JsonCodec.h"
#include "KafkaPipelineHelpers.h"
#include "bus/Bus.h"
#include "bus/KafkaBinaryCodec.h"
#include "bus/KafkaBus.h"
#include "bus/KafkaCodec.h"
#include "cluster/ClusterMonitor.h"
#include "cluster/ClusterStatusConverter.h"
#include "sources/RecordedDataReader.h"

#include <csignal>

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QtTest>

#include <algorithm>

using namespace stratus;


class TestKafkaPipeline : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        const QString problem = m_cluster.start(1);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
    void cleanupTestCase() { m_cluster.stop(); }

    void twoWorkersEqualInProcess_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("killOne");
        // [kafka] encoding of the workers (features, predictions) and of the collector (raw).
        QTest::addColumn<QByteArray>("workerEncoding");
        QTest::addColumn<QByteArray>("collectorEncoding");
        const QByteArray json("json"), binary("binary");
        QTest::newRow("nws recorded") << testdata::shared("data/nws_recorded/nws_recorded.jsonl") << false << json << json;
        // Mixed: JSON readings in, binary windows and forecasts out; the decoders take both.
        QTest::newRow("nws recorded, binary workers, json collector")
            << testdata::shared("data/nws_recorded/nws_recorded.jsonl") << false << binary << json;
        // The METAR day's first 2,500 reports (≈1.5 h, ≈1,400 stations): the whole day is 1.2 M
        // windows, too much for a CI test on 2 cores; the benchmark runs bigger streams.
        QTest::newRow("metar day (first 2500 reports)") << QStringLiteral("metar:2500") << false << json << json;
        QTest::newRow("metar day (first 2500 reports), binary") << QStringLiteral("metar:2500") << false << binary << binary;
        QTest::newRow("metar day (first 2500 reports), kill -9 of a worker") << QStringLiteral("metar:2500") << true << json << json;
    }

    void twoWorkersEqualInProcess()
    {
        QFETCH(QString, file);
        QFETCH(bool, killOne);
        QFETCH(QByteArray, workerEncoding);
        QFETCH(QByteArray, collectorEncoding);
        // The child processes read [kafka] encoding from the environment (Config: env < CLI).
        const auto restoreEncoding = qScopeGuard([] { qunsetenv("STRATUS_KAFKA_ENCODING"); });
        if (file.startsWith(QLatin1String("metar:")))
            file = headOf(testdata::shared("data/sao_19950318/observations.csv"), file.section(QLatin1Char(':'), 1).toInt());
        const Expected expected = runInProcess(file);
        QVERIFY(!expected.windows.isEmpty());

        const QString ns = KafkaTestCluster::newNamespace();
        const KafkaSettings k = m_cluster.settings(ns);
        std::vector<std::unique_ptr<QProcess>> workers;
        const auto startWorkers = [&] {
            qputenv("STRATUS_KAFKA_ENCODING", workerEncoding);
            workers.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, QStringLiteral("w1"))));
            workers.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, QStringLiteral("w2"))));
        };
        startWorkers();
        // For the kill the collector is paced (600× event time, ≈9 s for the 1.5 h of reports), so
        // the kill surely lands mid-stream however fast the workers are.
        QStringList collect = collectArgs(m_cluster, ns, file);
        if (killOne)
            collect.replace(collect.indexOf(QStringLiteral("max")), QStringLiteral("600"));
        qputenv("STRATUS_KAFKA_ENCODING", collectorEncoding);
        auto collector = KafkaTestCluster::stratus(collect);
        qputenv("STRATUS_KAFKA_ENCODING", workerEncoding);
        if (!killOne)
            QVERIFY2(collector->waitForFinished(120000) && collector->exitCode() == 0, collector->readAll().constData());
        if (killOne) {
            // SIGKILL in mid-stream: wait until part of the windows are out, then kill w1. Its open
            // transaction is aborted by the broker; w2 takes its partitions, rebuilds their windows by
            // replaying the raw topic to the committed offsets, and goes on. A third worker joins to
            // exercise one more rebalance.
            const auto partial = KafkaTestCluster::readTopic(k, k.topic(Bus::Topic::Features), 1, 60000, 0);
            QVERIFY2(partial.size() < expected.windows.size(), "stream finished before the kill; nothing was tested");
            ::kill(static_cast<pid_t>(workers[0]->processId()), SIGKILL);
            workers[0]->waitForFinished(5000);
            workers.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, QStringLiteral("w3"))));
            QVERIFY2(collector->waitForFinished(120000) && collector->exitCode() == 0, collector->readAll().constData());
        }

        const auto windows = normalized(KafkaTestCluster::readTopic(k, k.topic(Bus::Topic::Features), expected.windows.size(), 180000, 3000),
                                        KafkaCodec::decodeWindow);
        const auto forecasts = normalized(
            KafkaTestCluster::readTopic(k, k.topic(Bus::Topic::Predictions), expected.forecasts.size(), 120000, 1500),
            KafkaCodec::decodeForecast);
        stopAll(workers);
        QVERIFY2(windows == expected.windows, qPrintable(QStringLiteral("windows differ: ") + firstDifference(windows, expected.windows)));
        QVERIFY2(forecasts == expected.forecasts,
                 qPrintable(QStringLiteral("forecasts differ: ") + firstDifference(forecasts, expected.forecasts)));
        qInfo() << file.section(QLatin1Char('/'), -1) << ":" << windows.size() << "windows," << forecasts.size()
                << "forecasts, each exactly once";
    }

    void poisonRecordsGoToDeadLetter()
    {
        const QString ns = KafkaTestCluster::newNamespace();
        const KafkaSettings k = m_cluster.settings(ns);
        KafkaBus::Options bo;
        bo.kafka = k;
        KafkaBus bus(bo);
        QVERIFY2(bus.start(), qPrintable(bus.problem()));
        std::vector<std::unique_ptr<QProcess>> workers;
        workers.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, QStringLiteral("w1"))));

        // Injected faults (synthetic on purpose: the poison is the point), around real readings
        // from the NWS recording.
        const auto data = RecordedDataReader::read(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
        QVERIFY(data);
        const QList<Reading> real = data->readings.mid(0, 40);
        auto rawProduce = [&](const QByteArray &key, const QByteArray &value) {
            auto p = kafka::makeProducer(k, {});
            QVERIFY(p);
            const QByteArray t = k.topic(Bus::Topic::Raw).toUtf8();
            rd_kafka_producev(p->get(), RD_KAFKA_V_TOPIC(t.constData()), RD_KAFKA_V_KEY(key.constData(), size_t(key.size())),
                              RD_KAFKA_V_VALUE(const_cast<char *>(value.constData()), size_t(value.size())),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
            rd_kafka_flush(p->get(), 10000);
        };
        bus.publishReadings(real.mid(0, 20));
        QVERIFY(bus.flush());
        rawProduce("KMSN", "{\"station\":\"KMSN\",\"ts\":"); // truncated JSON
        rawProduce("KMSN", "[1,2,3]");                       // not an object
        rawProduce("KMSN", "{\"station\":42,\"time\":\"yesterday\"}"); // wrong types
        Reading impossible = real.first();
        impossible.timestampMs = real.at(19).timestampMs;
        impossible.set(Variable::Temperature, 999.0); // impossible value
        bus.publishReadings({impossible});
        const QByteArray binary = KafkaBinaryCodec::encode(real.at(5));
        rawProduce("KMSN", binary.left(binary.size() - 3)); // truncated binary reading
        QByteArray future = binary;
        future[2] = 9;
        rawProduce("KMSN", future); // binary of a version this build does not know
        bus.publishReadings(real.mid(20));
        bus.publishEndOfStream();
        QVERIFY(bus.flush());

        const auto dead = KafkaTestCluster::readTopic(k, k.topic(Bus::Topic::DeadLetter), 6, 60000);
        QCOMPARE(dead.size(), 6);
        QStringList reasons;
        for (const QByteArray &d : dead) {
            const auto letter = KafkaCodec::decodeDeadLetter(d);
            QVERIFY(letter);
            QVERIFY2(!letter->reason.isEmpty(), d.constData());
            QVERIFY(letter->origin.startsWith(k.topic(Bus::Topic::Raw)));
            reasons << letter->reason;
        }
        const QString all = reasons.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QLatin1String("malformed JSON")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("999")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("binary reading")) && all.contains(QLatin1String("truncated")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("unsupported version 9")), qPrintable(all));
        // Processing went on: every real reading reached a window (end-of-stream closes them all).
        const auto windows = KafkaTestCluster::readTopic(k, k.topic(Bus::Topic::Features), 1, 60000, 3000);
        QVERIFY(!windows.isEmpty());
        QSet<QString> stations;
        qint64 lastEnd = 0;
        for (const QByteArray &w : windows) {
            const auto x = KafkaCodec::decodeWindow(w);
            QVERIFY(x);
            QVERIFY2(!(x->variable == Variable::Temperature && x->max > 100), "the impossible value reached a window");
            stations.insert(x->stationId);
            lastEnd = std::max(lastEnd, x->endMs);
        }
        QVERIFY(lastEnd > real.last().timestampMs);
        stopAll(workers);
    }

    void clusterHealthShowsTopicsLagAndWorkers()
    {
        const QString ns = KafkaTestCluster::newNamespace();
        const KafkaSettings k = m_cluster.settings(ns);
        std::vector<std::unique_ptr<QProcess>> workers;
        workers.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, QStringLiteral("w1"))));
        ClusterMonitor monitor(k);
        monitor.liveWindowMs = 4000;
        // Snapshots while the stream runs and drains, as the GUI polls them: kept as a series (see
        // STRATUS_CAPTURE_CLUSTER_JSON below) so the GUI test's lag and rate charts have a history.
        QJsonArray series;
        auto collector = KafkaTestCluster::stratus(collectArgs(m_cluster, ns, testdata::shared("data/nws_recorded/nws_recorded.jsonl")));
        for (int i = 0; i < 480 && !collector->waitForFinished(250); ++i)
            series.append(monitor.snapshot().toJson());
        QVERIFY2(collector->state() == QProcess::NotRunning && collector->exitCode() == 0, collector->readAll().constData());

        ClusterHealth h;
        // Lag drains once the last transactions are committed.
        for (int i = 0; i < 80; ++i) {
            h = monitor.snapshot();
            series.append(h.toJson());
            // The worker's first heartbeat goes out before its partitions are assigned: wait for one after.
            const bool assigned = !h.workers.isEmpty() && !ClusterStatusConverter::fromHealthJson(h.toJson()).workers.value(0).partitions.isEmpty();
            if (h.groups.size() == 1 && h.groups[0].totalRecords == 0 && assigned)
                break;
            QTest::qWait(250);
        }
        QVERIFY(KafkaTestCluster::readTopic(k, k.topic(Bus::Topic::Features), 12580, 60000, 0).size() >= 12580);
        QVERIFY2(h.error.isEmpty(), qPrintable(h.error));
        QVERIFY(!h.brokers.isEmpty());
        QCOMPARE(h.topics.size(), 6);
        for (const auto &t : h.topics) {
            QCOMPARE(t.partitions.size(), t.name.endsWith(QLatin1String("heartbeats")) ? 1 : 4);
            for (const auto &p : t.partitions) {
                QVERIFY(p.leader >= 0);
                QVERIFY(p.isr.contains(p.leader));
            }
        }
        // `--role all` consumes raw in the aggregate group only; the unused infer group is not listed.
        QCOMPARE(h.groups.size(), 1);
        QCOMPARE(h.groups[0].totalRecords, 0);
        QCOMPARE(h.groups[0].lag.size(), 4);
        QCOMPARE(h.workers.size(), 1);
        QCOMPARE(h.workers[0].id, QStringLiteral("w1"));
        QVERIFY(h.workers[0].alive);
        const QJsonObject json = h.toJson();
        QCOMPARE(json.value(QStringLiteral("workers")).toArray().size(), 1);
        // `--role all` is one fused stage (raw → features + predictions in one transaction).
        QCOMPARE(json.value(QStringLiteral("workers")).toArray().at(0).toObject().value(QStringLiteral("stages")).toArray().size(), 1);

        // What the GUI's cluster view reads (LiveState::setCluster converts it): every topic
        // partition once per group that consumes it, with leader/ISR and the group's lag; the
        // worker with its heartbeat, stages and partitions.
        const LiveState::ClusterStatus status = ClusterStatusConverter::fromHealthJson(json);
        QVERIFY(status.connected);
        QVERIFY(status.problem.isEmpty());
        QCOMPARE(status.brokers.size(), h.brokers.size());
        QCOMPARE(std::count_if(status.brokers.begin(), status.brokers.end(), [](const auto &b) { return b.controller; }), 1);
        qsizetype rows = 0;
        for (const auto &t : h.topics) {
            const auto consumers = std::count_if(h.groups.begin(), h.groups.end(), [&](const auto &g) { return g.topic == t.name; });
            rows += t.partitions.size() * std::max<qsizetype>(1, consumers);
        }
        QCOMPARE(status.partitions.size(), rows);
        int grouped = 0;
        for (const auto &p : status.partitions) {
            QVERIFY(p.leader >= 0);
            QVERIFY(p.isr.contains(p.leader));
            if (!p.group.isEmpty()) {
                ++grouped;
                QCOMPARE(p.lag(), 0); // drained above
            }
        }
        QCOMPARE(grouped, 4); // one group × four partitions
        QCOMPARE(status.workers.size(), 1);
        QCOMPARE(status.workers[0].id, QStringLiteral("w1"));
        QVERIFY(status.workers[0].alive);
        QCOMPARE(status.workers[0].stages.size(), 1);
        QCOMPARE(status.workers[0].partitions, (QList<int>{0, 1, 2, 3}));
        // STRATUS_CAPTURE_CLUSTER_JSON=file keeps the series of snapshots, this last one included:
        // tests/data/cluster_health_series.json for the GUI test was captured so.
        if (const QString capture = qEnvironmentVariable("STRATUS_CAPTURE_CLUSTER_JSON"); !capture.isEmpty()) {
            QVERIFY(series.size() >= 3);
            QFile out(capture);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(QJsonDocument(series).toJson(QJsonDocument::Compact));
        }

        // A dead worker stops beating and is reported as not alive.
        ::kill(static_cast<pid_t>(workers[0]->processId()), SIGKILL);
        workers[0]->waitForFinished(5000);
        QTest::qWait(static_cast<int>(monitor.liveWindowMs) + 500);
        h = monitor.snapshot();
        QCOMPARE(h.workers.size(), 1);
        QVERIFY(!h.workers[0].alive);
    }

    // `stratus --server --connect`: no computation in the server, the API shows the cluster's results.
    void connectedServerServesClusterResults()
    {
        // What the in-process engine makes of the recording: the counts the connected server must show.
        const Expected expected = runInProcess(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
        const int windows = int(expected.windows.size()), forecasts = int(expected.forecasts.size());
        QVERIFY(windows > 0 && forecasts > 0);
        const QString ns = KafkaTestCluster::newNamespace();
        std::vector<std::unique_ptr<QProcess>> procs;
        procs.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, QStringLiteral("w1"))));
        auto collector = KafkaTestCluster::stratus(collectArgs(m_cluster, ns, testdata::shared("data/nws_recorded/nws_recorded.jsonl")));
        const bool collectorDone = collector->waitForFinished(120000) && collector->exitCode() == 0;
        // "stratus: collected N readings into …": what the connected server must count as readings_in.
        const QString collected = QString::fromUtf8(collector->readAll());
        QVERIFY2(collectorDone, qPrintable(collected));
        const qsizetype at = collected.indexOf(QLatin1String("collected "));
        QVERIFY2(at >= 0, qPrintable(collected));
        const int readingsCollected = collected.mid(at + 10).section(QLatin1Char(' '), 0, 0).toInt();
        QVERIFY(readingsCollected > 0);
        procs.push_back(KafkaTestCluster::stratus({QStringLiteral("--server"), QStringLiteral("--connect"), m_cluster.bootstrap(),
                                                   QStringLiteral("--namespace"), ns, QStringLiteral("--port"), QStringLiteral("0")}));
        QProcess *server = procs.back().get();
        QString base;
        for (int i = 0; i < 200 && base.isEmpty(); ++i) {
            server->waitForReadyRead(100);
            const QString line = QString::fromUtf8(server->readLine());
            if (line.startsWith(QLatin1String("stratus: serving ")))
                base = line.mid(17).trimmed();
        }
        QVERIFY2(!base.isEmpty(), "the connected server did not start");
        QNetworkAccessManager net;
        auto get = [&](const QString &path) {
            QNetworkReply *r = net.get(QNetworkRequest(QUrl(base + path)));
            QEventLoop loop;
            QObject::connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
            loop.exec();
            const QJsonObject o = QJsonDocument::fromJson(r->readAll()).object();
            r->deleteLater();
            return o;
        };
        QJsonObject health;
        for (int i = 0; i < 360; ++i) { // up to 90 s: the worker may still be working on a loaded machine
            health = get(QStringLiteral("/health"));
            const QJsonObject c = health.value(QStringLiteral("counters")).toObject();
            // The viewer reads the topics side by side, in no order between them: wait for all three.
            if (c.value(QStringLiteral("forecasts_out")).toInt() >= forecasts && c.value(QStringLiteral("windows_out")).toInt() >= windows
                && c.value(QStringLiteral("readings_in")).toInt() >= readingsCollected)
                break;
            QTest::qWait(250);
        }
        QCOMPARE(health.value(QStringLiteral("mode")).toString(), QStringLiteral("connected"));
        QCOMPARE(health.value(QStringLiteral("bus")).toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("kafka"));
        // Exactly the in-process engine's counts for the NWS recording (see twoWorkersEqualInProcess).
        QCOMPARE(health.value(QStringLiteral("counters")).toObject().value(QStringLiteral("windows_out")).toInt(), windows);
        QCOMPARE(health.value(QStringLiteral("counters")).toObject().value(QStringLiteral("forecasts_out")).toInt(), forecasts);
        // Readings are counted as they arrive from the raw topic (no source runs in the server).
        QCOMPARE(health.value(QStringLiteral("counters")).toObject().value(QStringLiteral("readings_in")).toInt(), readingsCollected);
        const QJsonObject p = get(QStringLiteral("/predictions/KMSN"));
        QVERIFY2(!p.value(QStringLiteral("predictions")).toArray().isEmpty(), QJsonDocument(p).toJson().constData());
        // /cluster: the ClusterMonitor's snapshot, refreshed every 5 s, shows the live worker.
        QJsonObject cluster;
        for (int i = 0; i < 60; ++i) {
            cluster = get(QStringLiteral("/cluster"));
            if (!cluster.value(QStringLiteral("workers")).toArray().isEmpty())
                break;
            QTest::qWait(250);
        }
        QVERIFY2(!cluster.value(QStringLiteral("brokers")).toArray().isEmpty(), QJsonDocument(cluster).toJson().constData());
        QCOMPARE(cluster.value(QStringLiteral("topics")).toArray().size(), 6);
        QCOMPARE(cluster.value(QStringLiteral("groups")).toArray().size(), 1); // --role all: the aggregate group only
        QCOMPARE(cluster.value(QStringLiteral("workers")).toArray().at(0).toObject().value(QStringLiteral("id")).toString(),
                 QStringLiteral("w1"));
        stopAll(procs);
    }

private:
    // The header and the first `rows` data lines of a real CSV, as a temporary file.
    QString headOf(const QString &path, int rows)
    {
        QFile in(path);
        if (!in.open(QIODevice::ReadOnly))
            return path;
        const QString out = m_tmp.filePath(QStringLiteral("head%1.csv").arg(rows));
        QFile f(out);
        f.open(QIODevice::WriteOnly);
        for (int i = 0; i <= rows && !in.atEnd(); ++i)
            f.write(in.readLine());
        return out;
    }

    QTemporaryDir m_tmp;
    KafkaTestCluster m_cluster;
};

QTEST_GUILESS_MAIN(TestKafkaPipeline)
#include "tst_app_kafka_pipeline.moc"
