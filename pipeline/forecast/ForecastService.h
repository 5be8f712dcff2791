#pragma once

#include "ForecastDataLoader.h"
#include "models/LiveAccuracy.h"
#include "PersistenceForecaster.h"
#include "Reading.h"
#include "WindowStats.h"

#include <QHash>
#include <QList>

#include <memory>

namespace stratus {

class ForecastModel;
class ModelRegistry;

// The engine's forecaster: keeps each station's recent hourly history from the accepted readings
// and, when a station's windows close, issues 1..24 h forecasts with the model the registry routes
// that station to (active or A/B candidate). While there is no model for the station, or its
// history is still too short for the features, it serves persistence and labels it so
// (model "persistence", no version). Forecasts are scored live against the readings that arrive.
// Not thread-safe: called from the engine's thread; the registry and LiveAccuracy are.
class ForecastService
{
public:
    explicit ForecastService(ModelRegistry *registry = nullptr);

    void setRegistry(ModelRegistry *registry) { m_registry = registry; }
    ModelRegistry *registry() const { return m_registry; }

    // Adds readings to the hourly history (last value of each hour slot) and scores forecasts
    // whose target hour they fall in.
    void observe(const QList<Reading> &readings);
    // Forecasts for every station and forecast variable among the closed windows.
    QList<Forecast> forecast(const QList<WindowStats> &windows);
    // Model forecasts for one station issued at `issuedAtMs` from its history; empty when the model
    // cannot serve it (the caller then falls back). Exposed for tests and the benchmark.
    QList<Forecast> modelForecast(const ForecastModel &model, const QString &stationId, qint64 issuedAtMs,
                                  const QList<Variable> &variables);
    // Hours of history held for a station.
    int historyHours(const QString &stationId) const;
    const StationSeries *history(const QString &stationId) const;

    LiveAccuracy &liveAccuracy();
    // Slots of history kept per station: the features need 49 h and read means over up to 168 h.
    static constexpr int kKeepHours = 192;

private:
    void record(const Forecast &f);

    ModelRegistry *m_registry;
    QHash<QString, StationSeries> m_history;
    QHash<QString, qint64> m_lastRecordedSlot; // "station|variable" → issue hour slot last scored
    PersistenceForecaster m_persistence;
    LiveAccuracy m_ownLive; // used when there is no registry
    std::vector<double> m_x;
};

} // namespace stratus
