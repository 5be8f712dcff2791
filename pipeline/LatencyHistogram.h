#pragma once

#include <QByteArray>

#include <array>
#include <atomic>

namespace stratus {

// A lock-free Prometheus-style histogram of durations: the engine thread observes, the API thread
// renders. Bucket bounds in seconds, cumulative on output as the exposition format wants.
class LatencyHistogram
{
public:
    static constexpr std::array<double, 12> kBoundsS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                         0.005,   0.01,   0.025,   0.05,   0.1,   1.0};

    void observeNs(qint64 ns);
    // "# HELP/# TYPE" plus the _bucket, _sum and _count lines for metric `name`.
    QByteArray render(const char *name, const char *help) const;
    qint64 count() const { return m_count.load(std::memory_order_relaxed); }

private:
    std::array<std::atomic<qint64>, kBoundsS.size() + 1> m_buckets{}; // last one = +Inf
    std::atomic<qint64> m_count{0};
    std::atomic<qint64> m_sumNs{0};
};

} // namespace stratus
