// stratus-bench geo: nearest-10 queries per second over 10,000 stations with the StationIndex
// k-d tree, against a brute-force scan (distance to every station, partial sort) in the same run.
#include "BenchRegistry.h"

#include "Geo.h"
#include "StationCatalogue.h"
#include "StationIndex.h"

#include <QElapsedTimer>
#include <QTextStream>

#include <random>

using namespace stratus;

namespace {

// 10,000 stations: the 1,443 real located stations of the SAO day, plus copies of randomly chosen
// real stations moved by up to ~50 km (synthetic positions, seeded), so the set keeps the real
// network's clustering (dense east, sparse north) at seven times its size.
QList<Station> tenThousandStations(QString *error)
{
    StationCatalogue catalogue;
    const auto loaded = catalogue.loadCsv(QStringLiteral(STRATUS_SHARED_DIR "/data/sao_19950318/stations.csv"),
                                          QStringLiteral("sao"));
    if (!loaded) {
        *error = loaded.errorMessage();
        return {};
    }
    QList<Station> real;
    for (const Station &s : catalogue.stations()) {
        if (s.hasLocation() && Geo::isValid(s.latitude, s.longitude))
            real << s;
    }
    QList<Station> out = real;
    std::mt19937_64 rng(10000);
    std::uniform_int_distribution<qsizetype> pick(0, real.size() - 1);
    std::uniform_real_distribution<double> jitter(-0.45, 0.45);
    for (int i = 0; out.size() < 10000; ++i) {
        Station s = real[pick(rng)];
        s.id = QStringLiteral("SYN%1").arg(i, 5, 10, QLatin1Char('0'));
        s.latitude = std::clamp(s.latitude + jitter(rng), -90.0, 90.0);
        s.longitude = std::remainder(s.longitude + jitter(rng) / std::max(0.2, std::cos(s.latitude * 3.14159265 / 180)), 360.0);
        out << s;
    }
    return out;
}

} // namespace

static BenchRegistration reg{{QStringLiteral("geo"),
                              QStringLiteral("nearest-10 queries/s over 10,000 stations: k-d tree vs brute force"),
                              [](const BenchContext &ctx) {
    QTextStream out(stdout);
    QJsonObject figures;
    QString error;
    const QList<Station> stations = tenThousandStations(&error);
    if (stations.isEmpty()) {
        figures.insert(QStringLiteral("error"), error);
        return figures;
    }

    std::vector<double> buildMs;
    std::unique_ptr<StationIndex> index;
    for (int r = 0; r < ctx.repeats; ++r) {
        QElapsedTimer t;
        t.start();
        index = std::make_unique<StationIndex>(stations);
        buildMs.push_back(t.nsecsElapsed() / 1e6);
    }

    // Query points uniform over North America, where the stations are.
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> lat(15, 70), lon(-170, -50);
    const int queries = ctx.smoke ? 300 : 3000;
    QList<QGeoCoordinate> points;
    for (int i = 0; i < queries; ++i)
        points << QGeoCoordinate(lat(rng), lon(rng));

    // Same answers first: a benchmark of a wrong index would be meaningless.
    for (int i = 0; i < std::min(queries, 200); ++i) {
        const auto a = index->nearest(points[i], 10), b = index->nearestBruteForce(points[i], 10);
        for (qsizetype j = 0; j < a.size(); ++j) {
            if (a.size() != b.size() || std::abs(a[j].distanceKm - b[j].distanceKm) > 1e-9) {
                figures.insert(QStringLiteral("error"), QStringLiteral("index and brute force disagree at query %1").arg(i));
                return figures;
            }
        }
    }

    const auto rate = [&](auto &&query, int n) {
        std::vector<double> perSecond;
        double sink = 0;
        for (int r = 0; r < ctx.repeats; ++r) {
            QElapsedTimer t;
            t.start();
            for (int i = 0; i < n; ++i)
                sink += query(points[i % points.size()]).constFirst().distanceKm;
            perSecond.push_back(n / (t.nsecsElapsed() / 1e9));
        }
        if (sink < 0) // keeps the loop from being optimised away
            out << sink;
        return median(perSecond);
    };
    const double knn = rate([&](const QGeoCoordinate &p) { return index->nearest(p, 10); }, queries * 10);
    const double brute = rate([&](const QGeoCoordinate &p) { return index->nearestBruteForce(p, 10); }, queries);
    const double within = rate([&](const QGeoCoordinate &p) {
        auto r = index->within(p, 100);
        if (r.isEmpty())
            r << NearStation{};
        return r;
    }, queries * 10);

    figures.insert(QStringLiteral("stations"), int(stations.size()));
    figures.insert(QStringLiteral("k"), 10);
    figures.insert(QStringLiteral("knn_queries_per_s"), std::round(knn));
    figures.insert(QStringLiteral("brute_force_queries_per_s"), std::round(brute));
    figures.insert(QStringLiteral("speedup"), std::round(knn / brute * 10) / 10);
    figures.insert(QStringLiteral("within_100km_queries_per_s"), std::round(within));
    figures.insert(QStringLiteral("index_build_ms"), std::round(median(buildMs) * 100) / 100);
    figures.insert(QStringLiteral("repeats"), ctx.repeats);
    if (!ctx.json) {
        out << "geo: " << stations.size() << " stations (1,443 real SAO + jittered copies), " << queries
            << " query points, median of " << ctx.repeats << "\n";
        out << "  nearest-10, k-d tree     " << QString::number(knn, 'f', 0).rightJustified(10) << " queries/s\n";
        out << "  nearest-10, brute force  " << QString::number(brute, 'f', 0).rightJustified(10) << " queries/s\n";
        out << "  speed-up                 " << QString::number(knn / brute, 'f', 1).rightJustified(10) << " x\n";
        out << "  within 100 km, k-d tree  " << QString::number(within, 'f', 0).rightJustified(10) << " queries/s\n";
        out << "  index build              " << QString::number(median(buildMs), 'f', 2).rightJustified(10) << " ms\n";
    }
    return figures;
}}};
