#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <atomic>
#include <optional>

struct rd_kafka_message_s;

namespace stratus {

// At-least-once delivery ([kafka] delivery = at_least_once): a worker that crashes, or loses a
// delivery, re-processes its input from the last committed offset and so writes some outputs a
// second time. Each output therefore carries a deterministic id in the record header
// `stratus.src`: the input partition and offset it was computed from and its index among that
// input record's outputs. Re-processing is deterministic per input partition (the window state is
// rebuilt by replay), so a re-sent copy has the same id and the same value.
//
// The filter is the reader's side: within one output partition, the records computed from one
// input partition arrive in the order they were produced (idempotent producer), so a copy is
// exactly a record whose id is not above the highest id already accepted for that
// (topic, output partition, input partition). Memory: one mark per such triple, not per record.
// Records without the header (exactly-once workers, the collector) always pass.
class DuplicateFilter
{
public:
    struct Id
    {
        qint32 partition = 0; // input partition
        qint64 offset = 0;    // input offset
        qint32 index = 0;     // n-th output of that input record
    };
    static constexpr const char *kHeader = "stratus.src";
    static constexpr int kEncodedSize = 16;

    static QByteArray encode(const Id &id);
    static std::optional<Id> decode(const void *data, size_t size);
    // The id of a consumed record, if it carries one.
    static std::optional<Id> of(const rd_kafka_message_s *message);

    // true = first copy (deliver it); false = a copy of an accepted record (drop it).
    bool accept(const QString &topic, int outputPartition, const Id &id);
    // Reader helper: accept(topic, partition, id) when the record has an id, else true.
    bool accept(const QString &topic, const rd_kafka_message_s *message);
    // Forgets the marks of records read from this output partition (it was revoked or is replayed).
    void forget(const QString &topic, int outputPartition);

    qint64 dropped() const { return m_dropped.load(); }

private:
    struct Mark
    {
        qint64 offset;
        qint32 index;
    };
    struct Key
    {
        QString topic;
        int outputPartition;
        int inputPartition;
        bool operator==(const Key &o) const = default;
    };
    friend size_t qHash(const Key &k, size_t seed) { return qHashMulti(seed, k.topic, k.outputPartition, k.inputPartition); }
    QHash<Key, Mark> m_marks;
    std::atomic<qint64> m_dropped{0};
};

} // namespace stratus
