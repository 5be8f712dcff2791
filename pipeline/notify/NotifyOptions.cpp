#include "NotifyOptions.h"

#include "Config.h"

#include <algorithm>

namespace stratus {

namespace {
Result<QUrl> httpUrl(const QString &key, const QString &text)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return makeError(QStringLiteral("%1: \"%2\" is not an http(s) URL").arg(key, text.trimmed()));
    return url;
}

qint64 seconds(const Config &config, const char *key)
{
    return config.value(QStringLiteral("notify/") + QLatin1String(key)).toLongLong() * 1000;
}
} // namespace

QUrl NotifyOptions::alertmanagerPushUrl(const QUrl &base)
{
    static const QString kPath = QStringLiteral("/api/v2/alerts");
    QUrl url = base;
    QString path = url.path();
    if (path.endsWith(kPath))
        return url;
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + kPath);
    return url;
}

Result<NotifyOptions> NotifyOptions::fromConfig(const Config &config)
{
    NotifyOptions o;
    const QString amKey = QStringLiteral("notify/alertmanager");
    for (const QString &part : config.value(amKey).split(u',', Qt::SkipEmptyParts)) {
        const auto url = httpUrl(amKey, part);
        if (!url)
            return url.error();
        o.alertmanagers << alertmanagerPushUrl(*url);
    }
    if (const QString hook = config.value(QStringLiteral("notify/webhook")); !hook.trimmed().isEmpty()) {
        const auto url = httpUrl(QStringLiteral("notify/webhook"), hook);
        if (!url)
            return url.error();
        o.webhook = *url;
    }
    o.minSeverity = severityFromKey(config.value(QStringLiteral("notify/min_severity"))).value_or(Severity::Warning);
    o.resendIntervalMs = seconds(config, "resend_interval_s");
    o.resolveAfterMs = seconds(config, "resolve_after_s");
    o.modelResolveAfterMs = seconds(config, "model_resolve_after_s");
    o.timeoutMs = seconds(config, "timeout_s");
    o.retryMaxMs = std::max(o.retryInitialMs, std::min<qint64>(60'000, o.resendIntervalMs));
    o.webhookQueue = config.intValue(QStringLiteral("notify/webhook_queue"));
    o.webhookRetries = config.intValue(QStringLiteral("notify/webhook_retries"));
    o.webhookGroupWaitMs = seconds(config, "webhook_group_wait_s");
    o.webhookRepeatMs = seconds(config, "webhook_repeat_interval_s");
    o.linkBase = config.value(QStringLiteral("notify/link_url")).trimmed();
    while (o.linkBase.endsWith(u'/'))
        o.linkBase.chop(1);
    const int port = config.intValue(QStringLiteral("server/port"));
    if (o.linkBase.isEmpty() && port > 0) { // port 0 is chosen at start: unknown here, so no link
        QUrl self;
        self.setScheme(QStringLiteral("http"));
        self.setHost(config.value(QStringLiteral("server/bind")));
        self.setPort(port);
        o.linkBase = self.toString();
    }
    if (!o.linkBase.isEmpty()) {
        if (const auto url = httpUrl(QStringLiteral("notify/link_url"), o.linkBase); !url)
            return url.error();
    }
    return o;
}

} // namespace stratus
