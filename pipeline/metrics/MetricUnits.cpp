#include "MetricUnits.h"

#include <array>

namespace stratus {

namespace {
constexpr std::array<MetricUnit, kVariableCount> kUnits = {{
    {"celsius", 1, "Air temperature"},
    {"celsius", 1, "Dew point"},
    {"ratio", 0.01, "Relative humidity (0-1)"},
    {"meters_per_second", 1, "Wind speed"},
    {"meters_per_second", 1, "Wind gust speed"},
    {"degrees", 1, "Direction the wind blows from, degrees true"},
    {"pascals", 100, "Sea-level pressure"},
    {"meters", 0.001, "Precipitation in the last hour"},
    {"meters", 1000, "Visibility"},
}};
} // namespace

MetricUnit MetricUnit::of(Variable v)
{
    return kUnits[static_cast<size_t>(index(v))];
}

double MetricUnit::expose(double internal) const
{
    if (factor == 1)
        return internal;
    return QByteArray::number(internal * factor, 'g', 12).toDouble();
}

QByteArray MetricUnit::metricName(const char *prefix, Variable v)
{
    return QByteArray(prefix) + variableKey(v).toLatin1() + '_' + of(v).unit;
}

} // namespace stratus
