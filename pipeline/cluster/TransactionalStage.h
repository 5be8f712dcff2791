#pragma once

#include "bus/DuplicateFilter.h"
#include "bus/KafkaSettings.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <atomic>
#include <deque>

struct rd_kafka_topic_s;

namespace stratus {

// One consume → transform → produce stage of a worker, exactly once: a consumer-group member
// reading its input topic (read_committed), whose outputs and input offsets are committed in one
// Kafka transaction. When partitions are assigned (start, rebalance, after a crash of another
// member) the subclass's state for each partition is rebuilt by replaying the partition from its
// beginning up to the committed offset with the outputs discarded, so the state equals the one
// the previous owner had when it committed (the subclass must be deterministic per partition).
//
// With KafkaSettings::atLeastOnce the stage uses no transactions: outputs go out through an
// idempotent producer as soon as they are computed (visible to readers on delivery, not at a
// commit), each with its DuplicateFilter id in a header, and input offsets are committed only
// once every output computed before them is delivered. A crash or a failed delivery re-processes
// from the committed offsets; the copies that makes carry the same ids and readers drop them.
class TransactionalStage
{
public:
    struct Output
    {
        QString topic;
        QByteArray key;
        QByteArray value;
    };
    struct Stats
    {
        std::atomic<qint64> in{0};
        std::atomic<qint64> out{0};
        std::atomic<qint64> predictions{0}; // of `out`, records written to the predictions topic
        std::atomic<qint64> deadLettered{0};
        std::atomic<qint64> transactions{0}; // committed transactions (at least once: offset commits)
        std::atomic<qint64> replayed{0};
        std::atomic<qint64> rebalances{0};
        // Time the stage thread spent blocked in send_offsets + commit_transaction (µs).
        std::atomic<qint64> commitUsTotal{0};
        std::atomic<qint64> commitUsMax{0};
        std::atomic<qint64> deliveryFailures{0};  // at least once: outputs not delivered (then re-processed)
    };

    TransactionalStage(KafkaSettings settings, QString stage, QString inputTopic, QString workerId);
    virtual ~TransactionalStage();

    QString stage() const { return m_stage; }
    // Runs until `stop` turns true; returns an error when the stage cannot go on (fenced, broker
    // refuses the transaction protocol, …). Blocking: call it from its own thread.
    Result<bool> run(const std::atomic<bool> &stop);

    const Stats &stats() const { return m_stats; }
    QList<int> assignedPartitions() const;

    // When a transaction is committed. Consumption never waits for a timer: each loop takes what the
    // consumer has (up to maxBatch records). When the stage is caught up (the last fetch returned
    // less than a full batch) it commits after idleCommitMs, so a record's results are visible one
    // commit round trip after it arrives (latency); while it works through a backlog it commits
    // every commitIntervalMs or maxRecordsPerTransaction records (throughput: fewer, larger
    // transactions). Kafka Streams' EOS default is commit.interval.ms=100 with no idle path.
    int commitIntervalMs = 100;
    int idleCommitMs = 0;
    int maxRecordsPerTransaction = 50000;
    int maxBatch = 2000;
    // At least once: how often processed input offsets are handed to the commit (they are
    // committed when the outputs before them are delivered). Only replay length after a crash
    // depends on it, not latency. From KafkaSettings::atLeastOnceCommitMs.
    int checkpointIntervalMs = 200;

protected:
    // Fresh state for a partition (before its replay).
    virtual void resetPartition(int partition) = 0;
    virtual void dropPartition(int partition) = 0;
    // Processes one input record. `replaying` = rebuilding state; outputs are then discarded.
    virtual void process(int partition, qint64 offset, QByteArrayView key, QByteArrayView value, bool replaying,
                         QList<Output> &out) = 0;
    virtual bool needsReplay() const = 0;

    KafkaSettings m_settings;
    Stats m_stats;

private:
    static void onRebalance(rd_kafka_s *rk, int err, void *partitions, void *opaque);
    void handleRebalance(int err, void *partitions);
    Result<bool> commit();
    void abortAndRewind(const QString &why);
    Result<bool> restorePartitions(void *partitions);
    void produce(const Output &o, const DuplicateFilter::Id *id = nullptr);
    // At least once.
    static void onDelivery(rd_kafka_s *rk, const void *message, void *opaque);
    void checkpoint();
    void commitDelivered(bool sync);
    void drainAndCommit();
    void rewind(const QString &why);
    rd_kafka_topic_s *topicHandle(const QString &name);

    QString m_stage;
    QString m_inputTopic;
    QString m_workerId;
    KafkaHandle m_producer;
    KafkaHandle m_consumer;
    bool m_txnOpen = false;
    qint64 m_txnRecords = 0;
    QHash<int, qint64> m_nextOffsets; // consumed in the open transaction
    QHash<QString, rd_kafka_topic_s *> m_topics; // output topic handles (no name lookup per record)
    // Partitions assigned now → next offset expected, as seen by the stage thread. Records of other
    // partitions, or below that offset (fetched before a rebalance inside the same poll), are skipped.
    QHash<int, qint64> m_position;
    mutable QMutex m_assignedLock;
    QList<int> m_assigned;
    QString m_fatal;
    // At least once: processed offsets per epoch, oldest first; the back is the open one. Outputs
    // carry their epoch as opaque; an epoch's offsets are committed when it and all before it have
    // no output outstanding.
    struct Checkpoint
    {
        qint64 epoch = 0;
        QHash<int, qint64> offsets;
        qint64 outstanding = 0;
        bool closed = false;
    };
    std::deque<Checkpoint> m_checkpoints;
    bool m_deliveryFailed = false;
    QString m_deliveryProblem;
};

} // namespace stratus
