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
    const auto it = m_history.constFind(stationId);
    return it == m_history.cend() ? 0 : it->size();
}

const StationSeries *ForecastService::history(const QString &stationId) const
{
    const auto it = m_history.constFind(stationId);
    return it == m_history.cend() ? nullptr : &*it;
}

void ForecastService::observe(const QList<Reading> &readings)
{
    LiveAccuracy &live = liveAccuracy();
    QSet<QString> touched;
    for (const Reading &r : readings) {
        StationSeries &s = m_history[r.stationId];
        const qint64 slotMs = r.timestampMs - ((r.timestampMs % kHour) + kHour) % kHour;
        if (s.stepMs == 0) {
            s.stationId = r.stationId;
            s.stepMs = kHour;
            s.startMs = slotMs;
        }
        int i = s.slotOf(r.timestampMs);
        if (i < 0)
            continue; // older than the history kept: too late to matter
        if (i - s.size() > 2 * kKeepHours) {
            // A jump far ahead (a replay loop, a long outage): the old history says nothing now.
            s.startMs = slotMs;
            s.resize(0);
            i = 0;
        }
        if (i >= s.size())
            s.resize(i + 1);
        for (Variable v : kAllVariables) {
            const auto c = channelOf(v);
            if (c && r.has(v))
                s.values[ch(*c)][static_cast<size_t>(i)] = r.value(v);
        }
        // Keep humidity and dewpoint consistent when the source gives only one of them.
        const double t = s.values[ch(Channel::Temperature)][static_cast<size_t>(i)];
        double &rh = s.values[ch(Channel::Humidity)][static_cast<size_t>(i)];
        double &td = s.values[ch(Channel::Dewpoint)][static_cast<size_t>(i)];
        if (!std::isnan(t) && std::isnan(rh) && !std::isnan(td))
            rh = ForecastDataLoader::relativeHumidity(t, std::min(td, t));
        else if (!std::isnan(t) && std::isnan(td) && !std::isnan(rh))
            td = ForecastDataLoader::dewpointFrom(t, rh);
        for (Variable v : {Variable::Temperature, Variable::Humidity, Variable::Pressure, Variable::WindSpeed})
            live.recordObservation(r.stationId, v, r.timestampMs, r.value(v));
        touched.insert(r.stationId);
    }
    for (const QString &id : touched) {
        StationSeries &s = m_history[id];
        if (s.size() > kKeepHours + 24) {
            const int drop = s.size() - kKeepHours;
            for (auto &v : s.values)
                v.erase(v.begin(), v.begin() + drop);
            s.startMs += drop * kHour;
        }
    }
}

QList<Forecast> ForecastService::modelForecast(const ForecastModel &model, const QString &stationId,
                                               qint64 issuedAtMs, const QList<Variable> &variables)
{
    QList<Forecast> out;
    const auto it = m_history.constFind(stationId);
    if (model.daily || !model.knowsStation(stationId) || it == m_history.cend())
        return out;
    const StationSeries &s = *it;
    const int t = s.slotOf(issuedAtMs - 1);
    if (t < 0 || t >= s.size())
        return out;
    const ForecastFeatures &features = model.featureBuilder();
    m_x.resize(static_cast<size_t>(features.size()));
    FeatureContext ctx;
    if (model.crossStation) {
        // The model's group as this engine sees it: each of its stations' history, looked up once.
        ctx.group.reserve(static_cast<size_t>(model.stations.size()));
        for (const QString &id : model.stations) {
            const auto h = m_history.constFind(id);
            ctx.group.push_back(h == m_history.cend() ? nullptr : &*h);
        }
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
    for (auto it = byStation.cbegin(); it != byStation.cend(); ++it) {
        const QString &station = it->first.first;
        const QList<WindowStats> &ws = it->second;
        const auto model = m_registry ? m_registry->modelFor(station) : nullptr;
        QList<Forecast> served;
        if (model) {
            QList<Variable> vars;
            qint64 issued = 0;
            for (const WindowStats &w : ws) {
                vars.append(w.variable);
                issued = std::max(issued, w.endMs);
            }
            served = modelForecast(*model, station, issued, vars);
        }
        QSet<int> covered;
        for (const Forecast &f : std::as_const(served))
            covered.insert(index(f.variable));
        QList<WindowStats> rest;
        for (const WindowStats &w : ws) {
            if (!covered.contains(index(w.variable)))
                rest.append(w);
        }
        // No model for this station, or history too short: persistence, labelled as such.
        served += m_persistence.forecast(rest);
        for (const Forecast &f : std::as_const(served))
            record(f);
        out += served;
    }
    return out;
}

void ForecastService::record(const Forecast &f)
{
    // Windows slide every minute; score one forecast per station, variable and issue hour.
    const QString key = f.stationId + QLatin1Char('|') + variableKey(f.variable);
    const qint64 slot = f.issuedAtMs / kHour;
    auto it = m_lastRecordedSlot.find(key);
    if (it != m_lastRecordedSlot.end() && *it >= slot)
        return;
    m_lastRecordedSlot.insert(key, slot);
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
