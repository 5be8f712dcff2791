#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

namespace stratus {

// Asynchronous GET with the manners a public weather API expects: a deadline per attempt, retries
// with exponential backoff and jitter, Retry-After honoured on 429/503, a minimum spacing between
// requests to the same host, and a User-Agent that names the operator (NWS refuses anonymous
// clients). Everything runs on the owning thread's event loop; nothing blocks.
class HttpClient final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QByteArray userAgent;          // empty = defaultUserAgent(QString())
        QByteArray accept;             // Accept header; empty = none
        int timeoutMs = 10'000;        // per attempt, from send to the last byte
        int maxAttempts = 4;           // first try + retries
        int backoffBaseMs = 500;       // delay before retry n is about base × 2^(n-1) ...
        int backoffMaxMs = 60'000;     // ... capped here
        int maxRetryAfterMs = 300'000; // a server asking for longer than this is not waited for
        int minIntervalPerHostMs = 0;  // per-host rate limit: at most one request per interval
    };

    struct Response
    {
        QUrl url;
        int status = 0;          // HTTP status; 0 when no HTTP response arrived
        QByteArray body;
        QByteArray contentType;
        QString error;           // empty on success (2xx); otherwise what went wrong, in words
        int attempts = 0;
        bool ok() const { return error.isEmpty(); }
    };

    using Callback = std::function<void(const Response &)>;

    explicit HttpClient(Options options, QObject *parent = nullptr);
    ~HttpClient() override;

    const Options &options() const { return m_options; }
    // Sends GET url; `done` runs once, on this thread, unless `context` was destroyed meanwhile.
    void get(const QUrl &url, QObject *context, Callback done);
    // Requests started but not yet finished (waiting for a slot, in flight or waiting to retry).
    int pending() const { return m_pending; }

    // "Stratus/0.1.0 (contact)" — NWS asks for a way to reach the operator in the User-Agent.
    static QByteArray defaultUserAgent(const QString &contact);
    // Retry-After as delta-seconds or an HTTP-date, in ms from nowMs; nullopt when unparsable.
    static std::optional<qint64> parseRetryAfter(QByteArrayView value, qint64 nowMs);
    // Backoff before retry `retry` (1-based) with "equal jitter": half fixed, half random
    // (jitter01 in [0,1)), so clients that failed together do not retry together.
    static qint64 backoffDelayMs(int retry, const Options &options, double jitter01);

signals:
    // A failed attempt that will be retried after delayMs (sources show this as degraded).
    void retrying(const QUrl &url, int attempt, qint64 delayMs, const QString &reason);

private:
    struct Pending
    {
        QUrl url;
        QPointer<QObject> context;
        Callback done;
        int attempt = 0;
    };
    using PendingPtr = std::shared_ptr<Pending>;

    void enqueue(const PendingPtr &p, qint64 notBeforeMs);
    void send(const PendingPtr &p);
    void complete(const PendingPtr &p, Response response);
    qint64 now() const { return m_clock.elapsed(); }

    Options m_options;
    QNetworkAccessManager m_nam;
    QElapsedTimer m_clock;
    QHash<QString, qint64> m_nextSlotMs; // host → earliest time (m_clock) its next request may go
    int m_pending = 0;
};

} // namespace stratus
