#include "StationIndex.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <queue>

namespace stratus {

namespace {

double squaredDistance(const std::array<double, 3> &a, const std::array<double, 3> &b)
{
    const double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return dx * dx + dy * dy + dz * dz;
}

// The index searches chords with a little slack, then filters by the exact great-circle distance,
// so rounding in the chord arithmetic can never drop a station that Geo::distanceKm admits.
double slackSquaredChord(double km)
{
    const double c = Geo::chordForKm(km);
    return c * c * (1.0 + 1e-9) + 1e-14;
}

struct Interval
{
    double lo, hi;
};

// Range of cos/sin over [a, b] degrees (a <= b, within one turn), including interior extremes.
Interval cosRange(double a, double b)
{
    constexpr double r = 3.14159265358979323846 / 180.0;
    Interval i{std::min(std::cos(a * r), std::cos(b * r)), std::max(std::cos(a * r), std::cos(b * r))};
    if (a <= 0 && b >= 0)
        i.hi = 1;
    if (a <= -180 || b >= 180)
        i.lo = -1;
    return i;
}

Interval sinRange(double a, double b)
{
    constexpr double r = 3.14159265358979323846 / 180.0;
    Interval i{std::min(std::sin(a * r), std::sin(b * r)), std::max(std::sin(a * r), std::sin(b * r))};
    if (a <= 90 && b >= 90)
        i.hi = 1;
    if (a <= -90 && b >= -90)
        i.lo = -1;
    return i;
}

Interval product(Interval x, Interval y)
{
    const double p[] = {x.lo * y.lo, x.lo * y.hi, x.hi * y.lo, x.hi * y.hi};
    return {*std::min_element(std::begin(p), std::end(p)), *std::max_element(std::begin(p), std::end(p))};
}

} // namespace

StationIndex::StationIndex(const QList<Station> &stations)
{
    m_stations.reserve(static_cast<size_t>(stations.size()));
    for (const Station &s : stations) {
        if (!s.hasLocation() || !Geo::isValid(s.latitude, s.longitude)) {
            ++m_skipped;
            continue;
        }
        m_stations.push_back(s);
    }
    const int n = static_cast<int>(m_stations.size());
    std::vector<int> byId(static_cast<size_t>(n));
    std::iota(byId.begin(), byId.end(), 0);
    std::sort(byId.begin(), byId.end(), [this](int a, int b) { return m_stations[a].id < m_stations[b].id; });
    std::vector<int> rank(static_cast<size_t>(n));
    for (int r = 0; r < n; ++r)
        rank[static_cast<size_t>(byId[static_cast<size_t>(r)])] = r;

    m_coords.reserve(static_cast<size_t>(n));
    m_points.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        const Station &s = m_stations[static_cast<size_t>(i)];
        m_coords.emplace_back(s.latitude, s.longitude);
        m_points.push_back({Geo::unitVector(s.latitude, s.longitude), i, rank[static_cast<size_t>(i)]});
    }
    m_axis.assign(static_cast<size_t>(n), 0);
    build(0, n);
}

void StationIndex::build(int lo, int hi)
{
    if (hi - lo <= 1)
        return;
    // Split on the axis of largest spread: on a sphere's patch one axis is nearly flat, and
    // cycling x/y/z blindly would waste a third of the levels on it.
    std::array<double, 3> mn{2, 2, 2}, mx{-2, -2, -2};
    for (int i = lo; i < hi; ++i) {
        for (int a = 0; a < 3; ++a) {
            mn[a] = std::min(mn[a], m_points[i].xyz[a]);
            mx[a] = std::max(mx[a], m_points[i].xyz[a]);
        }
    }
    int axis = 0;
    for (int a = 1; a < 3; ++a) {
        if (mx[a] - mn[a] > mx[axis] - mn[axis])
            axis = a;
    }
    const int mid = lo + (hi - lo) / 2;
    std::nth_element(m_points.begin() + lo, m_points.begin() + mid, m_points.begin() + hi,
                     [axis](const Point &a, const Point &b) { return a.xyz[axis] < b.xyz[axis]; });
    m_axis[mid] = static_cast<unsigned char>(axis);
    build(lo, mid);
    build(mid + 1, hi);
}

template <typename Visit>
void StationIndex::visitBall(int lo, int hi, const std::array<double, 3> &q, double &r2, Visit &&visit) const
{
    if (lo >= hi)
        return;
    const int mid = lo + (hi - lo) / 2;
    const Point &p = m_points[mid];
    const double d2 = squaredDistance(p.xyz, q);
    if (d2 <= r2)
        visit(p, d2); // may shrink r2 (k nearest)
    if (hi - lo == 1)
        return;
    const int axis = m_axis[mid];
    const double diff = q[axis] - p.xyz[axis];
    // Nearer side first, so a k-nearest search shrinks its radius early; "<=" keeps exact ties.
    if (diff <= 0) {
        visitBall(lo, mid, q, r2, visit);
        if (diff * diff <= r2)
            visitBall(mid + 1, hi, q, r2, visit);
    } else {
        visitBall(mid + 1, hi, q, r2, visit);
        if (diff * diff <= r2)
            visitBall(lo, mid, q, r2, visit);
    }
}

NearStation StationIndex::answer(const QGeoCoordinate &at, int station) const
{
    const QGeoCoordinate &c = m_coords[static_cast<size_t>(station)];
    return {m_stations[static_cast<size_t>(station)], Geo::distanceKm(at, c), Geo::bearingDeg(at, c)};
}

void StationIndex::sortAnswers(QList<NearStation> &list)
{
    std::sort(list.begin(), list.end(), [](const NearStation &a, const NearStation &b) {
        return a.distanceKm != b.distanceKm ? a.distanceKm < b.distanceKm : a.station.id < b.station.id;
    });
}

QList<NearStation> StationIndex::nearest(const QGeoCoordinate &at, int k, double maxKm, const Filter &accept) const
{
    QList<NearStation> out;
    if (k <= 0 || m_points.empty() || !at.isValid())
        return out;
    struct Candidate
    {
        double d2;
        int rank;
        int station;
        bool operator<(const Candidate &o) const { return d2 != o.d2 ? d2 < o.d2 : rank < o.rank; }
    };
    std::priority_queue<Candidate> heap; // worst of the best k on top
    const auto q = Geo::unitVector(at.latitude(), at.longitude());
    double r2 = slackSquaredChord(maxKm);
    const size_t want = static_cast<size_t>(k);
    visitBall(0, static_cast<int>(m_points.size()), q, r2, [&](const Point &p, double d2) {
        const Candidate c{d2, p.idRank, p.station};
        if (heap.size() == want && !(c < heap.top()))
            return;
        if (accept && !accept(m_stations[static_cast<size_t>(p.station)]))
            return;
        heap.push(c);
        if (heap.size() > want)
            heap.pop();
        if (heap.size() == want)
            r2 = std::min(r2, heap.top().d2);
    });
    out.reserve(static_cast<qsizetype>(heap.size()));
    for (; !heap.empty(); heap.pop()) {
        NearStation a = answer(at, heap.top().station);
        if (a.distanceKm <= maxKm)
            out.append(std::move(a));
    }
    sortAnswers(out);
    return out;
}

QList<NearStation> StationIndex::within(const QGeoCoordinate &at, double radiusKm, const Filter &accept) const
{
    QList<NearStation> out;
    if (m_points.empty() || !at.isValid() || !(radiusKm >= 0))
        return out;
    const auto q = Geo::unitVector(at.latitude(), at.longitude());
    double r2 = slackSquaredChord(radiusKm);
    visitBall(0, static_cast<int>(m_points.size()), q, r2, [&](const Point &p, double) {
        if (accept && !accept(m_stations[static_cast<size_t>(p.station)]))
            return;
        NearStation a = answer(at, p.station);
        if (a.distanceKm <= radiusKm)
            out.append(std::move(a));
    });
    sortAnswers(out);
    return out;
}

QList<NearStation> StationIndex::query(const GeoQuery &q, const Filter &accept) const
{
    const double maxKm = q.hasRadius() ? q.radiusKm : Geo::kMaxDistanceKm;
    if (q.hasLimit())
        return nearest(q.center, q.limit, maxKm, accept);
    return within(q.center, maxKm, accept);
}

void StationIndex::boxesFor(const QGeoRectangle &rect, std::vector<Box> &out)
{
    const double top = rect.topLeft().latitude(), bottom = rect.bottomRight().latitude();
    const double left = rect.topLeft().longitude(), right = rect.bottomRight().longitude();
    const auto add = [&](double lon0, double lon1) {
        const Interval z = sinRange(bottom, top);
        const Interval r = cosRange(bottom, top); // cos(latitude) >= 0 on [-90, 90]
        const Interval x = product(r, cosRange(lon0, lon1));
        const Interval y = product(r, sinRange(lon0, lon1));
        constexpr double eps = 1e-9; // the exact test is QGeoRectangle::contains afterwards
        out.push_back({{x.lo - eps, y.lo - eps, z.lo - eps}, {x.hi + eps, y.hi + eps, z.hi + eps}});
    };
    if (left <= right) {
        add(left, right);
    } else { // crosses the antimeridian
        add(left, 180);
        add(-180, right);
    }
}

void StationIndex::visitBox(int lo, int hi, const Box &box, QList<qsizetype> &out) const
{
    if (lo >= hi)
        return;
    const int mid = lo + (hi - lo) / 2;
    const Point &p = m_points[mid];
    bool inside = true;
    for (int a = 0; a < 3; ++a)
        inside = inside && p.xyz[a] >= box.lo[a] && p.xyz[a] <= box.hi[a];
    if (inside)
        out.append(p.station);
    if (hi - lo == 1)
        return;
    const int axis = m_axis[mid];
    if (box.lo[axis] <= p.xyz[axis])
        visitBox(lo, mid, box, out);
    if (box.hi[axis] >= p.xyz[axis])
        visitBox(mid + 1, hi, box, out);
}

QList<qsizetype> StationIndex::inRectangle(const QGeoRectangle &rect) const
{
    QList<qsizetype> candidates;
    if (!rect.isValid() || m_points.empty())
        return candidates;
    std::vector<Box> boxes;
    boxesFor(rect, boxes);
    for (const Box &b : boxes)
        visitBox(0, static_cast<int>(m_points.size()), b, candidates);
    QList<qsizetype> out;
    for (qsizetype i : std::as_const(candidates)) {
        if (rect.contains(m_coords[static_cast<size_t>(i)]))
            out.append(i);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

QList<NearStation> StationIndex::nearestBruteForce(const QGeoCoordinate &at, int k, double maxKm,
                                                   const Filter &accept) const
{
    QList<NearStation> out;
    if (k <= 0 || !at.isValid())
        return out;
    // Distance to every station, then the k smallest: what code without an index has to do.
    std::vector<std::pair<double, int>> all;
    all.reserve(m_stations.size());
    for (size_t i = 0; i < m_stations.size(); ++i) {
        if (accept && !accept(m_stations[i]))
            continue;
        const double km = Geo::distanceKm(at, m_coords[i]);
        if (km <= maxKm)
            all.emplace_back(km, static_cast<int>(i));
    }
    const auto byDistanceThenId = [this](const std::pair<double, int> &a, const std::pair<double, int> &b) {
        return a.first != b.first ? a.first < b.first : m_stations[a.second].id < m_stations[b.second].id;
    };
    const size_t n = std::min(all.size(), static_cast<size_t>(k));
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(), byDistanceThenId);
    out.reserve(static_cast<qsizetype>(n));
    for (size_t i = 0; i < n; ++i)
        out.append(answer(at, all[i].second));
    return out;
}

QList<NearStation> StationIndex::withinBruteForce(const QGeoCoordinate &at, double radiusKm, const Filter &accept) const
{
    QList<NearStation> out;
    if (!at.isValid())
        return out;
    for (size_t i = 0; i < m_stations.size(); ++i) {
        if (accept && !accept(m_stations[i]))
            continue;
        NearStation a = answer(at, static_cast<int>(i));
        if (a.distanceKm <= radiusKm)
            out.append(std::move(a));
    }
    sortAnswers(out);
    return out;
}

QList<qsizetype> StationIndex::inRectangleBruteForce(const QGeoRectangle &rect) const
{
    QList<qsizetype> out;
    for (size_t i = 0; i < m_coords.size(); ++i) {
        if (rect.contains(m_coords[i]))
            out.append(static_cast<qsizetype>(i));
    }
    return out;
}

} // namespace stratus
