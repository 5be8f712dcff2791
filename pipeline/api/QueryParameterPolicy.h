#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>
#include <QStringList>

#include <optional>

class QUrlQuery;

namespace stratus {

// Which query parameters each route takes, read from the OpenAPI document the server publishes, so
// the contract and the check cannot drift apart (a parameter missing from the document is refused). A request naming any other parameter is a 400: a typo such as ?statoin=KMSN must
// not silently answer for every station, and unknown parameters must not mint new cache entries.
class QueryParameterPolicy
{
public:
    // Reads the routes from an OpenAPI 3 JSON document; without one nothing is checked.
    explicit QueryParameterPolicy(const QByteArray &openApiJson);

    // The problem with the request's parameters, or nullopt when every one is known (or the route is
    // not one the document describes: routing answers that with 404/405).
    std::optional<QString> check(const QByteArray &method, const QStringList &segments, const QUrlQuery &query) const;

    // The parameters a route takes (empty for an undescribed route); for tests and messages.
    QStringList parameters(const QByteArray &method, const QStringList &segments) const;

    int routeCount() const { return int(m_routes.size()); }

private:
    struct Route
    {
        QByteArray method;      // upper case
        QStringList segments;   // "{…}" segments match any value
        QSet<QString> params;
    };
    const Route *find(const QByteArray &method, const QStringList &segments) const;
    void allow(const QByteArray &method, const QString &path, const QStringList &params);

    QList<Route> m_routes;
};

} // namespace stratus
