#include "AxisScale.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace stratus {

double AxisScale::niceStep(double raw)
{
    if (!(raw > 0) || !std::isfinite(raw))
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    // Finer than the classic 1-2-5 so a fixed tick count still fits the data snugly; no 2.5, whose
    // labels would need two decimals.
    for (const double m : std::array{1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0}) {
        // A relative tolerance: 0.3 / 0.1 must give 3 × 0.1, not 5 × 0.1 from rounding.
        if (m * magnitude >= raw * (1 - 1e-9))
            return m * magnitude;
    }
    return 10 * magnitude;
}

std::pair<double, double> AxisScale::niceRange(double lo, double hi, int intervals)
{
    intervals = std::max(1, intervals);
    if (!std::isfinite(lo) || !std::isfinite(hi))
        return {0, 1};
    if (hi < lo)
        std::swap(lo, hi);
    if (hi - lo < 1e-9) {
        lo -= 0.5;
        hi += 0.5;
    }
    // Start from the plain step; if aligning the ends to it needs one more interval, take the next step.
    double step = niceStep((hi - lo) / intervals);
    for (int attempt = 0; attempt < 8; ++attempt) {
        const double first = std::floor(lo / step + 1e-9) * step;
        if (first + intervals * step >= hi - 1e-9 * step)
            return {first, first + intervals * step};
        step = niceStep(step * 1.0001);
    }
    return {lo, hi};
}

std::optional<std::pair<double, double>> AxisScale::update(double curLo, double curHi, double lo, double hi,
                                                           int intervals, double slack)
{
    if (std::isfinite(curLo) && std::isfinite(curHi) && curLo <= lo && curHi >= hi) {
        const auto wanted = niceRange(lo, hi, intervals);
        if (curHi - curLo <= slack * (wanted.second - wanted.first) + 1e-12)
            return std::nullopt;
    }
    return niceRange(lo, hi, intervals);
}

} // namespace stratus
