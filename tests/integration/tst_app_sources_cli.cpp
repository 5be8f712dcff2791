// The stratus binary with live sources, pointed at a real HTTP server on 127.0.0.1 that serves the
// recorded API answers: --source nws|openmeteo, --nws-url/--openmeteo-url and their environment
// variables, combined with --server; and the command-line errors.
#include "FixtureHttpServer.h"
#include "StratusProcess.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

namespace {

QJsonObject klitFeature()
{
    const QJsonObject fc = QJsonDocument::fromJson(FixtureHttpServer::fixture("nws/stations_KLIT_observations_limit1.json")).object();
    return fc.value(QLatin1String("features")).toArray().first().toObject();
}

QJsonObject findStation(const QJsonObject &stations, const QString &id)
{
    for (const QJsonValue &v : stations.value(QLatin1String("stations")).toArray()) {
        if (v.toObject().value(QLatin1String("id")).toString() == id)
            return v.toObject();
    }
    return {};
}

QJsonObject findSource(const QJsonObject &health, const QString &name)
{
    for (const QJsonValue &v : health.value(QLatin1String("sources")).toArray()) {
        if (v.toObject().value(QLatin1String("name")).toString() == name)
            return v.toObject();
    }
    return {};
}

} // namespace

class TestSourcesCli : public QObject
{
    Q_OBJECT
private slots:
    void nwsStationsViaCommandLine_data()
    {
        QTest::addColumn<bool>("viaEnvironment");
        QTest::newRow("--nws-url") << false;
        QTest::newRow("STRATUS_NWS_URL") << true;
    }

    void nwsStationsViaCommandLine()
    {
        QFETCH(bool, viaEnvironment);
        FixtureHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/stations/KLIT/observations/latest"),
                     FixtureHttpServer::ok(QJsonDocument(klitFeature()).toJson(QJsonDocument::Compact)));
        server.route(QStringLiteral("/stations/KDEN/observations/latest"),
                     FixtureHttpServer::ok(FixtureHttpServer::fixture("nws/stations_KDEN_observations_latest_calm.json")));
        QStringList args{QStringLiteral("--server"), QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--source"),
                         QStringLiteral("nws"), QStringLiteral("--stations"), QStringLiteral("klit,KDEN"),
                         QStringLiteral("--poll-interval"), QStringLiteral("1"), QStringLiteral("--contact"),
                         QStringLiteral("stratus-tests@example.invalid")};
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (viaEnvironment)
            env.insert(QStringLiteral("STRATUS_NWS_URL"), server.baseUrl().toString());
        else
            args << QStringLiteral("--nws-url") << server.baseUrl().toString();
        StratusProcess p;
        QVERIFY2(p.start(args, env), qPrintable(p.error()));

        QJsonObject klit;
        QVERIFY(QTest::qWaitFor([&] {
            klit = findStation(p.get(QStringLiteral("/stations")).json(), QStringLiteral("KLIT"));
            return klit.contains(QLatin1String("latest"));
        }, 15000));
        QCOMPARE(klit.value(QLatin1String("latitude")).toDouble(), 34.72);
        const QJsonObject latest = klit.value(QLatin1String("latest")).toObject();
        QCOMPARE(latest.value(QLatin1String("wind_speed")).toDouble(), 1.5);
        QCOMPARE(latest.value(QLatin1String("pressure")).toDouble(), 1024.3);
        QVERIFY(!latest.contains(QLatin1String("wind_gust")));
        QJsonObject nws;
        QVERIFY(QTest::qWaitFor([&] {
            nws = findSource(p.get(QStringLiteral("/health")).json(), QStringLiteral("nws"));
            return nws.value(QLatin1String("state")).toString() == QLatin1String("ok");
        }, 15000));
        QCOMPARE(nws.value(QLatin1String("readings")).toInt(), 2);
        QVERIFY(server.requests().first().headers.value("user-agent").contains("stratus-tests@example.invalid"));
    }

    void nwsNearPointDiscoversStations()
    {
        FixtureHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/points/30,-85"), FixtureHttpServer::ok(FixtureHttpServer::fixture("nws/points_30_-85.json")));
        server.route(QStringLiteral("/gridpoints/TAE/58,65/stations"),
                     FixtureHttpServer::ok(FixtureHttpServer::fixture("nws/gridpoint_stations.json")));
        StratusProcess p;
        QVERIFY2(p.start({QStringLiteral("--server"), QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--source"),
                          QStringLiteral("nws"), QStringLiteral("--near"), QStringLiteral("30,-85"), QStringLiteral("--nws-url"),
                          server.baseUrl().toString()}),
                 qPrintable(p.error()));
        QJsonObject stations;
        QVERIFY(QTest::qWaitFor([&] {
            stations = p.get(QStringLiteral("/stations")).json();
            return stations.value(QLatin1String("count")).toInt() >= 10;
        }, 15000));
        QCOMPARE(stations.value(QLatin1String("count")).toInt(), 10); // the nearest 10 of 41
        const QJsonObject kcmh = findStation(stations, QStringLiteral("KCMH"));
        QCOMPARE(kcmh.value(QLatin1String("name")).toString(), QStringLiteral("John Glenn Columbus International Airport"));
        QCOMPARE(kcmh.value(QLatin1String("source")).toString(), QStringLiteral("nws"));
    }

    void nwsDownShowsInHealth()
    {
        FixtureHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/stations/KLIT/observations/latest"), FixtureHttpServer::status(500));
        StratusProcess p;
        QVERIFY2(p.start({QStringLiteral("--server"), QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--source"),
                          QStringLiteral("nws"), QStringLiteral("--stations"), QStringLiteral("KLIT"), QStringLiteral("--nws-url"),
                          server.baseUrl().toString()}),
                 qPrintable(p.error()));
        QJsonObject health;
        QVERIFY(QTest::qWaitFor([&] {
            health = p.get(QStringLiteral("/health")).json();
            return findSource(health, QStringLiteral("nws")).value(QLatin1String("state")).toString() == QLatin1String("down");
        }, 30000));
        QVERIFY(findSource(health, QStringLiteral("nws")).value(QLatin1String("last_error")).toString().contains(QStringLiteral("HTTP 500")));
        QCOMPARE(health.value(QLatin1String("status")).toString(), QStringLiteral("down"));
    }

    void openMeteoNearPoint()
    {
        FixtureHttpServer server;
        QVERIFY(server.listen());
        server.route(QStringLiteral("/v1/forecast"), FixtureHttpServer::ok(FixtureHttpServer::fixture("openmeteo/forecast_current_hourly_daily.json"),
                                                                           FixtureHttpServer::kOpenMeteoType));
        server.route(QStringLiteral("/v1/archive"), FixtureHttpServer::ok(FixtureHttpServer::fixture("openmeteo/archive_hourly_daily_brasilia.json"),
                                                                          FixtureHttpServer::kOpenMeteoType));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("STRATUS_OPENMETEO_URL"), server.baseUrl().toString());
        StratusProcess p;
        QVERIFY2(p.start({QStringLiteral("--server"), QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--source"),
                          QStringLiteral("openmeteo"), QStringLiteral("--near"), QStringLiteral("43.14,-89.34"),
                          QStringLiteral("--backfill-days"), QStringLiteral("1")},
                         env),
                 qPrintable(p.error()));
        QJsonObject station;
        QVERIFY(QTest::qWaitFor([&] {
            station = findStation(p.get(QStringLiteral("/stations")).json(), QStringLiteral("OM4314N08934W"));
            return station.value(QLatin1String("latest")).toObject().value(QLatin1String("temperature")).toDouble() == 16.5;
        }, 15000));
        QCOMPARE(station.value(QLatin1String("latitude")).toDouble(), 43.14);
        QCOMPARE(server.requests(QStringLiteral("/v1/archive")).size(), 1);
        const QJsonObject om = findSource(p.get(QStringLiteral("/health")).json(), QStringLiteral("openmeteo"));
        QCOMPARE(om.value(QLatin1String("state")).toString(), QStringLiteral("ok"));
        QCOMPARE(om.value(QLatin1String("readings")).toInt(), 24 + 4);
        QCOMPARE(om.value(QLatin1String("progress")).toObject().value(QLatin1String("done")).toInt(), 1); // back-fill: 1 of 1 day
        QCOMPARE(om.value(QLatin1String("progress")).toObject().value(QLatin1String("total")).toInt(), 1);
    }

    void replayShiftedToNow()
    {
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        StratusProcess p;
        QVERIFY2(p.start({QStringLiteral("--server"), QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--source"),
                          QStringLiteral("replay"), QStringLiteral("--file"), testdata::shared("data/nws_recorded/nws_recorded.jsonl"),
                          QStringLiteral("--speed"), QStringLiteral("1"), QStringLiteral("--shift-to-now")}),
                 qPrintable(p.error()));
        // At 1× the first recorded observations (2025-12-13T09:35, KMSN among them) come out now.
        QJsonObject kmsn;
        QVERIFY(QTest::qWaitFor([&] {
            kmsn = findStation(p.get(QStringLiteral("/stations")).json(), QStringLiteral("KMSN"));
            return kmsn.contains(QLatin1String("latest"));
        }, 15000));
        const qint64 ts = kmsn.value(QLatin1String("latest")).toObject().value(QLatin1String("ts")).toInteger();
        QVERIFY2(ts >= before - 1000 && ts <= QDateTime::currentMSecsSinceEpoch() + 1000, qPrintable(QString::number(ts - before)));
    }

    void badArgumentsAreRefused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("nws without stations") << QStringList{QStringLiteral("--source"), QStringLiteral("nws")}
                                              << QStringLiteral("--source nws needs --stations ID,ID or --near LAT,LON");
        QTest::newRow("openmeteo without point") << QStringList{QStringLiteral("--source"), QStringLiteral("openmeteo")}
                                                 << QStringLiteral("--source openmeteo needs --near LAT,LON");
        QTest::newRow("bad point") << QStringList{QStringLiteral("--source"), QStringLiteral("openmeteo"), QStringLiteral("--near"), QStringLiteral("43.14")}
                                   << QStringLiteral("--near \"43.14\": expected LAT,LON");
        QTest::newRow("bad source") << QStringList{QStringLiteral("--source"), QStringLiteral("metar")}
                                    << QStringLiteral("\"metar\" is not one of demo, replay, nws, openmeteo");
        QTest::newRow("bad interval") << QStringList{QStringLiteral("--source"), QStringLiteral("nws"), QStringLiteral("--stations"), QStringLiteral("KMSN"), QStringLiteral("--poll-interval"), QStringLiteral("0")}
                                      << QStringLiteral("--poll-interval: source/poll_interval_s: 0 is outside 1..86400");
    }

    void badArgumentsAreRefused()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        StratusProcess p;
        QCOMPARE(p.run(QStringList{QStringLiteral("--server"), QStringLiteral("--port"), QStringLiteral("0")} + args), 2);
        const QString err = p.stderrText();
        QVERIFY2(err.contains(message), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestSourcesCli)
#include "tst_app_sources_cli.moc"
