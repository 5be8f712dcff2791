#include "HttpClient.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace stratus {

Q_LOGGING_CATEGORY(lcHttp, "stratus.http")

namespace {

bool isRetryableStatus(int status)
{
    // 429 and 5xx say "try later"; other 4xx say the request itself is wrong, so repeating it is useless.
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

QString hostKey(const QUrl &url)
{
    return url.host() + u':' + QString::number(url.port(url.scheme() == QLatin1String("https") ? 443 : 80));
}

} // namespace

HttpClient::HttpClient(Options options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    if (m_options.userAgent.isEmpty())
        m_options.userAgent = defaultUserAgent(QString());
    m_options.maxAttempts = std::max(1, m_options.maxAttempts);
    m_clock.start();
}

HttpClient::~HttpClient()
{
    // Replies still in flight must not call back into a half-destroyed client or its owner.
    const auto replies = m_nam.findChildren<QNetworkReply *>();
    for (QNetworkReply *reply : replies) {
        reply->disconnect(this);
        reply->abort();
    }
}

QByteArray HttpClient::defaultUserAgent(const QString &contact)
{
    const QString who = contact.trimmed().isEmpty() ? QStringLiteral("no contact configured; see --contact")
                                                    : contact.trimmed();
    return QStringLiteral("Stratus/%1 (%2)").arg(QStringLiteral(STRATUS_VERSION), who).toUtf8();
}

std::optional<qint64> HttpClient::parseRetryAfter(QByteArrayView value, qint64 nowMs)
{
    const QByteArray text = value.toByteArray().trimmed();
    if (text.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 seconds = text.toLongLong(&ok);
    if (ok)
        return seconds < 0 ? std::nullopt : std::optional<qint64>(seconds * 1000);
    // HTTP-date, e.g. "Wed, 21 Oct 2015 07:28:00 GMT"; Qt's RFC 2822 parser wants a numeric zone.
    QString date = QString::fromLatin1(text);
    if (date.endsWith(QLatin1String(" GMT")) || date.endsWith(QLatin1String(" UTC")))
        date = date.chopped(4) + QStringLiteral(" +0000");
    const QDateTime when = QDateTime::fromString(date, Qt::RFC2822Date);
    if (!when.isValid())
        return std::nullopt;
    return std::max<qint64>(0, when.toMSecsSinceEpoch() - nowMs);
}

qint64 HttpClient::backoffDelayMs(int retry, const Options &options, double jitter01)
{
    const double exp = options.backoffBaseMs * std::pow(2.0, std::max(0, retry - 1));
    const double cap = std::min<double>(exp, options.backoffMaxMs);
    return static_cast<qint64>(cap / 2 + jitter01 * cap / 2);
}

void HttpClient::get(const QUrl &url, QObject *context, Callback done)
{
    auto p = std::make_shared<Pending>();
    p->url = url;
    p->context = context;
    p->done = std::move(done);
    ++m_pending;
    enqueue(p, now());
}

void HttpClient::enqueue(const PendingPtr &p, qint64 notBeforeMs)
{
    // Per-host spacing: each request takes the next free slot of its host.
    const QString host = hostKey(p->url);
    const qint64 slot = std::max({notBeforeMs, now(), m_nextSlotMs.value(host, 0)});
    m_nextSlotMs.insert(host, slot + m_options.minIntervalPerHostMs);
    const qint64 wait = slot - now();
    if (wait <= 0) {
        send(p);
        return;
    }
    QTimer::singleShot(std::chrono::milliseconds(wait), this, [this, p] { send(p); });
}

void HttpClient::send(const PendingPtr &p)
{
    if (!p->context) { // the requester is gone; nobody wants the answer
        --m_pending;
        return;
    }
    ++p->attempt;
    QNetworkRequest request(p->url);
    request.setHeader(QNetworkRequest::UserAgentHeader, m_options.userAgent);
    if (!m_options.accept.isEmpty())
        request.setRawHeader("Accept", m_options.accept);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    QNetworkReply *reply = m_nam.get(request);

    // Our own deadline rather than the transfer timeout: it bounds the whole attempt, also a server
    // that trickles bytes, and lets the error say "timed out" instead of "operation canceled".
    auto *deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    reply->setProperty("stratus_timed_out", false);
    connect(deadline, &QTimer::timeout, reply, [reply] {
        reply->setProperty("stratus_timed_out", true);
        reply->abort();
    });
    deadline->start(m_options.timeoutMs);

    connect(reply, &QNetworkReply::finished, this, [this, p, reply] {
        reply->deleteLater();
        Response r;
        r.url = p->url;
        r.attempts = p->attempt;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
        const bool timedOut = reply->property("stratus_timed_out").toBool();
        const QNetworkReply::NetworkError netError = reply->error();
        r.body = reply->readAll();
        std::optional<qint64> retryAfter;

        if (timedOut) {
            r.status = 0;
            r.error = QStringLiteral("no response within %1 ms (timed out)").arg(m_options.timeoutMs);
        } else if (r.status >= 200 && r.status < 300 && netError == QNetworkReply::NoError) {
            complete(p, std::move(r));
            return;
        } else if (r.status != 0) {
            const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
            r.error = QStringLiteral("HTTP %1 %2").arg(r.status).arg(reason).trimmed();
            if (r.status == 429 || r.status == 503)
                retryAfter = parseRetryAfter(reply->rawHeader("Retry-After"), QDateTime::currentMSecsSinceEpoch());
            if (r.status >= 200 && r.status < 300) // a 2xx cut short: the body is not complete
                r.error = QStringLiteral("HTTP %1 but the body was cut short: %2").arg(r.status).arg(reply->errorString());
        } else {
            r.error = reply->errorString();
        }

        const bool retryable = timedOut || r.status == 0 || isRetryableStatus(r.status)
                               || (r.status >= 200 && r.status < 300);
        if (!retryable || p->attempt >= m_options.maxAttempts) {
            if (p->attempt > 1)
                r.error += QStringLiteral(" (after %1 attempts)").arg(p->attempt);
            complete(p, std::move(r));
            return;
        }
        qint64 delay = backoffDelayMs(p->attempt, m_options, QRandomGenerator::global()->generateDouble());
        if (retryAfter) {
            if (*retryAfter > m_options.maxRetryAfterMs) {
                r.error += QStringLiteral(" (Retry-After %1 s is longer than the %2 s we wait)")
                               .arg(*retryAfter / 1000)
                               .arg(m_options.maxRetryAfterMs / 1000);
                complete(p, std::move(r));
                return;
            }
            delay = *retryAfter;
            // The whole host asked us to back off, not just this request.
            const QString host = hostKey(p->url);
            m_nextSlotMs.insert(host, std::max(m_nextSlotMs.value(host, 0), now() + delay));
        }
        qCInfo(lcHttp).noquote() << QStringLiteral("GET %1: %2; retry %3 of %4 in %5 ms%6")
                                        .arg(p->url.toString(), r.error)
                                        .arg(p->attempt)
                                        .arg(m_options.maxAttempts - 1)
                                        .arg(delay)
                                        .arg(retryAfter ? QStringLiteral(" (Retry-After)") : QString());
        emit retrying(p->url, p->attempt, delay, r.error);
        enqueue(p, now() + delay);
    });
}

void HttpClient::complete(const PendingPtr &p, Response response)
{
    --m_pending;
    if (p->context && p->done)
        p->done(response);
}

} // namespace stratus
