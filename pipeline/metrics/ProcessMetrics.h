#pragma once

#include "MetricsWriter.h"

#include <optional>

namespace stratus {

// What every Stratus process exposes, server or worker: stratus_build_info and the standard
// process_* metrics of Prometheus' client libraries (CPU seconds, resident and virtual memory,
// open and maximum file descriptors, start time), read from /proc/self on Linux. Elsewhere only the
// build info is written.
class ProcessMetrics
{
public:
    static void write(MetricsWriter &w);

    struct Sample
    {
        double cpuSeconds = 0;
        double residentBytes = 0;
        double virtualBytes = 0;
        double startTimeSeconds = 0; // Unix time
        double openFds = 0;
        double maxFds = 0;
    };
    // nullopt where /proc is not readable (not Linux).
    static std::optional<Sample> read();
};

} // namespace stratus
