#include "AlertmanagerNotifier.h"

#include "AlertPayload.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace stratus {

AlertmanagerNotifier::AlertmanagerNotifier(const QUrl &pushUrl, const AlertTracker &tracker,
                                           QNetworkAccessManager *network, const NotifyOptions &options, QObject *parent)
    : NotifyReceiver(QStringLiteral("alertmanager"), pushUrl, network, options, parent), m_tracker(tracker)
{
}

void AlertmanagerNotifier::enqueue(const QStringList &fingerprints)
{
    for (const QString &fp : fingerprints) {
        if (!m_queued.contains(fp)) {
            m_queued.insert(fp);
            m_queue.append(fp);
        }
    }
    pump();
}

void AlertmanagerNotifier::pump()
{
    if (!idle() || m_queue.isEmpty())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QJsonArray batch;
    while (!m_queue.isEmpty() && batch.size() < kMaxBatch) {
        const QString fp = m_queue.takeFirst();
        m_queued.remove(fp);
        const AlertTracker::Alert *alert = m_tracker.find(fp);
        if (!alert)
            continue; // resolved long enough ago to be forgotten
        // Valid for four resends, as Prometheus does: a missed push or two does not resolve it.
        batch.append(AlertPayload::postable(*alert, now, 4 * m_options.resendIntervalMs));
        m_inFlight.append(fp);
    }
    if (!batch.isEmpty())
        post(QJsonDocument(batch).toJson(QJsonDocument::Compact));
}

void AlertmanagerNotifier::delivered()
{
    m_status.sent += m_inFlight.size();
    m_inFlight.clear();
    pump();
}

void AlertmanagerNotifier::failed(bool permanent)
{
    if (permanent) {
        m_status.dropped += m_inFlight.size();
        m_inFlight.clear();
        pump();
        return;
    }
    // Back to the front, before what arrived meanwhile; sent again with their state at that time.
    QStringList again;
    for (const QString &fp : std::as_const(m_inFlight)) {
        if (!m_queued.contains(fp)) {
            m_queued.insert(fp);
            again.append(fp);
        }
    }
    m_queue = again + m_queue;
    m_inFlight.clear();
    retryLater();
}

} // namespace stratus
