#pragma once

#include <optional>
#include <utility>

namespace stratus {

// Axis ranges for live charts that change rarely. Qt Charts lays every axis label out again as rich
// text whenever a range changes (tens of ms on the GUI thread for a two-axis chart), so a chart that
// follows streaming data should move its axes only when the data leaves them or shrinks well inside.
// Ranges are "nice": tick steps of 1, 1.5, 2, 3, 4, 5, 6 or 8 × 10^k, so the labels are round numbers.
class AxisScale
{
public:
    // The smallest nice step ≥ raw (raw > 0).
    static double niceStep(double raw);
    // A nice range covering [lo, hi] with `intervals` equal tick steps: min and max sit on multiples of
    // the step, so a QValueAxis with intervals + 1 ticks labels round numbers.
    static std::pair<double, double> niceRange(double lo, double hi, int intervals);
    // What the axis should show next: nullopt when the current range [curLo, curHi] still holds
    // [lo, hi] and is at most `slack` times wider than needed (keep it: no re-layout); otherwise the nice
    // range for [lo, hi].
    static std::optional<std::pair<double, double>> update(double curLo, double curHi, double lo, double hi,
                                                           int intervals, double slack = 2.0);
};

} // namespace stratus
