#include "MetricsController.h"

#include "LatencyHistogram.h"
#include "metrics/AlertMetrics.h"
#include "metrics/ForecastMetrics.h"
#include "metrics/MetricsWriter.h"
#include "metrics/ProcessMetrics.h"
#include "metrics/StationMetrics.h"
#include "models/ModelRegistry.h"

#include <QDateTime>

namespace stratus {

namespace {
using Type = MetricsWriter::Type;

// The source state as one number, so an alert rule can say `stratus_source_state <= 1`.
int sourceStateValue(const QString &state)
{
    if (state == QLatin1String("down"))
        return 0;
    if (state == QLatin1String("degraded"))
        return 1;
    if (state == QLatin1String("starting"))
        return 2;
    if (state == QLatin1String("ok"))
        return 3;
    return 4; // finished
}
} // namespace

ApiReply MetricsController::metrics(ApiRequest &)
{
    return ApiReply::text(render(), MetricsWriter::contentType());
}

QByteArray MetricsController::render() const
{
    MetricsWriter w;
    writeCounters(w);
    writeSources(w);
    writeStages(w);
    qint64 newestReadingMs = 0;
    writeStations(w, &newestReadingMs);
    if (m_ctx.windowLatency)
        w.appendRendered(m_ctx.windowLatency->render("stratus_window_latency_seconds",
                                                     "Time to aggregate one batch of readings into windows."));
    if (m_ctx.inferLatency)
        w.appendRendered(m_ctx.inferLatency->render("stratus_inference_latency_seconds",
                                                    "Time to run inference on one batch of closed windows."));
    writeStore(w, newestReadingMs);
    AlertMetrics::write(w, m_ctx.state().notifyStatus());
    if (m_ctx.models)
        ForecastMetrics::write(w, m_ctx.models->liveAccuracy());
    ProcessMetrics::write(w);
    w.gauge("stratus_uptime_seconds", "Seconds since the API started.",
            static_cast<double>(QDateTime::currentMSecsSinceEpoch() - m_ctx.startedMs) / 1000.0);
    return w.text();
}

void MetricsController::writeCounters(MetricsWriter &w) const
{
    const auto c = m_ctx.state().counters();
    w.counter("stratus_readings_in_total", "Readings accepted onto the raw topic.", c.readingsIn);
    w.counter("stratus_readings_dropped_total", "Whole readings refused by validation (bad id, time or JSON).",
              c.readingsRejected);
    w.counter("stratus_values_rejected_total", "Single impossible values dropped from otherwise good readings.",
              c.valuesRejected);
    w.counter("stratus_readings_late_total", "Readings beyond the allowed lateness, dropped by the windows.", c.lateDropped);
    w.counter("stratus_dead_lettered_total", "Records sent to the dead-letter topic.", c.deadLettered);
    w.counter("stratus_windows_out_total", "Window features emitted.", c.windowsOut);
    w.counter("stratus_forecasts_out_total", "Forecasts emitted.", c.forecastsOut);
    w.counter("stratus_anomalies_out_total", "Anomalies emitted.", c.anomaliesOut);
}

void MetricsController::writeSources(MetricsWriter &w) const
{
    const auto sources = m_ctx.state().sources();
    if (sources.isEmpty())
        return;
    w.family("stratus_source_state", Type::Gauge,
             "State of each source: 0 down, 1 degraded, 2 starting, 3 ok, 4 finished (a replay at its end).");
    for (const auto &s : sources)
        w.sample({{"source", s.name}}, sourceStateValue(s.state));
    w.family("stratus_source_up", Type::Gauge, "1 when the source is ok or finished, else 0.");
    for (const auto &s : sources)
        w.sample({{"source", s.name}}, sourceStateValue(s.state) >= 3 ? 1 : 0);
    w.family("stratus_source_readings_total", Type::Counter, "Readings emitted per source.");
    for (const auto &s : sources)
        w.sample({{"source", s.name}}, static_cast<double>(s.readings));
}

// The in-process stages (LiveState::stages()). Per-stage queue depth and back-pressure state belong
// here as well: one family each, labelled by stage, read from LiveState.
void MetricsController::writeStages(MetricsWriter &w) const
{
    const auto stages = m_ctx.state().stages();
    if (stages.isEmpty())
        return;
    w.family("stratus_stage_items_total", Type::Counter, "Items each in-process stage has handled.");
    for (const auto &s : stages)
        w.sample({{"stage", s.name}}, static_cast<double>(s.processed));
    w.family("stratus_stage_batches_total", Type::Counter, "Batches each in-process stage has handled.");
    for (const auto &s : stages)
        w.sample({{"stage", s.name}}, static_cast<double>(s.batches));
    w.family("stratus_stage_queue_depth", Type::Gauge, "Items handed to each stage in its last batch.");
    for (const auto &s : stages)
        w.sample({{"stage", s.name}}, static_cast<double>(s.queueDepth));
    w.family("stratus_stage_last_batch_seconds", Type::Gauge, "Wall time of each stage's last batch.");
    for (const auto &s : stages)
        w.sample({{"stage", s.name}}, s.lastLatencyMs / 1000.0);
}

void MetricsController::writeStations(MetricsWriter &w, qint64 *newestReadingMs) const
{
    const LiveState &state = m_ctx.state();
    const StationCatalogue catalogue = state.catalogue();
    w.gauge("stratus_stations", "Stations known.", static_cast<double>(catalogue.size()));
    const QHash<QString, Reading> latest = state.latestReadings();
    for (const Reading &r : latest)
        *newestReadingMs = std::max(*newestReadingMs, r.timestampMs);
    StationMetrics::write(w, latest, catalogue, m_options.maxStations);
}

void MetricsController::writeStore(MetricsWriter &w, qint64 newestReadingMs) const
{
    HistoryStore *store = m_ctx.store();
    if (!store)
        return;
    const StoreCounters &sc = store->counters();
    w.counter("stratus_store_readings_acked_total", "Readings committed to the history store.", sc.readingsAcked.load());
    w.counter("stratus_store_batches_total", "Batches committed to the history store.", sc.batches.load());
    w.counter("stratus_store_failed_batches_total", "Batch commits that failed (retried).", sc.failedBatches.load());
    w.counter("stratus_store_dropped_rows_total", "Rows dropped after every commit retry failed.", sc.droppedRows.load());
    w.gauge("stratus_store_pending_rows", "Rows received but not yet committed.", sc.pendingRows.load());
    // Lag in event time: how far the newest committed reading is behind the newest reading seen.
    const qint64 acked = sc.ackedReadingMs.load();
    const double lag = acked > 0 && newestReadingMs > acked ? static_cast<double>(newestReadingMs - acked) / 1000.0 : 0;
    w.gauge("stratus_store_lag_seconds",
            "Event time between the newest reading seen and the newest reading committed to the store.", lag);
    w.gauge("stratus_store_last_commit_timestamp_seconds", "When the store last committed a batch, Unix seconds (0 = never).",
            static_cast<double>(sc.lastCommitMs.load()) / 1000.0);
}

} // namespace stratus
