#pragma once

#include "LiveState.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>
#include <vector>

namespace stratus {

class TransactionalStage;

// What a --worker process shows on its own /metrics and /health: who it is, and per stage what its
// heartbeat carries (records in and out, transactions, replays, rebalances, partitions). A plain
// snapshot, taken on the worker's main thread from the stages' atomic counters.
struct WorkerStatus
{
    struct Stage
    {
        QString name;
        QList<int> partitions;
        qint64 in = 0;
        qint64 out = 0;
        qint64 deadLettered = 0;
        qint64 transactions = 0;
        qint64 replayed = 0;
        qint64 rebalances = 0;
        qint64 deliveryFailures = 0;
    };

    QString id;
    QString role;
    qint64 startedMs = 0;
    QString problem; // empty while the worker can work
    QList<Stage> stages;

    // An aggregate/infer/all worker: its Kafka stages.
    static WorkerStatus of(const QString &id, const QString &role, qint64 startedMs,
                           const std::vector<std::unique_ptr<TransactionalStage>> &stages, bool failed);
    // A collect worker: its sources (in: readings read, out: readings accepted onto the raw topic).
    static WorkerStatus ofCollector(const QString &id, qint64 startedMs, const LiveState &state);

    QByteArray metricsText() const;
    QJsonObject healthJson() const;
};

} // namespace stratus
