#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

namespace stratus {

// Every way a request can fail, independent of HTTP; httpStatus() is the one place mapping them.
enum class ApiError {
    BadRequest,       // malformed parameter or body
    Unauthorized,     // no credentials
    Forbidden,        // wrong credentials, or writes disabled
    NotFound,         // unknown route, station or model version
    MethodNotAllowed, // route exists, method does not
    PayloadTooLarge,
    UriTooLong,
    TooManyRequests,  // rate limit
    Conflict,         // the resource is busy (a retrain job is already running)
    Unavailable,      // store closed, shutting down
    Internal,         // a bug or an I/O failure; never a crash
};

int httpStatus(ApiError error);
QByteArray reasonPhrase(int status);

// A complete answer: status, content type, body and extra headers. Controllers build these and
// ApiServer writes them; nothing else touches the socket.
struct ApiReply
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    void addHeader(const QByteArray &name, const QByteArray &value) { headers.append(qMakePair(name, value)); }

    static ApiReply json(const QJsonObject &o, int status = 200);
    static ApiReply text(QByteArray body, QByteArray contentType, int status = 200);
    // {"status": 404, "error": "Not Found", "message": "..."}.
    static ApiReply error(ApiError error, const QString &message);
};

} // namespace stratus
