// UserLocation: Qt Positioning's nmea plugin on a real GPS receiver's NMEA log (gpsd's test data,
// tests/data/README.md), the home-location fallback, and the plain message when nothing knows.
#include "TestData.h"
#include "geo/UserLocation.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using namespace stratus;

class TestUserLocation : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        // Qt Positioning hides plugins whose metadata says "Testable": false (the nmea plugin) while
        // QT_QTESTLIB_RUNNING is set, which QTest sets (qgeopositioninfosource.cpp,
        // loadPluginMetadata). stratus never runs under QTest; unset it so this test sees the
        // plugins stratus sees.
        qunsetenv("QT_QTESTLIB_RUNNING");
    }

    void nmeaPluginIsInstalled()
    {
        QVERIFY2(UserLocation::availablePlugins().contains(QStringLiteral("nmea")),
                 "Qt Positioning's nmea plugin is missing: apt-get install libqt6positioning6-plugins");
    }

    void positionFromRealNmeaLog()
    {
        UserLocation::Options o;
        o.nmeaSource = testdata::source("tests/data/gpsd-gr601-w.log");
        o.useSystemSource = false;
        o.timeoutMs = 15'000;
        const auto fix = UserLocation::locate(o);
        QVERIFY2(fix.ok(), qPrintable(fix.errorMessage()));
        // The log's fixes are at 4002.105 N 07531.205 W (Malvern, PA): 40.03509, -75.52009,
        // within a metre of each other over its 9 seconds.
        QVERIFY2(std::abs(fix->coordinate.latitude() - 40.035085) < 2e-5, qPrintable(QString::number(fix->coordinate.latitude(), 'f', 6)));
        QVERIFY2(std::abs(fix->coordinate.longitude() + 75.520094) < 2e-5, qPrintable(QString::number(fix->coordinate.longitude(), 'f', 6)));
        QVERIFY2(fix->origin.contains(QStringLiteral("gpsd-gr601-w.log")), qPrintable(fix->origin));
        // The fix carries the receiver's own UTC time: 2013-10-24 14:32:5x.
        const QDateTime t = QDateTime::fromMSecsSinceEpoch(fix->timestampMs, Qt::UTC);
        QCOMPARE(t.date(), QDate(2013, 10, 24));
        QCOMPARE(t.time().hour(), 14);
        QCOMPARE(t.time().minute(), 32);
    }

    void nearAutoResolvesFromTheLog()
    {
        auto q = GeoQuery::parse(QStringLiteral("auto"), QStringLiteral("300"));
        QVERIFY(q.ok());
        QVERIFY(q->needsUserLocation());
        UserLocation::Options o;
        o.nmeaSource = QUrl::fromLocalFile(testdata::source("tests/data/gpsd-gr601-w.log")).toString(); // file:/// works too
        o.useSystemSource = false;
        UserLocation::Fix fix;
        const auto resolved = UserLocation::resolve(*q, o, &fix);
        QVERIFY2(resolved.ok(), qPrintable(resolved.errorMessage()));
        QVERIFY(!resolved->needsUserLocation());
        QCOMPARE(resolved->radiusKm, 300.0);
        QVERIFY(std::abs(resolved->center.latitude() - 40.035) < 1e-3);
    }

    void homeLocationIsTheFallback()
    {
        UserLocation::Options o;
        o.nmeaSource = QStringLiteral("/nonexistent/receiver.log");
        o.useSystemSource = false;
        o.home = QGeoCoordinate(43.0731, -89.4012);
        const auto fix = UserLocation::locate(o);
        QVERIFY2(fix.ok(), qPrintable(fix.errorMessage()));
        QCOMPARE(fix->coordinate, QGeoCoordinate(43.0731, -89.4012));
        QVERIFY(fix->origin.startsWith(QStringLiteral("home location")));
    }

    void saysPlainlyWhenNothingKnows()
    {
        UserLocation::Options o;
        o.nmeaSource = QStringLiteral("/nonexistent/receiver.log");
        o.useSystemSource = false;
        const auto fix = UserLocation::locate(o);
        QVERIFY(!fix.ok());
        const QString m = fix.errorMessage();
        QVERIFY2(m.startsWith(QStringLiteral("cannot tell where you are: ")), qPrintable(m));
        QVERIFY2(m.contains(QStringLiteral("NMEA log /nonexistent/receiver.log does not exist")), qPrintable(m));
        QVERIFY2(m.contains(QStringLiteral("no home location is configured")), qPrintable(m));
    }

    void settingsFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("stratus.conf"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("[location]\nhome=43.0731,-89.4012\nsystem_source=false\nnmea_source=/dev/ttyUSB0\n");
        }
        const auto o = UserLocation::Options::fromSettings(QSettings(path, QSettings::IniFormat));
        QVERIFY2(o.ok(), qPrintable(o.errorMessage()));
        QCOMPARE(*o->home, QGeoCoordinate(43.0731, -89.4012));
        QVERIFY(!o->useSystemSource);
        QCOMPARE(o->nmeaSource, QStringLiteral("/dev/ttyUSB0"));

        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write("[location]\nhome=\"43.07,-189.4\"\n");
        }
        const auto bad = UserLocation::Options::fromSettings(QSettings(path, QSettings::IniFormat));
        QVERIFY(!bad.ok());
        QVERIFY2(bad.errorMessage().contains(QStringLiteral("longitude -189.4 is impossible")), qPrintable(bad.errorMessage()));
        QVERIFY2(bad.errorMessage().contains(QStringLiteral("location/home")), qPrintable(bad.errorMessage()));
    }
};

QTEST_GUILESS_MAIN(TestUserLocation)
#include "tst_pipeline_user_location.moc"
