#pragma once

#include "Reading.h"
#include "StageOutput.h"
#include "aggregate/SlidingWindowAggregator.h"

namespace stratus {

// Event-time sliding windows of one partition's stations (see SlidingWindowAggregator): the windows a
// reading's watermark closes, and revisions of windows a late reading changed.
class WindowStage
{
public:
    explicit WindowStage(const WindowOptions &options);

    // Appends what the reading closed to `closed`.
    void process(const Reading &reading, QList<WindowStats> &closed);
    // End of the stream: closes every open window.
    void flush(QList<WindowStats> &closed);

    qint64 lateDropped() const { return m_aggregator.lateDropped(); }
    const SlidingWindowAggregator &aggregator() const { return m_aggregator; }

private:
    SlidingWindowAggregator m_aggregator;
    QHash<QString, SlidingWindowAggregator::StationHandle> m_handles;
};

} // namespace stratus
