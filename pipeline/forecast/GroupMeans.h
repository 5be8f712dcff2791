#pragma once

#include "ForecastDataset.h"
#include "ForecastFeatures.h"

#include <QHash>

#include <array>
#include <vector>

namespace stratus {

// Per time slot, the sum and count of each station's temperature, dewpoint and pressure over a
// dataset, so a station's "mean of the other stations" is O(1) (cross-station features).
class GroupMeans
{
public:
    explicit GroupMeans(const ForecastDataset &ds);
    double othersMean(Channel c, qint64 ms, double own) const;
    FeatureContext context(const std::vector<double> *climatology) const;
    const StationSeries *series(const QString &id) const { return m_series.value(id, nullptr); }

private:
    static int slotIndex(Channel c);
    qint64 m_startMs = 0;
    qint64 m_stepMs = 1;
    std::array<std::vector<double>, 3> m_sum;
    std::array<std::vector<int>, 3> m_count;
    QHash<QString, const StationSeries *> m_series; // into the dataset, which outlives this
};

} // namespace stratus
