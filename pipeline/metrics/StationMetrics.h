#pragma once

#include "MetricsWriter.h"
#include "Reading.h"
#include "StationCatalogue.h"

#include <QHash>

namespace stratus {

// The latest reading of each station as gauges a dashboard can plot:
// stratus_station_temperature_celsius{station="KMSN"} and one family per variable (MetricUnit),
// the time of the station's latest reading, and stratus_station_info with its name and position.
// A Prometheus series per station and variable is cheap for dozens of stations and not for 10,000,
// so at most `maxStations` stations are exposed, the first by id (a stable choice: a series does
// not come and go as readings arrive); how many were left out is a gauge of its own.
class StationMetrics
{
public:
    static void write(MetricsWriter &w, const QHash<QString, Reading> &latest, const StationCatalogue &catalogue,
                      int maxStations);
};

} // namespace stratus
