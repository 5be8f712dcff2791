#include "Partitioner.h"

namespace stratus {

int Partitioner::partitionOf(const QString &stationId, int partitions)
{
    if (partitions <= 1)
        return 0;
    // FNV-1a over the UTF-16 code units: no conversion, the same on every platform.
    quint32 h = 2166136261u;
    for (const QChar c : stationId) {
        h ^= c.unicode();
        h *= 16777619u;
    }
    return static_cast<int>(h % static_cast<quint32>(partitions));
}

} // namespace stratus
