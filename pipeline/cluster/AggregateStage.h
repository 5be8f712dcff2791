#pragma once

#include "ReadingValidator.h"
#include "TransactionalStage.h"
#include "aggregate/SlidingWindowAggregator.h"
#include "forecast/PersistenceForecaster.h"

#include <QHash>

namespace stratus {

// raw → features: one SlidingWindowAggregator per assigned partition (all of a station's readings
// are in one partition because records are keyed by station), so a partition's windows depend only
// on that partition's records and can be rebuilt by replay. Records that do not decode or fail
// validation go to the dead-letter topic with the reason; the end-of-stream control record closes
// the partition's open windows.
//
// With `forecast` (what `--role all` runs) the stage also makes the predictions of the windows it
// closes and writes them in the same transaction, as the in-process engine and Kafka Streams (one
// sub-topology per co-partitioned chain) do: one transaction round trip from a reading to its
// prediction instead of two. The features still go to their topic for viewers and other consumers.
class AggregateStage final : public TransactionalStage
{
public:
    AggregateStage(KafkaSettings settings, QString workerId, WindowOptions windows, bool forecast = false);

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

    WindowOptions m_windows;
    bool m_forecast = false;
    PersistenceForecaster m_forecaster;
    QString m_predictions;
    ReadingValidator m_validator;
    QHash<int, SlidingWindowAggregator> m_aggregators;
    QString m_features;
    QString m_dead;
    QString m_raw;
    std::atomic<qint64> m_lateDropped{0};
};

} // namespace stratus
