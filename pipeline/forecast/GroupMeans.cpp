#include "GroupMeans.h"

#include <cmath>

namespace stratus {

GroupMeans::GroupMeans(const ForecastDataset &ds)
{
    if (ds.stations.empty())
        return;
    m_startMs = ds.firstMs();
    m_stepMs = ds.stations.front().stepMs;
    for (const auto &s : ds.stations)
        m_series.insert(s.stationId, &s);
    const auto n = static_cast<size_t>((ds.lastMs() - m_startMs) / m_stepMs + 1);
    for (int k = 0; k < 3; ++k) {
        m_sum[k].assign(n, 0.0);
        m_count[k].assign(n, 0);
    }
    for (const auto &s : ds.stations) {
        const auto off = static_cast<size_t>((s.startMs - m_startMs) / m_stepMs);
        for (Channel c : {Channel::Temperature, Channel::Dewpoint, Channel::Pressure}) {
            const int k = slotIndex(c);
            const auto &v = s.values[ch(c)];
            for (size_t i = 0; i < v.size(); ++i) {
                if (!std::isnan(v[i])) {
                    m_sum[k][off + i] += v[i];
                    ++m_count[k][off + i];
                }
            }
        }
    }
}

int GroupMeans::slotIndex(Channel c)
{
    return c == Channel::Temperature ? 0 : c == Channel::Dewpoint ? 1 : 2;
}

double GroupMeans::othersMean(Channel c, qint64 ms, double own) const
{
    const qint64 i = (ms - m_startMs) / m_stepMs;
    const int k = slotIndex(c);
    if (ms < m_startMs || i >= static_cast<qint64>(m_sum[k].size()))
        return kMissing;
    double sum = m_sum[k][static_cast<size_t>(i)];
    int n = m_count[k][static_cast<size_t>(i)];
    if (!std::isnan(own)) {
        sum -= own;
        --n;
    }
    return n > 0 ? sum / n : kMissing;
}

FeatureContext GroupMeans::context(const std::vector<double> *climatology) const
{
    FeatureContext ctx;
    ctx.othersMean = [this](Channel c, qint64 ms, double own) { return othersMean(c, ms, own); };
    ctx.climatology = climatology;
    ctx.series = [this](const QString &id) { return series(id); };
    return ctx;
}

} // namespace stratus
