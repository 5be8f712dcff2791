#pragma once

#include "Reading.h"
#include "WindowStats.h"
#include "WindowOptions.h"

#include <QHash>
#include <QList>

#include <deque>

namespace stratus {

// Event-time sliding windows per station and variable: windows [k·slide − length + slide, k·slide + slide)
// aligned to the epoch, emitted when the watermark (max event time − allowed lateness) passes their
// end. Readings older than the watermark are dropped and counted.
//
// This is the simple, correct version: it keeps the readings of the open windows and recomputes
// each window when it closes (O(window) per window).
class SlidingWindowAggregator
{
public:
    using Options = WindowOptions;

    explicit SlidingWindowAggregator(Options options = {});

    // Adds readings (any order) and returns the windows their watermark closed.
    QList<WindowStats> add(const QList<Reading> &readings);
    // End of input: closes every open window.
    QList<WindowStats> flush();

    qint64 watermarkMs() const { return m_watermarkMs; }
    qint64 lateDropped() const { return m_lateDropped; }
    const Options &options() const { return m_options; }

    // Statistics of one variable over a set of readings; exposed for the oracle in tests.
    static WindowStats compute(const QString &stationId, Variable variable, qint64 startMs, qint64 endMs,
                               const std::deque<Reading> &sortedReadings);

private:
    struct StationState
    {
        std::deque<Reading> readings; // sorted by event time
        qint64 nextEndMs = 0;         // end of the next window to close; 0 = none pending
    };

    void closeUpTo(qint64 watermarkMs, QList<WindowStats> &out);
    void closeStation(const QString &id, StationState &state, qint64 watermarkMs, QList<WindowStats> &out);

    Options m_options;
    QHash<QString, StationState> m_stations;
    qint64 m_maxEventMs = std::numeric_limits<qint64>::min();
    qint64 m_watermarkMs = std::numeric_limits<qint64>::min();
    qint64 m_lateDropped = 0;
};

} // namespace stratus
