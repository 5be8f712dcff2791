#pragma once

// Brute-force reference for SlidingWindowAggregator, written independently of it: it replays the
// documented lateness rule reading by reading and recomputes any window from the raw readings.
// Slow on purpose (O(readings) per window); only for tests.

#include "Reading.h"
#include "WindowStats.h"
#include "aggregate/WindowOptions.h"

#include <QString>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <vector>

namespace oracle {

struct Arrival
{
    stratus::Reading reading;
    QString partition;
};

struct Replay
{
    std::vector<bool> accepted;         // per arrival
    std::vector<bool> late;             // accepted although behind the watermark
    std::vector<qint64> watermarkAfter; // partition watermark after the arrival
    qint64 dropped = 0;
    qint64 lateAccepted = 0;
};

inline qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

inline bool usable(double x)
{
    return !std::isnan(x) && std::fabs(x) < 4294967296.0;
}

inline Replay replay(const std::vector<Arrival> &arrivals, const stratus::WindowOptions &o)
{
    Replay r;
    std::map<QString, std::pair<qint64, qint64>> partitions; // key -> (max event, watermark)
    constexpr qint64 kNone = std::numeric_limits<qint64>::min();
    for (const Arrival &a : arrivals) {
        auto it = partitions.find(a.partition);
        if (it == partitions.end())
            it = partitions.emplace(a.partition, std::make_pair(kNone, kNone)).first;
        auto &[maxEvent, watermark] = it->second;
        const qint64 t = a.reading.timestampMs;
        bool accepted = true, late = false;
        if (watermark != kNone && t < watermark) {
            if (t < watermark - o.lateGraceMs)
                accepted = false;
            else
                late = true;
        }
        if (!accepted) {
            ++r.dropped;
        } else {
            if (late)
                ++r.lateAccepted;
            if (maxEvent == kNone || t > maxEvent) {
                maxEvent = t;
                watermark = std::max(watermark, t - o.allowedLatenessMs);
            }
        }
        r.accepted.push_back(accepted);
        r.late.push_back(late);
        r.watermarkAfter.push_back(watermark);
    }
    return r;
}

// The window (partition, station, variable, end) over the accepted arrivals [0, upTo]. candidates:
// the arrival indices to look at in arrival order (all, or a precomputed list of the station's).
inline stratus::WindowStats compute(const std::vector<Arrival> &arrivals, const Replay &rp,
                                    const std::vector<size_t> &candidates, size_t upTo,
                                    const QString &partition, const QString &station, stratus::Variable v,
                                    qint64 end, const stratus::WindowOptions &o)
{
    stratus::WindowStats w;
    w.stationId = station;
    w.variable = v;
    w.startMs = end - o.lengthMs;
    w.endMs = end;
    long double sum = 0, sx = 0, sy = 0;
    std::vector<double> xs;
    qint64 firstT = 0, lastT = 0;
    for (size_t i : candidates) {
        if (i > upTo)
            break;
        const stratus::Reading &r = arrivals[i].reading;
        if (!rp.accepted[i] || arrivals[i].partition != partition || r.stationId != station)
            continue;
        if (r.timestampMs < w.startMs || r.timestampMs >= end)
            continue;
        const double x = r.value(v);
        if (!usable(x))
            continue;
        if (xs.empty() || r.timestampMs < firstT) {
            firstT = r.timestampMs;
            w.first = x;
        }
        if (xs.empty() || r.timestampMs >= lastT) {
            lastT = r.timestampMs;
            w.last = x;
        }
        w.min = xs.empty() ? x : std::min(w.min, x);
        w.max = xs.empty() ? x : std::max(w.max, x);
        xs.push_back(x);
        sum += x;
        const double rad = x * std::numbers::pi / 180.0;
        sx += std::sin(rad);
        sy += std::cos(rad);
    }
    w.count = static_cast<qint64>(xs.size());
    if (xs.empty())
        return w;
    const long double n = xs.size();
    if (stratus::isAngular(v)) {
        const double mx = static_cast<double>(sx / n), my = static_cast<double>(sy / n);
        w.resultantLength = std::hypot(mx, my);
        double deg = std::atan2(mx, my) * 180.0 / std::numbers::pi;
        if (deg < 0)
            deg += 360.0;
        w.mean = w.resultantLength > 1e-9 ? deg : std::numeric_limits<double>::quiet_NaN();
        w.stddev = w.resultantLength > 1e-12
            ? std::sqrt(-2.0 * std::log(std::min(1.0, w.resultantLength))) * 180.0 / std::numbers::pi
            : std::numeric_limits<double>::quiet_NaN();
    } else {
        const long double mean = sum / n;
        long double ss = 0;
        for (double x : xs)
            ss += (x - mean) * (x - mean);
        w.mean = static_cast<double>(mean);
        w.stddev = static_cast<double>(std::sqrt(ss / n));
    }
    return w;
}

inline std::vector<size_t> allIndices(const std::vector<Arrival> &arrivals)
{
    std::vector<size_t> all(arrivals.size());
    for (size_t i = 0; i < all.size(); ++i)
        all[i] = i;
    return all;
}

inline bool sameDouble(double a, double b)
{
    return a == b || (std::isnan(a) && std::isnan(b));
}

inline bool near(double a, double b, double tol)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    return std::fabs(a - b) <= tol * std::max({1.0, std::fabs(a), std::fabs(b)});
}

inline double angleDiff(double a, double b)
{
    double d = std::fmod(std::fabs(a - b), 360.0);
    return d > 180.0 ? 360.0 - d : d;
}

// Empty when equal (exact for count/min/max/first/last, tolerance for the moments), else why not.
inline QString difference(const stratus::WindowStats &got, const stratus::WindowStats &want)
{
    auto num = [](double x) { return QString::number(x, 'g', 17); };
    QString why;
    if (got.stationId != want.stationId || got.variable != want.variable || got.startMs != want.startMs || got.endMs != want.endMs)
        why += QStringLiteral(" identity");
    if (got.count != want.count)
        why += QStringLiteral(" count %1 vs %2").arg(got.count).arg(want.count);
    if (!sameDouble(got.min, want.min))
        why += QStringLiteral(" min ") + num(got.min) + QStringLiteral(" vs ") + num(want.min);
    if (!sameDouble(got.max, want.max))
        why += QStringLiteral(" max ") + num(got.max) + QStringLiteral(" vs ") + num(want.max);
    if (!sameDouble(got.first, want.first))
        why += QStringLiteral(" first ") + num(got.first) + QStringLiteral(" vs ") + num(want.first);
    if (!sameDouble(got.last, want.last))
        why += QStringLiteral(" last ") + num(got.last) + QStringLiteral(" vs ") + num(want.last);
    if (stratus::isAngular(want.variable)) {
        const bool meanOk = (std::isnan(got.mean) && std::isnan(want.mean))
            || (!std::isnan(got.mean) && !std::isnan(want.mean) && angleDiff(got.mean, want.mean) < 1e-6)
            || want.resultantLength < 1e-6; // direction of a near-zero vector is noise
        if (!meanOk)
            why += QStringLiteral(" mean ") + num(got.mean) + QStringLiteral(" vs ") + num(want.mean);
        if (!near(got.resultantLength, want.resultantLength, 1e-9))
            why += QStringLiteral(" R ") + num(got.resultantLength) + QStringLiteral(" vs ") + num(want.resultantLength);
        if (want.resultantLength > 1e-3 && !near(got.stddev, want.stddev, 1e-6))
            why += QStringLiteral(" cstd ") + num(got.stddev) + QStringLiteral(" vs ") + num(want.stddev);
    } else {
        if (!near(got.mean, want.mean, 1e-12))
            why += QStringLiteral(" mean ") + num(got.mean) + QStringLiteral(" vs ") + num(want.mean);
        if (!(std::fabs(got.stddev - want.stddev) <= 1e-9 * std::max(1.0, std::fabs(want.mean))))
            why += QStringLiteral(" std ") + num(got.stddev) + QStringLiteral(" vs ") + num(want.stddev);
    }
    return why;
}

// Bit-for-bit equality of two emitted windows (NaN equals NaN).
inline bool identical(const stratus::WindowStats &a, const stratus::WindowStats &b)
{
    return a.stationId == b.stationId && a.variable == b.variable && a.startMs == b.startMs && a.endMs == b.endMs
        && a.count == b.count && sameDouble(a.mean, b.mean) && sameDouble(a.stddev, b.stddev) && sameDouble(a.min, b.min)
        && sameDouble(a.max, b.max) && sameDouble(a.first, b.first) && sameDouble(a.last, b.last)
        && sameDouble(a.resultantLength, b.resultantLength) && a.revision == b.revision;
}

} // namespace oracle
