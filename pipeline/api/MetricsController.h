#pragma once

#include "ApiContext.h"
#include "ApiReply.h"
#include "ApiRequest.h"

namespace stratus {

class MetricsWriter;

// GET /metrics: the process's state in the Prometheus text exposition format (version 0.0.4), for
// a scrape every few seconds: engine counters, sources, stages, the latest value per station,
// latencies, the history store, alerts and their receivers, forecast accuracy, build and process.
// Kept apart from SystemController (/health, /cluster) so the exposition can grow on its own.
class MetricsController
{
public:
    struct Options
    {
        int maxStations = 1000; // [metrics] max_stations: per-station series at most
    };

    explicit MetricsController(ApiContext &ctx) : m_ctx(ctx) {}
    void setOptions(const Options &options) { m_options = options; }

    ApiReply metrics(ApiRequest &req);
    // The page itself.
    QByteArray render() const;

private:
    void writeCounters(MetricsWriter &w) const;
    void writeSources(MetricsWriter &w) const;
    void writeStages(MetricsWriter &w) const;
    void writeStations(MetricsWriter &w, qint64 *newestReadingMs) const;
    void writeStore(MetricsWriter &w, qint64 newestReadingMs) const;

    ApiContext &m_ctx;
    Options m_options;
};

} // namespace stratus
