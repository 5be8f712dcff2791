#include "ForecastEvaluator.h"

#include "ForecastTrainer.h"
#include "TimeUtil.h"

#include <QJsonArray>
#include <QTextStream>

namespace stratus {

namespace {

struct Acc
{
    double abs = 0, sq = 0, ape = 0;
    qint64 n = 0, nPct = 0;
    void add(double pred, double actual)
    {
        const double e = pred - actual;
        abs += std::abs(e);
        sq += e * e;
        ++n;
        if (std::abs(actual) >= 1.0) {
            ape += std::abs(e) / std::abs(actual);
            ++nPct;
        }
    }
    ErrorScore score() const
    {
        ErrorScore s;
        s.n = n;
        s.mae = n ? abs / n : kMissing;
        s.rmse = n ? std::sqrt(sq / n) : kMissing;
        s.mape = nPct ? 100.0 * ape / nPct : kMissing;
        return s;
    }
};

} // namespace

QJsonObject ErrorScore::toJson() const
{
    auto num = [](double v) { return std::isnan(v) ? QJsonValue() : QJsonValue(std::round(v * 10000) / 10000); };
    return QJsonObject{{QStringLiteral("mae"), num(mae)},
                       {QStringLiteral("rmse"), num(rmse)},
                       {QStringLiteral("mape"), num(mape)},
                       {QStringLiteral("n"), n}};
}

Result<Evaluation> ForecastEvaluator::evaluate(const ForecastModel &model, const ForecastDataset &ds, qint64 fromMs,
                                               qint64 toMs, const QStringList &only)
{
    if (ds.daily != model.daily)
        return makeError(QStringLiteral("the model is %1 but the data is %2")
                             .arg(model.daily ? QStringLiteral("daily") : QStringLiteral("hourly"),
                                  ds.daily ? QStringLiteral("daily") : QStringLiteral("hourly")));
    const auto present = ds.presentChannels();
    QStringList lacking;
    for (int c = 0; c < kChannelCount; ++c) {
        if (model.channels[c] && !present[c])
            lacking << channelKey(static_cast<Channel>(c));
    }
    if (!lacking.isEmpty())
        return makeError(QStringLiteral("the model needs %1, which the data does not have").arg(lacking.join(u", ")));

    const ForecastFeatures &features = model.featureBuilder();
    const GroupMeans group(ds);
    // Climatology baseline from the file's own past only (before the evaluated period).
    const std::vector<double> climBaseline =
        ds.daily ? ForecastTrainer::climatology(ds, std::numeric_limits<qint64>::min(), fromMs) : std::vector<double>();
    const FeatureContext ctx = group.context(&model.climatology);
    const std::vector<int> horizons = ds.daily ? std::vector<int>{1} : std::vector<int>{1, 3, 6, 12, 24};

    Evaluation ev;
    ev.daily = ds.daily;
    ev.fromMs = fromMs;
    ev.toMs = toMs;
    std::vector<double> x(static_cast<size_t>(features.size()));
    const std::vector<Channel> vars = model.variables();
    struct PerH
    {
        Acc model, pers, shy, clim;
        qint64 fallbacks = 0;
        qint64 inside = 0, intervals = 0;
    };
    std::vector<std::vector<PerH>> acc(vars.size(), std::vector<PerH>(horizons.size()));
    const qint64 day = timeutil::kMsPerDay;
    for (const auto &s : ds.stations) {
        if (!only.isEmpty() && !only.contains(s.stationId))
            continue;
        bool used = false;
        const int yesterday = static_cast<int>(day / s.stepMs);
        for (int t = std::max(0, s.slotOf(fromMs)); t < s.size(); ++t) {
            const qint64 ms = s.timeOf(t);
            if (ms < fromMs)
                continue;
            if (ms >= toMs)
                break;
            const bool haveFeatures = features.build(s, t, ctx, x.data());
            for (size_t vi = 0; vi < vars.size(); ++vi) {
                const Channel v = vars[vi];
                const double cur = ForecastTrainer::currentValue(s, v, t);
                if (std::isnan(cur))
                    continue;
                for (size_t hi = 0; hi < horizons.size(); ++hi) {
                    const int h = horizons[hi];
                    const qint64 targetMs = ms + h * s.stepMs;
                    if (targetMs > toMs)
                        continue;
                    const double actual = s.at(v, t + h);
                    const double shy = s.at(v, t + h - yesterday);
                    if (std::isnan(actual) || std::isnan(shy))
                        continue;
                    double climValue = kMissing;
                    if (ds.daily && v == Channel::Temperature) {
                        climValue = climBaseline[static_cast<size_t>(ForecastFeatures::dayOfYear(targetMs))];
                        if (std::isnan(climValue))
                            continue;
                    }
                    PerH &a = acc[vi][hi];
                    double pred = cur;
                    ForecastModel::PointForecast pf;
                    if (haveFeatures && model.forecast(v, h, ms, x.data(), cur, pf)) {
                        pred = pf.value;
                        ++a.intervals;
                        a.inside += actual >= pf.lower && actual <= pf.upper ? 1 : 0;
                    } else
                        ++a.fallbacks;
                    a.model.add(pred, actual);
                    a.pers.add(cur, actual);
                    a.shy.add(shy, actual);
                    if (!std::isnan(climValue))
                        a.clim.add(climValue, actual);
                    used = true;
                }
            }
        }
        if (used)
            ++ev.stations;
    }
    for (size_t vi = 0; vi < vars.size(); ++vi) {
        VariableEvaluation ve;
        ve.variable = vars[vi];
        for (size_t hi = 0; hi < horizons.size(); ++hi) {
            HorizonScores hs;
            hs.hours = ds.daily ? 24 * horizons[hi] : horizons[hi];
            hs.model = acc[vi][hi].model.score();
            hs.persistence = acc[vi][hi].pers.score();
            hs.sameHourYesterday = acc[vi][hi].shy.score();
            hs.climatology = acc[vi][hi].clim.score();
            hs.modelFallbacks = acc[vi][hi].fallbacks;
            if (acc[vi][hi].intervals > 0)
                hs.intervalCoverage = static_cast<double>(acc[vi][hi].inside) / static_cast<double>(acc[vi][hi].intervals);
            ve.horizons.push_back(hs);
        }
        ev.variables.push_back(std::move(ve));
    }
    if (ev.variables.empty() || ev.variables.front().horizons.front().model.n == 0)
        return makeError(QStringLiteral("no forecast could be scored between %1 and %2 (no data there?)")
                             .arg(timeutil::toIsoUtc(fromMs), timeutil::toIsoUtc(toMs)));
    return ev;
}

QJsonObject Evaluation::toJson() const
{
    auto horizonsJson = [&](const VariableEvaluation &ve) {
        QJsonArray arr;
        for (const auto &h : ve.horizons) {
            QJsonObject o;
            o[QStringLiteral("h")] = h.hours;
            o[QStringLiteral("model")] = h.model.toJson();
            o[QStringLiteral("persistence")] = h.persistence.toJson();
            o[QStringLiteral("same_hour_yesterday")] = h.sameHourYesterday.toJson();
            if (daily && h.climatology.n > 0)
                o[QStringLiteral("climatology")] = h.climatology.toJson();
            o[QStringLiteral("model_fallbacks")] = h.modelFallbacks;
            if (!std::isnan(h.intervalCoverage))
                o[QStringLiteral("interval_coverage_10_90")] = std::round(h.intervalCoverage * 10000) / 10000;
            arr.append(o);
        }
        return arr;
    };
    QJsonObject o;
    o[QStringLiteral("resolution")] = daily ? QStringLiteral("daily") : QStringLiteral("hourly");
    o[QStringLiteral("from")] = timeutil::toIsoUtc(fromMs);
    o[QStringLiteral("to")] = timeutil::toIsoUtc(toMs);
    o[QStringLiteral("stations")] = stations;
    QJsonObject others;
    for (const auto &ve : variables) {
        if (ve.variable == Channel::Temperature) {
            o[QStringLiteral("variable")] = channelKey(ve.variable);
            o[QStringLiteral("horizons")] = horizonsJson(ve);
        } else {
            others[channelKey(ve.variable)] = QJsonObject{{QStringLiteral("horizons"), horizonsJson(ve)}};
        }
    }
    o[QStringLiteral("other_variables")] = others;
    return o;
}

QString Evaluation::toText() const
{
    QString out;
    QTextStream ts(&out);
    ts << "evaluation " << timeutil::toIsoUtc(fromMs) << " … " << timeutil::toIsoUtc(toMs) << ", " << stations
       << " station(s); MAE / RMSE / MAPE % (MAPE over |value| >= 1)\n";
    auto cell = [](const ErrorScore &s) {
        return QStringLiteral("%1 / %2 / %3")
            .arg(s.mae, 0, 'f', 3)
            .arg(s.rmse, 0, 'f', 3)
            .arg(s.mape, 0, 'f', 1)
            .leftJustified(24);
    };
    for (const auto &ve : variables) {
        ts << "\n" << channelKey(ve.variable) << "\n";
        ts << QStringLiteral("h").leftJustified(5) << QStringLiteral("model").leftJustified(24)
           << QStringLiteral("persistence").leftJustified(24) << QStringLiteral("same_hour_yesterday").leftJustified(24);
        if (daily && ve.variable == Channel::Temperature)
            ts << QStringLiteral("climatology").leftJustified(24);
        ts << "n\n";
        for (const auto &h : ve.horizons) {
            ts << QString::number(h.hours).leftJustified(5) << cell(h.model) << cell(h.persistence)
               << cell(h.sameHourYesterday);
            if (daily && ve.variable == Channel::Temperature)
                ts << cell(h.climatology);
            ts << h.model.n;
            if (!std::isnan(h.intervalCoverage))
                ts << "  10-90 % interval held " << QString::number(100 * h.intervalCoverage, 'f', 1) << " %";
            if (h.modelFallbacks)
                ts << " (" << h.modelFallbacks << " fell back to persistence)";
            ts << "\n";
        }
    }
    return out;
}

} // namespace stratus
