#pragma once

#include "AlertTracker.h"

#include <QJsonArray>
#include <QJsonObject>

namespace stratus {

// The JSON bodies Alertmanager's world speaks: the postable alert of its API v2
// (POST /api/v2/alerts, what Prometheus sends) and the webhook message version 4 (what
// Alertmanager posts to a webhook receiver), built from tracked alerts.
class AlertPayload
{
public:
    // {labels, annotations, startsAt, endsAt, generatorURL}. A firing alert ends at now + validFor
    // (so Alertmanager resolves it by itself if the pushes stop), a resolved one when it resolved.
    static QJsonObject postable(const AlertTracker::Alert &alert, qint64 nowMs, qint64 validForMs);

    // {version "4", groupKey, truncatedAlerts, status, receiver, groupLabels, commonLabels,
    // commonAnnotations, externalURL, alerts[]} for one group (station and kind). As Alertmanager
    // does, a firing alert's endsAt is the zero time and the message is "firing" while any is.
    static QJsonObject webhookMessage(const QList<const AlertTracker::Alert *> &alerts, const QString &externalUrl);

    static QString time(qint64 ms); // RFC 3339, UTC, milliseconds when not zero
    static constexpr const char *kZeroTime = "0001-01-01T00:00:00Z";
};

} // namespace stratus
