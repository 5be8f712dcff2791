#pragma once

#include "TransactionalStage.h"
#include "stages/NeighbourTable.h"
#include "stages/PartitionTask.h"
#include "stages/ValidateStage.h"

#include <QHash>

#include <functional>
#include <map>
#include <memory>

namespace stratus {

class EngineServices;

// A worker's engine: the stages the in-process Engine runs (PartitionTask: windows, anomalies,
// forecasts once per model step, alert rules), one task per assigned partition of the raw topic,
// inside a TransactionalStage so a task's outputs and its input offsets commit together. What a
// role runs:
//  - all:       every stage; windows to the features topic, forecasts to predictions, anomalies
//               and rule notices to anomalies (group "aggregate");
//  - aggregate: windows only (group "aggregate");
//  - infer:     forecasts, anomalies and rules; windows are computed to trigger forecasts but not
//               written (group "infer", also on the raw topic: a forecast reads the hourly history
//               of raw readings, which the features topic does not carry).
//
// The neighbours: a second, group-less consumer reads the whole raw topic into the worker's
// NeighbourTable (as Kafka Streams builds a GlobalKTable), so the spatial check and neighbour-term
// forecasts see every station, as in-process. Exactly once needs a task's outputs to be a function
// of its own partition's records, so deferred work is done at a deterministic point: at the first
// record of its own partition whose event time makes the work's own-partition inputs final (the
// task's own clock, not how far the table reader got), after waiting for the other partitions'
// inputs to be final in the table. A replay after a rebalance or a crash then rebuilds the state
// the previous owner committed, and outputs equal the in-process engine's with the same partition
// count (Partitioner: the collector partitions with the engine's hash). The wait is bounded
// (kNeighbourWaitMs): a partition nobody writes to any more does not stall a worker, at the price
// of determinism for the work that waited on it.
class EngineStage final : public TransactionalStage
{
public:
    EngineStage(KafkaSettings settings, QString workerId, QString role, int rawPartitions, PartitionTask::Options task,
                EngineServices &services);
    ~EngineStage() override;

    static QString groupOf(const QString &role);
    qint64 lateDropped() const { return m_lateDropped.load(); }
    // At most this long a task waits for other partitions' data (a commit waits with it).
    static constexpr int kNeighbourWaitMs = 5'000;

protected:
    void resetPartition(int partition) override;
    void dropPartition(int partition) override;
    void process(int partition, qint64 offset, QByteArrayView key, QByteArrayView value, bool replaying,
                 QList<Output> &out) override;
    bool needsReplay() const override { return true; }

private:
    // The table reader: reads until `done()` or the wait is over; false when it timed out or failed.
    bool readTableUntil(const std::function<bool()> &done, int maxWaitMs);
    bool isFinal(int partition, quint64 mask, qint64 timeMs);
    void deadLetter(int partition, qint64 offset, QByteArrayView key, QByteArrayView value, const QString &reason,
                    QList<Output> &out);
    void write(const StageOutput &so, QList<Output> &out);

    QString m_role;
    PartitionTask::Options m_taskOptions;
    EngineServices &m_services;
    NeighbourTable m_table;
    KafkaHandle m_tableReader;
    QHash<int, qint64> m_tableNext; // partition → next offset the table reader will read
    qint64 m_noWaitUntilMs = 0;
    struct Slot
    {
        std::unique_ptr<PartitionTask> task;
        qint64 newestMs = NeighbourTable::kNever; // of the records this task processed
        bool finished = false;
    };
    std::map<int, Slot> m_slots;
    ValidateStage m_validate;
    ReadingValidator m_tableValidator;
    StageOutput m_scratch;
    QString m_raw, m_features, m_predictions, m_anomalies, m_dead;
    std::atomic<qint64> m_lateDropped{0};
};

} // namespace stratus
