#include "NotificationService.h"

#include "AlertmanagerNotifier.h"
#include "LiveState.h"
#include "WebhookNotifier.h"
#include "bus/Bus.h"

#include <QDateTime>
#include <QNetworkAccessManager>

namespace stratus {

NotificationService::NotificationService(NotifyOptions options, LiveState &state, Bus &bus, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_state(state), m_tracker(m_options)
{
    if (m_options.pushes())
        m_network = new QNetworkAccessManager(this);
    for (const QUrl &url : std::as_const(m_options.alertmanagers))
        m_alertmanagers.append(new AlertmanagerNotifier(url, m_tracker, m_network, m_options, this));
    if (!m_options.webhook.isEmpty())
        m_webhook = new WebhookNotifier(m_options.webhook, m_tracker, m_network, m_options, this);

    connect(&bus, &Bus::anomalies, this, [this](const QList<Anomaly> &a) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        changed(m_tracker.observe(a, now), now);
    });
    connect(&bus, &Bus::readings, this, [this](const QList<Reading> &r) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        changed(m_tracker.observeReadings(r, now), now);
    });
    connect(&m_tick, &QTimer::timeout, this, &NotificationService::tick);
    m_tick.start(kTickMs);
    m_lastResendMs = QDateTime::currentMSecsSinceEpoch();
    publish();
}

NotificationService::~NotificationService() = default;

void NotificationService::changed(const QStringList &fingerprints, qint64 nowMs)
{
    if (fingerprints.isEmpty())
        return;
    for (AlertmanagerNotifier *am : std::as_const(m_alertmanagers))
        am->enqueue(fingerprints);
    if (m_webhook)
        m_webhook->changed(fingerprints, nowMs);
    // LiveState is refreshed by tick(): a burst of anomalies costs no copy per batch.
}

void NotificationService::tick()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QStringList expired = m_tracker.expire(now);
    for (AlertmanagerNotifier *am : std::as_const(m_alertmanagers))
        am->enqueue(expired);
    if (now - m_lastResendMs >= m_options.resendIntervalMs) {
        m_lastResendMs = now;
        const QStringList all = m_tracker.fingerprints();
        for (AlertmanagerNotifier *am : std::as_const(m_alertmanagers))
            am->enqueue(all);
    }
    if (m_webhook) {
        m_webhook->changed(expired, now);
        m_webhook->tick(now);
    }
    publish();
}

void NotificationService::publish()
{
    NotifyStatus s;
    s.firing = m_tracker.firingCounts();
    s.tracked = m_tracker.size();
    for (const AlertmanagerNotifier *am : std::as_const(m_alertmanagers))
        s.targets.append(am->status());
    if (m_webhook)
        s.targets.append(m_webhook->status());
    m_state.setNotifyStatus(s);
}

} // namespace stratus
