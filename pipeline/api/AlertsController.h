#pragma once

#include "ApiContext.h"
#include "ApiReply.h"
#include "ApiRequest.h"

namespace stratus {

// Alert rules and silences over REST (Grafana alerting for one engine):
//   GET    /alerts/rules            every rule with its state per station (inactive/pending/firing,
//                                   since-times, last resolve, recent transitions)
//   GET    /alerts/rules/{id}
//   POST   /alerts/rules            {"expression": "temperature < -20 for 10m", "station", "for",
//                                   "severity", "name", "author"} → 201 with the rule
//   DELETE /alerts/rules/{id}       API rules only; config-file rules are read-only (409)
//   GET    /alerts/silences
//   POST   /alerts/silences         {"station": "KMSN" | "*", "until" | "duration", "starts_at",
//                                   "comment", "author"} → 201 with the silence
//   DELETE /alerts/silences/{id}
// Writes need the bearer token (checked by ApiServer). Everything goes through the engine's
// AlertManager, which is thread-safe and saves API rules and silences before answering.
class AlertsController
{
public:
    explicit AlertsController(ApiContext &ctx) : m_ctx(ctx) {}
    ApiReply rules(ApiRequest &req);
    ApiReply rule(ApiRequest &req, const QString &id);
    ApiReply addRule(ApiRequest &req);
    ApiReply removeRule(ApiRequest &req, const QString &id);
    ApiReply silences(ApiRequest &req);
    ApiReply silence(ApiRequest &req, const QString &id);
    ApiReply addSilence(ApiRequest &req);
    ApiReply removeSilence(ApiRequest &req, const QString &id);

private:
    ApiContext &m_ctx;
};

} // namespace stratus
