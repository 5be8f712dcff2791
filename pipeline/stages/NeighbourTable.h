#pragma once

#include "Reading.h"
#include "forecast/StationSeries.h"

#include <QHash>
#include <QString>

#include <array>
#include <deque>
#include <limits>
#include <optional>
#include <vector>

namespace stratus {

// What the stages know about every station, their own and their neighbours': each station's hourly
// series (the forecaster's history and its neighbour features) and its last hours of readings (the
// spatial check), and per partition how far in event time its data is final.
//
// In-process the engine fills it from the readings it accepts; on a cluster every worker fills it
// from the whole raw topic, as Kafka Streams builds a GlobalKTable. Decisions that read another
// station's data wait until that station's partition is final through the time they are about
// (watermark = newest event time of the partition − allowed lateness), so a decision never depends
// on how far another partition's consumer happens to be: the engine and the cluster, with the same
// partition count, decide alike. A reading older than its partition's watermark when it arrives is
// kept out of the table for the same reason (a decision already taken on that hour stays taken).
//
// Not thread-safe: one thread writes and reads it (the engine's; on a worker, its stage thread).
class NeighbourTable
{
public:
    struct Options
    {
        int partitions = 1;
        qint64 latenessMs = 2 * 60'000;
        qint64 recentSpanMs = 3 * 3600'000LL; // readings kept per station for spatial lookups
        int keepHours = 192;                  // hourly slots kept (the features read up to 168 h back)
    };
    struct TimedValue
    {
        double value = 0;
        qint64 timestampMs = 0;
    };
    static constexpr qint64 kNever = std::numeric_limits<qint64>::min();
    static constexpr qint64 kForever = std::numeric_limits<qint64>::max();

    NeighbourTable();
    explicit NeighbourTable(Options options);

    const Options &options() const { return m_options; }
    int partitionOf(const QString &stationId) const;

    // Writer side. Adds an accepted reading; false (not added, counted) when it is late for the table.
    bool add(const Reading &reading);
    // The same, for a reading read from a known partition (a worker's table reads the raw topic,
    // whose producer may have hashed the station otherwise than Partitioner).
    bool add(const Reading &reading, int partition);
    // The oldest time a decision may still be taken at (kNever: any; kForever, the default: no
    // floor). History a decision at that time reads is kept even when newer readings would push it
    // out: a fast replay adds a batch, or a worker's table reader reads ahead, before the stages
    // decide on the hours inside it.
    void setRetainFrom(qint64 timeMs) { m_retainFromMs = timeMs; }
    // The partition's stream ended (a finite replay): everything in it is final.
    void finish(int partition);
    void finishAll();

    // Event time through which the partition's data is final; kNever before its first reading.
    qint64 watermark(int partition) const;
    // True when every partition in `partitionMask` (bit p = partition p) is final through `timeMs`.
    bool isFinal(quint64 partitionMask, qint64 timeMs) const;
    quint64 maskOf(const QString &stationId) const { return quint64(1) << partitionOf(stationId); }

    // The station's hourly series (last value of each UTC hour); nullptr for an unknown station.
    const StationSeries *hourly(const QString &stationId) const;
    // The station's latest value of `variable` at or before `timeMs` and at most `maxAgeMs` older.
    std::optional<TimedValue> latestAtOrBefore(const QString &stationId, Variable variable, qint64 timeMs,
                                               qint64 maxAgeMs) const;
    qint64 lateRejected() const { return m_lateRejected; }
    qsizetype stationCount() const { return m_stations.size(); }

private:
    struct Recent
    {
        qint64 timestampMs;
        std::array<double, kVariableCount> values;
    };
    struct StationData
    {
        int partition = 0;
        StationSeries hourly;
        std::deque<Recent> recent; // oldest first
    };
    struct PartitionClock
    {
        qint64 newestMs = kNever;
        bool finished = false;
    };

    void addHourly(StationSeries &s, const Reading &r);

    Options m_options;
    QHash<QString, StationData> m_stations;
    std::vector<PartitionClock> m_clocks;
    qint64 m_lateRejected = 0;
    qint64 m_retainFromMs = kForever;
};

} // namespace stratus
