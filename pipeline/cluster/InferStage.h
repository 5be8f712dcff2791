#pragma once

#include "TransactionalStage.h"
#include "forecast/PersistenceForecaster.h"

namespace stratus {

// features → predictions with the forecaster the in-process Engine uses. Stateless per record, so
// exactly once needs no replay after a rebalance (the transaction is enough). At least once, the
// features topic may hold copies an aggregate stage re-sent: they are dropped by their ids, and
// the duplicate filter's marks are rebuilt by replay.
class InferStage final : public TransactionalStage
{
public:
    InferStage(KafkaSettings settings, QString workerId);

protected:
    void resetPartition(int) override {}
    void dropPartition(int) override {}
    void process(int partition, qint64 offset, QByteArrayView key, QByteArrayView value, bool replaying,
                 QList<Output> &out) override;
    bool needsReplay() const override { return m_settings.atLeastOnce; }
    bool deduplicatesInput() const override { return true; }

private:
    PersistenceForecaster m_forecaster;
    QString m_predictions;
    QString m_dead;
    QString m_features;
};

} // namespace stratus
