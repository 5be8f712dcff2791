#include "ApiRequest.h"

#include "TimeUtil.h"

#include <QHttpServerRequest>
#include <QMetaEnum>

#include <cmath>

namespace stratus {

ApiRequest::ApiRequest(const QHttpServerRequest &request)
    : m_query(request.url()), m_headers(request.headers()), m_body(request.body()),
      m_remote(request.remoteAddress())
{
    m_method = QByteArray(QMetaEnum::fromType<QHttpServerRequest::Method>().valueToKey(int(request.method())))
                   .toUpper();
    // Split the still-encoded path so an encoded "/" inside an id stays part of the id.
    m_target = request.url().toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority);
    const QString encoded = request.url().path(QUrl::FullyEncoded);
    for (const QString &s : encoded.split(QLatin1Char('/'), Qt::SkipEmptyParts))
        m_segments.append(QUrl::fromPercentEncoding(s.toUtf8()));
}

QByteArray ApiRequest::cacheKey() const
{
    QList<QPair<QString, QString>> items = m_query.queryItems(QUrl::FullyDecoded);
    std::sort(items.begin(), items.end());
    QString key = m_segments.join(u'/');
    for (const auto &[k, v] : std::as_const(items))
        key += u'\n' + k + u'=' + v;
    return key.toUtf8();
}

QByteArray ApiRequest::header(const QByteArray &name) const
{
    for (const auto &[k, v] : m_headers) {
        if (k.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return QByteArray();
}

QString ApiRequest::string(const QString &name) const
{
    return m_query.queryItemValue(name, QUrl::FullyDecoded);
}

void ApiRequest::fail(const QString &message)
{
    if (m_problem.isEmpty())
        m_problem = message;
}

std::optional<qint64> ApiRequest::parseTime(const QString &text)
{
    bool ok = false;
    const double seconds = text.toDouble(&ok);
    if (ok) {
        // ±9999 years either side of 1970 keeps every later addition inside qint64 milliseconds.
        if (!std::isfinite(seconds) || std::abs(seconds) > 3.0e11)
            return std::nullopt;
        return static_cast<qint64>(std::llround(seconds * 1000.0));
    }
    return timeutil::parseIsoUtc(QStringView(text));
}

qint64 ApiRequest::time(const QString &name, qint64 fallback)
{
    if (!has(name))
        return fallback;
    const QString v = string(name);
    const auto t = parseTime(v);
    if (!t) {
        fail(QStringLiteral("parameter \"%1\": \"%2\" is not a time; use ISO 8601 (2026-01-28T12:00:00Z) or Unix "
                            "epoch seconds")
                 .arg(name, v.left(64)));
        return fallback;
    }
    return *t;
}

qint64 ApiRequest::integer(const QString &name, qint64 fallback, qint64 min, qint64 max)
{
    if (!has(name))
        return fallback;
    const QString v = string(name);
    bool ok = false;
    const qint64 x = v.toLongLong(&ok);
    if (!ok || x < min || x > max) {
        fail(QStringLiteral("parameter \"%1\": \"%2\" is not an integer from %3 to %4").arg(name, v.left(64)).arg(min).arg(max));
        return fallback;
    }
    return x;
}

QString ApiRequest::choice(const QString &name, const QStringList &allowed, const QString &fallback)
{
    if (!has(name))
        return fallback;
    const QString v = string(name);
    if (!allowed.contains(v)) {
        fail(QStringLiteral("parameter \"%1\": \"%2\" is not one of %3").arg(name, v.left(64), allowed.join(QStringLiteral(", "))));
        return fallback;
    }
    return v;
}

} // namespace stratus
