#pragma once

#include "Config.h"
#include "GeoQuery.h"
#include "Result.h"
#include "geo/UserLocation.h"

namespace stratus {

// `--near LAT,LON|auto [--radius-km R] [--limit N]`: only the stations near a point. "auto" is the
// user's position: resolve() finds it blocking (bounded by UserLocation's total time limit) for
// the modes that can wait; the GUI locates without blocking and calls report() when it knows.
class NearOption
{
public:
    // [source] near with the command line's radius and limit (empty = not given).
    static Result<GeoQuery> parse(const Config &config, const QString &radiusKm, const QString &limit);
    static Result<GeoQuery> resolve(const GeoQuery &query, const Config &config);
    // "stratus: --near auto: you are at LAT,LON (origin)" on stderr.
    static void report(const UserLocation::Fix &fix);
};

} // namespace stratus
