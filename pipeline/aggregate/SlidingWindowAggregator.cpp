#include "SlidingWindowAggregator.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace stratus {

namespace {
qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
} // namespace

SlidingWindowAggregator::SlidingWindowAggregator(Options options) : m_options(options) {}

QList<WindowStats> SlidingWindowAggregator::add(const QList<Reading> &readings)
{
    QList<WindowStats> out;
    for (const Reading &r : readings) {
        if (r.timestampMs < m_watermarkMs) {
            ++m_lateDropped;
            continue;
        }
        StationState &st = m_stations[r.stationId];
        const auto pos = std::upper_bound(st.readings.begin(), st.readings.end(), r.timestampMs,
                                          [](qint64 t, const Reading &x) { return t < x.timestampMs; });
        st.readings.insert(pos, r);
        const qint64 firstEnd = (floorDiv(r.timestampMs, m_options.slideMs) + 1) * m_options.slideMs;
        if (st.nextEndMs == 0 || firstEnd < st.nextEndMs)
            st.nextEndMs = firstEnd;
        m_maxEventMs = std::max(m_maxEventMs, r.timestampMs);
    }
    if (m_maxEventMs != std::numeric_limits<qint64>::min()) {
        const qint64 wm = m_maxEventMs - m_options.allowedLatenessMs;
        if (wm > m_watermarkMs) {
            m_watermarkMs = wm;
            closeUpTo(wm, out);
        }
    }
    return out;
}

QList<WindowStats> SlidingWindowAggregator::flush()
{
    QList<WindowStats> out;
    closeUpTo(std::numeric_limits<qint64>::max(), out);
    return out;
}

void SlidingWindowAggregator::closeUpTo(qint64 watermarkMs, QList<WindowStats> &out)
{
    for (auto it = m_stations.begin(); it != m_stations.end(); ++it)
        closeStation(it.key(), it.value(), watermarkMs, out);
}

void SlidingWindowAggregator::closeStation(const QString &id, StationState &st, qint64 watermarkMs,
                                           QList<WindowStats> &out)
{
    const qint64 len = m_options.lengthMs;
    while (st.nextEndMs != 0 && st.nextEndMs <= watermarkMs) {
        if (st.readings.empty()) {
            st.nextEndMs = 0;
            break;
        }
        // Jump over empty stretches (recording gaps) instead of closing empty windows one by one.
        const qint64 firstPossibleEnd = (floorDiv(st.readings.front().timestampMs, m_options.slideMs) + 1) * m_options.slideMs;
        st.nextEndMs = std::max(st.nextEndMs, firstPossibleEnd);
        if (st.nextEndMs > watermarkMs)
            break;
        const qint64 start = st.nextEndMs - len;
        for (Variable v : kAllVariables) {
            WindowStats w = compute(id, v, start, st.nextEndMs, st.readings);
            if (w.count > 0)
                out.append(std::move(w));
        }
        st.nextEndMs += m_options.slideMs;
        const qint64 keepFrom = st.nextEndMs - len;
        while (!st.readings.empty() && st.readings.front().timestampMs < keepFrom)
            st.readings.pop_front();
    }
}

WindowStats SlidingWindowAggregator::compute(const QString &stationId, Variable variable, qint64 startMs,
                                             qint64 endMs, const std::deque<Reading> &readings)
{
    WindowStats w;
    w.stationId = stationId;
    w.variable = variable;
    w.startMs = startMs;
    w.endMs = endMs;
    double sum = 0, sumSq = 0, sx = 0, sy = 0;
    for (const Reading &r : readings) {
        if (r.timestampMs < startMs)
            continue;
        if (r.timestampMs >= endMs)
            break;
        const double x = r.value(variable);
        if (std::isnan(x))
            continue;
        if (w.count == 0) {
            w.first = x;
            w.min = x;
            w.max = x;
        }
        w.last = x;
        w.min = std::min(w.min, x);
        w.max = std::max(w.max, x);
        sum += x;
        sumSq += x * x;
        const double rad = x * std::numbers::pi / 180.0;
        sx += std::sin(rad);
        sy += std::cos(rad);
        ++w.count;
    }
    if (w.count == 0)
        return w;
    const double n = static_cast<double>(w.count);
    if (isAngular(variable)) {
        // Vector mean: 350° and 10° average to 0°, not 180°.
        const double mx = sx / n, my = sy / n;
        w.resultantLength = std::hypot(mx, my);
        double deg = std::atan2(mx, my) * 180.0 / std::numbers::pi;
        if (deg < 0)
            deg += 360.0;
        w.mean = w.resultantLength > 1e-9 ? deg : std::numeric_limits<double>::quiet_NaN();
        // Circular standard deviation, in degrees.
        w.stddev = w.resultantLength > 1e-12 ? std::sqrt(-2.0 * std::log(std::min(1.0, w.resultantLength))) * 180.0 / std::numbers::pi
                                             : std::numeric_limits<double>::quiet_NaN();
    } else {
        w.mean = sum / n;
        w.stddev = std::sqrt(std::max(0.0, sumSq / n - w.mean * w.mean));
    }
    return w;
}

} // namespace stratus
