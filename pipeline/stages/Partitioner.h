#pragma once

#include <QString>

namespace stratus {

// Which partition a station's records belong to. Kafka keeps one partition's records in order, so
// everything keyed by station (windows, detector rings, forecast history, rule timers) is state of
// one partition and moves with it. The in-process engine splits its stations the same way, so an
// engine and a cluster with the same partition count make the same per-partition decisions (event
// time watermarks are per partition, see NeighbourTable). The hash is fixed (FNV-1a of the id's
// UTF-16 code units), not the Kafka client's, so the producer sets the partition explicitly.
class Partitioner
{
public:
    static int partitionOf(const QString &stationId, int partitions);
};

} // namespace stratus
