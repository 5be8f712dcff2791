#pragma once

#include "AlertTracker.h"
#include "NotifyOptions.h"

#include <QObject>
#include <QTimer>

class QNetworkAccessManager;

namespace stratus {

class AlertmanagerNotifier;
class Bus;
class LiveState;
class WebhookNotifier;

// The one object an engine creates for notifications: it listens to the bus's anomalies (detector
// alerts, rule notices, model alerts alike) and readings (which end dropouts), keeps the alerts'
// life cycle (AlertTracker), pushes them to every configured Alertmanager and to the direct
// webhook, and publishes what it does into LiveState (firing counts, receivers' state) for
// /health and /metrics. Without any receiver configured it still tracks, so /metrics counts firing
// alerts. Every resend_interval each Alertmanager is sent every alert again (Prometheus' resend);
// a state change is sent at once. Lives on the engine's thread.
class NotificationService : public QObject
{
    Q_OBJECT
public:
    NotificationService(NotifyOptions options, LiveState &state, Bus &bus, QObject *parent = nullptr);
    ~NotificationService() override;

    const AlertTracker &tracker() const { return m_tracker; }
    static constexpr int kTickMs = 1000;

private:
    void changed(const QStringList &fingerprints, qint64 nowMs);
    void tick();
    void publish();

    NotifyOptions m_options;
    LiveState &m_state;
    AlertTracker m_tracker;
    QNetworkAccessManager *m_network = nullptr;
    QList<AlertmanagerNotifier *> m_alertmanagers;
    WebhookNotifier *m_webhook = nullptr;
    QTimer m_tick;
    qint64 m_lastResendMs = 0;
};

} // namespace stratus
