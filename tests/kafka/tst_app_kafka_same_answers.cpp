// The cluster runs the real engine: `--worker --role all` processes with the shipped model
// (--models), the station catalogue (spatial check) and alert rules from the config give the same
// forecasts and the same anomalies, rule notices included, as `stratus` in-process on the same
// recording, also when a worker is killed with SIGKILL mid-stream. Real data: February 2016 of the
// Beijing hourly file (12 sites, the model's held-out year), sliced from ../shared at run time.
#include "KafkaPipelineHelpers.h"
#include "TestData.h"

#include <QDir>

#include <set>
#include <QTemporaryDir>
#include <QtTest>

namespace {

// Anomalies re-encoded through the codec, sorted. Model drift alerts are left out: they come from
// the drift monitor beside the history store (in-process, or the --connect server), not from workers.
QList<QByteArray> encodedAnomalies(const QList<Anomaly> &anomalies)
{
    QList<QByteArray> out;
    for (const Anomaly &a : anomalies) {
        if (a.kind != AnomalyKind::Model)
            out.append(KafkaCodec::encode(a));
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

class TestKafkaSameAnswers : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        const QString problem = m_cluster.start(1);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(m_tmp.isValid());
        // The shipped model, as a registry of one version.
        m_models = m_tmp.filePath(QStringLiteral("models"));
        const QString version = QStringLiteral("beijing-2013-2015");
        const QDir source(testdata::source("resources/models/") + version);
        QVERIFY(QDir().mkpath(m_models + QLatin1Char('/') + version));
        for (const QString &f : source.entryList(QDir::Files))
            QVERIFY(QFile::copy(source.filePath(f), m_models + QLatin1Char('/') + version + QLatin1Char('/') + f));
        m_stations = testdata::source("resources/demo/stations.csv");
        // A rule that fires in February in Beijing's cold nights, with a duration (state across readings).
        m_rules = QStringLiteral("temperature < -3 for 2h severity=warning");
        const QString rulesFile = m_tmp.filePath(QStringLiteral("rules.txt"));
        QFile r(rulesFile);
        QVERIFY(r.open(QIODevice::WriteOnly));
        r.write(m_rules.toUtf8() + '\n');
        r.close();
        m_config = m_tmp.filePath(QStringLiteral("stratus.conf"));
        QFile c(m_config);
        QVERIFY(c.open(QIODevice::WriteOnly));
        c.write("[alerts]\nrules_file = " + rulesFile.toUtf8() + "\n");
    }
    void cleanupTestCase() { m_cluster.stop(); }

    void workersAnswerAsInProcess_data()
    {
        QTest::addColumn<QByteArray>("from");
        QTest::addColumn<QString>("speed");
        QTest::addColumn<bool>("kill");
        // February 2016 at full speed; and its last days at 10,000× (≈ 45 s) with a worker killed
        // with SIGKILL mid-stream and a third one joining (exactly once: nothing lost or doubled).
        QTest::newRow("two workers") << QByteArray("2016-02-01") << QStringLiteral("max") << false;
        QTest::newRow("kill -9 mid-stream") << QByteArray("2016-02-24") << QStringLiteral("10000") << true;
    }

    void workersAnswerAsInProcess()
    {
        QFETCH(QByteArray, from);
        QFETCH(QString, speed);
        QFETCH(bool, kill);
        // The recording: the Beijing sites from `from` to the end of the file (the model's held-out year).
        const QString file = m_tmp.filePath(QStringLiteral("beijing-from-%1.csv").arg(QString::fromLatin1(from)));
        {
            QFile in(testdata::shared("data/beijing_hourly/beijing_hourly_2013_2016.csv"));
            QVERIFY(in.open(QIODevice::ReadOnly));
            QFile out(file);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(in.readLine()); // header
            int rows = 0;
            while (!in.atEnd()) {
                const QByteArray line = in.readLine();
                if (line.split(',').value(1) >= from) {
                    out.write(line);
                    ++rows;
                }
            }
            QVERIFY(rows > 1000);
        }
        // In-process: the engine users run with `stratus --server --file F --models D --stations-csv S`.
        EngineOptions o;
        o.replayFile = file;
        o.replaySpeed = 0;
        o.modelDir = m_models;
        o.stationsCsv = m_stations;
        o.alertRules = {m_rules};
        QList<QByteArray> forecasts;
        QList<Anomaly> anomalies;
        {
            Engine engine(o);
            QObject::connect(&engine.bus(), &Bus::forecasts, &engine, [&](const QList<Forecast> &f) {
                for (const auto &x : f)
                    forecasts.append(KafkaCodec::encode(x));
            });
            QObject::connect(&engine.bus(), &Bus::anomalies, &engine, [&](const QList<Anomaly> &a) { anomalies += a; });
            QSignalSpy done(&engine, &Engine::sourceFinished);
            engine.start();
            QVERIFY(!done.isEmpty() || done.wait(180000));
        }
        std::sort(forecasts.begin(), forecasts.end());
        const QList<QByteArray> expectedAnomalies = encodedAnomalies(anomalies);
        // What this test is about: model forecasts, spatial (neighbour) anomalies and rule notices.
        int model = 0;
        QMap<QString, int> byModel;
        for (const QByteArray &f : std::as_const(forecasts)) {
            const auto d = KafkaCodec::decodeForecast(f);
            QVERIFY(d.ok());
            ++byModel[d->model + QLatin1Char('/') + variableKey(d->variable)];
            model += d->modelVersion == QLatin1String("beijing-2013-2015") ? 1 : 0;
        }
        qInfo() << "in-process forecasts by model/variable:" << byModel;
        QVERIFY2(model > 500, qPrintable(QString::number(model)));
        std::set<int> kinds;
        for (const Anomaly &a : std::as_const(anomalies))
            kinds.insert(int(a.kind));
        QVERIFY2(kinds.count(int(AnomalyKind::Rule)) == 1, "the rule never fired in-process");

        // The cluster: two workers with the same model, catalogue and rules; the collector replays.
        const QString ns = KafkaTestCluster::newNamespace();
        const KafkaSettings k = m_cluster.settings(ns);
        const QStringList engineArgs{QStringLiteral("--models"), m_models, QStringLiteral("--stations-csv"), m_stations,
                                     QStringLiteral("--config"), m_config};
        std::vector<std::unique_ptr<QProcess>> procs;
        procs.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, QStringLiteral("w1")) + engineArgs));
        procs.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, QStringLiteral("w2")) + engineArgs));
        QStringList collect = collectArgs(m_cluster, ns, file) + QStringList{QStringLiteral("--config"), m_config};
        collect.replace(collect.indexOf(QStringLiteral("max")), speed);
        auto collector = KafkaTestCluster::stratus(collect);
        if (kill) {
            // Once w1 has produced predictions and the stream is well under way, but not over.
            QTest::qWait(12000);
            const qsizetype before = KafkaTestCluster::readTopic(k, k.topic(Bus::Topic::Predictions), forecasts.size(), 3000, 500).size();
            QVERIFY2(before > 0 && before < forecasts.size() / 2, qPrintable(QStringLiteral("%1 of %2 predictions out at the kill").arg(before).arg(forecasts.size())));
            QVERIFY(collector->state() == QProcess::Running);
            ::kill(static_cast<pid_t>(procs[0]->processId()), SIGKILL);
            procs[0]->waitForFinished(5000);
            procs.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, QStringLiteral("w3")) + engineArgs));
        }
        QVERIFY2((collector->state() == QProcess::NotRunning || collector->waitForFinished(180000)) && collector->exitCode() == 0, collector->readAll().constData());

        const QList<QByteArray> gotForecasts =
            normalized(KafkaTestCluster::readTopic(k, k.topic(Bus::Topic::Predictions), forecasts.size(), 240000, 3000),
                       [](const QByteArray &v) { return KafkaCodec::decodeForecast(v); });
        QList<Anomaly> clusterAnomalies;
        for (const QByteArray &v : KafkaTestCluster::readTopic(k, k.topic(Bus::Topic::Anomalies), expectedAnomalies.size(), 60000, 3000)) {
            const auto a = KafkaCodec::decodeAnomaly(v);
            QVERIFY2(a.ok(), v.constData());
            clusterAnomalies.append(*a);
        }
        const QList<QByteArray> gotAnomalies = encodedAnomalies(clusterAnomalies);
        stopAll(procs);
        QVERIFY2(gotForecasts == forecasts, qPrintable(QStringLiteral("forecasts: ") + difference(gotForecasts, forecasts)));
        QVERIFY2(gotAnomalies == expectedAnomalies,
                 qPrintable(QStringLiteral("anomalies: ") + difference(gotAnomalies, expectedAnomalies)));
        qInfo() << forecasts.size() << "forecasts (" << model << "from the model) and" << expectedAnomalies.size()
                << "anomalies of" << kinds.size() << "kinds, equal on the cluster";
    }

private:
    KafkaTestCluster m_cluster;
    QTemporaryDir m_tmp;
    QString m_models, m_stations, m_rules, m_config;
};

QTEST_GUILESS_MAIN(TestKafkaSameAnswers)
#include "tst_app_kafka_same_answers.moc"
