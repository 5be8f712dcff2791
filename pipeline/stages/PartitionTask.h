#pragma once

#include "DetectStage.h"
#include "ForecastStage.h"
#include "NeighbourTable.h"
#include "RuleStage.h"
#include "StageOutput.h"
#include "WindowStage.h"

#include <array>
#include <functional>
#include <map>
#include <tuple>
#include <variant>

namespace stratus {

class AlertManager;
class ModelRegistry;

// The stages of one partition, composed: validated readings in → windows (aggregate), anomalies
// (detect), forecasts once per model step (forecast), rule notices (rules) out. The in-process
// Engine runs one task per partition of its stations; a Kafka worker runs one per partition it is
// assigned. Everything a task holds is keyed by station (windows, detector rings, dropout clocks,
// forecast steps), so a partition's state is a function of its records and moves with it.
//
// Work that reads other stations' data — the spatial check, forecasts with neighbour terms — waits
// in a queue until those stations' partitions are final through the time it is about (the
// NeighbourTable, or Services::isFinal on a worker), so its result does not depend on how far other
// partitions happen to be; a task's outputs are the same in the engine and on a cluster.
class PartitionTask
{
public:
    struct Options
    {
        WindowOptions windows;
        DetectStage::Options detect;
        bool emitWindows = true; // false: windows only trigger forecasts (a worker of role infer)
        bool detectAnomalies = true;
        bool forecast = true;
        bool rules = true;
    };
    // Shared with the other tasks of the process; the table must hold a reading before the task
    // processes it.
    struct Services
    {
        const NeighbourTable *table = nullptr;
        ModelRegistry *models = nullptr;
        AlertManager *alerts = nullptr;
        // Whether the partitions in the mask are final through the time; empty = table->isFinal. A
        // Kafka worker answers for its own partition from the records it processed (see EngineStage).
        std::function<bool(quint64 partitionMask, qint64 timeMs)> isFinal;
    };
    enum Stage { Aggregate, Detect, Forecast, Rules, Deferred, StageCount };
    struct StageTimes
    {
        std::array<qint64, StageCount> items{};
        std::array<qint64, StageCount> ns{};
    };
    // The key of deferred work: due work is done in this order.
    struct DeferredKey
    {
        qint64 atMs = 0;
        int kind = 0; // 0 spatial check, 1 forecast
        QString stationId;
        bool operator<(const DeferredKey &o) const
        {
            return std::tie(atMs, kind) != std::tie(o.atMs, o.kind) ? std::tie(atMs, kind) < std::tie(o.atMs, o.kind)
                                                                     : stationId < o.stationId;
        }
    };

    PartitionTask(int partition, Options options, Services services);

    int partition() const { return m_partition; }
    void setStations(const QList<Station> &stations);
    // Readings of this partition, in its order, already validated and in the table.
    void process(const QList<Reading> &readings, StageOutput &out);
    // Does the deferred work whose inputs became final (call after the table moved).
    void drain(StageOutput &out);
    // End of the stream: closes every window and does all deferred work.
    void finish(StageOutput &out);
    // Live (wall clock): stations silent for too long.
    void checkSilence(qint64 nowMs, StageOutput &out);

    qsizetype pending() const { return static_cast<qsizetype>(m_deferred.size()); }
    const StageTimes &times() const { return m_times; }
    qint64 lateDropped() const { return m_windows.lateDropped(); }

    ForecastStage &forecastStage() { return m_forecast; }
    DetectStage &detectStage() { return m_detect; }

private:
    using Work = std::variant<Reading, ForecastStage::Due>;
    struct Pending
    {
        quint64 inputs = 0; // partitions that must be final through atMs
        Work work;
    };
    void runDeferred(const Work &work, StageOutput &out);

    int m_partition;
    Options m_options;
    Services m_services;
    WindowStage m_windows;
    DetectStage m_detect;
    ForecastStage m_forecast;
    RuleStage m_rules;
    std::multimap<DeferredKey, Pending> m_deferred;
    qint64 m_newestMs = std::numeric_limits<qint64>::min();
    StageTimes m_times;
    QList<WindowStats> m_closed; // scratch
    QList<ForecastStage::Due> m_steps; // scratch
};

} // namespace stratus
