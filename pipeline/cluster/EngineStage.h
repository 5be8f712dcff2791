#pragma once

#include "TransactionalStage.h"
#include "stages/NeighbourTable.h"
#include "stages/PartitionTask.h"
#include "stages/ValidateStage.h"

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
// Each task has its own NeighbourTable holding its partition only, so a partition's outputs are a function of its own records: a replay after a rebalance or a crash
// rebuilds exactly the state the previous owner committed (deferred work included), whichever
// partitions a worker holds and however far their consumers are. The cost: on a cluster the spatial
// check and neighbour-term forecasts see the neighbours in the same partition only. Records are partitioned by Partitioner, the in-process
// engine's hash, so with [engine] partitions equal to the raw topic's partition count the engine
// and a cluster split stations alike.
class EngineStage final : public TransactionalStage
{
public:
    EngineStage(KafkaSettings settings, QString workerId, QString role, PartitionTask::Options task,
                EngineServices &services);
    ~EngineStage() override;

    static QString groupOf(const QString &role);
    qint64 lateDropped() const { return m_lateDropped.load(); }

protected:
    void resetPartition(int partition) override;
    void dropPartition(int partition) override;
    void process(int partition, qint64 offset, QByteArrayView key, QByteArrayView value, bool replaying,
                 QList<Output> &out) override;
    bool needsReplay() const override { return true; }

private:
    void deadLetter(int partition, qint64 offset, QByteArrayView key, QByteArrayView value, const QString &reason,
                    QList<Output> &out);
    void write(const StageOutput &so, QList<Output> &out);

    QString m_role;
    PartitionTask::Options m_taskOptions;
    EngineServices &m_services;
    struct Slot
    {
        NeighbourTable table;
        std::unique_ptr<PartitionTask> task;
    };
    ValidateStage m_validate;
    std::map<int, std::unique_ptr<Slot>> m_slots;
    StageOutput m_scratch;
    QString m_raw, m_features, m_predictions, m_anomalies, m_dead;
    std::atomic<qint64> m_lateDropped{0};
};

} // namespace stratus
