#include "GeoQuery.h"

#include "Geo.h"

namespace stratus {

namespace {

QString optionName(GeoQuery::Syntax syntax, const char *commandLine, const char *url)
{
    return QString::fromLatin1(syntax == GeoQuery::Syntax::CommandLine ? commandLine : url);
}

} // namespace

QString GeoQuery::describe() const
{
    const QString where = needsUserLocation() ? QStringLiteral("your position") : Geo::format(center);
    QString s = hasLimit() ? QStringLiteral("the %1 station%2 nearest %3").arg(limit).arg(limit == 1 ? QString() : QStringLiteral("s"), where)
                           : QStringLiteral("stations near %1").arg(where);
    if (hasRadius())
        s += QStringLiteral(" within %1 km").arg(radiusKm);
    return s;
}

Result<QGeoCoordinate> GeoQuery::parseCoordinate(const QString &text, const QString &what)
{
    const QStringList parts = text.split(QLatin1Char(','));
    if (parts.size() != 2)
        return makeError(QStringLiteral("%1 \"%2\": expected LAT,LON in decimal degrees, e.g. 43.14,-89.34")
                             .arg(what, text));
    bool latOk = false, lonOk = false;
    const double lat = parts[0].trimmed().toDouble(&latOk);
    const double lon = parts[1].trimmed().toDouble(&lonOk);
    if (!latOk || !std::isfinite(lat))
        return makeError(QStringLiteral("%1 \"%2\": latitude \"%3\" is not a number").arg(what, text, parts[0].trimmed()));
    if (!lonOk || !std::isfinite(lon))
        return makeError(QStringLiteral("%1 \"%2\": longitude \"%3\" is not a number").arg(what, text, parts[1].trimmed()));
    if (lat < -90 || lat > 90)
        return makeError(QStringLiteral("%1 \"%2\": latitude %3 is impossible (must be within -90 … 90)")
                             .arg(what, text)
                             .arg(lat, 0, 'g', 12));
    if (lon < -180 || lon > 180)
        return makeError(QStringLiteral("%1 \"%2\": longitude %3 is impossible (must be within -180 … 180)")
                             .arg(what, text)
                             .arg(lon, 0, 'g', 12));
    return QGeoCoordinate(lat, lon);
}

Result<GeoQuery> GeoQuery::parse(const QString &near, const QString &radiusKm, const QString &limit, Syntax syntax)
{
    GeoQuery q;
    const QString nearName = optionName(syntax, "--near", "near");
    const QString trimmed = near.trimmed();
    if (trimmed.isEmpty())
        return makeError(QStringLiteral("%1: no position given; expected LAT,LON%2")
                             .arg(nearName, syntax == Syntax::CommandLine ? QStringLiteral(" or auto") : QString()));
    if (trimmed.compare(QLatin1String("auto"), Qt::CaseInsensitive) == 0) {
        if (syntax == Syntax::Url)
            return makeError(QStringLiteral("near=auto: the server cannot know where you are; give near=LAT,LON"));
        q.origin = Origin::UserLocation;
    } else {
        auto c = parseCoordinate(trimmed, nearName);
        if (!c)
            return c.error();
        q.center = *c;
    }

    if (!radiusKm.isNull()) {
        const QString name = optionName(syntax, "--radius-km", "radius_km");
        bool ok = false;
        const double r = radiusKm.trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(r))
            return makeError(QStringLiteral("%1 \"%2\": not a number of kilometres").arg(name, radiusKm));
        if (r <= 0)
            return makeError(QStringLiteral("%1 %2: a radius must be greater than 0 km").arg(name, radiusKm));
        if (r > Geo::kMaxDistanceKm)
            return makeError(QStringLiteral("%1 %2: no two places on Earth are more than %3 km apart")
                                 .arg(name, radiusKm)
                                 .arg(std::round(Geo::kMaxDistanceKm)));
        q.radiusKm = r;
    }
    if (!limit.isNull()) {
        const QString name = optionName(syntax, "--limit", "limit");
        bool ok = false;
        const qlonglong n = limit.trimmed().toLongLong(&ok);
        if (!ok || n < 1 || n > kMaxLimit)
            return makeError(QStringLiteral("%1 \"%2\": expected a whole number of stations from 1 to %3")
                                 .arg(name, limit)
                                 .arg(kMaxLimit));
        q.limit = static_cast<int>(n);
    }
    return q;
}

} // namespace stratus
