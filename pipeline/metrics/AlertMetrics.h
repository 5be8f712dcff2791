#pragma once

#include "MetricsWriter.h"
#include "notify/NotifyStatus.h"

namespace stratus {

// Alerts and their delivery: firing alerts by kind and severity (every pair, zeros included, so a
// dashboard's series never vanish), and per receiver what Prometheus' own notifier reports
// (sent, errors, dropped, queue length) plus whether it is up.
class AlertMetrics
{
public:
    static void write(MetricsWriter &w, const NotifyStatus &status);
};

} // namespace stratus
