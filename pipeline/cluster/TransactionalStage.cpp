#include "TransactionalStage.h"

#include <librdkafka/rdkafka.h>

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QUuid>

#include <algorithm>
#include <vector>

namespace stratus {

Q_LOGGING_CATEGORY(lcStage, "stratus.kafka.stage")

namespace {
QString txnError(rd_kafka_error_t *e)
{
    return QString::fromUtf8(rd_kafka_error_string(e));
}
} // namespace

TransactionalStage::TransactionalStage(KafkaSettings settings, QString stage, QString inputTopic, QString workerId)
    : m_settings(std::move(settings)), m_stage(std::move(stage)), m_inputTopic(std::move(inputTopic)), m_workerId(std::move(workerId))
{
    checkpointIntervalMs = std::max(1, m_settings.atLeastOnceCommitMs);
}

TransactionalStage::~TransactionalStage() = default;

QList<int> TransactionalStage::assignedPartitions() const
{
    QMutexLocker lock(&m_assignedLock);
    return m_assigned;
}

rd_kafka_topic_s *TransactionalStage::topicHandle(const QString &name)
{
    auto it = m_topics.find(name);
    if (it == m_topics.end())
        it = m_topics.insert(name, rd_kafka_topic_new(m_producer.get(), name.toUtf8().constData(), nullptr));
    return it.value();
}

void TransactionalStage::produce(const Output &o, const DuplicateFilter::Id *id)
{
    rd_kafka_topic_t *rkt = topicHandle(o.topic);
    for (;;) {
        rd_kafka_resp_err_t e;
        if (id) {
            // At least once: the output's id for readers, and its epoch for the delivery report.
            const QByteArray header = DuplicateFilter::encode(*id);
            e = rd_kafka_producev(m_producer.get(), RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_KEY(o.key.constData(), static_cast<size_t>(o.key.size())),
                                  RD_KAFKA_V_VALUE(const_cast<char *>(o.value.constData()), static_cast<size_t>(o.value.size())),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                  RD_KAFKA_V_HEADER(DuplicateFilter::kHeader, header.constData(), static_cast<ssize_t>(header.size())),
                                  RD_KAFKA_V_OPAQUE(reinterpret_cast<void *>(static_cast<intptr_t>(m_checkpoints.back().epoch))), RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
                ++m_checkpoints.back().outstanding;
        } else {
            e = rd_kafka_producev(m_producer.get(), RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_KEY(o.key.constData(), static_cast<size_t>(o.key.size())),
                                  RD_KAFKA_V_VALUE(const_cast<char *>(o.value.constData()), static_cast<size_t>(o.value.size())),
                                  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        }
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
            ++m_stats.out;
            return;
        }
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(m_producer.get(), 20);
            continue;
        }
        // Anything else makes the transaction unusable; commit() will fail and abort it. At least
        // once: the input is re-processed from the committed offsets.
        qCWarning(lcStage).noquote() << m_stage << "cannot produce to" << o.topic << ":" << kafka::errorText(e);
        if (id) {
            m_deliveryFailed = true;
            m_deliveryProblem = kafka::errorText(e);
        }
        return;
    }
}

Result<bool> TransactionalStage::run(const std::atomic<bool> &stop)
{
    const bool alo = m_settings.atLeastOnce;
    // Outputs go out while the transaction is open (or, at least once, right away), so
    // commit_transaction's flush finds little left to send and readers see results within ~1 ms.
    QMap<QString, QString> producerConf{{QStringLiteral("message.timeout.ms"), QStringLiteral("15000")},
                                        {QStringLiteral("linger.ms"), QStringLiteral("1")},
                                        {QStringLiteral("batch.num.messages"), QStringLiteral("10000")},
                                        {QStringLiteral("batch.size"), QStringLiteral("1000000")}};
    if (!alo) {
        // Unique per process: zombie fencing comes from the consumer group generation (KIP-447), and a
        // dead member's open transaction is aborted by the broker after transaction.timeout.ms.
        const QString txnId = m_settings.group(m_stage) + QLatin1Char('-') + m_workerId + QLatin1Char('-')
                            + QUuid::createUuid().toString(QUuid::WithoutBraces).left(8);
        producerConf.insert(QStringLiteral("transactional.id"), txnId);
        producerConf.insert(QStringLiteral("transaction.timeout.ms"), QStringLiteral("15000"));
    }
    m_checkpoints.clear();
    m_checkpoints.push_back({});
    m_deliveryFailed = false;
    auto producer = kafka::makeProducer(m_settings, producerConf, this, alo ? &TransactionalStage::onDelivery : nullptr);
    if (!producer)
        return producer.error();
    m_producer = std::move(producer).value();
    if (rd_kafka_error_t *e = alo ? nullptr : rd_kafka_init_transactions(m_producer.get(), 30000)) {
        const QString msg = QStringLiteral("%1: cannot start transactions on %2: %3").arg(m_stage, m_settings.bootstrap, txnError(e));
        rd_kafka_error_destroy(e);
        return makeError(msg);
    }

    auto conf = kafka::makeConf(m_settings, {{QStringLiteral("group.id"), m_settings.group(m_stage)},
                                             {QStringLiteral("enable.auto.commit"), QStringLiteral("false")},
                                             {QStringLiteral("isolation.level"), QStringLiteral("read_committed")},
                                             {QStringLiteral("auto.offset.reset"), QStringLiteral("earliest")},
                                             {QStringLiteral("session.timeout.ms"), QStringLiteral("6000")},
                                             {QStringLiteral("heartbeat.interval.ms"), QStringLiteral("1000")},
                                             {QStringLiteral("fetch.wait.max.ms"), QStringLiteral("5")},
                                             {QStringLiteral("fetch.error.backoff.ms"), QStringLiteral("5")},
                                             {QStringLiteral("partition.assignment.strategy"), QStringLiteral("range")},
                                             {QStringLiteral("client.id"), m_workerId}});
    if (!conf)
        return conf.error();
    rd_kafka_conf_set_opaque(*conf, this);
    rd_kafka_conf_set_rebalance_cb(*conf, reinterpret_cast<void (*)(rd_kafka_t *, rd_kafka_resp_err_t, rd_kafka_topic_partition_list_t *, void *)>(&TransactionalStage::onRebalance));
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, *conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(*conf);
        return makeError(QStringLiteral("%1: cannot create consumer: %2").arg(m_stage, QString::fromUtf8(err)));
    }
    m_consumer.reset(rk);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, m_inputTopic.toUtf8().constData(), RD_KAFKA_PARTITION_UA);
    const rd_kafka_resp_err_t se = rd_kafka_subscribe(rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (se)
        return makeError(QStringLiteral("%1: cannot subscribe to %2: %3").arg(m_stage, m_inputTopic, kafka::errorText(se)));

    QElapsedTimer txnClock; // age of the open transaction (at least once: of the open checkpoint)
    txnClock.start();
    QList<Output> outputs;
    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(rk);
    std::vector<rd_kafka_message_t *> batch(static_cast<size_t>(std::max(1, maxBatch)));
    while (!stop && m_fatal.isEmpty()) {
        // Wait for the first record only as long as the open transaction may stay open, then take
        // whatever else is already fetched without waiting (consume_batch would wait for a full batch).
        int waitMs = 10;
        if (m_txnOpen && !alo)
            waitMs = static_cast<int>(std::clamp<qint64>(idleCommitMs - txnClock.elapsed(), 0, 10));
        qsizetype n = 0;
        if (rd_kafka_message_t *first = rd_kafka_consumer_poll(rk, waitMs)) {
            batch[0] = first;
            n = 1;
            if (batch.size() > 1) {
                const ssize_t more = rd_kafka_consume_batch_queue(queue, 0, batch.data() + 1, batch.size() - 1);
                if (more > 0)
                    n += more;
            }
        }
        for (qsizetype i = 0; i < n; ++i) {
            rd_kafka_message_t *m = batch[static_cast<size_t>(i)];
            if (m->err) {
                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    qCWarning(lcStage).noquote() << m_stage << "consumer:" << QString::fromUtf8(rd_kafka_message_errstr(m));
                rd_kafka_message_destroy(m);
                continue;
            }
            // A record fetched before a revoke that ran inside this poll belongs to another member now.
            const auto pos = m_position.find(m->partition);
            if (pos == m_position.end() || m->offset < pos.value() || !m_fatal.isEmpty()) {
                rd_kafka_message_destroy(m);
                continue;
            }
            if (!m_txnOpen && !alo) {
                if (rd_kafka_error_t *e = rd_kafka_begin_transaction(m_producer.get())) {
                    m_fatal = QStringLiteral("%1: cannot begin a transaction: %2").arg(m_stage, txnError(e));
                    rd_kafka_error_destroy(e);
                    rd_kafka_message_destroy(m);
                    continue;
                }
                m_txnOpen = true;
                m_txnRecords = 0;
                txnClock.start();
            }
            outputs.clear();
            process(m->partition, m->offset, QByteArrayView(static_cast<const char *>(m->key), static_cast<qsizetype>(m->key_len)),
                    QByteArrayView(static_cast<const char *>(m->payload), static_cast<qsizetype>(m->len)), false, outputs);
            ++m_stats.in;
            if (alo) {
                DuplicateFilter::Id id{m->partition, m->offset, 0};
                for (const Output &o : std::as_const(outputs)) {
                    produce(o, &id);
                    ++id.index;
                }
                m_checkpoints.back().offsets[m->partition] = m->offset + 1;
            } else {
                for (const Output &o : std::as_const(outputs))
                    produce(o);
                m_nextOffsets[m->partition] = m->offset + 1;
            }
            pos.value() = m->offset + 1;
            ++m_txnRecords;
            rd_kafka_message_destroy(m);
        }
        rd_kafka_poll(m_producer.get(), 0);
        if (alo) {
            if (m_deliveryFailed) {
                rewind(m_deliveryProblem);
                continue;
            }
            // Offsets are handed on every checkpointIntervalMs, busy or idle. Not after every poll:
            // a caught-up stage at 10 k readings/s then sent ~300 offset commits a second, load the
            // broker shares with the results' path (latency), for no gain but a shorter re-processing
            // after a crash. A hand-over or a stop commits everything (drainAndCommit).
            if (!m_checkpoints.back().offsets.isEmpty() && txnClock.elapsed() >= checkpointIntervalMs) {
                checkpoint();
                txnClock.start();
            }
            commitDelivered(false);
            continue;
        }
        const bool caughtUp = n < static_cast<qsizetype>(batch.size());
        const qint64 due = caughtUp ? std::min(idleCommitMs, commitIntervalMs) : commitIntervalMs;
        if (m_txnOpen && (txnClock.elapsed() >= due || m_txnRecords >= maxRecordsPerTransaction)) {
            const auto c = commit();
            if (!c)
                abortAndRewind(c.errorMessage());
        }
    }
    rd_kafka_queue_destroy(queue);
    if (alo && m_fatal.isEmpty())
        drainAndCommit();
    if (m_txnOpen && m_fatal.isEmpty()) {
        const auto c = commit();
        if (!c)
            abortAndRewind(c.errorMessage());
    }
    rd_kafka_consumer_close(rk);
    m_consumer.reset();
    for (rd_kafka_topic_t *t : std::as_const(m_topics))
        rd_kafka_topic_destroy(t);
    m_topics.clear();
    m_producer.reset();
    if (!m_fatal.isEmpty())
        return makeError(m_fatal);
    return true;
}

Result<bool> TransactionalStage::commit()
{
    if (!m_txnOpen)
        return true;
    QElapsedTimer clock;
    clock.start();
    rd_kafka_topic_partition_list_t *offsets = rd_kafka_topic_partition_list_new(m_nextOffsets.size());
    for (auto it = m_nextOffsets.begin(); it != m_nextOffsets.end(); ++it)
        rd_kafka_topic_partition_list_add(offsets, m_inputTopic.toUtf8().constData(), it.key())->offset = it.value();
    QString problem;
    if (offsets->cnt > 0) {
        rd_kafka_consumer_group_metadata_t *cgmd = rd_kafka_consumer_group_metadata(m_consumer.get());
        if (rd_kafka_error_t *e = rd_kafka_send_offsets_to_transaction(m_producer.get(), offsets, cgmd, 30000)) {
            problem = QStringLiteral("sending offsets: ") + txnError(e);
            if (rd_kafka_error_is_fatal(e))
                m_fatal = QStringLiteral("%1: %2").arg(m_stage, problem);
            rd_kafka_error_destroy(e);
        }
        rd_kafka_consumer_group_metadata_destroy(cgmd);
    }
    rd_kafka_topic_partition_list_destroy(offsets);
    if (problem.isEmpty()) {
        if (rd_kafka_error_t *e = rd_kafka_commit_transaction(m_producer.get(), 60000)) {
            problem = QStringLiteral("committing: ") + txnError(e);
            if (rd_kafka_error_is_fatal(e))
                m_fatal = QStringLiteral("%1: %2").arg(m_stage, problem);
            rd_kafka_error_destroy(e);
        }
    }
    if (!problem.isEmpty())
        return makeError(problem);
    m_txnOpen = false;
    m_nextOffsets.clear();
    ++m_stats.transactions;
    const qint64 us = clock.nsecsElapsed() / 1000;
    m_stats.commitUsTotal += us;
    if (us > m_stats.commitUsMax.load())
        m_stats.commitUsMax = us;
    return true;
}

void TransactionalStage::abortAndRewind(const QString &why)
{
    qCWarning(lcStage).noquote() << m_stage << "transaction failed, aborting and rewinding:" << why;
    if (m_txnOpen) {
        if (rd_kafka_error_t *e = rd_kafka_abort_transaction(m_producer.get(), 60000)) {
            m_fatal = QStringLiteral("%1: cannot abort transaction: %2").arg(m_stage, txnError(e));
            rd_kafka_error_destroy(e);
            return;
        }
    }
    m_txnOpen = false;
    m_nextOffsets.clear();
    // Everything since the last commit is undone: rebuild state from the committed offsets.
    rd_kafka_topic_partition_list_t *assigned = nullptr;
    if (rd_kafka_assignment(m_consumer.get(), &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR && assigned) {
        const auto r = restorePartitions(assigned);
        if (r) {
            for (int i = 0; i < assigned->cnt; ++i)
                m_position.insert(assigned->elems[i].partition, std::max<qint64>(0, assigned->elems[i].offset));
            if (rd_kafka_error_t *e = rd_kafka_seek_partitions(m_consumer.get(), assigned, 10000)) {
                m_fatal = QStringLiteral("%1: cannot rewind: %2").arg(m_stage, txnError(e));
                rd_kafka_error_destroy(e);
            }
        } else {
            m_fatal = r.errorMessage();
        }
        rd_kafka_topic_partition_list_destroy(assigned);
    }
}

void TransactionalStage::onRebalance(rd_kafka_s *rk, int err, void *partitions, void *opaque)
{
    Q_UNUSED(rk);
    static_cast<TransactionalStage *>(opaque)->handleRebalance(err, partitions);
}

void TransactionalStage::handleRebalance(int err, void *p)
{
    auto *partitions = static_cast<rd_kafka_topic_partition_list_t *>(p);
    ++m_stats.rebalances;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        const auto r = restorePartitions(partitions);
        if (!r)
            m_fatal = r.errorMessage();
        rd_kafka_assign(m_consumer.get(), partitions);
        m_position.clear();
        QList<int> owned;
        for (int i = 0; i < partitions->cnt; ++i) {
            owned.append(partitions->elems[i].partition);
            m_position.insert(partitions->elems[i].partition, std::max<qint64>(0, partitions->elems[i].offset));
        }
        QMutexLocker lock(&m_assignedLock);
        m_assigned = owned;
        qCInfo(lcStage).noquote() << m_stage << m_workerId << "assigned partitions" << m_assigned;
    } else {
        // Hand over cleanly: what was processed so far is committed before another member takes it.
        if (m_settings.atLeastOnce)
            drainAndCommit();
        if (m_txnOpen) {
            const auto c = commit();
            if (!c) {
                qCWarning(lcStage).noquote() << m_stage << "commit before revoke failed, aborting:" << c.errorMessage();
                if (rd_kafka_error_t *e = rd_kafka_abort_transaction(m_producer.get(), 60000))
                    rd_kafka_error_destroy(e);
                m_txnOpen = false;
                m_nextOffsets.clear();
            }
        }
        for (int i = 0; i < partitions->cnt; ++i)
            dropPartition(partitions->elems[i].partition);
        rd_kafka_assign(m_consumer.get(), nullptr);
        m_position.clear();
        QMutexLocker lock(&m_assignedLock);
        m_assigned.clear();
    }
}

// Sets each partition's offset to the committed one and rebuilds its state by replay.
Result<bool> TransactionalStage::restorePartitions(void *p)
{
    auto *partitions = static_cast<rd_kafka_topic_partition_list_t *>(p);
    const rd_kafka_resp_err_t e = rd_kafka_committed(m_consumer.get(), partitions, 30000);
    if (e)
        return makeError(QStringLiteral("%1: cannot read committed offsets: %2").arg(m_stage, kafka::errorText(e)));
    for (int i = 0; i < partitions->cnt; ++i) {
        rd_kafka_topic_partition_t &tp = partitions->elems[i];
        resetPartition(tp.partition);
        if (tp.offset < 0) {
            tp.offset = RD_KAFKA_OFFSET_BEGINNING;
            continue;
        }
        if (!needsReplay() || tp.offset == 0)
            continue;
        // Replay [beginning, committed) with outputs discarded: a plain assigned consumer, no group.
        auto replay = kafka::makeConsumer(m_settings, {{QStringLiteral("group.id"), m_settings.group(m_stage + QStringLiteral("-replay"))},
                                                       {QStringLiteral("isolation.level"), QStringLiteral("read_committed")}});
        if (!replay)
            return replay.error();
        rd_kafka_topic_partition_list_t *one = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(one, tp.topic, tp.partition)->offset = RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_assign(replay->get(), one);
        rd_kafka_topic_partition_list_destroy(one);
        QList<Output> discard;
        QElapsedTimer clock;
        clock.start();
        qint64 at = -1;
        while (at + 1 < tp.offset) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(replay->get(), 100);
            if (!m) {
                if (clock.elapsed() > 60000)
                    return makeError(QStringLiteral("%1: replay of partition %2 stalled at offset %3 of %4").arg(m_stage).arg(tp.partition).arg(at).arg(tp.offset));
                continue;
            }
            if (!m->err && m->offset < tp.offset) {
                discard.clear();
                process(tp.partition, m->offset, QByteArrayView(static_cast<const char *>(m->key), static_cast<qsizetype>(m->key_len)),
                        QByteArrayView(static_cast<const char *>(m->payload), static_cast<qsizetype>(m->len)), true, discard);
                ++m_stats.replayed;
                at = m->offset;
            } else if (!m->err) {
                at = m->offset;
            }
            rd_kafka_message_destroy(m);
        }
        rd_kafka_consumer_close(replay->get());
    }
    return true;
}

} // namespace stratus

namespace stratus {

void TransactionalStage::onDelivery(rd_kafka_s *, const void *message, void *opaque)
{
    auto *self = static_cast<TransactionalStage *>(opaque);
    const auto *m = static_cast<const rd_kafka_message_t *>(message);
    if (m->err) {
        ++self->m_stats.deliveryFailures;
        if (!self->m_deliveryFailed)
            self->m_deliveryProblem = QStringLiteral("delivery to %1 failed: %2").arg(QString::fromUtf8(rd_kafka_topic_name(m->rkt)), kafka::errorText(m->err));
        self->m_deliveryFailed = true;
    }
    // Reports of epochs dropped by a rewind fall outside the deque and are ignored.
    const qint64 epoch = static_cast<qint64>(reinterpret_cast<intptr_t>(m->_private));
    if (self->m_checkpoints.empty())
        return;
    const qint64 i = epoch - self->m_checkpoints.front().epoch;
    if (i >= 0 && i < static_cast<qint64>(self->m_checkpoints.size()))
        --self->m_checkpoints[static_cast<size_t>(i)].outstanding;
}

// Closes the open epoch: its offsets wait for its outputs' delivery reports.
void TransactionalStage::checkpoint()
{
    Checkpoint &open = m_checkpoints.back();
    if (open.offsets.isEmpty())
        return;
    open.closed = true;
    const qint64 next = open.epoch + 1;
    m_checkpoints.push_back({});
    m_checkpoints.back().epoch = next;
}

// Commits the offsets of the closed epochs whose outputs (and all earlier ones) are delivered.
void TransactionalStage::commitDelivered(bool sync)
{
    if (m_deliveryFailed)
        return;
    QHash<int, qint64> offsets;
    while (m_checkpoints.size() > 1 && m_checkpoints.front().closed && m_checkpoints.front().outstanding <= 0) {
        for (auto it = m_checkpoints.front().offsets.cbegin(); it != m_checkpoints.front().offsets.cend(); ++it)
            offsets.insert(it.key(), it.value());
        m_checkpoints.pop_front();
    }
    if (offsets.isEmpty())
        return;
    QElapsedTimer clock;
    clock.start();
    const QByteArray topic = m_inputTopic.toUtf8();
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(offsets.size());
    for (auto it = offsets.cbegin(); it != offsets.cend(); ++it)
        rd_kafka_topic_partition_list_add(list, topic.constData(), it.key())->offset = it.value();
    // Asynchronous while running: a lost commit only means a longer re-processing after a crash.
    const rd_kafka_resp_err_t e = rd_kafka_commit(m_consumer.get(), list, sync ? 0 : 1);
    rd_kafka_topic_partition_list_destroy(list);
    if (e)
        qCWarning(lcStage).noquote() << m_stage << "offset commit failed:" << kafka::errorText(e);
    else
        ++m_stats.transactions;
    const qint64 us = clock.nsecsElapsed() / 1000;
    m_stats.commitUsTotal += us;
    if (us > m_stats.commitUsMax.load())
        m_stats.commitUsMax = us;
}

// Before a revoke or at the end: every output delivered, then the offsets committed synchronously,
// so the next owner starts exactly where this one stopped (no copies in an orderly hand-over).
void TransactionalStage::drainAndCommit()
{
    if (!m_producer || !m_consumer)
        return;
    rd_kafka_flush(m_producer.get(), 30000);
    checkpoint();
    commitDelivered(true);
    if (m_deliveryFailed || m_checkpoints.size() > 1) {
        qCWarning(lcStage).noquote() << m_stage << "outputs not all delivered before the hand-over; the next owner re-processes:" << m_deliveryProblem;
        const qint64 next = m_checkpoints.back().epoch + 1;
        m_checkpoints.clear();
        m_checkpoints.push_back({});
        m_checkpoints.back().epoch = next;
        m_deliveryFailed = false;
    }
}

// At least once, after a lost output: forget everything not committed and re-process from the
// committed offsets (the outputs that were delivered come again with the same ids; readers drop them).
void TransactionalStage::rewind(const QString &why)
{
    const qint64 next = m_checkpoints.back().epoch + 1;
    m_checkpoints.clear();
    m_checkpoints.push_back({});
    m_checkpoints.back().epoch = next;
    m_deliveryFailed = false;
    m_deliveryProblem.clear();
    abortAndRewind(why);
}

} // namespace stratus
