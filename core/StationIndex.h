#pragma once

#include "Geo.h"
#include "GeoQuery.h"
#include "Station.h"

#include <QGeoCoordinate>
#include <QGeoRectangle>
#include <QList>

#include <array>
#include <functional>
#include <vector>

namespace stratus {

// One answer of a near query: the station, how far and in which direction from the query point.
struct NearStation
{
    Station station;
    double distanceKm = 0;
    double bearingDeg = 0; // initial great-circle bearing from the query point to the station
};

// Spatial index over the located stations of a catalogue: a k-d tree over points on the unit
// sphere, where the straight-line (chord) distance orders stations exactly as the great-circle
// distance does, so "N nearest" and "within R km" are exact, not approximated on a lat/lon plane,
// and work across the poles and the antimeridian. Build O(n log n); queries visit O(log n + k)
// nodes for compact answers. Answers are sorted by (distance, station id), with distances and
// bearings from Geo, so they are identical to the brute-force scans kept here as the oracle.
// Immutable after construction, so one index can be read from several threads.
class StationIndex
{
public:
    using Filter = std::function<bool(const Station &)>;

    StationIndex() = default;
    // Stations without a valid position are left out (counted in skipped()).
    explicit StationIndex(const QList<Station> &stations);

    qsizetype size() const { return static_cast<qsizetype>(m_stations.size()); }
    qsizetype skipped() const { return m_skipped; }
    bool isEmpty() const { return m_stations.empty(); }
    const Station &station(qsizetype i) const { return m_stations[static_cast<size_t>(i)]; }

    // The k stations nearest `at` (no farther than maxKm), skipping those `accept` refuses.
    QList<NearStation> nearest(const QGeoCoordinate &at, int k, double maxKm = Geo::kMaxDistanceKm,
                               const Filter &accept = {}) const;
    // Every station within radiusKm of `at` (inclusive), nearest first.
    QList<NearStation> within(const QGeoCoordinate &at, double radiusKm, const Filter &accept = {}) const;
    // Stations inside a latitude/longitude box (QGeoRectangle::contains), e.g. a map's view; in
    // index order. Boxes across the antimeridian work.
    QList<qsizetype> inRectangle(const QGeoRectangle &box) const;
    // A parsed GeoQuery: radius and/or limit; with neither, every located station by distance.
    // The query must have a centre (resolve `auto` first).
    QList<NearStation> query(const GeoQuery &q, const Filter &accept = {}) const;

    // Brute-force scans with the same ordering: the oracle for tests, the baseline for benchmarks.
    QList<NearStation> nearestBruteForce(const QGeoCoordinate &at, int k, double maxKm = Geo::kMaxDistanceKm,
                                         const Filter &accept = {}) const;
    QList<NearStation> withinBruteForce(const QGeoCoordinate &at, double radiusKm, const Filter &accept = {}) const;
    QList<qsizetype> inRectangleBruteForce(const QGeoRectangle &box) const;

private:
    struct Point
    {
        std::array<double, 3> xyz;
        int station;  // index into m_stations
        int idRank;   // rank of the station id, the tie-break that matches the brute-force sort
    };
    struct Box
    {
        std::array<double, 3> lo, hi;
    };

    void build(int lo, int hi);
    template <typename Visit>
    void visitBall(int lo, int hi, const std::array<double, 3> &q, double &r2, Visit &&visit) const;
    void visitBox(int lo, int hi, const Box &box, QList<qsizetype> &out) const;
    NearStation answer(const QGeoCoordinate &at, int station) const;
    static void sortAnswers(QList<NearStation> &list);
    static void boxesFor(const QGeoRectangle &rect, std::vector<Box> &out);

    std::vector<Station> m_stations;
    std::vector<QGeoCoordinate> m_coords;
    std::vector<Point> m_points;        // permuted into k-d tree order: node = middle of its range
    std::vector<unsigned char> m_axis;  // split axis of the node stored at each position
    qsizetype m_skipped = 0;
};

} // namespace stratus
