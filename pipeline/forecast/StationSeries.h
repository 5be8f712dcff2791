#pragma once

#include "Channel.h"

#include <QString>

#include <array>
#include <vector>

namespace stratus {

// One station's record on a regular grid (one slot per hour or per day, UTC). Slot i covers
// startMs + i*stepMs; a missing value is NaN, never 0.
struct StationSeries
{
    QString stationId;
    qint64 startMs = 0;
    qint64 stepMs = 0;
    std::array<std::vector<double>, kChannelCount> values;

    int size() const { return static_cast<int>(values[0].size()); }
    double at(Channel c, int i) const
    {
        return i >= 0 && i < size() ? values[ch(c)][static_cast<size_t>(i)] : kMissing;
    }
    qint64 timeOf(int i) const { return startMs + i * stepMs; }
    // Slot of a time, rounded down; may be outside [0, size()).
    int slotOf(qint64 ms) const;
    void resize(int n);
};

} // namespace stratus
