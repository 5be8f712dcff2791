// `--near` and `GET /stations?near=` end to end: the real stratus binary on 127.0.0.1, the real
// SAO day and the bundled NWS demo, the real gpsd NMEA log for `--near auto`.
#include "Geo.h"
#include "StationCatalogue.h"
#include "StationIndex.h"
#include "StratusProcess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace stratus;

namespace {

// A stratus child process with its own empty config directory and no QT_QTESTLIB_RUNNING (Qt
// Positioning hides the nmea plugin from programs that inherit it).
class Stratus : public StratusProcess
{
public:
    explicit Stratus(const QString &config = {}) : m_env(QProcessEnvironment::systemEnvironment())
    {
        m_env.remove(QStringLiteral("QT_QTESTLIB_RUNNING"));
        m_env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_configHome.path());
        // The test environment sets STRATUS_CONFIG empty (no machine config); this test's file
        // must be the one read, so it is named explicitly.
        if (!config.isNull()) {
            QDir(m_configHome.path()).mkpath(QStringLiteral("stratus"));
            QFile f(m_configHome.filePath(QStringLiteral("stratus/stratus.conf")));
            if (f.open(QIODevice::WriteOnly))
                f.write(config.toUtf8());
            m_env.insert(QStringLiteral("STRATUS_CONFIG"), f.fileName());
        }
    }

    // Runs to completion (for errors); returns the exit code.
    int run(const QStringList &args) { return StratusProcess::run(args, m_env); }
    // Starts `--server --port 0 ...` and waits for the "serving" line; false if it did not come up.
    bool serve(const QStringList &args) { return startServer(args, m_env); }

private:
    QTemporaryDir m_configHome;
    QProcessEnvironment m_env;
};

QStringList sl(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *i : items)
        out << QString::fromUtf8(i);
    return out;
}

QStringList ids(const QJsonArray &stations)
{
    QStringList out;
    for (const auto &v : stations)
        out << v.toObject().value(QLatin1String("id")).toString();
    return out;
}

} // namespace

class TestNearCli : public QObject
{
    Q_OBJECT
private slots:
    void impossibleCoordinateEndsInAClearError_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("latitude 95") << sl({"--near", "95,10"})
                                     << "stratus: --near \"95,10\": latitude 95 is impossible (must be within -90 … 90)";
        QTest::newRow("longitude -181") << sl({"--near", "40,-181"}) << "longitude -181 is impossible";
        QTest::newRow("not numbers") << sl({"--near", "here"}) << "expected LAT,LON";
        QTest::newRow("radius") << sl({"--near", "43,-89", "--radius-km", "-5"}) << "a radius must be greater than 0 km";
        QTest::newRow("limit") << sl({"--near", "43,-89", "--limit", "many"}) << "--limit \"many\"";
        QTest::newRow("no centre") << sl({"--radius-km", "50"}) << "--radius-km and --limit need --near";
        QTest::newRow("bad home") << sl({"--near", "auto", "--home", "91,0"}) << "\"91,0\": latitude 91 is impossible";
    }

    void impossibleCoordinateEndsInAClearError()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        Stratus s;
        const int rc = s.run(QStringList{QStringLiteral("--server"), QStringLiteral("--demo")} + args);
        QCOMPARE(rc, 2);
        QVERIFY2(s.stderrText().contains(message), qPrintable(s.stderrText()));
        QVERIFY(!s.stderrText().contains(QStringLiteral("serving")));
    }

    void nearSelectsTheReplayCatalogue()
    {
        // The SAO day replayed with --near Madison --limit 5: the live catalogue holds exactly the
        // 5 stations a brute-force scan of the day's station list names.
        StationCatalogue catalogue;
        QVERIFY(catalogue.loadCsv(testdata::shared("data/sao_19950318/stations.csv"), QStringLiteral("sao")).ok());
        const QGeoCoordinate msn(43.1399, -89.3375);
        const QList<NearStation> want = StationIndex(catalogue.stations()).nearestBruteForce(msn, 5);
        QStringList wantIds;
        for (const NearStation &n : want)
            wantIds << n.station.id;

        Stratus s;
        QVERIFY2(s.serve({QStringLiteral("--file"), testdata::shared("data/sao_19950318/observations.csv"),
                                      QStringLiteral("--speed"), QStringLiteral("max"), QStringLiteral("--near"),
                                      QStringLiteral("43.1399,-89.3375"), QStringLiteral("--limit"), QStringLiteral("5")}), qPrintable(s.stderrText()));
        const HttpAnswer all = s.get(QStringLiteral("/stations"));
        QCOMPARE(all.status, 200);
        QStringList got = ids(all.json().value(QLatin1String("stations")).toArray());
        got.sort();
        QStringList sortedWant = wantIds;
        sortedWant.sort();
        QCOMPARE(got, sortedWant);
        // WUY's real longitude -790.2 is not on Earth: 1,443 stations can be placed.
        QVERIFY2(s.stderrText().contains(QStringLiteral("5 of 1443 located stations selected")), qPrintable(s.stderrText()));

        // The same five, nearest first, through the API.
        const HttpAnswer near = s.get(QStringLiteral("/stations?near=43.1399,-89.3375"));
        QCOMPARE(near.status, 200);
        QCOMPARE(ids(near.json().value(QLatin1String("stations")).toArray()), wantIds);
    }

    void stationsNearOverHttp()
    {
        Stratus s;
        QVERIFY2(s.serve({QStringLiteral("--demo")}), qPrintable(s.stderrText()));

        // Sorted by great-circle distance from Madison, with distance and bearing per station
        // (the demo's Beijing sites are within no radius of it).
        const HttpAnswer r = s.get(QStringLiteral("/stations?near=43.1399,-89.3375&radius_km=2000"));
        QCOMPARE(r.status, 200);
        const QJsonArray list = r.json().value(QLatin1String("stations")).toArray();
        QCOMPARE(ids(list), (sl({"KMSN", "KMKE", "KMDW", "KMSP", "KDSM"})));
        QCOMPARE(r.json().value(QLatin1String("count")).toInt(), 5);
        const QGeoCoordinate msn(43.1399, -89.3375);
        double previous = -1;
        for (const auto &v : list) {
            const QJsonObject o = v.toObject();
            const QGeoCoordinate c(o.value(QLatin1String("latitude")).toDouble(), o.value(QLatin1String("longitude")).toDouble());
            const double km = o.value(QLatin1String("distance_km")).toDouble();
            QVERIFY(std::abs(km - Geo::distanceKm(msn, c)) <= 0.0005);
            QVERIFY(std::abs(o.value(QLatin1String("bearing_deg")).toDouble() - Geo::bearingDeg(msn, c)) <= 0.005);
            QVERIFY(km >= previous);
            previous = km;
        }
        QCOMPARE(list.at(0).toObject().value(QLatin1String("distance_km")).toDouble(), 0.0);
        // KMDW: 198.860 km at 138.63° (the haversine worked by hand in tst_core_geo).
        QCOMPARE(list.at(2).toObject().value(QLatin1String("distance_km")).toDouble(), 198.86);
        QCOMPARE(list.at(2).toObject().value(QLatin1String("bearing_deg")).toDouble(), 138.63);

        const HttpAnswer radius = s.get(QStringLiteral("/stations?near=43.1399,-89.3375&radius_km=150"));
        QCOMPARE(ids(radius.json().value(QLatin1String("stations")).toArray()), (sl({"KMSN", "KMKE"})));
        QCOMPARE(radius.json().value(QLatin1String("radius_km")).toDouble(), 150.0);
        const HttpAnswer limited = s.get(QStringLiteral("/stations?near=41.7868,-87.7522&limit=2"));
        QCOMPARE(ids(limited.json().value(QLatin1String("stations")).toArray()), (sl({"KMDW", "KMKE"})));
        const HttpAnswer plain = s.get(QStringLiteral("/stations"));
        QCOMPARE(plain.status, 200);
        QVERIFY(!plain.json().value(QLatin1String("stations")).toArray().at(0).toObject().contains(QLatin1String("distance_km")));
    }

    void badNearQueriesAre400_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("message");
        QTest::newRow("latitude 95") << "near=95,0" << "near \"95,0\": latitude 95 is impossible";
        QTest::newRow("longitude") << "near=10,500" << "longitude 500 is impossible";
        QTest::newRow("garbage") << "near=abc" << "expected LAT,LON";
        QTest::newRow("auto") << "near=auto" << "the server cannot know where you are";
        QTest::newRow("radius") << "near=43,-89&radius_km=-1" << "radius_km -1: a radius must be greater than 0 km";
        QTest::newRow("empty radius") << "near=43,-89&radius_km=" << "radius_km= is empty";
        QTest::newRow("limit") << "near=43,-89&limit=0" << "limit \"0\": expected a whole number";
        QTest::newRow("radius without centre") << "radius_km=50" << "radius_km needs near=LAT,LON";
    }

    void badNearQueriesAre400()
    {
        QFETCH(QString, query);
        QFETCH(QString, message);
        static std::unique_ptr<Stratus> server;
        static bool up = false;
        if (!server) {
            server = std::make_unique<Stratus>();
            up = server->serve({QStringLiteral("--demo")});
        }
        QVERIFY(up);
        const HttpAnswer r = server->get(QStringLiteral("/stations?") + query);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QLatin1String("status")).toInt(), 400);
        QVERIFY2(r.json().value(QLatin1String("message")).toString().contains(message),
                 qPrintable(r.json().value(QLatin1String("message")).toString()));
        if (qstrcmp(QTest::currentDataTag(), "radius without centre") == 0)
            server.reset();
    }

    void nearAutoFromTheNmeaLog()
    {
        Stratus s(QStringLiteral("[location]\nsystem_source=false\n"));
        QVERIFY2(s.serve({QStringLiteral("--demo"), QStringLiteral("--near"), QStringLiteral("auto"),
                                      QStringLiteral("--nmea-log"), testdata::source("tests/data/gpsd-gr601-w.log"),
                                      QStringLiteral("--limit"), QStringLiteral("2")}), qPrintable(s.stderrText()));
        QVERIFY2(s.stderrText().contains(QStringLiteral("stratus: --near auto: you are at 40.0351,-75.5201 (NMEA log ")),
                 qPrintable(s.stderrText()));
        const HttpAnswer r = s.get(QStringLiteral("/stations"));
        QCOMPARE(r.json().value(QLatin1String("count")).toInt(), 2);
        QStringList got = ids(r.json().value(QLatin1String("stations")).toArray());
        got.sort();
        QCOMPARE(got, (sl({"KMDW", "KMKE"}))); // from Malvern, PA: Chicago 1,045 km, Milwaukee 1,079 km
    }

    void nearAutoFromTheConfiguredHome()
    {
        Stratus s(QStringLiteral("[location]\nsystem_source=false\nhome=\"43.0731,-89.4012\"\n"));
        QVERIFY2(s.serve({QStringLiteral("--demo"), QStringLiteral("--near"), QStringLiteral("auto"),
                                      QStringLiteral("--limit"), QStringLiteral("1")}), qPrintable(s.stderrText()));
        QVERIFY2(s.stderrText().contains(QStringLiteral("you are at 43.0731,-89.4012 (home location from ")), qPrintable(s.stderrText()));
        QCOMPARE(ids(s.get(QStringLiteral("/stations")).json().value(QLatin1String("stations")).toArray()), sl({"KMSN"}));
    }

    void nearAutoWithNothingSaysSo()
    {
        Stratus s(QStringLiteral("[location]\nsystem_source=false\n"));
        QCOMPARE(s.run({QStringLiteral("--server"), QStringLiteral("--demo"), QStringLiteral("--near"), QStringLiteral("auto")}), 2);
        QVERIFY2(s.stderrText().contains(QStringLiteral("stratus: --near auto: cannot tell where you are: no home location is configured")),
                 qPrintable(s.stderrText()));
    }
};

QTEST_GUILESS_MAIN(TestNearCli)
#include "tst_app_near_cli.moc"
