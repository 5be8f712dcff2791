#include "ForecastDataset.h"

#include <algorithm>
#include <limits>

namespace stratus {

qint64 ForecastDataset::firstMs() const
{
    qint64 t = std::numeric_limits<qint64>::max();
    for (const auto &s : stations)
        t = std::min(t, s.startMs);
    return stations.empty() ? 0 : t;
}

qint64 ForecastDataset::lastMs() const
{
    qint64 t = std::numeric_limits<qint64>::min();
    for (const auto &s : stations)
        t = std::max(t, s.timeOf(s.size() - 1));
    return stations.empty() ? 0 : t;
}

std::array<bool, kChannelCount> ForecastDataset::presentChannels() const
{
    std::array<bool, kChannelCount> present{};
    for (const auto &s : stations) {
        for (int c = 0; c < kChannelCount; ++c) {
            const auto &v = s.values[c];
            const auto n = std::count_if(v.begin(), v.end(), [](double x) { return !std::isnan(x); });
            if (n * 2 > static_cast<qint64>(v.size()))
                present[c] = true;
        }
    }
    return present;
}

void ForecastDataset::keepStations(const QStringList &ids)
{
    if (ids.isEmpty())
        return;
    std::erase_if(stations, [&](const StationSeries &s) { return !ids.contains(s.stationId); });
}

} // namespace stratus
