#include "Geo.h"

#include <algorithm>
#include <cmath>

namespace stratus {

bool Geo::isValid(double latitude, double longitude)
{
    return std::isfinite(latitude) && std::isfinite(longitude) && latitude >= -90 && latitude <= 90 &&
           longitude >= -180 && longitude <= 180;
}

double Geo::distanceKm(const QGeoCoordinate &from, const QGeoCoordinate &to)
{
    return from.distanceTo(to) / 1000.0;
}

double Geo::distanceKm(double lat1, double lon1, double lat2, double lon2)
{
    return distanceKm(QGeoCoordinate(lat1, lon1), QGeoCoordinate(lat2, lon2));
}

double Geo::bearingDeg(const QGeoCoordinate &from, const QGeoCoordinate &to)
{
    const double az = from.azimuthTo(to);
    // azimuthTo gives [0, 360]; 360 and 0 are the same direction, report one of them.
    return az >= 360.0 ? az - 360.0 : az;
}

QGeoCircle Geo::circle(const QGeoCoordinate &center, double radiusKm)
{
    return QGeoCircle(center, radiusKm * 1000.0);
}

QGeoRectangle Geo::boundingBox(const QGeoCoordinate &center, double radiusKm)
{
    return circle(center, radiusKm).boundingGeoRectangle();
}

std::array<double, 3> Geo::unitVector(double latitude, double longitude)
{
    constexpr double toRad = 3.14159265358979323846 / 180.0;
    const double phi = latitude * toRad;
    const double lambda = longitude * toRad;
    const double c = std::cos(phi);
    return {c * std::cos(lambda), c * std::sin(lambda), std::sin(phi)};
}

double Geo::chordForKm(double km)
{
    const double angle = std::clamp(km / kEarthRadiusKm, 0.0, 3.14159265358979323846);
    return 2.0 * std::sin(angle / 2.0);
}

double Geo::kmForChord(double chord)
{
    return 2.0 * std::asin(std::clamp(chord / 2.0, 0.0, 1.0)) * kEarthRadiusKm;
}

QString Geo::format(const QGeoCoordinate &c)
{
    return QStringLiteral("%1,%2").arg(c.latitude(), 0, 'f', 4).arg(c.longitude(), 0, 'f', 4);
}

QString Geo::compassPoint(double bearingDeg)
{
    static const char *const points[] = {"N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
                                         "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"};
    const double b = std::fmod(std::fmod(bearingDeg, 360.0) + 360.0, 360.0);
    return QString::fromLatin1(points[static_cast<int>(std::lround(b / 22.5)) % 16]);
}

} // namespace stratus
