#pragma once

#include <QGeoCircle>
#include <QGeoCoordinate>
#include <QGeoRectangle>
#include <QString>

#include <array>

namespace stratus {

// The one place where Stratus measures the Earth. Distances and bearings are great-circle values
// from QGeoCoordinate (haversine on a sphere of Qt's mean Earth radius); nothing else in the code
// computes a distance by hand, so the index, the API, the map and the anomaly check all agree.
class Geo
{
public:
    // Qt's mean Earth radius (QLocationUtils::earthMeanRadius), in km; the spatial index converts
    // radii to chords with the same value so its answers match distanceKm() exactly.
    static constexpr double kEarthRadiusKm = 6371.0072;
    // Half the great-circle circumference: no two points on Earth are farther apart.
    static constexpr double kMaxDistanceKm = 3.14159265358979323846 * kEarthRadiusKm;

    // True for a finite latitude in [-90, 90] and longitude in [-180, 180].
    static bool isValid(double latitude, double longitude);
    static QGeoCoordinate coordinate(double latitude, double longitude) { return {latitude, longitude}; }

    static double distanceKm(const QGeoCoordinate &from, const QGeoCoordinate &to);
    static double distanceKm(double lat1, double lon1, double lat2, double lon2);
    // Initial bearing (forward azimuth) from `from` to `to`, degrees true in [0, 360).
    static double bearingDeg(const QGeoCoordinate &from, const QGeoCoordinate &to);

    static QGeoCircle circle(const QGeoCoordinate &center, double radiusKm);
    // The smallest latitude/longitude box holding the circle (what a map view or a grid needs).
    static QGeoRectangle boundingBox(const QGeoCoordinate &center, double radiusKm);

    // Point on the unit sphere (x toward 0°N 0°E, z toward the north pole): the k-d tree's space,
    // where straight-line (chord) distance grows monotonically with great-circle distance.
    static std::array<double, 3> unitVector(double latitude, double longitude);
    // Chord length on the unit sphere for a great-circle distance, and back.
    static double chordForKm(double km);
    static double kmForChord(double chord);

    // "43.1399,-89.3375" with 4 decimals (≈ 10 m), for messages and logs.
    static QString format(const QGeoCoordinate &c);
    // 16-point compass name of a bearing ("NNE"), for reasons written for people.
    static QString compassPoint(double bearingDeg);
};

} // namespace stratus
