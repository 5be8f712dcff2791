// Geography: great-circle distances and bearings against an independent haversine, near-query
// parsing, and the station index against a brute-force scan over the real SAO station list.
#include "Geo.h"
#include "GeoQuery.h"
#include "StationCatalogue.h"
#include "StationIndex.h"
#include "TestData.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace stratus;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kRad = kPi / 180.0;

// Independent great-circle formulas, written from the published references rather than from
// Qt's code: the haversine distance (R. W. Sinnott, "Virtues of the Haversine", Sky & Telescope
// 68(2), 159, 1984) and the initial course (E. Williams, "Aviation Formulary" v1.47, "Course
// between points"), on a sphere of radius 6371.0072 km (the mean radius Qt documents for
// QGeoCoordinate::distanceTo).
double haversineKm(double lat1, double lon1, double lat2, double lon2)
{
    const double p1 = lat1 * kRad, p2 = lat2 * kRad;
    const double dp = (lat2 - lat1) * kRad, dl = (lon2 - lon1) * kRad;
    const double a = std::pow(std::sin(dp / 2), 2) + std::cos(p1) * std::cos(p2) * std::pow(std::sin(dl / 2), 2);
    return 2 * 6371.0072 * std::asin(std::min(1.0, std::sqrt(a)));
}

double initialCourseDeg(double lat1, double lon1, double lat2, double lon2)
{
    const double p1 = lat1 * kRad, p2 = lat2 * kRad, dl = (lon2 - lon1) * kRad;
    const double y = std::sin(dl) * std::cos(p2);
    const double x = std::cos(p1) * std::sin(p2) - std::sin(p1) * std::cos(p2) * std::cos(dl);
    return std::fmod(std::atan2(y, x) / kRad + 360.0, 360.0);
}

struct Place
{
    const char *id;
    double lat, lon;
};

// The five stations of the recorded NWS stream (data/README.md, nws_recorded/).
const Place kNws[] = {
    {"KMSN", 43.1399, -89.3375}, {"KMKE", 42.9472, -87.8967}, {"KMDW", 41.7868, -87.7522},
    {"KMSP", 44.8833, -93.2219}, {"KDSM", 41.5340, -93.6631},
};

// The 1,444 located stations of the SAO day; the catalogue refuses one of them, WUY, whose real
// longitude -790.2 is not on Earth, so 1,443 are indexed.
StationCatalogue saoStations(QStringList *skipped = nullptr)
{
    StationCatalogue c;
    const auto loaded = c.loadCsv(testdata::shared("data/sao_19950318/stations.csv"), QStringLiteral("sao"), skipped);
    if (!loaded)
        qFatal("%s", qPrintable(loaded.errorMessage()));
    return c;
}

QStringList ids(const QList<NearStation> &list)
{
    QStringList out;
    for (const NearStation &n : list)
        out << n.station.id;
    return out;
}

// Same answer as the oracle: same stations in the same order with the same distances. A swap is
// tolerated only between two stations whose distances agree to a micrometre (a true tie that
// rounding may order either way).
void compareAnswers(const QList<NearStation> &got, const QList<NearStation> &want, const QString &what)
{
    QVERIFY2(got.size() == want.size(),
             qPrintable(QStringLiteral("%1: %2 answers, brute force %3").arg(what).arg(got.size()).arg(want.size())));
    for (qsizetype i = 0; i < got.size(); ++i) {
        QVERIFY2(std::abs(got[i].distanceKm - want[i].distanceKm) < 1e-9,
                 qPrintable(QStringLiteral("%1: #%2 at %3 km, brute force %4 km")
                                .arg(what).arg(i).arg(got[i].distanceKm, 0, 'g', 17).arg(want[i].distanceKm, 0, 'g', 17)));
        if (got[i].station.id != want[i].station.id)
            QVERIFY2(std::abs(got[i].distanceKm - want[i].distanceKm) < 1e-9,
                     qPrintable(QStringLiteral("%1: #%2 is %3, brute force %4").arg(what).arg(i).arg(got[i].station.id, want[i].station.id)));
        QCOMPARE(got[i].bearingDeg, want[i].bearingDeg);
    }
}

} // namespace

class TestGeo : public QObject
{
    Q_OBJECT
private slots:
    void distancesAndBearingsBetweenNwsStations()
    {
        int pairs = 0;
        for (const Place &a : kNws) {
            for (const Place &b : kNws) {
                if (&a == &b)
                    continue;
                const double want = haversineKm(a.lat, a.lon, b.lat, b.lon);
                const QGeoCoordinate ca(a.lat, a.lon), cb(b.lat, b.lon);
                QVERIFY2(std::abs(Geo::distanceKm(ca, cb) - want) < 1e-6,
                         qPrintable(QStringLiteral("%1-%2: %3 vs %4").arg(QLatin1String(a.id), QLatin1String(b.id))
                                        .arg(Geo::distanceKm(ca, cb)).arg(want)));
                const double course = initialCourseDeg(a.lat, a.lon, b.lat, b.lon);
                QVERIFY2(std::abs(Geo::bearingDeg(ca, cb) - course) < 1e-6,
                         qPrintable(QStringLiteral("%1->%2: bearing %3 vs %4").arg(QLatin1String(a.id), QLatin1String(b.id))
                                        .arg(Geo::bearingDeg(ca, cb)).arg(course)));
                ++pairs;
            }
        }
        QCOMPARE(pairs, 20);
        // KMSN–KMDW worked by hand from the same two formulas: 198.860 km, initial course 138.63°
        // (Chicago Midway lies south-east of Madison).
        const QGeoCoordinate msn(43.1399, -89.3375), mdw(41.7868, -87.7522);
        QVERIFY(std::abs(Geo::distanceKm(msn, mdw) - 198.860) < 0.001);
        QVERIFY(std::abs(Geo::bearingDeg(msn, mdw) - 138.625) < 0.001);
        QCOMPARE(Geo::compassPoint(Geo::bearingDeg(msn, mdw)), QStringLiteral("SE"));
    }

    void sphereLandmarks()
    {
        // One degree of longitude on the equator = 2πR/360; pole to pole = πR; a point to itself = 0.
        QVERIFY(std::abs(Geo::distanceKm(0, 0, 0, 1) - 2 * kPi * 6371.0072 / 360) < 1e-6);
        QVERIFY(std::abs(Geo::distanceKm(90, 0, -90, 0) - Geo::kMaxDistanceKm) < 1e-6);
        QCOMPARE(Geo::distanceKm(43.1399, -89.3375, 43.1399, -89.3375), 0.0);
        // Across the antimeridian the short way: 179.5°E to 179.5°W is one degree, due east.
        QVERIFY(std::abs(Geo::distanceKm(0, 179.5, 0, -179.5) - 2 * kPi * 6371.0072 / 360) < 1e-6);
        QVERIFY(std::abs(Geo::bearingDeg(QGeoCoordinate(0, 179.5), QGeoCoordinate(0, -179.5)) - 90) < 1e-9);
        // Bearing is in [0, 360): due north is 0, never 360.
        QCOMPARE(Geo::bearingDeg(QGeoCoordinate(10, 20), QGeoCoordinate(11, 20)), 0.0);
        // Chord conversions round-trip.
        for (double km : {0.0, 1.0, 165.0, 5000.0, 20000.0})
            QVERIFY(std::abs(Geo::kmForChord(Geo::chordForKm(km)) - km) < 1e-6);
    }

    void boundingShapes()
    {
        const QGeoCoordinate msn(43.1399, -89.3375);
        const QGeoRectangle box = Geo::boundingBox(msn, 100);
        QVERIFY(box.isValid());
        QVERIFY(box.contains(msn));
        // The box must hold every point 100 km away in any direction.
        for (int az = 0; az < 360; az += 15)
            QVERIFY(box.contains(msn.atDistanceAndAzimuth(99'999, az)));
        QVERIFY(Geo::circle(msn, 100).contains(QGeoCoordinate(43.1399, -88.2)));   // ≈ 92 km east
        QVERIFY(!Geo::circle(msn, 100).contains(QGeoCoordinate(41.7868, -87.7522))); // KMDW, ≈ 200 km
    }

    void parseQuery_data()
    {
        QTest::addColumn<QString>("near");
        QTest::addColumn<QString>("radius");
        QTest::addColumn<QString>("limit");
        QTest::addColumn<int>("syntax");
        QTest::addColumn<QString>("error"); // empty = valid; otherwise a part of the message
        const int cli = int(GeoQuery::Syntax::CommandLine), url = int(GeoQuery::Syntax::Url);
        QTest::newRow("point") << "43.14,-89.34" << QString() << QString() << cli << QString();
        QTest::newRow("spaces") << " 43.14 , -89.34 " << "100" << "5" << cli << QString();
        QTest::newRow("poles and antimeridian") << "-90,180" << QString() << QString() << cli << QString();
        QTest::newRow("auto") << "auto" << "50" << QString() << cli << QString();
        QTest::newRow("latitude 95") << "95,10" << QString() << QString() << cli << "--near \"95,10\": latitude 95 is impossible";
        QTest::newRow("latitude -90.5") << "-90.5,0" << QString() << QString() << url << "near \"-90.5,0\": latitude -90.5 is impossible";
        QTest::newRow("longitude 200") << "40,200" << QString() << QString() << cli << "longitude 200 is impossible";
        QTest::newRow("one number") << "43.14" << QString() << QString() << cli << "expected LAT,LON";
        QTest::newRow("three numbers") << "1,2,3" << QString() << QString() << cli << "expected LAT,LON";
        QTest::newRow("words") << "north,west" << QString() << QString() << cli << "latitude \"north\" is not a number";
        QTest::newRow("nan") << "nan,0" << QString() << QString() << cli << "is not a number";
        QTest::newRow("inf") << "0,inf" << QString() << QString() << cli << "longitude \"inf\" is not a number";
        QTest::newRow("empty") << "" << QString() << QString() << cli << "no position given";
        QTest::newRow("auto on the server") << "auto" << QString() << QString() << url << "the server cannot know where you are";
        QTest::newRow("radius 0") << "43,-89" << "0" << QString() << cli << "--radius-km 0: a radius must be greater than 0 km";
        QTest::newRow("radius negative") << "43,-89" << "-5" << QString() << url << "radius_km -5: a radius must be greater";
        QTest::newRow("radius too large") << "43,-89" << "30000" << QString() << cli << "more than 20015 km apart";
        QTest::newRow("radius words") << "43,-89" << "far" << QString() << cli << "not a number of kilometres";
        QTest::newRow("limit 0") << "43,-89" << QString() << "0" << cli << "--limit \"0\": expected a whole number";
        QTest::newRow("limit fraction") << "43,-89" << QString() << "2.5" << url << "limit \"2.5\": expected a whole number";
    }

    void parseQuery()
    {
        QFETCH(QString, near);
        QFETCH(QString, radius);
        QFETCH(QString, limit);
        QFETCH(int, syntax);
        QFETCH(QString, error);
        const auto q = GeoQuery::parse(near, radius, limit, GeoQuery::Syntax(syntax));
        if (error.isEmpty()) {
            QVERIFY2(q.ok(), qPrintable(q.errorMessage()));
            if (!radius.isNull())
                QCOMPARE(q->radiusKm, radius.toDouble());
            if (!limit.isNull())
                QCOMPARE(q->limit, limit.toInt());
            QCOMPARE(q->needsUserLocation(), near == QLatin1String("auto"));
        } else {
            QVERIFY(!q.ok());
            QVERIFY2(q.errorMessage().contains(error), qPrintable(q.errorMessage()));
        }
    }

    void indexSkipsStationsWithoutPosition()
    {
        Station a;
        a.id = QStringLiteral("KMSN");
        a.latitude = 43.1399;
        a.longitude = -89.3375;
        Station noPosition;
        noPosition.id = QStringLiteral("KDUG");
        Station impossible;
        impossible.id = QStringLiteral("WUY");
        impossible.latitude = 40;
        impossible.longitude = -790.2; // the real bad longitude of the SAO day
        const StationIndex index(QList<Station>{a, noPosition, impossible});
        QCOMPARE(index.size(), 1);
        QCOMPARE(index.skipped(), 2);
        QCOMPARE(ids(index.nearest(QGeoCoordinate(0, 0), 5)), QStringList{QStringLiteral("KMSN")});
        QVERIFY(StationIndex().nearest(QGeoCoordinate(0, 0), 5).isEmpty());
    }

    void nearQueriesMatchBruteForceOnSaoStations()
    {
        QStringList skipped;
        const StationCatalogue catalogue = saoStations(&skipped);
        QCOMPARE(skipped.size(), 1);
        QVERIFY2(skipped.first().contains(QStringLiteral("-790.2")), qPrintable(skipped.first()));
        QCOMPARE(catalogue.locatedCount(), 1443);
        const StationIndex index(catalogue.stations());
        QCOMPARE(index.size(), 1443);

        std::mt19937_64 rng(19950318);
        std::uniform_real_distribution<double> u(0, 1);
        // Query points: uniform over the globe, uniform over North America (where the stations
        // are dense), and exactly at stations (distance 0, duplicates and ties).
        QList<QGeoCoordinate> points;
        for (int i = 0; i < 300; ++i)
            points << QGeoCoordinate(std::asin(2 * u(rng) - 1) / kRad, -180 + 360 * u(rng));
        for (int i = 0; i < 300; ++i)
            points << QGeoCoordinate(15 + 55 * u(rng), -170 + 120 * u(rng));
        for (int i = 0; i < 100; ++i) {
            const Station &s = index.station(static_cast<qsizetype>(u(rng) * index.size()));
            points << QGeoCoordinate(s.latitude, s.longitude);
        }
        points << QGeoCoordinate(90, 0) << QGeoCoordinate(-90, 0) << QGeoCoordinate(0, 180) << QGeoCoordinate(0, -180);

        int compared = 0;
        for (const QGeoCoordinate &p : std::as_const(points)) {
            const QString at = Geo::format(p);
            for (int k : {1, 5, 10, 50}) {
                compareAnswers(index.nearest(p, k), index.nearestBruteForce(p, k), QStringLiteral("nearest %1 to %2").arg(k).arg(at));
                compareAnswers(index.nearest(p, k, 300), index.nearestBruteForce(p, k, 300),
                               QStringLiteral("nearest %1 within 300 km of %2").arg(k).arg(at));
                compared += 2;
            }
            for (double r : {10.0, 100.0, 500.0, 2000.0}) {
                compareAnswers(index.within(p, r), index.withinBruteForce(p, r), QStringLiteral("within %1 km of %2").arg(r).arg(at));
                ++compared;
            }
            if (QTest::currentTestFailed())
                return;
        }
        QCOMPARE(compared, points.size() * 12);

        // A filter (e.g. "has a recent reading") is applied inside the search, not after it.
        const auto onlyUs = [](const Station &s) { return s.country == QLatin1String("US"); };
        const QGeoCoordinate windsor(42.27, -83.0); // Windsor, Ontario: nearest stations are Canadian and US
        compareAnswers(index.nearest(windsor, 10, Geo::kMaxDistanceKm, onlyUs),
                       index.nearestBruteForce(windsor, 10, Geo::kMaxDistanceKm, onlyUs), QStringLiteral("US-only near Windsor"));
        for (const NearStation &n : index.nearest(windsor, 10, Geo::kMaxDistanceKm, onlyUs))
            QCOMPARE(n.station.country, QStringLiteral("US"));
    }

    void rectanglesMatchBruteForce()
    {
        const StationIndex index(saoStations().stations());
        std::mt19937_64 rng(42);
        std::uniform_real_distribution<double> u(0, 1);
        for (int i = 0; i < 300; ++i) {
            const double top = -90 + 180 * u(rng), bottom = -90 + (top + 90) * u(rng);
            const double left = -180 + 360 * u(rng), width = 120 * u(rng) * u(rng);
            const double right = left + width > 180 ? left + width - 360 : left + width; // may cross 180°
            const QGeoRectangle box(QGeoCoordinate(top, left), QGeoCoordinate(bottom, right));
            QCOMPARE(index.inRectangle(box), index.inRectangleBruteForce(box));
        }
        // Wisconsin-ish view: KMSN and KMKE inside.
        const QGeoRectangle wi(QGeoCoordinate(47.1, -92.9), QGeoCoordinate(42.5, -86.8));
        QStringList inside;
        for (qsizetype i : index.inRectangle(wi))
            inside << index.station(i).id;
        QVERIFY2(inside.contains(QStringLiteral("MSN")) || inside.contains(QStringLiteral("KMSN")), qPrintable(inside.join(u' ')));
    }

    void queryCombinesRadiusAndLimit()
    {
        const StationIndex index(saoStations().stations());
        auto q = GeoQuery::parse(QStringLiteral("43.1399,-89.3375"), QStringLiteral("150"), QStringLiteral("3"));
        QVERIFY(q.ok());
        const auto three = index.query(*q);
        QCOMPARE(three.size(), 3);
        QCOMPARE(three.first().station.id, index.nearest(q->center, 1).first().station.id);
        auto onlyRadius = GeoQuery::parse(QStringLiteral("43.1399,-89.3375"), QStringLiteral("150"));
        const auto all = index.query(*onlyRadius);
        QVERIFY(all.size() >= 3);
        for (const NearStation &n : all)
            QVERIFY(n.distanceKm <= 150);
        compareAnswers(all, index.withinBruteForce(q->center, 150), QStringLiteral("radius only"));
    }
};

QTEST_APPLESS_MAIN(TestGeo)
#include "tst_core_geo.moc"
