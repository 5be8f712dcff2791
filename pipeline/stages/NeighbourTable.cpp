#include "NeighbourTable.h"

#include "Partitioner.h"
#include "TimeUtil.h"
#include "forecast/ForecastDataLoader.h"

#include <algorithm>
#include <cmath>

namespace stratus {

namespace {
constexpr qint64 kHour = timeutil::kMsPerHour;
} // namespace

NeighbourTable::NeighbourTable() : NeighbourTable(Options()) {}

NeighbourTable::NeighbourTable(Options options)
    : m_options(options), m_clocks(static_cast<size_t>(std::max(1, options.partitions)))
{
}

int NeighbourTable::partitionOf(const QString &stationId) const
{
    const auto it = m_stations.constFind(stationId);
    return it != m_stations.cend() ? it->partition : Partitioner::partitionOf(stationId, m_options.partitions);
}

qint64 NeighbourTable::watermark(int partition) const
{
    const PartitionClock &c = m_clocks[static_cast<size_t>(partition)];
    if (c.finished)
        return kForever;
    return c.newestMs == kNever ? kNever : c.newestMs - m_options.latenessMs;
}

bool NeighbourTable::isFinal(quint64 partitionMask, qint64 timeMs) const
{
    for (int p = 0; partitionMask != 0; ++p, partitionMask >>= 1) {
        if ((partitionMask & 1) && watermark(p) < timeMs)
            return false;
    }
    return true;
}

void NeighbourTable::finish(int partition)
{
    m_clocks[static_cast<size_t>(partition)].finished = true;
}

void NeighbourTable::finishAll()
{
    for (PartitionClock &c : m_clocks)
        c.finished = true;
}

bool NeighbourTable::add(const Reading &r)
{
    return add(r, -1);
}

bool NeighbourTable::add(const Reading &r, int partition)
{
    auto it = m_stations.find(r.stationId);
    if (it == m_stations.end()) {
        it = m_stations.insert(r.stationId, StationData());
        it->partition = partition >= 0 && partition < m_options.partitions
                          ? partition
                          : Partitioner::partitionOf(r.stationId, m_options.partitions);
    }
    PartitionClock &clock = m_clocks[static_cast<size_t>(it->partition)];
    if (clock.newestMs != kNever && r.timestampMs < clock.newestMs - m_options.latenessMs) {
        ++m_lateRejected;
        return false;
    }
    clock.newestMs = std::max(clock.newestMs, r.timestampMs);

    StationData &d = *it;
    // Readings of one station come in event-time order within the lateness; keep the ring sorted.
    auto pos = d.recent.end();
    while (pos != d.recent.begin() && std::prev(pos)->timestampMs > r.timestampMs)
        --pos;
    d.recent.insert(pos, Recent{r.timestampMs, r.values});
    const qint64 recentFrom = std::min(d.recent.back().timestampMs, m_retainFromMs);
    while (!d.recent.empty() && recentFrom != kNever && d.recent.front().timestampMs < recentFrom - m_options.recentSpanMs)
        d.recent.pop_front();
    addHourly(d.hourly, r);
    return true;
}

void NeighbourTable::addHourly(StationSeries &s, const Reading &r)
{
    const qint64 slotMs = r.timestampMs - ((r.timestampMs % kHour) + kHour) % kHour;
    if (s.stepMs == 0) {
        s.stationId = r.stationId;
        s.stepMs = kHour;
        s.startMs = slotMs;
    }
    int i = s.slotOf(r.timestampMs);
    if (i < 0)
        return; // older than the history kept: too late to matter
    if (i - s.size() > 2 * m_options.keepHours) {
        // A jump far ahead (a replay loop, a long outage): the old history says nothing now.
        s.startMs = slotMs;
        s.resize(0);
        i = 0;
    }
    if (i >= s.size())
        s.resize(i + 1);
    const auto at = static_cast<size_t>(i);
    for (Variable v : kAllVariables) {
        const auto c = channelOf(v);
        if (c && r.has(v))
            s.values[ch(*c)][at] = r.value(v);
    }
    // Keep humidity and dewpoint consistent when the source gives only one of them.
    const double t = s.values[ch(Channel::Temperature)][at];
    double &rh = s.values[ch(Channel::Humidity)][at];
    double &td = s.values[ch(Channel::Dewpoint)][at];
    if (!std::isnan(t) && std::isnan(rh) && !std::isnan(td))
        rh = ForecastDataLoader::relativeHumidity(t, std::min(td, t));
    else if (!std::isnan(t) && std::isnan(td) && !std::isnan(rh))
        td = ForecastDataLoader::dewpointFrom(t, rh);
    if (s.size() > m_options.keepHours + 24) {
        qint64 drop = s.size() - m_options.keepHours;
        if (m_retainFromMs != kForever) {
            // Slots a pending decision may still read (keepHours before the floor) stay.
            const qint64 allowed = m_retainFromMs == kNever
                                     ? 0
                                     : std::max<qint64>(0, (m_retainFromMs - m_options.keepHours * kHour - s.startMs) / kHour);
            drop = std::min(drop, allowed);
        }
        if (drop > 0) {
            for (auto &v : s.values)
                v.erase(v.begin(), v.begin() + drop);
            s.startMs += drop * kHour;
        }
    }
}

const StationSeries *NeighbourTable::hourly(const QString &stationId) const
{
    const auto it = m_stations.constFind(stationId);
    return it == m_stations.cend() ? nullptr : &it->hourly;
}

std::optional<NeighbourTable::TimedValue> NeighbourTable::latestAtOrBefore(const QString &stationId, Variable variable,
                                                                           qint64 timeMs, qint64 maxAgeMs) const
{
    const auto it = m_stations.constFind(stationId);
    if (it == m_stations.cend())
        return std::nullopt;
    const int k = index(variable);
    for (auto r = it->recent.crbegin(); r != it->recent.crend(); ++r) {
        if (r->timestampMs > timeMs)
            continue;
        if (r->timestampMs < timeMs - maxAgeMs)
            break;
        if (!std::isnan(r->values[static_cast<size_t>(k)]))
            return TimedValue{r->values[static_cast<size_t>(k)], r->timestampMs};
    }
    return std::nullopt;
}

} // namespace stratus
