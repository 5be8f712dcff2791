// The Engine runs the spatial consistency check on the readings it accepts: replaying the real SAO
// day, Lakeland's real -6.7 °C among 23 °C neighbours comes out as a Spatial anomaly in LiveState,
// and `--near` (EngineOptions::near) keeps the replay to the stations it selects.
#include "Engine.h"
#include "TestData.h"

#include <QSignalSpy>
#include <QtTest>

using namespace stratus;

class TestEngineSpatial : public QObject
{
    Q_OBJECT
private slots:
    void replayRaisesSpatialAnomalies()
    {
        EngineOptions o;
        o.replayFile = testdata::shared("data/sao_19950318/observations.csv");
        o.replaySpeed = 0; // as fast as possible
        // Only Florida's west coast: the 12 stations nearest Tampa.
        auto near = GeoQuery::parse(QStringLiteral("27.96,-82.54"), QString(), QStringLiteral("12"));
        QVERIFY(near.ok());
        o.near = *near;
        Engine engine(o);
        QSignalSpy finished(&engine, &Engine::sourceFinished);
        engine.start();
        QVERIFY(finished.wait(120'000));

        const StationCatalogue catalogue = engine.state().catalogue();
        QCOMPARE(catalogue.size(), 12);
        QVERIFY(catalogue.contains(QStringLiteral("LAL")) && catalogue.contains(QStringLiteral("TPA")));
        QVERIFY(!engine.state().latestReading(QStringLiteral("MSN")).has_value()); // not selected, not replayed

        const QList<Anomaly> lal = engine.state().anomalies(0, QStringLiteral("LAL"), 100);
        const auto spatial = std::find_if(lal.cbegin(), lal.cend(), [](const Anomaly &a) {
            return a.kind == AnomalyKind::Spatial && a.variable == Variable::Temperature;
        });
        QVERIFY2(spatial != lal.cend(), "no spatial anomaly at LAL");
        QCOMPARE(QDateTime::fromMSecsSinceEpoch(spatial->timestampMs, Qt::UTC).toString(Qt::ISODate),
                 QStringLiteral("1995-03-18T21:49:00Z"));
        QVERIFY2(spatial->reason.contains(QStringLiteral("TPA")), qPrintable(spatial->reason));
    }
};

QTEST_GUILESS_MAIN(TestEngineSpatial)
#include "tst_pipeline_engine_spatial.moc"
