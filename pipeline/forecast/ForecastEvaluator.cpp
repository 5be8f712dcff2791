#include "ForecastEvaluator.h"

#include "ForecastTrainer.h"
#include "TimeUtil.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTimeZone>
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

QString ForecastEvaluator::seasonOf(qint64 ms)
{
    const int month = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).date().month();
    static const char *names[] = {"DJF", "DJF", "MAM", "MAM", "MAM", "JJA", "JJA", "JJA", "SON", "SON", "SON", "DJF"};
    return QString::fromLatin1(names[month - 1]);
}

Result<QHash<QString, QString>> ForecastEvaluator::parseGroups(const QString &spec)
{
    QHash<QString, QString> out;
    for (const QString &part : spec.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        const qsizetype colon = part.indexOf(QLatin1Char(':'));
        const QString name = part.left(colon).section(QLatin1Char('@'), 0, 0).trimmed();
        if (colon < 0 || name.isEmpty())
            return makeError(QStringLiteral("group \"%1\": expected NAME:STATION,STATION").arg(part.trimmed()));
        for (const QString &st : part.mid(colon + 1).split(QLatin1Char(','), Qt::SkipEmptyParts))
            out.insert(st.trimmed(), name);
    }
    return out;
}

namespace {

struct PerH
{
    Acc model, pers, shy, clim;
    qint64 complete = 0, imputed = 0, fallbacks = 0;
    Coverage all;
    QMap<QString, Coverage> byStation, byGroup, bySeason;
};

// One evaluation pass: every station, issue slot, variable and horizon, scored against the baselines.
class EvaluationRun
{
public:
    EvaluationRun(const ForecastModel &model, const ForecastDataset &ds, qint64 fromMs, qint64 toMs,
                  const QHash<QString, QString> &groups)
        : model(model), ds(ds), fromMs(fromMs), toMs(toMs), groups(groups), group(ds),
          ctx(group.context(&model.climatology)), vars(model.variables()),
          horizons(ds.daily ? std::vector<int>{1} : std::vector<int>{1, 3, 6, 12, 24}),
          acc(vars.size(), std::vector<PerH>(horizons.size())), x(static_cast<size_t>(model.featureBuilder().size()))
    {
        // Climatology baseline from the file's own past only (before the evaluated period); a file
        // that starts with the evaluated period has none, and the model's training years stand in.
        if (ds.daily) {
            climBaseline = ForecastTrainer::climatology(ds, std::numeric_limits<qint64>::min(), fromMs);
            if (std::all_of(climBaseline.begin(), climBaseline.end(), [](double v) { return std::isnan(v); })
                && model.climatology.size() == climBaseline.size())
                climBaseline = model.climatology;
        }
    }
    // Scores one station; true when it contributed.
    bool station(const StationSeries &s);
    Evaluation result() const;

private:
    void score(const StationSeries &s, int t, int missing);

    const ForecastModel &model;
    const ForecastDataset &ds;
    const qint64 fromMs, toMs;
    const QHash<QString, QString> &groups;
    const GroupMeans group;
    const FeatureContext ctx;
    const std::vector<Channel> vars;
    const std::vector<int> horizons;
    std::vector<double> climBaseline;
    std::vector<std::vector<PerH>> acc;
    std::vector<double> x;
    ForecastModel::Grid grid;
    bool used = false;
    int stationIndex = -1;
};

bool EvaluationRun::station(const StationSeries &s)
{
    used = false;
    stationIndex = static_cast<int>(model.stations.indexOf(s.stationId));
    for (int t = std::max(0, s.slotOf(fromMs)); t < s.size(); ++t) {
        const qint64 ms = s.timeOf(t);
        if (ms < fromMs)
            continue;
        if (ms >= toMs)
            break;
        score(s, t, model.featureBuilder().buildPartial(s, t, ctx, x.data()));
    }
    return used;
}

void EvaluationRun::score(const StationSeries &s, int t, int missing)
{
    const qint64 ms = s.timeOf(t);
    const int yesterday = static_cast<int>(timeutil::kMsPerDay / s.stepMs);
    std::array<double, kChannelCount> current;
    current.fill(kMissing);
    for (Channel v : vars)
        current[static_cast<size_t>(ch(v))] = ForecastTrainer::currentValue(s, v, t);
    const bool served = missing >= 0 && model.forecastAll(x.data(), ms, current, grid, stationIndex);
    const QString season = ForecastEvaluator::seasonOf(ms);
    for (size_t vi = 0; vi < vars.size(); ++vi) {
        const Channel v = vars[vi];
        const double cur = current[static_cast<size_t>(ch(v))];
        if (std::isnan(cur))
            continue;
        for (size_t hi = 0; hi < horizons.size(); ++hi) {
            const int h = horizons[hi];
            const qint64 targetMs = ms + h * s.stepMs;
            const double actual = s.at(v, t + h);
            const double shy = s.at(v, t + h - yesterday);
            if (targetMs > toMs || std::isnan(actual) || std::isnan(shy))
                continue;
            double climValue = kMissing;
            if (ds.daily && v == Channel::Temperature) {
                climValue = climBaseline[static_cast<size_t>(ForecastFeatures::dayOfYear(targetMs))];
                if (std::isnan(climValue))
                    continue;
            }
            PerH &a = acc[vi][hi];
            double pred = cur;
            if (served) {
                const ForecastModel::PointForecast &pf = grid.at(v, h);
                pred = pf.value;
                ++(missing > 0 ? a.imputed : a.complete);
                const bool inside = actual >= pf.lower && actual <= pf.upper;
                for (Coverage *c : {&a.all, &a.byStation[s.stationId], &a.bySeason[ForecastEvaluator::seasonOf(targetMs)]}) {
                    ++c->n;
                    c->inside += inside ? 1 : 0;
                }
                if (const auto g = groups.constFind(s.stationId); g != groups.cend()) {
                    ++a.byGroup[*g].n;
                    a.byGroup[*g].inside += inside ? 1 : 0;
                }
            } else {
                ++a.fallbacks;
            }
            a.model.add(pred, actual);
            a.pers.add(cur, actual);
            a.shy.add(shy, actual);
            if (!std::isnan(climValue))
                a.clim.add(climValue, actual);
            used = true;
        }
    }
}

Evaluation EvaluationRun::result() const
{
    Evaluation ev;
    ev.daily = ds.daily;
    ev.fromMs = fromMs;
    ev.toMs = toMs;
    for (size_t vi = 0; vi < vars.size(); ++vi) {
        VariableEvaluation ve;
        ve.variable = vars[vi];
        for (size_t hi = 0; hi < horizons.size(); ++hi) {
            const PerH &a = acc[vi][hi];
            HorizonScores hs;
            hs.hours = ds.daily ? 24 * horizons[hi] : horizons[hi];
            hs.model = a.model.score();
            hs.persistence = a.pers.score();
            hs.sameHourYesterday = a.shy.score();
            hs.climatology = a.clim.score();
            hs.complete = a.complete;
            hs.imputed = a.imputed;
            hs.modelFallbacks = a.fallbacks;
            if (a.all.n > 0)
                hs.intervalCoverage = a.all.share();
            hs.coverageByStation = a.byStation;
            hs.coverageByGroup = a.byGroup;
            hs.coverageBySeason = a.bySeason;
            ve.horizons.push_back(hs);
        }
        ev.variables.push_back(std::move(ve));
    }
    return ev;
}

} // namespace

Result<Evaluation> ForecastEvaluator::evaluate(const ForecastModel &model, const ForecastDataset &ds, qint64 fromMs,
                                               qint64 toMs, const QStringList &only,
                                               const QHash<QString, QString> &groups)
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
    // A channel the data lacks entirely is served like any missing input: imputed, with wider intervals.
    if (!lacking.isEmpty() && model.featureMean.size() == 0)
        return makeError(QStringLiteral("the model needs %1, which the data does not have").arg(lacking.join(u", ")));
    EvaluationRun run(model, ds, fromMs, toMs, groups);
    int stations = 0;
    for (const auto &s : ds.stations) {
        if ((only.isEmpty() || only.contains(s.stationId)) && run.station(s))
            ++stations;
    }
    Evaluation ev = run.result();
    ev.stations = stations;
    ev.lackingChannels = lacking;
    if (ev.variables.empty() || ev.variables.front().horizons.front().model.n == 0)
        return makeError(QStringLiteral("no forecast could be scored between %1 and %2 (the data has no station "
                                        "with a value at the issue time and %3 later there)")
                             .arg(timeutil::toIsoUtc(fromMs), timeutil::toIsoUtc(toMs),
                                  ds.daily ? QStringLiteral("a day") : QStringLiteral("an hour")));
    return ev;
}

namespace {

QJsonObject coverageJson(const QMap<QString, Coverage> &by)
{
    QJsonObject o;
    for (auto it = by.cbegin(); it != by.cend(); ++it)
        o[it.key()] = QJsonObject{{QStringLiteral("coverage"), std::round(it->share() * 10000) / 10000},
                                  {QStringLiteral("n"), it->n}};
    return o;
}

QString coverageText(const QMap<QString, Coverage> &by)
{
    QStringList parts;
    for (auto it = by.cbegin(); it != by.cend(); ++it)
        parts << QStringLiteral("%1 %2").arg(it.key(), QString::number(100 * it->share(), 'f', 1));
    return parts.join(QStringLiteral(", "));
}

} // namespace

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
            o[QStringLiteral("paths")] = QJsonObject{{QStringLiteral("complete"), h.complete},
                                                     {QStringLiteral("imputed"), h.imputed},
                                                     {QStringLiteral("persistence"), h.modelFallbacks}};
            if (!std::isnan(h.intervalCoverage)) {
                o[QStringLiteral("interval_coverage_10_90")] = std::round(h.intervalCoverage * 10000) / 10000;
                o[QStringLiteral("interval_coverage_by_station")] = coverageJson(h.coverageByStation);
                o[QStringLiteral("interval_coverage_by_season")] = coverageJson(h.coverageBySeason);
                if (!h.coverageByGroup.isEmpty())
                    o[QStringLiteral("interval_coverage_by_group")] = coverageJson(h.coverageByGroup);
            }
            arr.append(o);
        }
        return arr;
    };
    QJsonObject o;
    o[QStringLiteral("resolution")] = daily ? QStringLiteral("daily") : QStringLiteral("hourly");
    o[QStringLiteral("from")] = timeutil::toIsoUtc(fromMs);
    o[QStringLiteral("to")] = timeutil::toIsoUtc(toMs);
    o[QStringLiteral("stations")] = stations;
    if (!lackingChannels.isEmpty())
        o[QStringLiteral("channels_missing_from_data")] = QJsonArray::fromStringList(lackingChannels);
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
        if (std::all_of(ve.horizons.begin(), ve.horizons.end(), [](const HorizonScores &h) { return h.model.n == 0; }))
            continue; // nothing to score this variable against in the period
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
            if (h.imputed)
                ts << " (" << h.imputed << " with missing inputs imputed)";
            if (h.modelFallbacks)
                ts << " (" << h.modelFallbacks << " fell back to persistence)";
            ts << "\n";
        }
        if (ve.variable != Channel::Temperature)
            continue;
        ts << "interval held, % by season / station" << (ve.horizons.front().coverageByGroup.isEmpty() ? "" : " / group")
           << ":\n";
        for (const auto &h : ve.horizons) {
            ts << QString::number(h.hours).leftJustified(5) << coverageText(h.coverageBySeason) << " | "
               << coverageText(h.coverageByStation);
            if (!h.coverageByGroup.isEmpty())
                ts << " | " << coverageText(h.coverageByGroup);
            ts << "\n";
        }
    }
    if (!lackingChannels.isEmpty())
        ts << "\nthe data has no " << lackingChannels.join(QStringLiteral(", "))
           << ": the model imputed those inputs in every forecast\n";
    return out;
}

} // namespace stratus
