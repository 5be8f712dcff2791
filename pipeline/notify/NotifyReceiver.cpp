#include "NotifyReceiver.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>

namespace stratus {

NotifyReceiver::NotifyReceiver(const QString &kind, const QUrl &url, QNetworkAccessManager *network,
                               const NotifyOptions &options, QObject *parent)
    : QObject(parent), m_options(options), m_network(network), m_url(url)
{
    m_status.kind = kind;
    m_status.url = url.toDisplayString(QUrl::RemoveUserInfo);
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, [this] { pump(); });
}

NotifyReceiver::~NotifyReceiver()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
}

NotifyStatus::Target NotifyReceiver::status() const
{
    NotifyStatus::Target t = m_status;
    t.queued = queued();
    return t;
}

bool NotifyReceiver::idle() const
{
    return !m_reply && !m_retry.isActive();
}

void NotifyReceiver::post(const QByteArray &json)
{
    QNetworkRequest request(m_url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("Stratus/" STRATUS_VERSION));
    request.setTransferTimeout(static_cast<int>(m_options.timeoutMs));
    m_reply = m_network->post(request, json);
    connect(m_reply, &QNetworkReply::finished, this, &NotifyReceiver::finished);
}

void NotifyReceiver::retryLater()
{
    m_backoffMs = m_backoffMs == 0 ? m_options.retryInitialMs : std::min(m_options.retryMaxMs, 2 * m_backoffMs);
    const double jitter = 0.8 + 0.4 * QRandomGenerator::global()->generateDouble();
    m_retry.start(static_cast<int>(static_cast<double>(m_backoffMs) * jitter));
}

void NotifyReceiver::finished()
{
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->deleteLater();
    const int code = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (reply->error() == QNetworkReply::NoError && code / 100 == 2) {
        m_status.state = NotifyStatus::Target::State::Up;
        m_status.lastSuccessMs = now;
        m_backoffMs = 0;
        delivered();
        return;
    }
    ++m_status.errors;
    m_status.state = NotifyStatus::Target::State::Down;
    m_status.lastErrorMs = now;
    if (code > 0)
        m_status.lastError = QStringLiteral("HTTP %1: %2").arg(code).arg(QString::fromUtf8(reply->readAll().left(300)).trimmed());
    else
        m_status.lastError = reply->errorString();
    const bool permanent = code >= 400 && code < 500 && code != 408 && code != 429;
    failed(permanent);
}

} // namespace stratus
