#pragma once

// A real HTTP/1.1 server on 127.0.0.1 for source tests: serves the recorded API responses with the
// Content-Type the real service uses, and can misbehave on purpose (error status, Retry-After,
// a body cut short, no answer at all). Built on QTcpServer rather than QHttpServer because
// QHttpServer cannot cut a body short or leave a request unanswered.
#include "TestData.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <memory>

class FixtureHttpServer
{
public:
    struct Reply
    {
        enum class Mode { Complete, CutShort, NeverAnswer };
        int status = 200;
        QByteArray contentType = "application/geo+json";
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
        Mode mode = Mode::Complete;
    };

    struct Request
    {
        QByteArray method;
        QByteArray target; // path?query as sent
        QString path;      // decoded path
        QUrlQuery query;
        QHash<QByteArray, QByteArray> headers; // lower-case names
        qint64 atMs = 0;                       // since the server started
    };

    using Handler = std::function<Reply(const Request &)>;

    static constexpr const char *kNwsType = "application/geo+json";
    static constexpr const char *kOpenMeteoType = "application/json; charset=utf-8";

    FixtureHttpServer()
    {
        m_clock.start();
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection())
                accept(s);
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    QUrl baseUrl() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port())); }

    // Exact path match ("/stations/KLIT/observations/latest"); the query is ignored for matching.
    void route(const QString &path, Handler handler) { m_routes.insert(path, std::move(handler)); }
    void route(const QString &path, Reply reply)
    {
        route(path, [reply](const Request &) { return reply; });
    }
    // Successive requests get successive replies; the last one repeats.
    void routeSequence(const QString &path, QList<Reply> replies)
    {
        auto n = std::make_shared<int>(0);
        route(path, [replies, n](const Request &) { return replies[std::min<qsizetype>((*n)++, replies.size() - 1)]; });
    }

    QList<Request> requests(const QString &path = QString()) const
    {
        if (path.isEmpty())
            return m_requests;
        QList<Request> out;
        for (const Request &r : m_requests) {
            if (r.path == path)
                out << r;
        }
        return out;
    }

    static QByteArray fixture(const char *relative)
    {
        QFile f(testdata::shared("fixtures/api/") + QString::fromUtf8(relative));
        if (!f.open(QIODevice::ReadOnly))
            qFatal("missing fixture %s", relative);
        return f.readAll();
    }
    static Reply ok(const QByteArray &body, const char *type = kNwsType)
    {
        Reply r;
        r.body = body;
        r.contentType = type;
        return r;
    }
    static Reply status(int code, const QByteArray &body = QByteArray(), const char *type = "application/problem+json")
    {
        Reply r;
        r.status = code;
        r.body = body;
        r.contentType = type;
        return r;
    }

private:
    void accept(QTcpSocket *socket)
    {
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
            buffer->append(socket->readAll());
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QList<QByteArray> lines = buffer->left(end).split('\n');
            buffer->remove(0, end + 4);
            Request req;
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            req.method = first.value(0);
            req.target = first.value(1);
            const QUrl url(QString::fromLatin1(req.target));
            req.path = url.path();
            req.query = QUrlQuery(url);
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines[i].trimmed();
                const qsizetype colon = line.indexOf(':');
                if (colon > 0)
                    req.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
            }
            req.atMs = m_clock.elapsed();
            m_requests.append(req);
            const auto it = m_routes.constFind(req.path);
            const Reply reply = it == m_routes.cend()
                ? status(404, R"({"title":"Not Found","status":404,"detail":"no fixture for this path in the test server"})")
                : (*it)(req);
            respond(socket, reply);
        });
    }

    static QByteArray reason(int status)
    {
        switch (status) {
        case 200: return "OK";
        case 400: return "Bad Request";
        case 404: return "Not Found";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return "Status";
        }
    }

    void respond(QTcpSocket *socket, const Reply &reply)
    {
        if (reply.mode == Reply::Mode::NeverAnswer)
            return; // keep the connection open and silent
        QByteArray head = "HTTP/1.1 " + QByteArray::number(reply.status) + ' ' + reason(reply.status) + "\r\n";
        head += "Content-Type: " + reply.contentType + "\r\n";
        head += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n";
        for (const auto &h : reply.headers)
            head += h.first + ": " + h.second + "\r\n";
        head += "Connection: close\r\n\r\n";
        socket->write(head);
        if (reply.mode == Reply::Mode::CutShort) {
            // Promise the whole body, send half, hang up.
            socket->write(reply.body.left(reply.body.size() / 2));
            socket->disconnectFromHost(); // after the half is written: the client sees EOF early
            return;
        }
        socket->write(reply.body);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QElapsedTimer m_clock;
    QHash<QString, Handler> m_routes;
    QList<Request> m_requests;
};
