#pragma once

#include "Anomaly.h"
#include "Forecast.h"
#include "Reading.h"
#include "StationCatalogue.h"
#include "WindowStats.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QReadWriteLock>

#include <atomic>
#include <deque>
#include <optional>

namespace stratus {

// What the engine knows right now, read by the REST API and the GUI alike. In-process it is fed by
// the engine; with --connect it is fed from the cluster's topics, so readers cannot tell the two
// apart. Every method is thread-safe; readers get copies.
class LiveState
{
public:
    struct SourceStatus
    {
        QString name;
        QString state; // ok / degraded / down / starting / finished
        QString lastError;
        qint64 lastSuccessMs = 0;
        qint64 readings = 0;
        qint64 progressDone = 0; // start-up work such as a history back-fill; total 0 = none
        qint64 progressTotal = 0;
    };

    struct Counters
    {
        qint64 readingsIn = 0;       // accepted onto the raw topic
        qint64 readingsRejected = 0; // whole readings refused (bad id/time/JSON)
        qint64 valuesRejected = 0;   // single impossible values dropped from otherwise good readings
        qint64 lateDropped = 0;      // beyond allowed lateness
        qint64 deadLettered = 0;
        qint64 windowsOut = 0;
        qint64 forecastsOut = 0;
        qint64 anomaliesOut = 0;
    };

    static constexpr int kHistoryPerStation = 2048;
    static constexpr int kAnomalyHistory = 10000;

    void upsertStations(const QList<Station> &stations);
    void recordReadings(const QList<Reading> &readings);
    void recordWindows(const QList<WindowStats> &windows);
    void recordForecasts(const QList<Forecast> &forecasts);
    void recordAnomalies(const QList<Anomaly> &anomalies);
    void setSourceStatus(const SourceStatus &status);
    void setMode(const QString &mode);
    void setBusKind(const QString &kind, const QString &problem);
    void addCounters(const Counters &delta);
    void setLateDropped(qint64 total);
    // Distributed mode: the latest cluster health (ClusterHealth::toJson()) for /cluster and the GUI.
    void setCluster(const QJsonObject &cluster);
    QJsonObject cluster() const;

    StationCatalogue catalogue() const;
    bool hasStation(const QString &id) const;
    std::optional<Reading> latestReading(const QString &id) const;
    QList<Reading> history(const QString &id) const;
    QList<WindowStats> latestWindows(const QString &id) const;
    QList<Forecast> forecasts(const QString &id) const;
    QList<Anomaly> anomalies(qint64 sinceMs, const QString &station, int limit) const;
    QList<SourceStatus> sources() const;
    Counters counters() const;
    QString mode() const;
    QString busKind() const;
    QString busProblem() const;
    // Bumped on every change, so views can skip redraws when nothing happened.
    quint64 generation() const { return m_generation.load(std::memory_order_relaxed); }

private:
    struct StationData
    {
        std::optional<Reading> latest;
        std::deque<Reading> history;
        QHash<int, WindowStats> windows;  // by variable
        QHash<int, Forecast> forecasts;   // by variable
    };

    void touch() { m_generation.fetch_add(1, std::memory_order_relaxed); }

    mutable QReadWriteLock m_lock;
    StationCatalogue m_catalogue;
    QHash<QString, StationData> m_data;
    std::deque<Anomaly> m_anomalies;
    QHash<QString, SourceStatus> m_sources;
    Counters m_counters;
    QString m_mode = QStringLiteral("in-process");
    QString m_busKind = QStringLiteral("local");
    QString m_busProblem;
    QJsonObject m_cluster;
    std::atomic<quint64> m_generation{0};
};

} // namespace stratus
