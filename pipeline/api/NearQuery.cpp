#include "NearQuery.h"

#include "JsonCodec.h"
#include "LiveState.h"

#include <QJsonArray>

#include <cmath>

namespace stratus {

namespace {

QString item(const QUrlQuery &url, const char *key)
{
    const QString k = QString::fromLatin1(key);
    return url.hasQueryItem(k) ? url.queryItemValue(k, QUrl::FullyDecoded) : QString();
}

double rounded(double x, double scale) { return std::round(x * scale) / scale; }

} // namespace

bool NearQuery::isNearRequest(const QUrlQuery &url)
{
    return url.hasQueryItem(QStringLiteral("near")) || url.hasQueryItem(QStringLiteral("radius_km"));
}

Result<GeoQuery> NearQuery::parse(const QUrlQuery &url)
{
    if (!url.hasQueryItem(QStringLiteral("near")))
        return makeError(QStringLiteral("radius_km needs near=LAT,LON (the centre of the search)"));
    // A present-but-empty radius_km= or limit= is a mistake to report, not "not given".
    for (const char *key : {"radius_km", "limit"}) {
        if (url.hasQueryItem(QString::fromLatin1(key)) && item(url, key).trimmed().isEmpty())
            return makeError(QStringLiteral("%1= is empty; give a number or leave it out").arg(QLatin1String(key)));
    }
    const QString radius = item(url, "radius_km"), limit = item(url, "limit");
    return GeoQuery::parse(item(url, "near"), radius, limit, GeoQuery::Syntax::Url);
}

QList<NearStation> NearQuery::run(const StationCatalogue &catalogue, const GeoQuery &query)
{
    // Building the index costs O(n log n) (about a millisecond for 1,400 stations), less than
    // serialising the answer, so it is built per request from the current catalogue.
    return StationIndex(catalogue.stations()).query(query);
}

QJsonObject NearQuery::toJson(const GeoQuery &query, const QList<NearStation> &stations, const LiveState *state)
{
    QJsonArray list;
    for (const NearStation &n : stations) {
        QJsonObject o = JsonCodec::toJson(n.station);
        o.insert(QLatin1String("distance_km"), rounded(n.distanceKm, 1000));
        o.insert(QLatin1String("bearing_deg"), rounded(n.bearingDeg, 100));
        if (state) {
            if (const auto latest = state->latestReading(n.station.id))
                o.insert(QLatin1String("latest"), JsonCodec::toJson(*latest));
        }
        list.append(o);
    }
    QJsonObject near;
    near.insert(JsonKeys::latitude, query.center.latitude());
    near.insert(JsonKeys::longitude, query.center.longitude());
    QJsonObject o;
    o.insert(QLatin1String("near"), near);
    if (query.hasRadius())
        o.insert(QLatin1String("radius_km"), query.radiusKm);
    if (query.hasLimit())
        o.insert(QLatin1String("limit"), query.limit);
    o.insert(QLatin1String("count"), list.size());
    o.insert(QLatin1String("stations"), list);
    return o;
}

} // namespace stratus
