#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <atomic>
#include <functional>
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
//
// A header is only a claim: anyone who can write to a topic could send a record claiming a huge
// input offset, and every genuine record after it would look like a copy. Before dropping a record,
// the filter checks that the mark it compares against is possible at all: a result computed from
// input offset o exists only once the input partition's end is past o. A mark at or beyond the end
// (asked of the broker through InputEnd, and only then, since drops are rare) is forged: it is
// replaced and the record passes.
class DuplicateFilter
{
public:
    // The end offset of an input partition (the next offset it will assign), or nullopt if unknown.
    using InputEnd = std::function<std::optional<qint64>(int inputPartition)>;

    explicit DuplicateFilter(InputEnd inputEnd = {}) : m_inputEnd(std::move(inputEnd)) {}

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
    qint64 forged() const { return m_forged.load(); } // marks found impossible and replaced

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
    bool possible(int inputPartition, qint64 offset);

    InputEnd m_inputEnd;
    QHash<int, qint64> m_knownEnd; // input partition → an end offset seen (ends only grow)
    QHash<Key, Mark> m_marks;
    std::atomic<qint64> m_dropped{0};
    std::atomic<qint64> m_forged{0};
};

} // namespace stratus
