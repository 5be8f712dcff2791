#pragma once

#include "Variable.h"

#include <QByteArray>

namespace stratus {

// How a variable is exposed to Prometheus: in the base unit its conventions ask for (celsius,
// ratio, meters, pascals, meters per second; degrees for directions) with the unit in the metric's
// name, so a dashboard never has to guess. Internal units (Variable.h) are converted on the way out.
struct MetricUnit
{
    const char *unit;      // "celsius", "ratio", ...
    double factor;         // internal value × factor = exposed value
    const char *quantity;  // in words, for HELP texts: "Air temperature"

    static MetricUnit of(Variable v);
    // internal × factor; a converted value is rounded to 12 significant digits so 1013.2 hPa is
    // exposed as 101320 Pa, not 101320.00000000001. Unconverted values pass bit for bit.
    double expose(double internal) const;
    // "stratus_station_temperature_celsius" for prefix "stratus_station_".
    static QByteArray metricName(const char *prefix, Variable v);
};

} // namespace stratus
