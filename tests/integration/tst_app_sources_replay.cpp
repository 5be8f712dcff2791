// Replay of the real recorded data sets: the METAR day end to end through the stratus binary
// (every located station must reach /stations), replay speed and time shifting, and the daily
// CSVs with their US units converted on the way in.
#include "CsvReader.h"
#include "StratusProcess.h"
#include "TestData.h"
#include "TimeUtil.h"
#include "sources/RecordedDataReader.h"
#include "sources/ReplaySource.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace stratus;

namespace {
qint64 iso(const char *s) { return *timeutil::parseIsoUtc(QByteArrayView(s)); }
} // namespace

class TestSourcesReplay : public QObject
{
    Q_OBJECT
private slots:
    void metarDayPutsEveryLocatedStationIntoStations()
    {
        const QString obs = testdata::shared("data/sao_19950318/observations.csv");
        const QString csv = testdata::shared("data/sao_19950318/stations.csv");
        StratusProcess p;
        QVERIFY2(p.start({QStringLiteral("--server"), QStringLiteral("--source"), QStringLiteral("replay"), QStringLiteral("--file"), obs,
                          QStringLiteral("--stations-csv"), csv, QStringLiteral("--speed"), QStringLiteral("max"),
                          QStringLiteral("--port"), QStringLiteral("0")}),
                 qPrintable(p.error()));
        const HttpAnswer reply = p.get(QStringLiteral("/stations"));
        QCOMPARE(reply.status, 200);
        const QJsonObject body = reply.json();
        QHash<QString, QJsonObject> byId;
        for (const QJsonValue &v : body.value(QLatin1String("stations")).toArray())
            byId.insert(v.toObject().value(QLatin1String("id")).toString(), v.toObject());

        // Every one of the 1,444 located ids of stations.csv is served, at the CSV's position —
        // except WUY, whose recorded longitude -790.2 is not on Earth: it is listed without one.
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        CsvReader reader(&f);
        QVERIFY(reader.readHeader());
        QStringList row;
        int ids = 0, positioned = 0;
        while (reader.readRow(row)) {
            ++ids;
            const QString id = row[0];
            QVERIFY2(byId.contains(id), qPrintable(id));
            const QJsonObject s = byId.value(id);
            if (id == QLatin1String("WUY")) {
                QVERIFY(!s.contains(QLatin1String("longitude")) || s.value(QLatin1String("longitude")).isNull());
                continue;
            }
            QCOMPARE(s.value(QLatin1String("latitude")).toDouble(), row[1].toDouble());
            QCOMPARE(s.value(QLatin1String("longitude")).toDouble(), row[2].toDouble());
            ++positioned;
        }
        QCOMPARE(ids, 1444);
        QCOMPARE(positioned, 1443);
        // The ids that never carry a position are there too: 2,095 distinct ids in the file, less
        // the 70 that are not station ids (68 times such as "0030", ".MRO", an empty id).
        QCOMPARE(byId.size(), 2025);
        QVERIFY(!byId.contains(QStringLiteral("0030")));
        QVERIFY(!byId.contains(QStringLiteral(".MRO")));
        qInfo() << "/stations served" << byId.size() << "stations," << positioned << "located from stations.csv";
    }

    void maxSpeedReplaysEverything()
    {
        ReplaySource::Options o;
        o.path = testdata::shared("data/nws_recorded/nws_recorded.jsonl");
        o.speed = 0;
        ReplaySource src(o);
        qint64 n = 0, last = 0;
        bool ordered = true;
        connect(&src, &Source::readingsReady, &src, [&](const QList<Reading> &r) {
            for (const Reading &x : r) {
                ordered = ordered && x.timestampMs >= last;
                last = x.timestampMs;
            }
            n += r.size();
        });
        bool finished = false;
        connect(&src, &Source::finished, &src, [&] { finished = true; });
        src.start();
        QTRY_VERIFY_WITH_TIMEOUT(finished, 20000);
        QCOMPARE(n, 524);
        QVERIFY(ordered);
        QCOMPARE(last, iso("2026-01-29T07:35:00Z"));
        QCOMPARE(src.health().state, Source::State::Finished);
    }

    void speedNeverRunsAheadOfTheClock_data()
    {
        QTest::addColumn<double>("speed");
        QTest::newRow("3600x") << 3600.0;
        QTest::newRow("10000x") << 10000.0;
    }

    void speedNeverRunsAheadOfTheClock()
    {
        // The METAR day (24 h of event time): at speed S, after w ms of wall time no reading later
        // than first + w·S (+ one 50 ms tick) may have been emitted, and the replay keeps moving.
        QFETCH(double, speed);
        ReplaySource::Options o;
        o.path = testdata::shared("data/sao_19950318/observations.csv");
        o.speed = speed;
        ReplaySource src(o);
        QElapsedTimer wall;
        qint64 first = -1, maxSeen = 0, emitted = 0;
        bool ahead = false;
        connect(&src, &Source::readingsReady, &src, [&](const QList<Reading> &r) {
            if (first < 0) {
                first = r.first().timestampMs;
                wall.start();
            }
            for (const Reading &x : r)
                maxSeen = std::max(maxSeen, x.timestampMs);
            const double allowed = (wall.elapsed() + 60) * speed;
            ahead = ahead || (maxSeen - first) > allowed;
            emitted += r.size();
        });
        src.start();
        QTRY_VERIFY_WITH_TIMEOUT(emitted > 0, 20000);
        QTest::qWait(1500);
        QVERIFY(!ahead);
        QVERIFY(maxSeen - first >= 1000 * speed * 0.3); // it does advance (loose: the machine is shared)
        src.stop();
    }

    void shiftToNowStartsNow()
    {
        ReplaySource::Options o;
        o.path = testdata::shared("data/nws_recorded/nws_recorded.jsonl");
        o.speed = 0;
        o.shiftToNow = true;
        ReplaySource src(o);
        QList<Reading> got;
        connect(&src, &Source::readingsReady, &src, [&](const QList<Reading> &r) { got += r; });
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        src.start();
        QTRY_COMPARE_WITH_TIMEOUT(got.size(), 524, 20000);
        QVERIFY(got.first().timestampMs >= before && got.first().timestampMs <= QDateTime::currentMSecsSinceEpoch());
        // Spacing is kept: the recording spans 2025-12-13T09:35 .. 2026-01-29T07:35.
        QCOMPARE(got.last().timestampMs - got.first().timestampMs, iso("2026-01-29T07:35:00Z") - iso("2025-12-13T09:35:00Z"));
    }

    void madisonDailyRecords()
    {
        const auto data = RecordedDataReader::read(testdata::shared("data/ghcnd_madison_daily/madison_daily_1996_2023.csv"));
        QVERIFY2(data, qPrintable(data.errorMessage()));
        QCOMPARE(data->readings.size(), 9892);
        QCOMPARE(data->rejected.size(), 0);
        QCOMPARE(data->stations.size(), 1);
        const Station &s = data->stations.first();
        QCOMPARE(s.id, QStringLiteral("USW00014837"));
        QCOMPARE(s.name, QStringLiteral("MADISON DANE CO REGIONAL AIRPORT, WI US"));
        QCOMPARE(s.latitude, 43.14069);
        QCOMPARE(s.longitude, -89.34521);
        QCOMPARE(s.elevationM, 261.7);
        const Reading &first = data->readings.first();
        QCOMPARE(first.timestampMs, iso("1996-12-01T00:00:00Z"));
        QCOMPARE(first.value(Variable::Temperature), (-0.6 + -5.0) / 2); // TAVG missing: (TMAX+TMIN)/2
        QCOMPARE(first.value(Variable::WindSpeed), 4.8);
        QCOMPARE(data->readings.last().timestampMs, iso("2023-12-31T00:00:00Z"));
    }

    void chicagoDailyInUsUnits()
    {
        const auto data = RecordedDataReader::read(testdata::shared("data/chicago_daily/chicago_2001_2013.csv"));
        QVERIFY2(data, qPrintable(data.errorMessage()));
        QCOMPARE(data->readings.size(), 4727);
        const Reading &r = data->readings.first(); // 2001-01-22: 19.45 °F, dew 13.45 °F, 30.43 inHg, 5.2 mph, gust 0
        QCOMPARE(r.stationId, QStringLiteral("CHICAGO"));
        QCOMPARE(r.timestampMs, iso("2001-01-22T00:00:00Z"));
        QCOMPARE(r.value(Variable::Temperature), (19.45 - 32) * 5 / 9);
        QCOMPARE(r.value(Variable::Dewpoint), (13.45 - 32) * 5 / 9);
        QCOMPARE(r.value(Variable::Humidity), 78.0);
        QCOMPARE(r.value(Variable::Pressure), 30.43 * 33.8638866667);
        QCOMPARE(r.value(Variable::WindSpeed), 5.2 * 0.44704);
        QVERIFY(!r.has(Variable::WindGust)); // 0 = no gust reported, not a calm gust
    }
};

QTEST_GUILESS_MAIN(TestSourcesReplay)
#include "tst_app_sources_replay.moc"
