#include "MetricsController.h"

#include "LatencyHistogram.h"

#include <QDateTime>

namespace stratus {

namespace {
QByteArray metric(const char *name, const char *type, const char *help)
{
    return QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
}

QByteArray escapeLabel(const QString &s)
{
    QByteArray b = s.toUtf8();
    b.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return b;
}
} // namespace

ApiReply MetricsController::metrics(ApiRequest &)
{
    const LiveState &state = m_ctx.state();
    const auto c = state.counters();
    QByteArray out;
    auto counter = [&](const char *name, const char *help, qint64 value) {
        out += metric(name, "counter", help);
        out += QByteArray(name) + ' ' + QByteArray::number(value) + '\n';
    };
    counter("stratus_readings_in_total", "Readings accepted onto the raw topic.", c.readingsIn);
    counter("stratus_readings_dropped_total", "Whole readings refused by validation (bad id, time or JSON).",
            c.readingsRejected);
    counter("stratus_values_rejected_total", "Single impossible values dropped from otherwise good readings.",
            c.valuesRejected);
    counter("stratus_readings_late_total", "Readings beyond the allowed lateness, dropped by the windows.",
            c.lateDropped);
    counter("stratus_dead_lettered_total", "Records sent to the dead-letter topic.", c.deadLettered);
    counter("stratus_windows_out_total", "Window features emitted.", c.windowsOut);
    counter("stratus_forecasts_out_total", "Forecasts emitted.", c.forecastsOut);
    counter("stratus_anomalies_out_total", "Anomalies emitted.", c.anomaliesOut);

    out += metric("stratus_source_up", "gauge", "1 when the source is ok or finished, per source and state.");
    const auto sources = state.sources();
    for (const auto &s : sources) {
        const bool up = s.state == QLatin1String("ok") || s.state == QLatin1String("finished");
        out += "stratus_source_up{source=\"" + escapeLabel(s.name) + "\",state=\"" + escapeLabel(s.state) + "\"} "
               + (up ? "1" : "0") + '\n';
    }
    out += metric("stratus_source_readings_total", "counter", "Readings emitted per source.");
    for (const auto &s : sources)
        out += "stratus_source_readings_total{source=\"" + escapeLabel(s.name) + "\"} " + QByteArray::number(s.readings)
               + '\n';
    out += metric("stratus_stations", "gauge", "Stations known.");
    out += "stratus_stations " + QByteArray::number(state.catalogue().size()) + '\n';

    if (m_ctx.windowLatency)
        out += m_ctx.windowLatency->render("stratus_window_latency_seconds",
                                           "Time to aggregate one batch of readings into windows.");
    if (m_ctx.inferLatency)
        out += m_ctx.inferLatency->render("stratus_inference_latency_seconds",
                                          "Time to run inference on one batch of closed windows.");
    if (HistoryStore *store = m_ctx.store()) {
        const StoreCounters &sc = store->counters();
        counter("stratus_store_readings_acked_total", "Readings committed to the history store.",
                sc.readingsAcked.load());
        counter("stratus_store_batches_total", "Batches committed to the history store.", sc.batches.load());
        counter("stratus_store_failed_batches_total", "Batch commits that failed (retried).", sc.failedBatches.load());
        counter("stratus_store_dropped_rows_total", "Rows dropped after every commit retry failed.",
                sc.droppedRows.load());
        out += metric("stratus_store_pending_rows", "gauge", "Rows received but not yet committed.");
        out += "stratus_store_pending_rows " + QByteArray::number(sc.pendingRows.load()) + '\n';
    }
    out += metric("stratus_uptime_seconds", "gauge", "Seconds since the API started.");
    out += "stratus_uptime_seconds "
           + QByteArray::number((QDateTime::currentMSecsSinceEpoch() - m_ctx.startedMs) / 1000.0, 'f', 3) + '\n';
    return ApiReply::text(out, "text/plain; version=0.0.4; charset=utf-8");
}

} // namespace stratus
