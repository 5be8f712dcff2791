#pragma once

#include "TransactionalStage.h"
#include "infer/PersistenceForecaster.h"

namespace stratus {

// features → predictions with the forecaster the in-process Engine uses. Stateless per record, so
// nothing is replayed after a rebalance; exactly once comes from the transaction alone.
class InferStage final : public TransactionalStage
{
public:
    InferStage(KafkaSettings settings, QString workerId);

protected:
    void resetPartition(int) override {}
    void dropPartition(int) override {}
    void process(int partition, qint64 offset, QByteArrayView key, QByteArrayView value, bool replaying,
                 QList<Output> &out) override;
    bool needsReplay() const override { return false; }

private:
    PersistenceForecaster m_forecaster;
    QString m_predictions;
    QString m_dead;
    QString m_features;
};

} // namespace stratus
