#pragma once

#include "AlertTracker.h"
#include "NotifyReceiver.h"

#include <QHash>
#include <QSet>
#include <QStringList>

namespace stratus {

// Posts Alertmanager's webhook message (version 4) straight to a URL, for users without an
// Alertmanager, and behaves like a minimal one: alerts are grouped by station and kind; a change of
// a group (an alert fires, escalates or resolves) is collected for group_wait, then the group's
// current alerts go out in one message; a group still firing is notified again every
// repeat_interval; a resolved alert is sent once, and only if its firing was. Notifications wait in
// a bounded queue (one entry per group; beyond webhook_queue the oldest is dropped and counted); a
// failed post pauses the queue with backoff and is retried up to webhook_retries times, then given
// up and counted. Messages are built when sent, from the alerts' state at that moment.
class WebhookNotifier : public NotifyReceiver
{
    Q_OBJECT
public:
    WebhookNotifier(const QUrl &url, const AlertTracker &tracker, QNetworkAccessManager *network,
                    const NotifyOptions &options, QObject *parent = nullptr);

    // These alerts changed: their groups are notified after group_wait.
    void changed(const QStringList &fingerprints, qint64 nowMs);
    // Repeats of groups still firing, and whatever is due.
    void tick(qint64 nowMs);

protected:
    void pump() override;
    void delivered() override;
    void failed(bool permanent) override;
    qint64 queued() const override { return m_order.size(); }

private:
    struct Pending
    {
        qint64 dueMs = 0;
        int attempts = 0;
        qint64 againDueMs = 0; // changed while in flight: notify again (0 = no)
    };
    void schedule(const QString &groupKey, qint64 dueMs);
    QList<const AlertTracker::Alert *> messageAlerts(const QString &groupKey) const;
    void finish(); // the in-flight group leaves the queue

    const AlertTracker &m_tracker;
    QStringList m_order;              // group keys, oldest first
    QHash<QString, Pending> m_pending;
    QHash<QString, qint64> m_lastNotifiedMs; // groups with a firing alert notified, for repeats
    QSet<QString> m_notifiedFiring;   // alerts a receiver has seen firing (so their resolve is news)
    QTimer m_due; // wakes pump() when the earliest waiting group is due
    QString m_inFlight;
    QList<std::pair<QString, bool>> m_inFlightAlerts; // fingerprint, firing as sent
};

} // namespace stratus
