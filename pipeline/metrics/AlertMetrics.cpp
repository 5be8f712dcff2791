#include "AlertMetrics.h"

#include "Anomaly.h"

namespace stratus {

namespace {
void writeReceivers(MetricsWriter &w, const NotifyStatus &status, const char *kind, const char *label,
                    const QByteArray &prefix, bool webhook)
{
    QList<const NotifyStatus::Target *> targets;
    for (const NotifyStatus::Target &t : status.targets) {
        if (t.kind == QLatin1String(kind))
            targets.append(&t);
    }
    if (targets.isEmpty())
        return;
    const auto family = [&](const char *suffix, MetricsWriter::Type type, const char *help, auto value) {
        w.family(prefix + suffix, type, help);
        for (const NotifyStatus::Target *t : targets)
            w.sample({{label, t->url}}, static_cast<double>(value(*t)));
    };
    using T = NotifyStatus::Target;
    const char *sentHelp = webhook ? "Webhook notifications delivered." : "Alerts delivered to the Alertmanager.";
    family("_up", MetricsWriter::Type::Gauge, "0 while the last request failed (retrying with backoff), else 1.",
           [](const T &t) { return t.state == T::State::Down ? 0 : 1; });
    family("_sent_total", MetricsWriter::Type::Counter, sentHelp, [](const T &t) { return t.sent; });
    family("_errors_total", MetricsWriter::Type::Counter, "Requests that failed (each is retried with backoff).",
           [](const T &t) { return t.errors; });
    family("_dropped_total", MetricsWriter::Type::Counter,
           webhook ? "Webhook notifications pushed out of the full queue or refused (4xx)."
                   : "Alerts the Alertmanager refused (4xx), not retried.",
           [](const T &t) { return t.dropped; });
    family("_queue_length", MetricsWriter::Type::Gauge,
           webhook ? "Webhook notifications waiting." : "Alerts waiting to be sent.", [](const T &t) { return t.queued; });
    if (webhook)
        family("_failed_total", MetricsWriter::Type::Counter, "Webhook notifications given up after every retry.",
               [](const T &t) { return t.failed; });
    family("_last_success_timestamp_seconds", MetricsWriter::Type::Gauge, "When a request last succeeded, Unix seconds (0 = never).",
           [](const T &t) { return static_cast<double>(t.lastSuccessMs) / 1000.0; });
}
} // namespace

void AlertMetrics::write(MetricsWriter &w, const NotifyStatus &status)
{
    w.family("stratus_alerts_firing", MetricsWriter::Type::Gauge, "Alerts firing now, by anomaly kind and severity.");
    for (size_t k = 0; k < status.firing.size(); ++k) {
        for (size_t s = 0; s < status.firing[k].size(); ++s)
            w.sample({{"kind", anomalyKindKey(static_cast<AnomalyKind>(k))}, {"severity", severityKey(static_cast<Severity>(s))}},
                     static_cast<double>(status.firing[k][s]));
    }
    w.gauge("stratus_alerts_tracked", "Alerts firing or resolved within the last 15 minutes (re-sent to receivers).",
            static_cast<double>(status.tracked));
    writeReceivers(w, status, "alertmanager", "alertmanager", "stratus_notifications_alertmanager", false);
    writeReceivers(w, status, "webhook", "url", "stratus_notifications_webhook", true);
}

} // namespace stratus
