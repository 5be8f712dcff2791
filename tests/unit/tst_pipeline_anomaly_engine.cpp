// The Engine runs the anomaly detector and the alert rules on accepted readings and publishes
// their anomalies: replay of the real NWS recording at full speed, read back from LiveState.
#include "Engine.h"
#include "TestData.h"

#include <QSignalSpy>
#include <QtTest>

using namespace stratus;

class TestAnomalyEngine : public QObject
{
    Q_OBJECT

private slots:
    void engineReportsDetectorAndRuleAnomalies()
    {
        EngineOptions o;
        o.replayFile = testdata::shared("data/nws_recorded/nws_recorded.jsonl");
        o.replaySpeed = 0; // as fast as possible
        o.alertRules = {QStringLiteral("# config file lines"),
                        QStringLiteral("temperature < -15 for 30m station=KMSN severity=critical"),
                        QStringLiteral("temperature < cold")}; // bad line: logged and skipped
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("\"cold\" is not a number")));
        Engine engine(o);
        QCOMPARE(engine.alertRules().rules().size(), 1);
        QSignalSpy finished(&engine, &Engine::sourceFinished);
        engine.start();
        // At full speed the replay may finish inside start().
        QVERIFY(finished.count() > 0 || finished.wait(60'000));
        const auto anomalyCount = [&] { return engine.state().anomalies(0, QString(), LiveState::kAnomalyHistory).size(); };
        QTRY_VERIFY_WITH_TIMEOUT(anomalyCount() > 0, 10'000);
        QTest::qWait(200); // let queued bus deliveries land
        const QList<Anomaly> all = engine.state().anomalies(0, QString(), LiveState::kAnomalyHistory);
        QSet<AnomalyKind> kinds;
        bool kmsnFiring = false;
        for (const Anomaly &a : all) {
            kinds.insert(a.kind);
            if (a.kind == AnomalyKind::Rule && a.stationId == QLatin1String("KMSN") && a.reason.startsWith(u"firing:"))
                kmsnFiring = true;
        }
        QVERIFY(kmsnFiring);
        // The recording's pauses between sessions are station silences.
        QVERIFY(kinds.contains(AnomalyKind::Dropout));
        for (const Anomaly &a : all)
            QVERIFY2(!a.reason.isEmpty(), qPrintable(anomalyKindKey(a.kind)));
    }
};

QTEST_GUILESS_MAIN(TestAnomalyEngine)
#include "tst_pipeline_anomaly_engine.moc"
