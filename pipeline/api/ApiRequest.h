#pragma once

#include "ApiReply.h"

#include <QHostAddress>
#include <QStringList>
#include <QUrlQuery>

#include <limits>
#include <optional>

class QHttpServerRequest;

namespace stratus {

// A request reduced to what controllers need, with typed parameter readers. A reader that meets a
// bad value records the first problem (naming the parameter and the value) and returns a default;
// the controller checks failed() once and answers 400 with that message.
class ApiRequest
{
public:
    explicit ApiRequest(const QHttpServerRequest &request);

    QByteArray method() const { return m_method; }
    // Path and query as sent (still encoded): the response cache key.
    const QByteArray &target() const { return m_target; }
    // Path and parameters in a canonical form (decoded, parameters sorted): two requests that ask
    // the same thing share one response-cache entry however they were spelled.
    QByteArray cacheKey() const;
    const QStringList &segments() const { return m_segments; } // decoded path segments
    QByteArray header(const QByteArray &name) const;
    const QByteArray &body() const { return m_body; }
    QHostAddress remoteAddress() const { return m_remote; }
    bool has(const QString &name) const { return m_query.hasQueryItem(name); }
    const QUrlQuery &query() const { return m_query; }
    QString string(const QString &name) const;

    // ISO 8601 (2026-01-28T12:00:00Z, +hh:mm offsets, bare dates) or Unix epoch seconds (may have
    // a fraction). Absent → fallback.
    qint64 time(const QString &name, qint64 fallback);
    // Integer in [min, max]. Absent → fallback.
    qint64 integer(const QString &name, qint64 fallback, qint64 min, qint64 max);
    // One of the allowed words. Absent → fallback.
    QString choice(const QString &name, const QStringList &allowed, const QString &fallback);
    void fail(const QString &message);

    bool failed() const { return !m_problem.isEmpty(); }
    ApiReply badRequest() const { return ApiReply::error(ApiError::BadRequest, m_problem); }

    static std::optional<qint64> parseTime(const QString &text);

private:
    QByteArray m_method;
    QByteArray m_target;
    QStringList m_segments;
    QUrlQuery m_query;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    QByteArray m_body;
    QHostAddress m_remote;
    QString m_problem;
};

} // namespace stratus
