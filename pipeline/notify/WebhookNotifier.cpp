#include "WebhookNotifier.h"

#include "AlertPayload.h"

#include <QDateTime>
#include <QJsonDocument>

#include <limits>

namespace stratus {

WebhookNotifier::WebhookNotifier(const QUrl &url, const AlertTracker &tracker, QNetworkAccessManager *network,
                                 const NotifyOptions &options, QObject *parent)
    : NotifyReceiver(QStringLiteral("webhook"), url, network, options, parent), m_tracker(tracker)
{
    m_due.setSingleShot(true);
    connect(&m_due, &QTimer::timeout, this, [this] { pump(); });
}

void WebhookNotifier::schedule(const QString &groupKey, qint64 dueMs)
{
    if (const auto it = m_pending.find(groupKey); it != m_pending.end()) {
        // Waiting: it goes out with the group's state at send time. In flight: the message was
        // built already, so the group goes again after it.
        if (groupKey == m_inFlight && it->againDueMs == 0)
            it->againDueMs = dueMs;
        return;
    }
    m_pending.insert(groupKey, Pending{dueMs, 0});
    m_order.append(groupKey);
    // Bounded: drop the oldest waiting notification (never the one in flight).
    while (m_order.size() > std::max(1, m_options.webhookQueue)) {
        const auto victim = std::find_if(m_order.begin(), m_order.end(), [this](const QString &g) { return g != m_inFlight; });
        m_pending.remove(*victim);
        m_order.erase(victim);
        ++m_status.dropped;
    }
}

void WebhookNotifier::changed(const QStringList &fingerprints, qint64 nowMs)
{
    for (const QString &fp : fingerprints) {
        if (const AlertTracker::Alert *a = m_tracker.find(fp))
            schedule(a->groupKey, nowMs + m_options.webhookGroupWaitMs);
    }
    pump();
}

void WebhookNotifier::tick(qint64 nowMs)
{
    for (auto it = m_lastNotifiedMs.begin(); it != m_lastNotifiedMs.end();) {
        const QList<const AlertTracker::Alert *> alerts = m_tracker.group(it.key());
        const bool firing = std::any_of(alerts.cbegin(), alerts.cend(), [](const auto *a) { return a->firing(); });
        if (!firing) {
            it = m_lastNotifiedMs.erase(it);
            continue;
        }
        if (nowMs - it.value() >= m_options.webhookRepeatMs)
            schedule(it.key(), nowMs);
        ++it;
    }
    // Alerts the tracker forgot can never be sent again.
    m_notifiedFiring.removeIf([this](const QString &fp) { return !m_tracker.find(fp); });
    pump();
}

QList<const AlertTracker::Alert *> WebhookNotifier::messageAlerts(const QString &groupKey) const
{
    QList<const AlertTracker::Alert *> out;
    for (const AlertTracker::Alert *a : m_tracker.group(groupKey)) {
        if (a->firing() || m_notifiedFiring.contains(a->fingerprint))
            out.append(a);
    }
    return out;
}

void WebhookNotifier::pump()
{
    if (!idle())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 earliest = std::numeric_limits<qint64>::max();
    for (qsizetype i = 0; i < m_order.size();) {
        const QString group = m_order[i];
        if (const qint64 due = m_pending.value(group).dueMs; due > now) {
            earliest = std::min(earliest, due);
            ++i;
            continue;
        }
        const QList<const AlertTracker::Alert *> alerts = messageAlerts(group);
        if (alerts.isEmpty()) { // fired and resolved unseen, or forgotten: nothing to say
            m_pending.remove(group);
            m_order.removeAt(i);
            continue;
        }
        m_inFlight = group;
        m_inFlightAlerts.clear();
        for (const AlertTracker::Alert *a : alerts)
            m_inFlightAlerts.append({a->fingerprint, a->firing()});
        post(QJsonDocument(AlertPayload::webhookMessage(alerts, m_options.linkBase)).toJson(QJsonDocument::Compact));
        return;
    }
    if (earliest != std::numeric_limits<qint64>::max())
        m_due.start(static_cast<int>(std::min<qint64>(earliest - now, 24 * 3'600'000)));
}

void WebhookNotifier::finish()
{
    const QString group = std::exchange(m_inFlight, QString());
    const qint64 again = m_pending.value(group).againDueMs;
    m_pending.remove(group);
    m_order.removeOne(group);
    m_inFlightAlerts.clear();
    if (again > 0)
        schedule(group, again);
}

void WebhookNotifier::delivered()
{
    ++m_status.sent;
    bool anyFiring = false;
    // As the message said, not as the alerts are now: one that resolved meanwhile was sent firing,
    // so its resolve (already scheduled by changed()) is news.
    for (const auto &[fp, firing] : std::as_const(m_inFlightAlerts)) {
        if (firing)
            m_notifiedFiring.insert(fp);
        else
            m_notifiedFiring.remove(fp);
        anyFiring = anyFiring || firing;
    }
    if (anyFiring)
        m_lastNotifiedMs.insert(m_inFlight, QDateTime::currentMSecsSinceEpoch());
    finish();
    pump();
}

void WebhookNotifier::failed(bool permanent)
{
    Pending &p = m_pending[m_inFlight];
    if (permanent || ++p.attempts > m_options.webhookRetries) {
        ++m_status.failed;
        finish();
    } else {
        p.againDueMs = 0; // the retry is built from the state at that time
        m_inFlight.clear();
        m_inFlightAlerts.clear();
    }
    if (permanent)
        pump(); // the receiver answered: no reason to wait
    else
        retryLater();
}

} // namespace stratus
