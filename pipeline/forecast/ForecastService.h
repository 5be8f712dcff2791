#pragma once

#include "ForecastDataLoader.h"
#include "stages/NeighbourTable.h"
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

// The engine's forecaster: issues 1..24 h forecasts of a station with the model the registry routes
// that station to (active or A/B candidate), from the stations' hourly history in a NeighbourTable
// (the engine's; or, used on its own, one this service fills from observe()). While there is no
// model for the station, or its history is still too short for the features, it serves persistence
// and labels it so (model "persistence", no version). Forecasts are scored live against the
// readings that arrive. Not thread-safe: called from one thread; the registry and LiveAccuracy are.
class ForecastService
{
public:
    explicit ForecastService(ModelRegistry *registry = nullptr);

    void setRegistry(ModelRegistry *registry) { m_registry = registry; }
    ModelRegistry *registry() const { return m_registry; }
    // The history to forecast from; without one, observe() fills a table of the service's own.
    void setTable(const NeighbourTable *table) { m_table = table; }
    const NeighbourTable &table() const { return m_table ? *m_table : m_ownTable; }

    // Scores forecasts whose target hour the readings fall in (and, without an engine's table, adds
    // them to the service's own hourly history: last value of each hour slot).
    void observe(const QList<Reading> &readings);
    // Forecasts for every station and forecast variable among the closed windows.
    QList<Forecast> forecast(const QList<WindowStats> &windows);
    // The forecast of one station issued at `issuedAtMs`: the model's for the variables it serves,
    // persistence of the windows `latest` (the station's newest closed windows) for the others.
    QList<Forecast> forecastStation(const QString &stationId, qint64 issuedAtMs, const QList<WindowStats> &latest);
    // The stations whose history a forecast of `stationId` reads (itself, and the model's group when
    // it reads other stations), so the caller can wait until their data is final.
    QStringList inputStations(const QString &stationId) const;
    // Model forecasts for one station issued at `issuedAtMs` from its history; empty when the model
    // cannot serve it (the caller then falls back). Exposed for tests and the benchmark.
    QList<Forecast> modelForecast(const ForecastModel &model, const QString &stationId, qint64 issuedAtMs,
                                  const QList<Variable> &variables);
    // Hours of history held for a station.
    int historyHours(const QString &stationId) const;
    const StationSeries *history(const QString &stationId) const;

    LiveAccuracy &liveAccuracy();

private:
    void record(const Forecast &f);

    ModelRegistry *m_registry;
    const NeighbourTable *m_table = nullptr;
    NeighbourTable m_ownTable;
    QHash<QString, std::array<qint64, kVariableCount>> m_lastRecordedSlot; // station → per variable, issue hour slot last scored
    PersistenceForecaster m_persistence;
    LiveAccuracy m_ownLive; // used when there is no registry
    std::vector<double> m_x;
};

} // namespace stratus
