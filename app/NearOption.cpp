#include "NearOption.h"

#include "EngineOptionsLoader.h"
#include "Geo.h"

#include <QTextStream>

namespace stratus {

Result<GeoQuery> NearOption::parse(const Config &config, const QString &radiusKm, const QString &limit)
{
    return GeoQuery::parse(config.value(QStringLiteral("source/near")), radiusKm, limit, GeoQuery::Syntax::CommandLine);
}

Result<GeoQuery> NearOption::resolve(const GeoQuery &query, const Config &config)
{
    if (!query.needsUserLocation())
        return query;
    const auto where = EngineOptionsLoader::location(config);
    if (!where)
        return where.error();
    UserLocation::Fix fix;
    auto resolved = UserLocation::resolve(query, *where, &fix);
    if (resolved)
        report(fix);
    return resolved;
}

void NearOption::report(const UserLocation::Fix &fix)
{
    QTextStream(stderr) << "stratus: --near auto: you are at " << Geo::format(fix.coordinate) << " (" << fix.origin << ")\n";
}

} // namespace stratus
