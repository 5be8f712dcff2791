#pragma once

#include "NotifyOptions.h"
#include "NotifyStatus.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

class QNetworkAccessManager;
class QNetworkReply;

namespace stratus {

// The HTTP side shared by the Alertmanager and webhook notifiers: one POST at a time to one URL,
// the receiver's state for /health and /metrics, and the pause after a failure (exponential
// backoff from retry_initial to retry_max with ±20 % jitter, so several Stratus processes do not
// retry in step). A 4xx answer (but 408 and 429) means the receiver refuses the payload: retrying
// cannot help, so it is reported as permanent.
class NotifyReceiver : public QObject
{
    Q_OBJECT
public:
    // A copy with the current queue length.
    NotifyStatus::Target status() const;

protected:
    NotifyReceiver(const QString &kind, const QUrl &url, QNetworkAccessManager *network, const NotifyOptions &options,
                   QObject *parent);
    ~NotifyReceiver() override;

    // Nothing in flight and no backoff running: pump() may post.
    bool idle() const;
    void post(const QByteArray &json);
    // Calls pump() again after the backoff.
    void retryLater();

    virtual void pump() = 0;
    virtual void delivered() = 0;
    virtual void failed(bool permanent) = 0;
    virtual qint64 queued() const = 0;

    const NotifyOptions &m_options;
    NotifyStatus::Target m_status;

private:
    void finished();

    QNetworkAccessManager *m_network;
    QUrl m_url;
    QPointer<QNetworkReply> m_reply;
    QTimer m_retry;
    qint64 m_backoffMs = 0;
};

} // namespace stratus
