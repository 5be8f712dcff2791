#pragma once

#include "AlertTracker.h"
#include "NotifyReceiver.h"

#include <QSet>
#include <QStringList>

namespace stratus {

// Pushes alerts to one Alertmanager (POST /api/v2/alerts), the way Prometheus' notifier does: a
// queue per Alertmanager, batches of at most 256 alerts, each firing alert valid for 4 × the resend
// interval (NotificationService re-queues every alert that often). Unlike Prometheus, a batch that
// fails is not dropped but re-queued and retried with backoff, and the queue holds fingerprints,
// not copies: an alert queued twice is sent once, with its state at the moment it is sent (a firing
// alert is never sent with an endsAt that already passed while Alertmanager was down). So the queue
// is bounded by the number of tracked alerts, and an alert that still fires when Alertmanager comes
// back is the first thing it hears.
class AlertmanagerNotifier : public NotifyReceiver
{
    Q_OBJECT
public:
    static constexpr int kMaxBatch = 256;

    AlertmanagerNotifier(const QUrl &pushUrl, const AlertTracker &tracker, QNetworkAccessManager *network,
                         const NotifyOptions &options, QObject *parent = nullptr);

    // Queues these alerts (by fingerprint) and sends what it can.
    void enqueue(const QStringList &fingerprints);

protected:
    void pump() override;
    void delivered() override;
    void failed(bool permanent) override;
    qint64 queued() const override { return m_queue.size(); }

private:
    const AlertTracker &m_tracker;
    QStringList m_queue; // oldest first
    QSet<QString> m_queued;
    QStringList m_inFlight;
};

} // namespace stratus
