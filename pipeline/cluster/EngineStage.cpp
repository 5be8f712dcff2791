#include "EngineStage.h"

#include "EngineServices.h"
#include "bus/KafkaCodec.h"

#include <QDateTime>

namespace stratus {

namespace {
// The table of one task: everything in it is of the task's partition, whichever producer's hash put
// it there, so it is the table's only partition and its watermark is the task's.
NeighbourTable::Options tableOptions(const PartitionTask::Options &task)
{
    NeighbourTable::Options t;
    t.partitions = 1;
    t.latenessMs = task.windows.allowedLatenessMs;
    return t;
}

PartitionTask::Options forRole(PartitionTask::Options o, const QString &role)
{
    const bool aggregateOnly = role == QLatin1String("aggregate");
    o.emitWindows = o.emitWindows && role != QLatin1String("infer");
    o.forecast = o.forecast && !aggregateOnly;
    o.detectAnomalies = o.detectAnomalies && !aggregateOnly;
    o.rules = o.rules && !aggregateOnly;
    // A worker's decisions must replay identically: dropouts on event time, never the wall clock.
    o.detect.eventTimeDropouts = true;
    return o;
}
} // namespace

QString EngineStage::groupOf(const QString &role)
{
    return role == QLatin1String("infer") ? QStringLiteral("infer") : QStringLiteral("aggregate");
}

EngineStage::EngineStage(KafkaSettings settings, QString workerId, QString role, PartitionTask::Options task,
                         EngineServices &services)
    : TransactionalStage(settings, groupOf(role), settings.topic(Bus::Topic::Raw), std::move(workerId)), m_role(std::move(role)),
      m_taskOptions(forRole(std::move(task), m_role)), m_services(services),
      m_raw(settings.topic(Bus::Topic::Raw)), m_features(settings.topic(Bus::Topic::Features)),
      m_predictions(settings.topic(Bus::Topic::Predictions)), m_anomalies(settings.topic(Bus::Topic::Anomalies)),
      m_dead(settings.topic(Bus::Topic::DeadLetter))
{
}

EngineStage::~EngineStage() = default;

void EngineStage::resetPartition(int partition)
{
    auto slot = std::make_unique<Slot>(Slot{NeighbourTable(tableOptions(m_taskOptions)), nullptr});
    slot->task = std::make_unique<PartitionTask>(
        partition, m_taskOptions, PartitionTask::Services{&slot->table, m_services.models(), &m_services.alerts()});
    slot->task->setStations(m_services.stations());
    m_slots[partition] = std::move(slot);
}

void EngineStage::dropPartition(int partition)
{
    m_slots.erase(partition);
}

void EngineStage::deadLetter(int partition, qint64 offset, QByteArrayView key, QByteArrayView value, const QString &reason,
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

void EngineStage::process(int partition, qint64 offset, QByteArrayView key, QByteArrayView value, bool replaying,
                          QList<Output> &out)
{
    auto it = m_slots.find(partition);
    if (it == m_slots.end()) {
        resetPartition(partition);
        it = m_slots.find(partition);
    }
    NeighbourTable &table = it->second->table;
    PartitionTask &task = *it->second->task;
    StageOutput &so = m_scratch;
    so.clear();
    if (KafkaCodec::isEndOfStream(value)) {
        table.finishAll();
        task.finish(so);
    } else {
        const auto r = KafkaCodec::decodeReading(value);
        if (!r) {
            if (!replaying)
                deadLetter(partition, offset, key, value, r.errorMessage(), out);
            return;
        }
        // Readings normally arrive validated by the collector; anything else that reaches the topic
        // is checked again, so an impossible value never enters a window.
        const QString origin = QStringLiteral("%1[%2]@%3").arg(m_raw).arg(partition).arg(offset);
        if (!m_validate.process(*r, origin, so)) {
            if (!replaying)
                write(so, out);
            return;
        }
        const Reading &reading = so.accepted.back();
        table.add(reading);
        const qint64 lateBefore = task.lateDropped();
        task.process({reading}, so);
        if (!replaying)
            m_lateDropped += task.lateDropped() - lateBefore;
    }
    if (!replaying)
        write(so, out);
}

void EngineStage::write(const StageOutput &so, QList<Output> &out)
{
    for (const DeadLetter &d : so.deadLetters) {
        out.append({m_dead, d.key, KafkaCodec::encode(d)});
        ++m_stats.deadLettered;
    }
    if (m_taskOptions.emitWindows) {
        for (const WindowStats &w : so.windows)
            out.append({m_features, w.stationId.toUtf8(), KafkaCodec::encode(w, m_settings.binary)});
    }
    for (const Forecast &f : so.forecasts) {
        out.append({m_predictions, f.stationId.toUtf8(), KafkaCodec::encode(f, m_settings.binary)});
        ++m_stats.predictions;
    }
    for (const Anomaly &a : so.anomalies)
        out.append({m_anomalies, a.stationId.toUtf8(), KafkaCodec::encode(a)});
}

} // namespace stratus
