#pragma once

#include "GeoQuery.h"
#include "Result.h"
#include "StationCatalogue.h"
#include "StationIndex.h"

#include <QJsonObject>
#include <QUrlQuery>

namespace stratus {

class LiveState;

// GET /stations?near=LAT,LON&radius_km=R&limit=N: the catalogue's stations sorted by great-circle
// distance, each with distance_km and bearing_deg. Kept apart from ApiServer so any router can
// call it: parse() the URL, run() the query, toJson() the answer.
class NearQuery
{
public:
    // True when the URL asks for a near query (near= or radius_km= is present).
    static bool isNearRequest(const QUrlQuery &url);
    // The GeoQuery in the URL, or the message for a 400.
    static Result<GeoQuery> parse(const QUrlQuery &url);
    // Located stations matching the query, nearest first (ties by id).
    static QList<NearStation> run(const StationCatalogue &catalogue, const GeoQuery &query);
    // {"near": {...}, "radius_km", "limit", "count", "stations": [station + distance_km + bearing_deg + latest]}
    static QJsonObject toJson(const GeoQuery &query, const QList<NearStation> &stations, const LiveState *state = nullptr);
};

} // namespace stratus
