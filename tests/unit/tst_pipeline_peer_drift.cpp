// PeerDriftDetector on real data: six Beijing sites, March … October 2013 (one local network of
// unlocated stations), as recorded and with one thermometer drifting slowly away from the others.
#include "BeijingSixSites.h"
#include "anomaly/AnomalyDetector.h"
#include "anomaly/PeerDriftDetector.h"

#include <QTest>

#include <algorithm>

using namespace stratus;

namespace {

const QString kDrifting = QStringLiteral("Dongsi");

double temperatureFloor()
{
    return AnomalyDetector::Options().scaleFloor[static_cast<size_t>(index(Variable::Temperature))];
}

QList<Anomaly> run(const QList<Reading> &readings, const QList<Station> &stations,
                   PeerDriftDetector::Options options = PeerDriftDetector::Options())
{
    PeerDriftDetector detector(options);
    detector.setStations(stations);
    QList<Anomaly> out;
    for (const Reading &r : readings) {
        if (auto a = detector.process(r, Variable::Temperature, temperatureFloor()))
            out.append(*a);
    }
    return out;
}

// Dongsi's thermometer gains 0.05 °C an hour from `startMs` (1.2 °C a day), up to +4 °C.
QList<Reading> withDrift(QList<Reading> readings, qint64 startMs)
{
    for (Reading &r : readings) {
        if (r.stationId == kDrifting && r.timestampMs >= startMs && r.has(Variable::Temperature)) {
            const double hours = static_cast<double>(r.timestampMs - startMs) / 3'600'000.0;
            r.set(Variable::Temperature, r.value(Variable::Temperature) + std::min(4.0, 0.05 * hours));
        }
    }
    return readings;
}

int count(const QList<Anomaly> &anomalies, const QString &station, qint64 fromMs, qint64 toMs)
{
    return static_cast<int>(std::count_if(anomalies.cbegin(), anomalies.cend(), [&](const Anomaly &a) {
        return a.stationId == station && a.timestampMs >= fromMs && a.timestampMs < toMs;
    }));
}

} // namespace

class TestPeerDrift : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        m_data = testdata::beijingSixSites();
        QVERIFY2(m_data.error.isEmpty(), qPrintable(m_data.error));
        QVERIFY(m_data.readings.size() > 6 * 5000);
        m_clean = run(m_data.readings, m_data.stations);
    }

    void aDriftingThermometerIsFlagged()
    {
        const qint64 start = *timeutil::parseIsoUtc(QStringLiteral("2013-07-01T00:00:00Z"));
        const qint64 tenDays = start + 10 * timeutil::kMsPerDay;
        const QList<Anomaly> drifted = run(withDrift(m_data.readings, start), m_data.stations);
        const int recorded = count(m_clean, kDrifting, start, tenDays);
        const int flagged = count(drifted, kDrifting, start, tenDays);
        qInfo("Dongsi 2013-07-01 … 07-11: %d spatial anomalies as recorded, %d with the drift; %lld in the whole clean run",
              recorded, flagged, static_cast<long long>(m_clean.size()));
        QCOMPARE(recorded, 0);
        QVERIFY(flagged > 0);
        const auto first = std::find_if(drifted.cbegin(), drifted.cend(),
                                        [&](const Anomaly &a) { return a.stationId == kDrifting && a.timestampMs >= start; });
        QVERIFY(first != drifted.cend());
        // Found while the drift is still small: within four days (under +4 °C, the cap).
        QVERIFY2(first->timestampMs < start + 4 * timeutil::kMsPerDay, qPrintable(timeutil::toIsoUtc(first->timestampMs)));
        QCOMPARE(first->kind, AnomalyKind::Spatial);
        QCOMPARE(first->variable, Variable::Temperature);
        QVERIFY(first->score >= 1.0);
        QVERIFY2(first->reason.contains(QStringLiteral("more than its 5 neighbours")), qPrintable(first->reason));
        // Before the drift both runs are the same reading for reading.
        QCOMPARE(count(drifted, kDrifting, 0, start), count(m_clean, kDrifting, 0, start));
    }

    void theRecordedNetworkIsQuiet()
    {
        // A real network's sites wander against each other, but rarely past the minimum shift for a
        // day: at most a handful of alarms over eight months of six stations (~35,000 readings).
        QVERIFY2(m_clean.size() <= 3, qPrintable(QString::number(m_clean.size()))); // none today
    }

    void tooFewPeersSayNothing()
    {
        // Two stations: each has one peer, fewer than minPeers (2).
        QList<Reading> two;
        for (const Reading &r : m_data.readings) {
            if (r.stationId == kDrifting || r.stationId == QLatin1String("Gucheng"))
                two.append(r);
        }
        const qint64 start = *timeutil::parseIsoUtc(QStringLiteral("2013-07-01T00:00:00Z"));
        QVERIFY(run(withDrift(two, start), m_data.stations).isEmpty());
    }

    void onlySpatiallySmoothVariables()
    {
        QVERIFY(PeerDriftDetector::isSpatiallySmooth(Variable::Temperature));
        QVERIFY(PeerDriftDetector::isSpatiallySmooth(Variable::Dewpoint));
        QVERIFY(PeerDriftDetector::isSpatiallySmooth(Variable::Pressure));
        QVERIFY(!PeerDriftDetector::isSpatiallySmooth(Variable::Humidity));
        QVERIFY(!PeerDriftDetector::isSpatiallySmooth(Variable::WindSpeed));
        PeerDriftDetector detector;
        detector.setStations(m_data.stations);
        for (const Reading &r : m_data.readings)
            QVERIFY(!detector.process(r, Variable::WindSpeed, 0.5));
    }

private:
    testdata::BeijingSixSites m_data;
    QList<Anomaly> m_clean;
};

QTEST_APPLESS_MAIN(TestPeerDrift)
#include "tst_pipeline_peer_drift.moc"
