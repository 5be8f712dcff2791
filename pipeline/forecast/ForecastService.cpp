#include "ForecastService.h"

#include "ForecastModel.h"
#include "ForecastTrainer.h"
#include "models/ModelRegistry.h"
#include "TimeUtil.h"

#include <QSet>

#include <map>

namespace stratus {

namespace {

constexpr qint64 kHour = timeutil::kMsPerHour;

} // namespace

ForecastService::ForecastService(ModelRegistry *registry) : m_registry(registry) {}

LiveAccuracy &ForecastService::liveAccuracy()
{
    return m_registry ? m_registry->liveAccuracy() : m_ownLive;
}

int ForecastService::historyHours(const QString &stationId) const
{
    const StationSeries *s = history(stationId);
    return s ? s->size() : 0;
}

const StationSeries *ForecastService::history(const QString &stationId) const
{
    return table().hourly(stationId);
}

QStringList ForecastService::inputStations(const QString &stationId) const
{
    const auto model = m_registry ? m_registry->modelFor(stationId) : nullptr;
    if (!model || !model->crossStation || !model->knowsStation(stationId))
        return {stationId};
    QStringList ids = model->stations;
    if (!ids.contains(stationId))
        ids.append(stationId);
    return ids;
}

void ForecastService::observe(const QList<Reading> &readings)
{
    LiveAccuracy &live = liveAccuracy();
    for (const Reading &r : readings) {
        if (!m_table)
            m_ownTable.add(r);
        live.recordObservations(r);
    }
}

QList<Forecast> ForecastService::modelForecast(const ForecastModel &model, const QString &stationId,
                                               qint64 issuedAtMs, const QList<Variable> &variables)
{
    QList<Forecast> out;
    const StationSeries *own = history(stationId);
    if (model.daily || !model.knowsStation(stationId) || !own)
        return out;
    const StationSeries &s = *own;
    const int t = s.slotOf(issuedAtMs - 1);
    if (t < 0 || t >= s.size())
        return out;
    const ForecastFeatures &features = model.featureBuilder();
    m_x.resize(static_cast<size_t>(features.size()));
    FeatureContext ctx;
    if (model.crossStation) {
        // The model's group as this engine sees it: each of its stations' history, looked up once.
        ctx.group.reserve(static_cast<size_t>(model.stations.size()));
        for (const QString &id : model.stations)
            ctx.group.push_back(history(id));
    }
    if (!features.build(s, t, ctx, m_x.data()))
        return out;
    std::array<double, kChannelCount> current;
    current.fill(kMissing);
    for (Variable v : variables) {
        if (const auto c = channelOf(v); c && model.target(*c, 1, 0))
            current[static_cast<size_t>(ch(*c))] = ForecastTrainer::currentValue(s, *c, t);
    }
    thread_local ForecastModel::Grid grid; // keeps its buffers from one forecast to the next
    if (!model.forecastAll(m_x.data(), s.timeOf(t), current, grid, static_cast<int>(model.stations.indexOf(stationId))))
        return out;
    for (Variable v : variables) {
        const auto c = channelOf(v);
        if (!c || !grid.served[static_cast<size_t>(ch(*c))])
            continue;
        Forecast f;
        f.stationId = stationId;
        f.variable = v;
        f.issuedAtMs = issuedAtMs;
        f.model = QStringLiteral("ridge");
        f.modelVersion = model.version;
        const int horizons = std::min(grid.horizons, PersistenceForecaster::kMaxHorizonH);
        f.points.reserve(horizons);
        for (int h = 1; h <= horizons; ++h) {
            const ForecastModel::PointForecast &pf = grid.at(*c, h);
            ForecastPoint p;
            p.horizonH = h;
            p.targetMs = issuedAtMs + h * kHour;
            p.value = pf.value;
            p.lower = pf.lower;
            p.upper = pf.upper;
            // Physical bounds: humidity is a percentage, speeds are not negative.
            if (v == Variable::Humidity) {
                p.value = std::clamp(p.value, 0.0, 100.0);
                p.lower = std::clamp(p.lower, 0.0, 100.0);
                p.upper = std::clamp(p.upper, 0.0, 100.0);
            } else if (v == Variable::WindSpeed) {
                p.value = std::max(p.value, 0.0);
                p.lower = std::max(p.lower, 0.0);
                p.upper = std::max(p.upper, 0.0);
            }
            f.points.append(p);
        }
        out.append(std::move(f));
    }
    return out;
}

QList<Forecast> ForecastService::forecast(const QList<WindowStats> &windows)
{
    QList<Forecast> out;
    // Group the closed windows by station and window end: one feature vector serves all of a
    // station's variables at one instant. A batch (a fast replay) can close windows of many hours at
    // once; each instant gets its own forecast, in time order.
    std::map<std::pair<QString, qint64>, QList<WindowStats>> byStation;
    for (const WindowStats &w : windows) {
        if (PersistenceForecaster::isForecastVariable(w.variable) && w.count > 0)
            byStation[{w.stationId, w.endMs}].append(w);
    }
    for (auto it = byStation.cbegin(); it != byStation.cend(); ++it)
        out += forecastStation(it->first.first, it->first.second, it->second);
    return out;
}

QList<Forecast> ForecastService::forecastStation(const QString &station, qint64 issuedAtMs, const QList<WindowStats> &latest)
{
    QList<WindowStats> ws;
    for (const WindowStats &w : latest) {
        if (PersistenceForecaster::isForecastVariable(w.variable) && w.count > 0)
            ws.append(w);
    }
    const auto model = m_registry ? m_registry->modelFor(station) : nullptr;
    QList<Forecast> served;
    if (model) {
        QList<Variable> vars;
        for (const WindowStats &w : std::as_const(ws))
            vars.append(w.variable);
        served = modelForecast(*model, station, issuedAtMs, vars);
    }
    QSet<int> covered;
    for (const Forecast &f : std::as_const(served))
        covered.insert(index(f.variable));
    QList<WindowStats> rest;
    for (const WindowStats &w : std::as_const(ws)) {
        if (!covered.contains(index(w.variable)))
            rest.append(w);
    }
    // No model for this station, or history too short: persistence, labelled as such.
    QList<Forecast> persisted = m_persistence.forecast(rest);
    for (Forecast &f : persisted) {
        f.issuedAtMs = issuedAtMs;
        for (ForecastPoint &p : f.points)
            p.targetMs = issuedAtMs + p.horizonH * kHour;
    }
    served += persisted;
    for (const Forecast &f : std::as_const(served))
        record(f);
    return served;
}

void ForecastService::record(const Forecast &f)
{
    // Windows slide every minute; score one forecast per station, variable and issue hour.
    const qint64 slot = f.issuedAtMs / kHour;
    auto it = m_lastRecordedSlot.find(f.stationId);
    if (it == m_lastRecordedSlot.end()) {
        it = m_lastRecordedSlot.insert(f.stationId, {});
        it->fill(std::numeric_limits<qint64>::min());
    }
    qint64 &last = (*it)[static_cast<size_t>(index(f.variable))];
    if (last >= slot)
        return;
    last = slot;
    LiveAccuracy &live = liveAccuracy();
    live.recordForecast(f, f.modelVersion.isEmpty() ? f.model : f.modelVersion);
    // A replay delivers readings in batches, so a target hour may already be in the history when
    // the forecast is issued (the forecast itself only used hours up to its issue time): score it now.
    const StationSeries *h = history(f.stationId);
    const auto c = channelOf(f.variable);
    if (!h || !c)
        return;
    for (const ForecastPoint &p : f.points) {
        const int i = h->slotOf(p.targetMs);
        if (i >= h->size())
            break;
        const double v = h->at(*c, i);
        if (!std::isnan(v))
            live.recordObservation(f.stationId, f.variable, h->timeOf(i), v);
    }
}

} // namespace stratus
