#pragma once

// A real HTTP server on 127.0.0.1 that receives alert pushes and webhook messages (JSON POSTs) for
// the notification tests: it keeps every request (path, body, arrival time, the status it answered)
// and answers with a status the test chooses (e.g. 503 for the first N requests: a receiver that is
// down, then comes back).
#include <QDateTime>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>

#include <functional>

class WebhookReceiver
{
public:
    struct Request
    {
        QString path;
        QByteArray body;
        qint64 atMs = 0;        // since the receiver started
        qint64 wallMs = 0;      // wall clock at arrival
        int answered = 200;
        QJsonDocument json() const { return QJsonDocument::fromJson(body); }
    };

    WebhookReceiver()
    {
        m_clock.start();
        m_server.setMissingHandler([this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            Request r;
            r.path = request.url().path();
            r.body = request.body();
            r.atMs = m_clock.elapsed();
            r.wallMs = QDateTime::currentMSecsSinceEpoch();
            r.answered = m_status ? m_status(r) : 200;
            m_requests.append(r);
            responder.write(QByteArrayLiteral("{}"), "application/json",
                            static_cast<QHttpServerResponder::StatusCode>(r.answered));
        });
    }

    bool listen(quint16 port = 0) { return m_server.listen(QHostAddress::LocalHost, port) != 0; }
    quint16 port() const { return m_server.servers().isEmpty() ? 0 : m_server.servers().first()->serverPort(); }
    QString url(const QString &path) const { return QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path); }

    // The status of each answer, from the request (and how many came before it).
    void answer(std::function<int(const Request &)> status) { m_status = std::move(status); }
    // The next n requests get `status`, the others 200.
    void failFirst(int n, int status = 503)
    {
        auto left = std::make_shared<int>(n);
        answer([left, status](const Request &) { return (*left)-- > 0 ? status : 200; });
    }

    const QList<Request> &requests() const { return m_requests; }
    QList<Request> delivered(const QString &path = QString()) const
    {
        QList<Request> out;
        for (const Request &r : m_requests) {
            if (r.answered / 100 == 2 && (path.isEmpty() || r.path == path))
                out.append(r);
        }
        return out;
    }

private:
    QHttpServer m_server;
    QElapsedTimer m_clock;
    QList<Request> m_requests;
    std::function<int(const Request &)> m_status;
};
