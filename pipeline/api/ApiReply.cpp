#include "ApiReply.h"

#include "ApiKeys.h"

#include <QJsonDocument>

namespace stratus {

int httpStatus(ApiError error)
{
    switch (error) {
    case ApiError::BadRequest: return 400;
    case ApiError::Unauthorized: return 401;
    case ApiError::Forbidden: return 403;
    case ApiError::NotFound: return 404;
    case ApiError::MethodNotAllowed: return 405;
    case ApiError::PayloadTooLarge: return 413;
    case ApiError::UriTooLong: return 414;
    case ApiError::TooManyRequests: return 429;
    case ApiError::Conflict: return 409;
    case ApiError::Unavailable: return 503;
    case ApiError::Internal: return 500;
    }
    return 500;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 429: return "Too Many Requests";
    case 409: return "Conflict";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

ApiReply ApiReply::json(const QJsonObject &o, int status)
{
    ApiReply r;
    r.status = status;
    r.body = QJsonDocument(o).toJson(QJsonDocument::Compact);
    return r;
}

ApiReply ApiReply::text(QByteArray body, QByteArray contentType, int status)
{
    ApiReply r;
    r.status = status;
    r.body = std::move(body);
    r.contentType = std::move(contentType);
    return r;
}

ApiReply ApiReply::error(ApiError error, const QString &message)
{
    const int status = httpStatus(error);
    QJsonObject o;
    o.insert(ApiKeys::status, status);
    o.insert(ApiKeys::error, QString::fromLatin1(reasonPhrase(status)));
    o.insert(ApiKeys::message, message);
    ApiReply r = json(o, status);
    if (error == ApiError::Unauthorized)
        r.addHeader("WWW-Authenticate", "Bearer realm=\"stratus\"");
    return r;
}

} // namespace stratus
