#include "ColorRamp.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace stratus {

namespace {
struct Stop
{
    double t;
    int r, g, b;
};
// Close to matplotlib's "turbo" at a few stops, trimmed at both ends so no colour is near black.
constexpr std::array<Stop, 7> kStops = {{
    {0.00, 48, 18, 160},
    {0.17, 50, 110, 235},
    {0.34, 30, 190, 220},
    {0.50, 70, 220, 110},
    {0.66, 210, 225, 40},
    {0.83, 250, 140, 30},
    {1.00, 200, 30, 20},
}};
} // namespace

QRgb ColorRamp::rgb(double t, int alpha)
{
    if (std::isnan(t))
        t = 0;
    t = std::clamp(t, 0.0, 1.0);
    size_t i = 1;
    while (i < kStops.size() - 1 && kStops[i].t < t)
        ++i;
    const Stop &a = kStops[i - 1], &b = kStops[i];
    const double f = (t - a.t) / (b.t - a.t);
    const auto mix = [f](int x, int y) { return static_cast<int>(std::lround(x + (y - x) * f)); };
    return qRgba(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b), alpha);
}

QColor ColorRamp::color(double t)
{
    return QColor::fromRgba(rgb(t, 255));
}

int ColorRamp::bucket(double t)
{
    if (std::isnan(t))
        return 0;
    return std::clamp(static_cast<int>(t * kBuckets), 0, kBuckets - 1);
}

double ColorRamp::bucketCentre(int bucket)
{
    return (bucket + 0.5) / kBuckets;
}

} // namespace stratus
