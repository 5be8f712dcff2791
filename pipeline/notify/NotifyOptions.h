#pragma once

#include "Anomaly.h"
#include "Result.h"

#include <QList>
#include <QString>
#include <QUrl>

namespace stratus {

class Config;

// The [notify] settings: where alerts are pushed (Alertmanagers, a direct webhook), which ones, and
// the timings of their life cycle. Plain data plus its parser (Config → options, errors name the key).
struct NotifyOptions
{
    QList<QUrl> alertmanagers; // push URLs (…/api/v2/alerts); empty = none
    QUrl webhook;              // Alertmanager webhook format (version 4); empty = none
    Severity minSeverity = Severity::Warning; // less severe anomalies are not alerts (rule resolves still count)

    // Timings, wall clock (see AlertTracker for the life cycle).
    qint64 resendIntervalMs = 60'000;            // firing alerts re-sent this often; each send valid 4 × this
    qint64 resolveAfterMs = 10 * 60'000;         // a detector alert resolves when not seen again for this long
    qint64 modelResolveAfterMs = 24 * 3'600'000; // model drift is announced once per drift
    qint64 resolvedRetentionMs = 15 * 60'000;    // resolved alerts are re-sent this long (as Prometheus does)
    qint64 timeoutMs = 10'000;                   // per HTTP request
    qint64 retryInitialMs = 1000;                // first retry after a failed push, doubling …
    qint64 retryMaxMs = 60'000;                  // … up to this
    QString linkBase; // "http://host:port" of this API, for the station link; empty = no link

    // The direct webhook.
    int webhookQueue = 1000;             // notifications waiting at most; beyond, the oldest is dropped
    int webhookRetries = 5;              // retries of one notification before it is given up
    qint64 webhookGroupWaitMs = 10'000;  // changes of a group are collected this long into one notification
    qint64 webhookRepeatMs = 4 * 3'600'000; // a group still firing is notified again after this long

    bool pushes() const { return !alertmanagers.isEmpty() || !webhook.isEmpty(); }

    // Reads [notify] (and [server] bind/port for the default link); a URL that is not http(s) is an
    // error naming the key and the URL.
    static Result<NotifyOptions> fromConfig(const Config &config);
    // "http://am:9093" → "http://am:9093/api/v2/alerts"; a URL that already ends so is kept.
    static QUrl alertmanagerPushUrl(const QUrl &base);
};

} // namespace stratus
