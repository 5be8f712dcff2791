// stratus-bench anomaly: readings/s and per-reading latency through the anomaly detector, the
// alert rules and the Isolation Forest, on the real Beijing hourly data (12 sites, 3 years).
#include "BenchRegistry.h"

#include "alerts/AlertRuleEngine.h"
#include "anomaly/AnomalyDetector.h"
#include "anomaly/IsolationForestDetector.h"
#include "sources/RecordedDataReader.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QTextStream>

#include <algorithm>
#include <vector>

using namespace stratus;

namespace {

struct Timing
{
    double perSecond = 0;
    double p50us = 0, p99us = 0;
};

template <typename Fn>
Timing timeEach(const QList<Reading> &readings, Fn &&fn)
{
    std::vector<double> ns;
    ns.reserve(static_cast<size_t>(readings.size()));
    QElapsedTimer total, one;
    total.start();
    for (const Reading &r : readings) {
        one.start();
        fn(r);
        ns.push_back(static_cast<double>(one.nsecsElapsed()));
    }
    const double seconds = static_cast<double>(total.nsecsElapsed()) / 1e9;
    std::sort(ns.begin(), ns.end());
    Timing t;
    t.perSecond = static_cast<double>(readings.size()) / seconds;
    t.p50us = ns[ns.size() / 2] / 1000.0;
    t.p99us = ns[std::min(ns.size() - 1, ns.size() * 99 / 100)] / 1000.0;
    return t;
}

// Readings per second of the whole loop, with no clock read per reading (at ~1 µs a reading, two
// clock reads would be a tenth of the cost).
template <typename Fn>
double rateOf(const QList<Reading> &readings, Fn &&fn)
{
    QElapsedTimer total;
    total.start();
    for (const Reading &r : readings)
        fn(r);
    return static_cast<double>(readings.size()) / (static_cast<double>(total.nsecsElapsed()) / 1e9);
}

QJsonObject run(const BenchContext &ctx)
{
    QTextStream out(stdout);
    const QString path = QStringLiteral(STRATUS_SHARED_DIR "/data/beijing_hourly/beijing_hourly_2013_2016.csv");
    auto data = RecordedDataReader::read(path);
    if (!data)
        return {{QStringLiteral("error"), data.errorMessage()}};
    QList<Reading> readings = data->readings;
    if (ctx.smoke)
        readings = readings.mid(0, 20'000);

    std::vector<double> detRate, detP50, detP99, refRate, ruleRate, ruleP99, mlRate, mlP99, trainS;
    int anomalies = 0, notices = 0, refAnomalies = 0;
    for (int rep = 0; rep < ctx.repeats; ++rep) {
        // Throughput: the detector as the engine runs it (every check on), then the same detector
        // recomputing each median/MAD from a sorted copy of its window, as it did before the
        // rolling windows (the oracle the unit test holds the fast path to).
        AnomalyDetector detector;
        detector.setStations(data->stations);
        anomalies = 0;
        detRate.push_back(rateOf(readings, [&](const Reading &r) { anomalies += detector.process(r).size(); }));
        AnomalyDetector::Options refOptions;
        refOptions.referenceStatistics = true;
        AnomalyDetector reference(refOptions);
        reference.setStations(data->stations);
        refAnomalies = 0;
        refRate.push_back(rateOf(readings, [&](const Reading &r) { refAnomalies += reference.process(r).size(); }));
        if (refAnomalies != anomalies)
            return {{QStringLiteral("error"), QStringLiteral("the rolling windows and the sorted copies disagree: %1 vs "
                                                              "%2 anomalies").arg(anomalies).arg(refAnomalies)}};
        // Latency per reading, clock read around each.
        AnomalyDetector timed;
        timed.setStations(data->stations);
        const Timing d = timeEach(readings, [&](const Reading &r) { (void)timed.process(r); });
        detP50.push_back(d.p50us);
        detP99.push_back(d.p99us);
        if (ctx.args.contains(QStringLiteral("--detector-only")))
            continue; // for profiling the detector

        AlertRuleEngine rules;
        rules.loadRules({QStringLiteral("temperature < -15 for 3h severity=critical"),
                         QStringLiteral("temperature > 38 for 1h"), QStringLiteral("wind_speed > 10 m/s"),
                         QStringLiteral("pressure < 990 for 2h"), QStringLiteral("humidity > 95 for 6h station=Dongsi"),
                         QStringLiteral("dewpoint > 25"), QStringLiteral("precipitation > 20"),
                         QStringLiteral("temperature < -10 station=Huairou"), QStringLiteral("wind_speed >= 36 km/h for 30m"),
                         QStringLiteral("pressure > 1040")});
        notices = 0;
        const Timing r = timeEach(readings, [&](const Reading &x) { notices += rules.process(x).size(); });
        ruleRate.push_back(r.perSecond);
        ruleP99.push_back(r.p99us);

        IsolationForestDetector ml;
        QElapsedTimer t;
        t.start();
        ml.train(readings.mid(0, readings.size() * 3 / 10));
        trainS.push_back(static_cast<double>(t.nsecsElapsed()) / 1e9);
        const Timing m = timeEach(readings, [&](const Reading &x) { (void)ml.process(x); });
        mlRate.push_back(m.perSecond);
        mlP99.push_back(m.p99us);
    }

    QJsonObject o{{QStringLiteral("readings"), readings.size()},
                  {QStringLiteral("readings_per_s"), median(detRate)},
                  {QStringLiteral("reference_readings_per_s"), median(refRate)},
                  {QStringLiteral("speedup_vs_sorted_copies"), median(detRate) / median(refRate)},
                  {QStringLiteral("latency_p50_us"), median(detP50)},
                  {QStringLiteral("latency_p99_us"), median(detP99)},
                  {QStringLiteral("anomalies"), anomalies},
                  {QStringLiteral("rules_readings_per_s"), median(ruleRate)},
                  {QStringLiteral("rules_latency_p99_us"), median(ruleP99)},
                  {QStringLiteral("rule_notices"), notices},
                  {QStringLiteral("ml_readings_per_s"), median(mlRate)},
                  {QStringLiteral("ml_latency_p99_us"), median(mlP99)},
                  {QStringLiteral("ml_train_seconds"), trainS.empty() ? 0.0 : median(trainS)}};
    if (!ctx.json) {
        out << "anomaly: " << readings.size() << " real Beijing hourly readings, median of " << ctx.repeats << " runs\n";
        out << "  detector      " << qRound(median(detRate)) << " readings/s, p50 " << median(detP50) << " µs, p99 "
            << median(detP99) << " µs (" << anomalies << " anomalies)\n";
        out << "  same, medians from sorted copies (before) " << qRound(median(refRate)) << " readings/s: rolling windows "
            << QString::number(median(detRate) / median(refRate), 'f', 2) << "x\n";
        out << "  10 rules      " << qRound(median(ruleRate)) << " readings/s, p99 " << median(ruleP99) << " µs ("
            << notices << " notices)\n";
        out << "  iforest       " << qRound(median(mlRate)) << " readings/s, p99 " << median(mlP99) << " µs, training "
            << median(trainS) << " s on 30 %\n";
    }
    return o;
}

} // namespace

static BenchRegistration reg{{QStringLiteral("anomaly"),
                              QStringLiteral("anomaly detector, alert rules and isolation forest: readings/s, p99 µs"), run}};
