#include "DuplicateFilter.h"

#include <librdkafka/rdkafka.h>

#include <QtEndian>

#include <cstring>

namespace stratus {

QByteArray DuplicateFilter::encode(const Id &id)
{
    QByteArray out(kEncodedSize, Qt::Uninitialized);
    qToBigEndian<qint32>(id.partition, out.data());
    qToBigEndian<qint64>(id.offset, out.data() + 4);
    qToBigEndian<qint32>(id.index, out.data() + 12);
    return out;
}

std::optional<DuplicateFilter::Id> DuplicateFilter::decode(const void *data, size_t size)
{
    if (!data || size != kEncodedSize)
        return std::nullopt;
    const auto *p = static_cast<const uchar *>(data);
    return Id{qFromBigEndian<qint32>(p), qFromBigEndian<qint64>(p + 4), qFromBigEndian<qint32>(p + 12)};
}

std::optional<DuplicateFilter::Id> DuplicateFilter::of(const rd_kafka_message_s *message)
{
    rd_kafka_headers_t *headers = nullptr;
    if (rd_kafka_message_headers(message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR || !headers)
        return std::nullopt;
    const void *value = nullptr;
    size_t size = 0;
    if (rd_kafka_header_get_last(headers, kHeader, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return std::nullopt;
    return decode(value, size);
}

bool DuplicateFilter::accept(const QString &topic, int outputPartition, const Id &id)
{
    const Key key{topic, outputPartition, id.partition};
    auto it = m_marks.find(key);
    if (it == m_marks.end()) {
        m_marks.insert(key, {id.offset, id.index});
        return true;
    }
    Mark &m = it.value();
    if (id.offset < m.offset || (id.offset == m.offset && id.index <= m.index)) {
        if (possible(id.partition, m.offset)) {
            ++m_dropped;
            return false;
        }
        ++m_forged;
    }
    m = {id.offset, id.index};
    return true;
}

bool DuplicateFilter::accept(const QString &topic, const rd_kafka_message_s *message)
{
    const auto id = of(message);
    return !id || accept(topic, message->partition, *id);
}

bool DuplicateFilter::possible(int inputPartition, qint64 offset)
{
    if (!m_inputEnd)
        return true;
    auto known = m_knownEnd.find(inputPartition);
    if (known != m_knownEnd.end() && offset < known.value())
        return true;
    const std::optional<qint64> end = m_inputEnd(inputPartition);
    if (!end)
        return true; // cannot tell (broker away): keep the exactly-once behaviour
    m_knownEnd.insert(inputPartition, *end);
    return offset < *end;
}

void DuplicateFilter::forget(const QString &topic, int outputPartition)
{
    m_marks.removeIf([&](QHash<Key, Mark>::iterator it) { return it.key().topic == topic && it.key().outputPartition == outputPartition; });
}

} // namespace stratus
