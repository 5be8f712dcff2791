// `--near` and `GET /stations?near=` end to end: the real stratus binary on 127.0.0.1, the real
// SAO day and the bundled NWS demo, the real gpsd NMEA log for `--near auto`.
#include "Geo.h"
#include "StationCatalogue.h"
#include "StationIndex.h"
#include "TestData.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace stratus;

namespace {

struct Reply
{
    int status = 0;
    QJsonObject body;
};

// A stratus child process; the environment has its own empty config directory and no
// QT_QTESTLIB_RUNNING (Qt Positioning hides the nmea plugin from programs that inherit it).
class Stratus
{
public:
    explicit Stratus(const QString &config = {})
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("QT_QTESTLIB_RUNNING"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_configHome.path());
        if (!config.isNull()) {
            QDir(m_configHome.path()).mkpath(QStringLiteral("stratus"));
            QFile f(m_configHome.filePath(QStringLiteral("stratus/stratus.conf")));
            if (f.open(QIODevice::WriteOnly))
                f.write(config.toUtf8());
        }
        m_process.setProcessEnvironment(env);
    }
    ~Stratus()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(5000))
                m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    // Runs to completion (for errors); returns the exit code.
    int run(const QStringList &args, int timeoutMs = 30'000)
    {
        m_process.start(testdata::stratusBinary(), args);
        if (!m_process.waitForFinished(timeoutMs))
            return -1;
        m_stderr = QString::fromUtf8(m_process.readAllStandardError());
        return m_process.exitCode();
    }

    // Starts `--server --port 0 ...` and waits for the "serving" line; returns the port or 0.
    quint16 serve(const QStringList &args)
    {
        m_process.start(testdata::stratusBinary(), QStringList{QStringLiteral("--server"), QStringLiteral("--port"), QStringLiteral("0")} + args);
        QElapsedTimer t;
        t.start();
        static const QRegularExpression serving(QStringLiteral("serving http://127\\.0\\.0\\.1:(\\d+)"));
        QString out;
        while (t.elapsed() < 60'000 && m_process.state() != QProcess::NotRunning) {
            m_process.waitForReadyRead(200);
            out += QString::fromUtf8(m_process.readAllStandardOutput());
            const auto m = serving.match(out);
            if (m.hasMatch()) {
                m_stderr += QString::fromUtf8(m_process.readAllStandardError());
                return static_cast<quint16>(m.captured(1).toUInt());
            }
        }
        m_stderr += QString::fromUtf8(m_process.readAllStandardError());
        return 0;
    }

    QString stderrText() { return m_stderr += QString::fromUtf8(m_process.readAllStandardError()); }

private:
    QTemporaryDir m_configHome;
    QProcess m_process;
    QString m_stderr;
};

Reply get(quint16 port, const QString &pathAndQuery)
{
    QNetworkAccessManager nam;
    QNetworkReply *r = nam.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(pathAndQuery))));
    QEventLoop loop;
    QObject::connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(20'000, &loop, &QEventLoop::quit);
    loop.exec();
    Reply out;
    out.status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body = QJsonDocument::fromJson(r->readAll()).object();
    r->deleteLater();
    return out;
}

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
        const quint16 port = s.serve({QStringLiteral("--file"), testdata::shared("data/sao_19950318/observations.csv"),
                                      QStringLiteral("--speed"), QStringLiteral("max"), QStringLiteral("--near"),
                                      QStringLiteral("43.1399,-89.3375"), QStringLiteral("--limit"), QStringLiteral("5")});
        QVERIFY2(port, qPrintable(s.stderrText()));
        const Reply all = get(port, QStringLiteral("/stations"));
        QCOMPARE(all.status, 200);
        QStringList got = ids(all.body.value(QLatin1String("stations")).toArray());
        got.sort();
        QStringList sortedWant = wantIds;
        sortedWant.sort();
        QCOMPARE(got, sortedWant);
        // WUY's real longitude -790.2 is not on Earth: 1,443 stations can be placed.
        QVERIFY2(s.stderrText().contains(QStringLiteral("5 of 1443 located stations selected")), qPrintable(s.stderrText()));

        // The same five, nearest first, through the API.
        const Reply near = get(port, QStringLiteral("/stations?near=43.1399,-89.3375"));
        QCOMPARE(near.status, 200);
        QCOMPARE(ids(near.body.value(QLatin1String("stations")).toArray()), wantIds);
    }

    void stationsNearOverHttp()
    {
        Stratus s;
        const quint16 port = s.serve({QStringLiteral("--demo")});
        QVERIFY2(port, qPrintable(s.stderrText()));

        // Sorted by great-circle distance from Madison, with distance and bearing per station.
        const Reply r = get(port, QStringLiteral("/stations?near=43.1399,-89.3375"));
        QCOMPARE(r.status, 200);
        const QJsonArray list = r.body.value(QLatin1String("stations")).toArray();
        QCOMPARE(ids(list), (sl({"KMSN", "KMKE", "KMDW", "KMSP", "KDSM"})));
        QCOMPARE(r.body.value(QLatin1String("count")).toInt(), 5);
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

        const Reply radius = get(port, QStringLiteral("/stations?near=43.1399,-89.3375&radius_km=150"));
        QCOMPARE(ids(radius.body.value(QLatin1String("stations")).toArray()), (sl({"KMSN", "KMKE"})));
        QCOMPARE(radius.body.value(QLatin1String("radius_km")).toDouble(), 150.0);
        const Reply limited = get(port, QStringLiteral("/stations?near=41.7868,-87.7522&limit=2"));
        QCOMPARE(ids(limited.body.value(QLatin1String("stations")).toArray()), (sl({"KMDW", "KMKE"})));
        const Reply plain = get(port, QStringLiteral("/stations"));
        QCOMPARE(plain.status, 200);
        QVERIFY(!plain.body.value(QLatin1String("stations")).toArray().at(0).toObject().contains(QLatin1String("distance_km")));
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
        static quint16 port = 0;
        if (!server) {
            server = std::make_unique<Stratus>();
            port = server->serve({QStringLiteral("--demo")});
        }
        QVERIFY(port);
        const Reply r = get(port, QStringLiteral("/stations?") + query);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.body.value(QLatin1String("status")).toInt(), 400);
        QVERIFY2(r.body.value(QLatin1String("message")).toString().contains(message),
                 qPrintable(r.body.value(QLatin1String("message")).toString()));
        if (qstrcmp(QTest::currentDataTag(), "radius without centre") == 0)
            server.reset();
    }

    void nearAutoFromTheNmeaLog()
    {
        Stratus s(QStringLiteral("[location]\nsystem_source=false\n"));
        const quint16 port = s.serve({QStringLiteral("--demo"), QStringLiteral("--near"), QStringLiteral("auto"),
                                      QStringLiteral("--nmea-log"), testdata::source("tests/data/gpsd-gr601-w.log"),
                                      QStringLiteral("--limit"), QStringLiteral("2")});
        QVERIFY2(port, qPrintable(s.stderrText()));
        QVERIFY2(s.stderrText().contains(QStringLiteral("stratus: --near auto: you are at 40.0351,-75.5201 (NMEA log ")),
                 qPrintable(s.stderrText()));
        const Reply r = get(port, QStringLiteral("/stations"));
        QCOMPARE(r.body.value(QLatin1String("count")).toInt(), 2);
        QStringList got = ids(r.body.value(QLatin1String("stations")).toArray());
        got.sort();
        QCOMPARE(got, (sl({"KMDW", "KMKE"}))); // from Malvern, PA: Chicago 1,045 km, Milwaukee 1,079 km
    }

    void nearAutoFromTheConfiguredHome()
    {
        Stratus s(QStringLiteral("[location]\nsystem_source=false\nhome=\"43.0731,-89.4012\"\n"));
        const quint16 port = s.serve({QStringLiteral("--demo"), QStringLiteral("--near"), QStringLiteral("auto"),
                                      QStringLiteral("--limit"), QStringLiteral("1")});
        QVERIFY2(port, qPrintable(s.stderrText()));
        QVERIFY2(s.stderrText().contains(QStringLiteral("you are at 43.0731,-89.4012 (home location from ")), qPrintable(s.stderrText()));
        QCOMPARE(ids(get(port, QStringLiteral("/stations")).body.value(QLatin1String("stations")).toArray()), sl({"KMSN"}));
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
