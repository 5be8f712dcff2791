#include "AggregateStage.h"

#include "bus/KafkaCodec.h"

#include <QDateTime>

namespace stratus {

AggregateStage::AggregateStage(KafkaSettings settings, QString workerId, WindowOptions windows, bool forecast)
    : TransactionalStage(settings, QStringLiteral("aggregate"), settings.topic(Bus::Topic::Raw), std::move(workerId)),
      m_windows(windows), m_forecast(forecast), m_predictions(settings.topic(Bus::Topic::Predictions)), m_features(settings.topic(Bus::Topic::Features)), m_dead(settings.topic(Bus::Topic::DeadLetter)),
      m_raw(settings.topic(Bus::Topic::Raw))
{
}

void AggregateStage::resetPartition(int partition)
{
    m_aggregators.insert(partition, SlidingWindowAggregator(m_windows));
}

void AggregateStage::dropPartition(int partition)
{
    m_aggregators.remove(partition);
}

void AggregateStage::deadLetter(int partition, qint64 offset, QByteArrayView key, QByteArrayView value, const QString &reason,
                                QList<Output> &out)
{
    DeadLetter d;
    d.origin = QStringLiteral("%1[%2]@%3").arg(m_raw).arg(partition).arg(offset);
    d.key = key.toByteArray();
    d.payload = value.toByteArray();
    d.reason = reason;
    d.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
    out.append({m_dead, d.key, KafkaCodec::encode(d)});
    ++m_stats.deadLettered;
}

void AggregateStage::process(int partition, qint64 offset, QByteArrayView key, QByteArrayView value, bool replaying,
                             QList<Output> &out)
{
    auto it = m_aggregators.find(partition);
    if (it == m_aggregators.end())
        it = m_aggregators.insert(partition, SlidingWindowAggregator(m_windows));
    SlidingWindowAggregator &agg = it.value();
    QList<WindowStats> closed;
    if (KafkaCodec::isEndOfStream(value)) {
        closed = agg.flush();
    } else {
        const auto r = KafkaCodec::decodeReading(value);
        if (!r) {
            deadLetter(partition, offset, key, value, r.errorMessage(), out);
            return;
        }
        Reading reading = *r;
        const Validation v = m_validator.validate(reading);
        if (!v.clean()) {
            // Readings normally arrive validated by the collector; anything else that reaches the
            // topic is checked again so an impossible value never enters a window.
            deadLetter(partition, offset, key, value, v.problems.join(QStringLiteral("; ")), out);
            if (v.fatal)
                return;
            reading = m_validator.sanitized(reading, v);
            if (reading.isEmpty())
                return;
        }
        const qint64 lateBefore = agg.lateDropped();
        closed = agg.add({reading});
        if (!replaying)
            m_lateDropped += agg.lateDropped() - lateBefore;
    }
    if (replaying)
        return;
    for (const WindowStats &w : std::as_const(closed))
        out.append({m_features, w.stationId.toUtf8(), KafkaCodec::encode(w, m_settings.binary)});
    if (m_forecast && !closed.isEmpty()) {
        for (const Forecast &f : m_forecaster.forecast(closed)) {
            out.append({m_predictions, f.stationId.toUtf8(), KafkaCodec::encode(f, m_settings.binary)});
            ++m_stats.predictions;
        }
    }
}

} // namespace stratus
