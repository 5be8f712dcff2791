#pragma once

#include "MetricsWriter.h"

namespace stratus {

class LiveAccuracy;

// The forecasts' live error: mean absolute error of what arrived against what was forecast, per
// model variant, variable and horizon (LiveAccuracy), one family per unit
// (stratus_forecast_live_mae_celsius{variant,variable,horizon_hours}), and how many points each
// error is over.
class ForecastMetrics
{
public:
    static void write(MetricsWriter &w, const LiveAccuracy &live);
};

} // namespace stratus
