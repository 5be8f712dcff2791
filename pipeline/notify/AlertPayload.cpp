#include "AlertPayload.h"

#include "TimeUtil.h"

namespace stratus {

namespace {
QJsonObject toObject(const QMap<QString, QString> &map)
{
    QJsonObject o;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

// The pairs every alert of the list has with the same value (Alertmanager's commonLabels).
QMap<QString, QString> common(const QList<const AlertTracker::Alert *> &alerts,
                              QMap<QString, QString> AlertTracker::Alert::*field)
{
    if (alerts.isEmpty())
        return {};
    QMap<QString, QString> out = alerts.first()->*field;
    for (const AlertTracker::Alert *a : alerts) {
        for (auto it = out.begin(); it != out.end();) {
            const auto other = (a->*field).constFind(it.key());
            if (other == (a->*field).cend() || *other != it.value())
                it = out.erase(it);
            else
                ++it;
        }
    }
    return out;
}

QString labelSetText(const QMap<QString, QString> &labels)
{
    QStringList parts;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        parts << QStringLiteral("%1=\"%2\"").arg(it.key(), it.value());
    return u'{' + parts.join(QStringLiteral(", ")) + u'}';
}
} // namespace

QString AlertPayload::time(qint64 ms)
{
    return timeutil::toIsoUtc(ms);
}

QJsonObject AlertPayload::postable(const AlertTracker::Alert &alert, qint64 nowMs, qint64 validForMs)
{
    QJsonObject o;
    o.insert(QLatin1String("labels"), toObject(alert.labels));
    o.insert(QLatin1String("annotations"), toObject(alert.annotations));
    o.insert(QLatin1String("startsAt"), time(alert.startsAtMs));
    o.insert(QLatin1String("endsAt"), time(alert.firing() ? nowMs + validForMs : alert.resolvedAtMs));
    if (!alert.generatorUrl.isEmpty())
        o.insert(QLatin1String("generatorURL"), alert.generatorUrl);
    return o;
}

QJsonObject AlertPayload::webhookMessage(const QList<const AlertTracker::Alert *> &alerts, const QString &externalUrl)
{
    QJsonArray list;
    bool anyFiring = false;
    for (const AlertTracker::Alert *a : alerts) {
        anyFiring = anyFiring || a->firing();
        QJsonObject o;
        o.insert(QLatin1String("status"), a->firing() ? QLatin1String("firing") : QLatin1String("resolved"));
        o.insert(QLatin1String("labels"), toObject(a->labels));
        o.insert(QLatin1String("annotations"), toObject(a->annotations));
        o.insert(QLatin1String("startsAt"), time(a->startsAtMs));
        o.insert(QLatin1String("endsAt"), a->firing() ? QString::fromLatin1(kZeroTime) : time(a->resolvedAtMs));
        o.insert(QLatin1String("generatorURL"), a->generatorUrl);
        o.insert(QLatin1String("fingerprint"), a->fingerprint);
        list.append(o);
    }
    QMap<QString, QString> groupLabels;
    if (!alerts.isEmpty()) {
        for (const char *name : {"station", "kind"})
            groupLabels.insert(QLatin1String(name), alerts.first()->labels.value(QLatin1String(name)));
    }
    QJsonObject m;
    m.insert(QLatin1String("version"), QLatin1String("4"));
    m.insert(QLatin1String("groupKey"), QString(QStringLiteral("{}:") + labelSetText(groupLabels)));
    m.insert(QLatin1String("truncatedAlerts"), 0);
    m.insert(QLatin1String("status"), anyFiring ? QLatin1String("firing") : QLatin1String("resolved"));
    m.insert(QLatin1String("receiver"), QLatin1String("stratus"));
    m.insert(QLatin1String("groupLabels"), toObject(groupLabels));
    m.insert(QLatin1String("commonLabels"), toObject(common(alerts, &AlertTracker::Alert::labels)));
    m.insert(QLatin1String("commonAnnotations"), toObject(common(alerts, &AlertTracker::Alert::annotations)));
    m.insert(QLatin1String("externalURL"), externalUrl);
    m.insert(QLatin1String("alerts"), list);
    return m;
}

} // namespace stratus
