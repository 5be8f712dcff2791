#include "InferStage.h"

#include "bus/KafkaCodec.h"

#include <QDateTime>

namespace stratus {

InferStage::InferStage(KafkaSettings settings, QString workerId)
    : TransactionalStage(settings, QStringLiteral("infer"), settings.topic(Bus::Topic::Features), std::move(workerId)),
      m_predictions(settings.topic(Bus::Topic::Predictions)), m_dead(settings.topic(Bus::Topic::DeadLetter)),
      m_features(settings.topic(Bus::Topic::Features))
{
}

void InferStage::process(int partition, qint64 offset, QByteArrayView key, QByteArrayView value, bool replaying, QList<Output> &out)
{
    if (replaying)
        return; // no state but the duplicate filter's, which the base class keeps

    const auto w = KafkaCodec::decodeWindow(value);
    if (!w) {
        DeadLetter d;
        d.origin = QStringLiteral("%1[%2]@%3").arg(m_features).arg(partition).arg(offset);
        d.key = key.toByteArray();
        d.payload = value.toByteArray();
        d.reason = w.errorMessage();
        d.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
        out.append({m_dead, d.key, KafkaCodec::encode(d)});
        ++m_stats.deadLettered;
        return;
    }
    for (const Forecast &f : m_forecaster.forecast({*w})) {
        out.append({m_predictions, f.stationId.toUtf8(), KafkaCodec::encode(f, m_settings.binary)});
        ++m_stats.predictions;
    }
}

} // namespace stratus
