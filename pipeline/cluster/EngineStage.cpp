#include "EngineStage.h"

#include "EngineServices.h"
#include "bus/KafkaCodec.h"

#include <librdkafka/rdkafka.h>

#include <QDateTime>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QUuid>

namespace stratus {

Q_LOGGING_CATEGORY(lcEngineStage, "stratus.kafka.stage")

namespace {
NeighbourTable::Options tableOptions(int partitions, const PartitionTask::Options &task)
{
    NeighbourTable::Options t;
    t.partitions = std::clamp(partitions, 1, 64);
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

EngineStage::EngineStage(KafkaSettings settings, QString workerId, QString role, int rawPartitions, PartitionTask::Options task,
                         EngineServices &services)
    : TransactionalStage(settings, groupOf(role), settings.topic(Bus::Topic::Raw), std::move(workerId)), m_role(std::move(role)),
      m_taskOptions(forRole(std::move(task), m_role)), m_services(services), m_table(tableOptions(rawPartitions, m_taskOptions)),
      m_raw(settings.topic(Bus::Topic::Raw)), m_features(settings.topic(Bus::Topic::Features)),
      m_predictions(settings.topic(Bus::Topic::Predictions)), m_anomalies(settings.topic(Bus::Topic::Anomalies)),
      m_dead(settings.topic(Bus::Topic::DeadLetter))
{
    m_table.setRetainFrom(NeighbourTable::kNever); // nothing is dropped before the tasks have clocks
}

EngineStage::~EngineStage() = default;

void EngineStage::resetPartition(int partition)
{
    Slot slot;
    PartitionTask::Services services{&m_table, m_services.models(), &m_services.alerts(), {}};
    services.isFinal = [this, partition](quint64 mask, qint64 timeMs) { return isFinal(partition, mask, timeMs); };
    slot.task = std::make_unique<PartitionTask>(partition, m_taskOptions, services);
    slot.task->setStations(m_services.stations());
    m_slots[partition] = std::move(slot);
}

void EngineStage::dropPartition(int partition)
{
    m_slots.erase(partition);
}

bool EngineStage::readTableUntil(const std::function<bool()> &done, int maxWaitMs)
{
    if (done())
        return true;
    if (!m_tableReader) {
        // No group: nothing is committed, every worker reads every partition from the beginning.
        auto reader = kafka::makeConsumer(
            m_settings, {{QStringLiteral("group.id"), m_settings.group(QStringLiteral("table-") + QUuid::createUuid().toString(QUuid::Id128))},
                         {QStringLiteral("enable.auto.commit"), QStringLiteral("false")},
                         {QStringLiteral("isolation.level"), QStringLiteral("read_committed")},
                         {QStringLiteral("fetch.wait.max.ms"), QStringLiteral("5")}});
        if (!reader) {
            qCWarning(lcEngineStage).noquote() << "neighbour table: cannot read" << m_raw << ":" << reader.errorMessage();
            return false;
        }
        m_tableReader = std::move(reader).value();
        const QByteArray topic = m_raw.toUtf8();
        rd_kafka_topic_partition_list_t *all = rd_kafka_topic_partition_list_new(m_table.options().partitions);
        for (int p = 0; p < m_table.options().partitions; ++p)
            rd_kafka_topic_partition_list_add(all, topic.constData(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_assign(m_tableReader.get(), all);
        rd_kafka_topic_partition_list_destroy(all);
    }
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > maxWaitMs)
            return false;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(m_tableReader.get(), 20);
        if (!m)
            continue;
        if (!m->err && m->partition >= 0 && m->partition < m_table.options().partitions) {
            m_tableNext[m->partition] = m->offset + 1;
            const QByteArrayView value(static_cast<const char *>(m->payload), static_cast<qsizetype>(m->len));
            if (KafkaCodec::isEndOfStream(value)) {
                m_table.finish(m->partition);
            } else if (const auto r = KafkaCodec::decodeReading(value)) {
                // What the stage accepts, the table holds (the same validation, sanitised values).
                const Validation v = m_tableValidator.validate(*r);
                if (v.clean())
                    m_table.add(*r, m->partition);
                else if (!v.fatal)
                    m_table.add(m_tableValidator.sanitized(*r, v), m->partition);
            }
        }
        rd_kafka_message_destroy(m);
    }
    return true;
}

bool EngineStage::isFinal(int partition, quint64 mask, qint64 timeMs)
{
    const quint64 own = quint64(1) << partition;
    // Always on the task's own clock too, even for work that reads only other partitions (a spatial
    // check whose neighbours are elsewhere): its point stays fixed by this partition's records.
    {
        // The task's own clock: where the records it processed are, not where the table reader is,
        // so the answer (and the point its deferred work is done) replays identically.
        const Slot &slot = m_slots[partition];
        const qint64 watermark = slot.finished ? NeighbourTable::kForever
                               : slot.newestMs == NeighbourTable::kNever
                                   ? NeighbourTable::kNever
                                   : slot.newestMs - m_taskOptions.windows.allowedLatenessMs;
        if (watermark < timeMs)
            return false;
    }
    const quint64 others = mask & ~own;
    if (others == 0 || m_table.isFinal(others, timeMs))
        return true;
    // After a wait ran out, the next ones do not block until the cool-down is over: an idle
    // partition must not cost every record kNeighbourWaitMs.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now < m_noWaitUntilMs)
        return readTableUntil([&] { return m_table.isFinal(others, timeMs); }, 0);
    if (!readTableUntil([&] { return m_table.isFinal(others, timeMs); }, kNeighbourWaitMs)) {
        m_noWaitUntilMs = QDateTime::currentMSecsSinceEpoch() + kNeighbourWaitMs;
        qCWarning(lcEngineStage).noquote() << "neighbour data of other partitions not final after" << kNeighbourWaitMs
                                           << "ms; the work waits for a later record of partition" << partition;
    }
    return m_table.isFinal(others, timeMs);
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
    if (m_slots.find(partition) == m_slots.end())
        resetPartition(partition);
    // The table holds a record before the task decides on it (a replay finds it there already).
    if (m_tableNext.value(partition, 0) <= offset
        && !readTableUntil([&] { return m_tableNext.value(partition, 0) > offset; }, 60'000))
        qCWarning(lcEngineStage).noquote() << "neighbour table: record" << offset << "of partition" << partition << "not read back in 60 s";
    Slot &slot = m_slots[partition];
    // The table reader runs ahead of the tasks; history the slowest task (and work waiting a while
    // for other partitions: a day) still reads stays in the table.
    qint64 floor = NeighbourTable::kForever;
    for (const auto &[p, s] : m_slots)
        floor = std::min(floor, s.newestMs == NeighbourTable::kNever ? NeighbourTable::kNever : s.newestMs - 24 * 3600'000LL);
    m_table.setRetainFrom(floor == NeighbourTable::kForever ? NeighbourTable::kNever : floor);
    StageOutput &so = m_scratch;
    so.clear();
    if (KafkaCodec::isEndOfStream(value)) {
        // The stream ended here; the neighbours' work waits for the other partitions' ends, as the
        // in-process engine finishes every partition together.
        slot.finished = true;
        const quint64 all = m_table.options().partitions >= 64 ? ~quint64(0) : (quint64(1) << m_table.options().partitions) - 1;
        readTableUntil([&] { return m_table.isFinal(all, NeighbourTable::kForever); }, 3 * kNeighbourWaitMs);
        slot.task->finish(so);
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
        const Reading reading = so.accepted.back();
        slot.newestMs = std::max(slot.newestMs, reading.timestampMs);
        const qint64 lateBefore = slot.task->lateDropped();
        slot.task->process({reading}, so);
        if (!replaying)
            m_lateDropped += slot.task->lateDropped() - lateBefore;
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
