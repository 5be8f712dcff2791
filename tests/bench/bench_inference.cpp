// stratus-bench inference: forecast latency per station (features + 4 variables × 24 horizons),
// predictions per second on one core, and training time on the bundled hourly and daily data.
#include "BenchRegistry.h"
#include "RetrainLoadBench.h"

#include "TimeUtil.h"
#include "forecast/ForecastService.h"
#include "forecast/ForecastTrainer.h"

#include <QElapsedTimer>

#include <ctime>
#include <QTextStream>

using namespace stratus;

namespace {

// CPU time of this thread: on a shared machine the wall-clock tail is mostly time spent descheduled.
double threadCpuUs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

QString shared(const char *rel)
{
    return QStringLiteral(STRATUS_SHARED_DIR "/") + QString::fromUtf8(rel);
}

// The per-forecast path as it was before ForecastModel::forecastAll (kept here as the baseline of
// the same run): the group mean through a callback that looks every station up by id, and one
// regression per (variable, horizon) evaluated member by member.
qint64 legacyForecast(const ForecastService &service, const ForecastModel &model, const QString &station,
                      qint64 issuedAtMs, std::vector<double> &x)
{
    const StationSeries *s = service.history(station);
    const int t = s ? s->slotOf(issuedAtMs - 1) : -1;
    if (!s || t < 0 || t >= s->size())
        return 0;
    FeatureContext ctx;
    ctx.othersMean = [&](Channel c, qint64 ms, double own) {
        double sum = 0;
        int n = 0;
        for (const QString &id : model.stations) {
            const StationSeries *h = service.history(id);
            const double v = h ? h->at(c, h->slotOf(ms)) : kMissing;
            if (!std::isnan(v)) {
                sum += v;
                ++n;
            }
        }
        if (!std::isnan(own) && n > 0) {
            sum -= own;
            --n;
        }
        return n > 0 ? sum / n : kMissing;
    };
    ctx.series = [&](const QString &id) { return service.history(id); };
    x.resize(static_cast<size_t>(model.featureBuilder().size()));
    if (!model.featureBuilder().build(*s, t, ctx, x.data()))
        return 0;
    qint64 points = 0;
    for (Channel c : {Channel::Temperature, Channel::Humidity, Channel::Pressure, Channel::WindSpeed}) {
        const double cur = ForecastTrainer::currentValue(*s, c, t);
        QList<ForecastPoint> out;
        for (int h = 1; h <= 24 && !std::isnan(cur); ++h) {
            ForecastModel::PointForecast pf;
            if (!model.forecast(c, h, s->timeOf(t), x.data(), cur, pf))
                break;
            out.append(ForecastPoint{h, issuedAtMs + h * timeutil::kMsPerHour, pf.value, pf.lower, pf.upper});
        }
        points += out.isEmpty() ? 0 : 1;
    }
    return points;
}

QJsonObject run(const BenchContext &ctx)
{
    QTextStream out(stdout);
    auto loaded = ForecastDataLoader::load(shared("data/beijing_hourly/beijing_hourly_2013_2016.csv"));
    if (!loaded) {
        out << loaded.errorMessage() << '\n';
        return benchFailure(loaded.errorMessage());
    }
    ForecastDataset beijing = std::move(loaded.value());
    if (ctx.smoke)
        beijing.keepStations({QStringLiteral("Dongsi"), QStringLiteral("Huairou")});
    const qint64 split = *timeutil::parseIsoUtc(QByteArrayView("2015-02-28T16:00:00Z"));

    // Training: the full hourly set (12 stations, 2013-03 … 2015-02), then Madison daily.
    TrainOptions o;
    o.toMs = split;
    if (ctx.smoke)
        o.fromMs = split - 120 * timeutil::kMsPerDay;
    std::vector<double> trainSeconds, dailySeconds;
    std::shared_ptr<ForecastModel> model;
    const int trainRuns = std::min(ctx.repeats, 3);
    for (int i = 0; i < trainRuns; ++i) {
        QElapsedTimer t;
        t.start();
        auto m = ForecastTrainer::train(beijing, o);
        trainSeconds.push_back(static_cast<double>(t.nsecsElapsed()) / 1e9);
        if (!m) {
            out << m.errorMessage() << '\n';
            return benchFailure(m.errorMessage());
        }
        model = *m;
    }
    auto madison = ForecastDataLoader::load(shared("data/ghcnd_madison_daily/madison_daily_1996_2023.csv"));
    for (int i = 0; madison && i < trainRuns; ++i) {
        QElapsedTimer t;
        t.start();
        TrainOptions od;
        od.toMs = *timeutil::parseIsoUtc(QByteArrayView("2020-01-01"));
        (void)ForecastTrainer::train(*madison, od);
        dailySeconds.push_back(static_cast<double>(t.nsecsElapsed()) / 1e9);
    }

    // Latency: the engine's path for one station — features from its hourly history (and the
    // other stations' for the cross-station terms) and 96 dot products.
    ForecastService service;
    const qint64 start = split + 30 * timeutil::kMsPerDay;
    for (int h = 0; h < 72; ++h) {
        QList<Reading> rs;
        for (const auto &s : beijing.stations) {
            const int i = s.slotOf(start + h * timeutil::kMsPerHour);
            Reading r;
            r.stationId = s.stationId;
            r.timestampMs = s.timeOf(i);
            for (auto [c, v] : {std::pair{Channel::Temperature, Variable::Temperature},
                                {Channel::Dewpoint, Variable::Dewpoint}, {Channel::Pressure, Variable::Pressure},
                                {Channel::WindSpeed, Variable::WindSpeed},
                                {Channel::WindDirection, Variable::WindDirection},
                                {Channel::Precipitation, Variable::Precipitation}})
                r.set(v, s.at(c, i));
            rs.append(r);
        }
        service.observe(rs);
    }
    const QList<Variable> vars = {Variable::Temperature, Variable::Humidity, Variable::Pressure, Variable::WindSpeed};
    const qint64 issued = start + 72 * timeutil::kMsPerHour;
    const int n = ctx.smoke ? 2000 : 20000;
    std::vector<double> p50s, p99s, rates, cpuP50s, cpuP99s, cpuRates;
    for (int rep = 0; rep < ctx.repeats; ++rep) {
        std::vector<double> us, cpu;
        us.reserve(static_cast<size_t>(n));
        cpu.reserve(static_cast<size_t>(n));
        double cpuTotal = 0;
        QElapsedTimer all;
        all.start();
        qint64 points = 0;
        for (int i = 0; i < n; ++i) {
            const QString &station = beijing.stations[static_cast<size_t>(i) % beijing.stations.size()].stationId;
            QElapsedTimer t;
            const double c0 = threadCpuUs();
            t.start();
            const QList<Forecast> f = service.modelForecast(*model, station, issued, vars);
            us.push_back(static_cast<double>(t.nsecsElapsed()) / 1e3);
            cpu.push_back(threadCpuUs() - c0);
            cpuTotal += cpu.back();
            points += f.size();
        }
        const double secs = static_cast<double>(all.nsecsElapsed()) / 1e9;
        if (points != static_cast<qint64>(n) * vars.size()) {
            out << "inference: the model did not serve every station (" << points << " forecasts)\n";
            return benchFailure(QStringLiteral("the model did not serve every station"));
        }
        std::sort(us.begin(), us.end());
        std::sort(cpu.begin(), cpu.end());
        p50s.push_back(us[us.size() / 2]);
        p99s.push_back(us[us.size() * 99 / 100]);
        rates.push_back(n / secs);
        cpuP50s.push_back(cpu[cpu.size() / 2]);
        cpuP99s.push_back(cpu[cpu.size() * 99 / 100]);
        cpuRates.push_back(n / (cpuTotal / 1e6));
    }
    // The path before forecastAll, same model, same history, same run.
    std::vector<double> legacyUs, meanUs, xs;
    for (int rep = 0; rep < ctx.repeats; ++rep) {
        QElapsedTimer loop; // the engine's path, timed like the legacy one: the whole loop, no clock per call
        loop.start();
        qint64 made = 0;
        for (int i = 0; i < n; ++i)
            made += service.modelForecast(*model, beijing.stations[static_cast<size_t>(i) % beijing.stations.size()].stationId,
                                          issued, vars).size();
        meanUs.push_back(static_cast<double>(loop.nsecsElapsed()) / 1e3 / n);
        if (made != static_cast<qint64>(n) * vars.size())
            return benchFailure(QStringLiteral("the batched path did not serve every station"));
        QElapsedTimer all;
        all.start();
        qint64 served = 0;
        for (int i = 0; i < n; ++i)
            served += legacyForecast(service, *model,
                                     beijing.stations[static_cast<size_t>(i) % beijing.stations.size()].stationId, issued, xs);
        if (served != static_cast<qint64>(n) * vars.size()) {
            out << "inference: the legacy path did not serve every station\n";
            return benchFailure(QStringLiteral("the legacy path did not serve every station"));
        }
        legacyUs.push_back(static_cast<double>(all.nsecsElapsed()) / 1e3 / n);
    }
    QJsonObject o2;
    o2[QStringLiteral("mean_us_per_forecast")] = median(meanUs);
    o2[QStringLiteral("legacy_mean_us_per_forecast")] = median(legacyUs);
    o2[QStringLiteral("speedup_vs_legacy")] = median(legacyUs) / median(meanUs);
    o2[QStringLiteral("latency_p50_us")] = median(p50s);
    o2[QStringLiteral("latency_p99_us")] = median(p99s);
    o2[QStringLiteral("predictions_per_s")] = median(rates);
    o2[QStringLiteral("cpu_latency_p50_us")] = median(cpuP50s);
    o2[QStringLiteral("cpu_latency_p99_us")] = median(cpuP99s);
    o2[QStringLiteral("predictions_per_cpu_s")] = median(cpuRates);
    o2[QStringLiteral("train_seconds")] = median(trainSeconds);
    o2[QStringLiteral("train_seconds_daily")] = dailySeconds.empty() ? 0.0 : median(dailySeconds);
    o2[QStringLiteral("stations")] = static_cast<int>(beijing.stations.size());
    o2[QStringLiteral("features")] = static_cast<int>(model->featureNames.size());
    o2[QStringLiteral("targets")] = static_cast<int>(model->targets.size());
    o2[QStringLiteral("prediction")] = QStringLiteral("one station: 4 variables x 24 horizons with intervals");
    // Retraining time and the ingest latency while it runs (RetrainLoadBench.cpp).
    const QJsonObject retrain = retrainUnderLoad(ctx);
    for (auto it = retrain.begin(); it != retrain.end(); ++it)
        o2.insert(it.key(), it.value());
    if (!ctx.json) {
        out << "inference (median of " << ctx.repeats << " runs; a prediction = one station, 4 variables x 24 h)\n"
            << "  mean per forecast      " << o2[QStringLiteral("mean_us_per_forecast")].toDouble() << " us; before forecastAll "
            << o2[QStringLiteral("legacy_mean_us_per_forecast")].toDouble() << " us (same run): "
            << o2[QStringLiteral("speedup_vs_legacy")].toDouble() << "x\n"
            << "  latency p50            " << o2[QStringLiteral("latency_p50_us")].toDouble() << " us\n"
            << "  latency p99            " << o2[QStringLiteral("latency_p99_us")].toDouble() << " us\n"
            << "  predictions/s (1 core) " << o2[QStringLiteral("predictions_per_s")].toDouble() << '\n'
            << "  CPU time p50 / p99     " << o2[QStringLiteral("cpu_latency_p50_us")].toDouble() << " / "
            << o2[QStringLiteral("cpu_latency_p99_us")].toDouble() << " us (thread CPU time, excludes time descheduled)\n"
            << "  predictions per CPU-s  " << o2[QStringLiteral("predictions_per_cpu_s")].toDouble() << '\n'
            << "  train hourly           " << o2[QStringLiteral("train_seconds")].toDouble() << " s ("
            << beijing.stations.size() << " stations, " << model->featureNames.size() << " features, "
            << model->targets.size() << " targets)\n"
            << "  train daily (Madison)  " << o2[QStringLiteral("train_seconds_daily")].toDouble() << " s\n";
    }
    return o2;
}

static BenchRegistration reg{{QStringLiteral("inference"),
                              QStringLiteral("forecast latency p50/p99, predictions/s, training time"), run}};

} // namespace
