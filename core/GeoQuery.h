#pragma once

#include "Result.h"

#include <QGeoCoordinate>
#include <QMetaType>
#include <QString>

#include <cmath>
#include <limits>

namespace stratus {

// "Stations near a point": the centre, an optional radius and an optional count, as given by
// `--near LAT,LON [--radius-km R] [--limit N]` or `?near=LAT,LON&radius_km=R&limit=N`.
// Parsing says exactly which part is impossible; nothing is clamped or guessed.
struct GeoQuery
{
    // Where the centre comes from: a given point, or the user's position (`--near auto`), which
    // only the desktop/command line can resolve (see UserLocation).
    enum class Origin { Point, UserLocation };
    // Names used in error messages, so a message quotes what the user actually typed.
    enum class Syntax { CommandLine, Url };

    static constexpr int kMaxLimit = 1'000'000;

    Origin origin = Origin::Point;
    QGeoCoordinate center;
    double radiusKm = std::numeric_limits<double>::quiet_NaN(); // NaN = no radius
    int limit = 0;                                              // 0 = no limit

    bool needsUserLocation() const { return origin == Origin::UserLocation && !center.isValid(); }
    bool hasRadius() const { return !std::isnan(radiusKm); }
    bool hasLimit() const { return limit > 0; }
    // "the 5 stations nearest 43.1399,-89.3375 within 100 km", for logs and replies.
    QString describe() const;

    // Empty radius/limit strings mean "not given". `near` may be "auto" only on the command line.
    static Result<GeoQuery> parse(const QString &near, const QString &radiusKm = {}, const QString &limit = {},
                                  Syntax syntax = Syntax::CommandLine);
    // "LAT,LON" in decimal degrees (spaces allowed around the numbers). `what` names the option
    // or parameter in the error message, e.g. "--near" or "--home".
    static Result<QGeoCoordinate> parseCoordinate(const QString &text, const QString &what);
};

} // namespace stratus

Q_DECLARE_METATYPE(stratus::GeoQuery)
