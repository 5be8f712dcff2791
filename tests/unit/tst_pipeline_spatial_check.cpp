// SpatialConsistencyCheck on the real SAO day (1995-03-18, ~1,400 located stations): how rarely it
// fires on real data, the real bad values it finds there, and +10 °C offsets injected into real
// stations' readings (injected faults, said so) with their real neighbours.
#include "ReadingValidator.h"
#include "StationIndex.h"
#include "TestData.h"
#include "anomaly/SpatialConsistencyCheck.h"
#include "sources/RecordedDataReader.h"

#include <QtTest>

using namespace stratus;

namespace {

struct Day
{
    QList<Reading> readings; // validated like the Engine does: impossible values already dropped
    QList<Station> stations;
};

const Day &saoDay()
{
    static const Day day = [] {
        auto data = RecordedDataReader::read(testdata::shared("data/sao_19950318/observations.csv"));
        if (!data)
            qFatal("%s", qPrintable(data.errorMessage()));
        Day d;
        d.stations = data->stations;
        const ReadingValidator validator;
        for (const Reading &r : std::as_const(data->readings)) {
            const Validation v = validator.validate(r);
            if (v.fatal)
                continue;
            const Reading clean = validator.sanitized(r, v);
            if (!clean.isEmpty())
                d.readings.append(clean);
        }
        return d;
    }();
    return day;
}

struct Run
{
    QList<Anomaly> anomalies;
    QHash<int, int> checked; // variable → readings that had a value
};

Run runDay(const QList<Reading> &readings)
{
    SpatialConsistencyCheck check;
    check.upsertStations(saoDay().stations);
    Run run;
    for (const Reading &r : readings) {
        for (Variable v : kAllVariables)
            run.checked[index(v)] += r.has(v);
        run.anomalies += check.check(r);
    }
    return run;
}

QString iso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

const Anomaly *find(const QList<Anomaly> &list, const char *station, Variable v, const char *time)
{
    for (const Anomaly &a : list) {
        if (a.stationId == QLatin1String(station) && a.variable == v && iso(a.timestampMs) == QLatin1String(time))
            return &a;
    }
    return nullptr;
}

} // namespace

class TestSpatialCheck : public QObject
{
    Q_OBJECT
private slots:
    void realDayRarelyFiresAndFindsItsBadValues()
    {
        const Day &day = saoDay();
        QVERIFY(day.readings.size() > 30000);
        const Run run = runDay(day.readings);
        QHash<int, int> flagged;
        for (const Anomaly &a : run.anomalies) {
            QCOMPARE(a.kind, AnomalyKind::Spatial);
            QVERIFY(a.score > 1.0);
            ++flagged[index(a.variable)];
        }
        for (Variable v : {Variable::Temperature, Variable::Dewpoint, Variable::Pressure}) {
            const double rate = double(flagged[index(v)]) / run.checked[index(v)];
            qInfo("%s: %d of %d readings flagged (%.3f %%)", qPrintable(variableKey(v)), flagged[index(v)],
                  run.checked[index(v)], 100 * rate);
            QVERIFY2(rate < 0.005, qPrintable(variableKey(v))); // fewer than 1 in 200 on a real day
        }

        // Real bad values of the day that the physical-range check lets through (all are possible
        // temperatures/pressures somewhere, just not there and then):
        // Lakeland, Florida reporting -6.7 °C on a 23 °C afternoon (a sign error);
        const Anomaly *lal = find(run.anomalies, "LAL", Variable::Temperature, "1995-03-18T21:49:00Z");
        QVERIFY(lal);
        QCOMPARE(qRound(lal->value * 10), -67); // -6.667 °C (20 °F) in the file
        QVERIFY2(lal->reason.contains(QStringLiteral("BOW 24 km")) && lal->reason.contains(QStringLiteral("TPA 50 km")),
                 qPrintable(lal->reason));
        QCOMPARE(lal->severity, Severity::Critical);
        // Mayaguez, Puerto Rico at -17 °C (data/README.md lists it: T −17, Td 21);
        const Anomaly *tjmz = find(run.anomalies, "TJMZ", Variable::Temperature, "1995-03-18T00:50:00Z");
        QVERIFY(tjmz);
        QVERIFY2(tjmz->reason.contains(QStringLiteral("TJBQ 26 km")), qPrintable(tjmz->reason));
        // Halifax at 913.6 hPa sea-level pressure among neighbours at 1013-1015 hPa (a lost digit).
        const Anomaly *yhz = find(run.anomalies, "YHZ", Variable::Pressure, "1995-03-18T06:00:00Z");
        QVERIFY(yhz);
        QVERIFY2(yhz->reason.contains(QStringLiteral("YAW 28 km 1013.2 hPa")), qPrintable(yhz->reason));
        qInfo("%s", qPrintable(lal->reason));
    }

    void injectedOffsetAtMadison()
    {
        // Injected fault: every temperature of Madison (MSN) reads 10 °C too warm; the neighbours
        // and all other readings are the real ones.
        const Day &day = saoDay();
        QList<Reading> readings = day.readings;
        int injected = 0;
        for (Reading &r : readings) {
            if (r.stationId == QLatin1String("MSN") && r.has(Variable::Temperature)) {
                r.set(Variable::Temperature, r.value(Variable::Temperature) + 10);
                ++injected;
            }
        }
        QVERIFY(injected >= 20);
        const Run clean = runDay(day.readings);
        const Run faulty = runDay(readings);
        const auto msnTemperature = [](const Run &run) {
            QList<Anomaly> out;
            for (const Anomaly &a : run.anomalies) {
                if (a.stationId == QLatin1String("MSN") && a.variable == Variable::Temperature)
                    out << a;
            }
            return out;
        };
        QCOMPARE(msnTemperature(clean).size(), 0); // the real Madison agrees with its neighbours
        const QList<Anomaly> found = msnTemperature(faulty);
        qInfo("MSN +10 °C: %lld of %d readings flagged; e.g. %s", found.size(), injected,
              found.isEmpty() ? "" : qPrintable(found.first().reason));
        QVERIFY2(found.size() >= injected / 2, qPrintable(QString::number(found.size())));
        for (const Anomaly &a : found) {
            QCOMPARE(a.kind, AnomalyKind::Spatial);
            QVERIFY2(a.reason.contains(QStringLiteral(" km ")), qPrintable(a.reason));
        }
        // No other station is blamed for Madison's fault: the rest of the day flags as before.
        QCOMPARE(faulty.anomalies.size() - found.size(), clean.anomalies.size());
    }

    void injectedOffsetsAcrossTheDay()
    {
        // Injected faults: +10 °C on every temperature of every 14th located station (103
        // stations, all regions); how many of those readings are caught, by neighbour density.
        const Day &day = saoDay();
        const StationIndex index(day.stations);
        QSet<QString> faulty;
        QHash<QString, double> thirdNeighbourKm;
        int n = 0;
        for (const Station &s : day.stations) {
            if (!s.hasLocation() || (++n % 14) != 0)
                continue;
            faulty.insert(s.id);
            const auto nn = index.nearest(QGeoCoordinate(s.latitude, s.longitude), 4);
            thirdNeighbourKm[s.id] = nn.size() == 4 ? nn[3].distanceKm : 1e9;
        }
        QList<Reading> readings = day.readings;
        for (Reading &r : readings) {
            if (faulty.contains(r.stationId) && r.has(Variable::Temperature))
                r.set(Variable::Temperature, r.value(Variable::Temperature) + 10);
        }
        const Run run = runDay(readings);
        QSet<QPair<QString, qint64>> caught;
        int others = 0;
        for (const Anomaly &a : run.anomalies) {
            if (a.variable != Variable::Temperature)
                continue;
            if (faulty.contains(a.stationId))
                caught.insert({a.stationId, a.timestampMs});
            else
                ++others;
        }
        int dense[2] = {}, all[2] = {};
        for (const Reading &r : std::as_const(readings)) {
            if (!faulty.contains(r.stationId) || !r.has(Variable::Temperature))
                continue;
            const bool hit = caught.contains({r.stationId, r.timestampMs});
            ++all[0];
            all[1] += hit;
            if (thirdNeighbourKm[r.stationId] < 50) {
                ++dense[0];
                dense[1] += hit;
            }
        }
        qInfo("+10 °C at %lld stations: %d of %d readings caught (%.0f %%); where the 3rd neighbour is within 50 km: "
              "%d of %d (%.0f %%); %d temperature alerts at other stations",
              faulty.size(), all[1], all[0], 100.0 * all[1] / all[0], dense[1], dense[0], 100.0 * dense[1] / dense[0], others);
        QVERIFY(all[1] > all[0] * 0.45);
        QVERIFY(dense[1] > dense[0] * 0.6);
    }
};

QTEST_APPLESS_MAIN(TestSpatialCheck)
#include "tst_pipeline_spatial_check.moc"
