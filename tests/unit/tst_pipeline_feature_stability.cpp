// FeatureStabilityIndex on real data: the reference (deciles and the calibrated null PSI) of six
// Beijing stations over a year of hourly records, then live windows of the following spring scored
// against it — as recorded, and with one station's thermometer reading 3 °C high.
#include "TestData.h"
#include "TimeUtil.h"
#include "forecast/ForecastDataLoader.h"
#include "models/FeatureStabilityIndex.h"

#include <QJsonArray>
#include <QTest>

#include <cmath>

using namespace stratus;

namespace {

using FSI = FeatureStabilityIndex;
constexpr const char *kNeighbours = "temperature_minus_neighbours";

qint64 at(const char *iso)
{
    return *timeutil::parseIsoUtc(QString::fromLatin1(iso));
}

// The feature values of one station over [fromMs, toMs), computed slot by slot as reference() does.
std::vector<double> featureValues(const ForecastDataset &ds, const QString &station, int feature, qint64 fromMs, qint64 toMs)
{
    std::vector<double> out;
    for (const StationSeries &s : ds.stations) {
        if (s.stationId != station)
            continue;
        for (int i = s.slotOf(fromMs); i < s.slotOf(toMs); ++i) {
            std::vector<double> others;
            for (const StationSeries &o : ds.stations) {
                const double v = o.at(Channel::Temperature, o.slotOf(s.timeOf(i)));
                if (&o != &s && !std::isnan(v))
                    others.push_back(v);
            }
            const auto f = FSI::features(s.at(Channel::Temperature, i), s.at(Channel::Temperature, i - 1), FSI::median(others),
                                         s.at(Channel::Pressure, i), s.at(Channel::Pressure, i - 3));
            if (!std::isnan(f[static_cast<size_t>(feature)]))
                out.push_back(f[static_cast<size_t>(feature)]);
        }
    }
    return out;
}

} // namespace

class TestFeatureStability : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        auto loaded = ForecastDataLoader::load(testdata::shared("data/beijing_hourly/beijing_hourly_2013_2016.csv"));
        QVERIFY2(loaded, qPrintable(loaded.errorMessage()));
        m_ds = std::move(loaded.value());
        m_ds.keepStations({QStringLiteral("Dongsi"), QStringLiteral("Tiantan"), QStringLiteral("Gucheng"), QStringLiteral("Huairou"),
                           QStringLiteral("Changping"), QStringLiteral("Shunyi")});
        QCOMPARE(int(m_ds.stations.size()), 6);
        m_ref = FSI::reference(m_ds, m_from, m_to);
    }

    void referenceHoldsDecilesAndCalibration()
    {
        QCOMPARE(m_ref.size(), 6);
        for (auto st = m_ref.begin(); st != m_ref.end(); ++st) {
            const QJsonObject features = st.value().toObject();
            QCOMPARE(features.size(), FSI::kFeatures);
            for (const char *name : FSI::kNames) {
                const QJsonObject f = features.value(QLatin1String(name)).toObject();
                const QJsonArray edges = f.value(QStringLiteral("edges")).toArray();
                const QJsonArray p = f.value(QStringLiteral("p")).toArray();
                QCOMPARE(p.size(), edges.size() + 1);
                double sum = 0;
                for (const QJsonValue &x : p)
                    sum += x.toDouble();
                QVERIFY(std::abs(sum - 1.0) < 1e-9);
                for (qsizetype i = 1; i < edges.size(); ++i)
                    QVERIFY(edges[i].toDouble() > edges[i - 1].toDouble());
                // A year of hours, less what is missing.
                QVERIFY2(f.value(QStringLiteral("n")).toInteger() > 8000, qPrintable(st.key() + u' ' + QLatin1String(name)));
                const QJsonObject nulls = f.value(QStringLiteral("null_psi")).toObject();
                QCOMPARE(nulls.size(), int(FSI::kNullWindows.size()));
                // A longer window wanders less from the whole span.
                QVERIFY(nulls.value(QStringLiteral("24")).toDouble() >= nulls.value(QStringLiteral("336")).toDouble());
            }
        }
    }

    void theReferenceSpanScoresZero()
    {
        const QJsonObject ref = m_ref.value(QStringLiteral("Dongsi")).toObject();
        for (int k = 0; k < FSI::kFeatures; ++k) {
            const auto values = featureValues(m_ds, QStringLiteral("Dongsi"), k, m_from, m_to);
            const double psi = FSI::psi(ref.value(QLatin1String(FSI::kNames[static_cast<size_t>(k)])).toObject(), values);
            QVERIFY2(psi >= 0 && psi < 1e-12, qPrintable(QString::number(psi)));
        }
    }

    void aThermometerThreeDegreesHighStandsOut()
    {
        // A week of the next spring, as recorded and with Dongsi's temperature 3 °C high.
        const qint64 from = at("2015-03-10T00:00:00Z"), to = from + 168 * timeutil::kMsPerHour;
        const QJsonObject ref = m_ref.value(QStringLiteral("Dongsi")).toObject().value(QLatin1String(kNeighbours)).toObject();
        const double healthy = FSI::psi(ref, featureValues(m_ds, QStringLiteral("Dongsi"), 0, from, to));
        ForecastDataset shifted = m_ds;
        for (StationSeries &s : shifted.stations) {
            if (s.stationId != QLatin1String("Dongsi"))
                continue;
            for (int i = s.slotOf(from) - 1; i < s.slotOf(to); ++i)
                s.values[ch(Channel::Temperature)][static_cast<size_t>(i)] += 3.0;
        }
        const double drifted = FSI::psi(ref, featureValues(shifted, QStringLiteral("Dongsi"), 0, from, to));
        const double null168 = FSI::nullPsi(ref, 168);
        qInfo("Dongsi, 168 h from 2015-03-10: PSI %.3f as recorded, %.3f at +3 °C; calibrated null %.3f", healthy, drifted, null168);
        // What a healthy week scores through the seasons of the training year (the 99th percentile) is
        // the bar: the recorded week is well under it, the offset week far over it.
        QVERIFY(healthy < null168);
        QVERIFY(drifted > 3 * null168);
        QVERIFY(drifted > 20 * healthy);
        // The 1 h change does not see a constant offset (up to a value rounded across a decile edge).
        const QJsonObject change = m_ref.value(QStringLiteral("Dongsi")).toObject().value(QLatin1String(FSI::kNames[1])).toObject();
        const double changeShifted = FSI::psi(change, featureValues(shifted, QStringLiteral("Dongsi"), 1, from, to));
        const double changeRecorded = FSI::psi(change, featureValues(m_ds, QStringLiteral("Dongsi"), 1, from, to));
        QVERIFY2(std::abs(changeShifted - changeRecorded) < 0.02, qPrintable(QStringLiteral("%1 vs %2").arg(changeShifted).arg(changeRecorded)));
    }

    void nullPsiOfTheLongestWindowNotLonger()
    {
        const QJsonObject ref = m_ref.value(QStringLiteral("Huairou")).toObject().value(QLatin1String(kNeighbours)).toObject();
        const QJsonObject nulls = ref.value(QStringLiteral("null_psi")).toObject();
        QCOMPARE(FSI::nullPsi(ref, 168), nulls.value(QStringLiteral("168")).toDouble());
        QCOMPARE(FSI::nullPsi(ref, 100), nulls.value(QStringLiteral("72")).toDouble());
        QCOMPARE(FSI::nullPsi(ref, 10000), nulls.value(QStringLiteral("336")).toDouble());
        QCOMPARE(FSI::nullPsi(ref, 6), nulls.value(QStringLiteral("24")).toDouble()); // shorter than any: the shortest
        QVERIFY(std::isnan(FSI::nullPsi(QJsonObject(), 168)));                      // a model without calibration
    }

    void tooLittleDataHasNoReference()
    {
        // 50 hours: too few values to say what normal is.
        const QJsonObject ref = FSI::reference(m_ds, m_from, m_from + 50 * timeutil::kMsPerHour);
        QVERIFY(ref.isEmpty());
        QVERIFY(std::isnan(FSI::psi(m_ref.value(QStringLiteral("Dongsi")).toObject().value(QLatin1String(kNeighbours)).toObject(), {})));
        QVERIFY(std::isnan(FSI::psi(QJsonObject(), {1.0, 2.0})));
    }

    void medianAndMissingInputs()
    {
        QCOMPARE(FSI::median({3, 1, 2}), 2.0);
        QCOMPARE(FSI::median({4, 1, 3, 2}), 2.5);
        QCOMPARE(FSI::median({-1.5}), -1.5);
        QVERIFY(std::isnan(FSI::median({})));
        const auto f = FSI::features(10, kMissing, 8, 1012, 1010);
        QCOMPARE(f[0], 2.0);
        QVERIFY(std::isnan(f[1]));
        QCOMPARE(f[2], 2.0);
    }

private:
    ForecastDataset m_ds;
    QJsonObject m_ref;
    const qint64 m_from = at("2014-03-01T00:00:00Z");
    const qint64 m_to = at("2015-03-01T00:00:00Z");
};

QTEST_APPLESS_MAIN(TestFeatureStability)
#include "tst_pipeline_feature_stability.moc"
