// A broker of a 3-node cluster (replication 3, min ISR 2) is killed with SIGKILL in mid-stream and
// restarted: the workers ride it out (aborting and redoing transactions where they must) and every
// window and forecast of the in-process engine is present exactly once. Always starts its own
// 3-node cluster with scripts/kafka.sh (label `kafka`).
#include "KafkaPipelineHelpers.h"

#include <QtTest>

class TestKafkaBrokerRestart : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        const QString problem = m_cluster.start(3);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
    void cleanupTestCase() { m_cluster.stop(); }

    void brokerKilledAndRestartedMidStream()
    {
        // The first 2,500 reports of the real METAR day.
        const QString file = m_tmp.filePath(QStringLiteral("head.csv"));
        {
            QFile in(testdata::shared("data/sao_19950318/observations.csv"));
            QVERIFY(in.open(QIODevice::ReadOnly));
            QFile out(file);
            QVERIFY(out.open(QIODevice::WriteOnly));
            for (int i = 0; i <= 2500 && !in.atEnd(); ++i)
                out.write(in.readLine());
        }
        const Expected expected = runInProcess(file);
        QVERIFY(!expected.windows.isEmpty());

        const QString ns = KafkaTestCluster::newNamespace();
        const KafkaSettings k = m_cluster.settings(ns);
        const QStringList rf3{QStringLiteral("--replication"), QStringLiteral("3")};
        std::vector<std::unique_ptr<QProcess>> workers;
        workers.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, QStringLiteral("w1")) + rf3));
        workers.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, QStringLiteral("w2")) + rf3));
        // Paced (600× event time, ≈9 s for the 1.5 h of reports), so the broker dies while readings
        // are still being produced and results computed, however fast this machine is (at full speed
        // the workers could finish before the kill, and the collector never met the failure).
        QStringList collect = collectArgs(m_cluster, ns, file) + rf3;
        collect.replace(collect.indexOf(QStringLiteral("max")), QStringLiteral("600"));
        auto collector = KafkaTestCluster::stratus(collect);

        const auto partial = KafkaTestCluster::readTopic(k, k.topic(Bus::Topic::Features), expected.windows.size() / 5, 60000, 0);
        QVERIFY2(partial.size() < expected.windows.size(), "stream finished before the broker was killed; nothing was tested");
        QVERIFY2(collector->state() == QProcess::Running, "the collector finished before the broker was killed");
        QVERIFY(m_cluster.script({QStringLiteral("kill-node"), QStringLiteral("2")}));
        QTest::qWait(3000);
        QVERIFY(m_cluster.script({QStringLiteral("start-node"), QStringLiteral("2")}));
        QVERIFY2((collector->state() == QProcess::NotRunning || collector->waitForFinished(120000)) && collector->exitCode() == 0, collector->readAll().constData());

        const auto windows = normalized(KafkaTestCluster::readTopic(k, k.topic(Bus::Topic::Features), expected.windows.size(), 240000, 3000),
                                        KafkaCodec::decodeWindow);
        const auto forecasts = normalized(
            KafkaTestCluster::readTopic(k, k.topic(Bus::Topic::Predictions), expected.forecasts.size(), 120000, 1500),
            KafkaCodec::decodeForecast);
        for (auto &w : workers)
            QVERIFY2(w->state() == QProcess::Running, w->readAll().constData()); // rode the failure out
        stopAll(workers);
        QVERIFY2(windows == expected.windows, qPrintable(QStringLiteral("windows differ: ") + firstDifference(windows, expected.windows)));
        QVERIFY2(forecasts == expected.forecasts,
                 qPrintable(QStringLiteral("forecasts differ: ") + firstDifference(forecasts, expected.forecasts)));
    }

private:
    QTemporaryDir m_tmp;
    KafkaTestCluster m_cluster;
};

QTEST_GUILESS_MAIN(TestKafkaBrokerRestart)
#include "tst_app_kafka_broker_restart.moc"
