// OpenMeteoSource against a real HTTP server on 127.0.0.1 serving the recorded Open-Meteo answers
// in ../shared/fixtures/api/openmeteo (Content-Type application/json; charset=utf-8).
#include "FixtureHttpServer.h"
#include "LogCapture.h"
#include "TimeUtil.h"
#include "sources/OpenMeteoCodec.h"
#include "sources/OpenMeteoSource.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace stratus;

namespace {

qint64 iso(const char *s) { return *timeutil::parseIsoUtc(QByteArrayView(s)); }

FixtureHttpServer::Reply om(const char *fixture)
{
    return FixtureHttpServer::ok(FixtureHttpServer::fixture(fixture), FixtureHttpServer::kOpenMeteoType);
}

struct Harness
{
    FixtureHttpServer server;
    std::unique_ptr<OpenMeteoSource> source;
    QList<Reading> readings;
    QList<Station> stations;
    QList<QPair<qint64, qint64>> progress;

    void make(int backfillDays, double lat = 43.14, double lon = -89.34)
    {
        OpenMeteoSource::Options o;
        o.forecastUrl = server.baseUrl();
        o.archiveUrl = server.baseUrl();
        o.points.append({QString(), lat, lon, QString()});
        o.backfillDays = backfillDays;
        o.pollIntervalMs = 60'000;
        o.http.backoffBaseMs = 40;
        o.http.timeoutMs = 3000;
        source = std::make_unique<OpenMeteoSource>(o);
        QObject::connect(source.get(), &Source::readingsReady, source.get(), [this](const QList<Reading> &r) { readings += r; });
        QObject::connect(source.get(), &Source::stationsDiscovered, source.get(), [this](const QList<Station> &s) { stations += s; });
        QObject::connect(source.get(), &Source::progress, source.get(), [this](qint64 d, qint64 t) { progress.append({d, t}); });
    }
    bool waitState(Source::State s, int ms = 10000)
    {
        return QTest::qWaitFor([&] { return source->health().state == s; }, ms);
    }
    const Reading *at(qint64 ts) const
    {
        for (const Reading &r : readings) {
            if (r.timestampMs == ts)
                return &r;
        }
        return nullptr;
    }
};

} // namespace

class TestSourcesOpenMeteo : public QObject
{
    Q_OBJECT
private slots:
    void init() { LogCapture::clear(); }

    void pointIdIsReadableAndValid()
    {
        QCOMPARE(OpenMeteoSource::pointId(43.14, -89.34), QStringLiteral("OM4314N08934W"));
        QCOMPARE(OpenMeteoSource::pointId(-15.8, 47.9), QStringLiteral("OM1580S04790E"));
    }

    void backfillThenCurrentAndHourly()
    {
        Harness h;
        QVERIFY(h.server.listen());
        h.server.route(QStringLiteral("/v1/archive"), om("openmeteo/archive_hourly_daily_brasilia.json"));
        h.server.route(QStringLiteral("/v1/forecast"), om("openmeteo/forecast_current_hourly_daily.json"));
        h.make(2);
        h.source->start();
        QTRY_VERIFY_WITH_TIMEOUT(h.source->backfillDone() && h.source->health().state == Source::State::Ok, 10000);

        QCOMPARE(h.stations.size(), 1);
        QCOMPARE(h.stations.first().id, QStringLiteral("OM4314N08934W"));
        QCOMPARE(h.stations.first().latitude, 43.14);
        // Progress: 0 of 2, then each day.
        QCOMPARE(h.progress, (QList<QPair<qint64, qint64>>{{0, 2}, {1, 2}, {2, 2}}));
        const auto archive = h.server.requests(QStringLiteral("/v1/archive"));
        QCOMPARE(archive.size(), 2);
        const QDate today = QDateTime::currentDateTimeUtc().date();
        QCOMPARE(archive[0].query.queryItemValue(QStringLiteral("start_date")), today.addDays(-2).toString(Qt::ISODate));
        QCOMPARE(archive[1].query.queryItemValue(QStringLiteral("end_date")), today.addDays(-1).toString(Qt::ISODate));
        QCOMPARE(archive[0].query.queryItemValue(QStringLiteral("timezone")), QStringLiteral("GMT"));
        QCOMPARE(archive[0].query.queryItemValue(QStringLiteral("latitude")), QStringLiteral("43.14"));

        // Archive: Brasilia wall clock (-03) → UTC; the server answered the same day twice, emitted once.
        QCOMPARE(h.readings.first().timestampMs, iso("2022-12-29T03:00:00Z"));
        QCOMPARE(h.readings.first().value(Variable::Temperature), 18.7);
        QCOMPARE(h.readings[23].timestampMs, iso("2022-12-30T02:00:00Z"));
        QCOMPARE(h.readings[23].value(Variable::Temperature), 20.4);

        // Forecast: hourly rows up to the model's "now" (current.time 03:00 GMT), never the future.
        QCOMPARE(h.readings.size(), 24 + 4);
        QCOMPARE(h.readings.last().timestampMs, iso("2025-07-27T03:00:00Z"));
        const Reading *now = h.at(iso("2025-07-27T03:00:00Z"));
        QVERIFY(now);
        QCOMPARE(now->value(Variable::Temperature), 16.5);          // from current
        QCOMPARE(now->value(Variable::Humidity), 89.0);
        QCOMPARE(now->value(Variable::Pressure), 1012.7);
        QCOMPARE(now->value(Variable::WindSpeed), 3.1 / 3.6);      // km/h
        QCOMPARE(now->value(Variable::WindGust), 6.1 / 3.6);
        QCOMPARE(now->value(Variable::WindDirection), 291.0);
        QVERIFY(now->has(Variable::Visibility));                   // from the hourly row (m → km)
        const Reading *first = h.at(iso("2025-07-27T00:00:00Z"));
        QVERIFY(first);
        QCOMPARE(first->value(Variable::Temperature), 17.4);
        QCOMPARE(first->value(Variable::Dewpoint), 15.3);
        QCOMPARE(first->value(Variable::Visibility), 21.8);
        QCOMPARE(first->value(Variable::Precipitation), 0.0);
        const auto fc = h.server.requests(QStringLiteral("/v1/forecast")).first();
        QCOMPARE(fc.query.queryItemValue(QStringLiteral("timezone")), QStringLiteral("GMT"));
        QVERIFY(fc.query.queryItemValue(QStringLiteral("current")).contains(QStringLiteral("temperature_2m")));
        QVERIFY(fc.headers.value("user-agent").startsWith("Stratus/"));
    }

    void staleDstOffsetDoesNotShiftTimes()
    {
        // Paris in December, answered with utc_offset_seconds 7200 (CEST, the request-time offset).
        // The zone's own rules give CET (+1 h) for these dates: 00:00 local = 23:00 UTC the day before.
        Harness h;
        QVERIFY(h.server.listen());
        h.server.route(QStringLiteral("/v1/archive"), om("openmeteo/archive_hourly_daily_paris_dst_offset.json"));
        h.server.route(QStringLiteral("/v1/forecast"), FixtureHttpServer::status(404));
        h.make(1);
        h.source->start();
        QTRY_VERIFY_WITH_TIMEOUT(h.source->backfillDone(), 10000);
        QCOMPARE(h.readings.size(), 24);
        QCOMPARE(h.readings.first().timestampMs, iso("2022-12-28T23:00:00Z"));
        QCOMPARE(h.readings.first().value(Variable::Temperature), 11.9);
        QCOMPARE(h.readings.last().timestampMs, iso("2022-12-29T22:00:00Z"));
    }

    void dayMissingFromArchiveComesFromForecastApi()
    {
        // The archive answers without hourly values (the all-null ocean answer stands in for a day
        // the reanalysis has not reached); the day is then asked from /v1/forecast by date.
        Harness h;
        QVERIFY(h.server.listen());
        h.server.route(QStringLiteral("/v1/archive"), om("openmeteo/forecast_daily_all_null.json"));
        h.server.route(QStringLiteral("/v1/forecast"), om("openmeteo/forecast_current_hourly_daily.json"));
        h.make(1);
        h.source->start();
        QTRY_VERIFY_WITH_TIMEOUT(h.source->backfillDone(), 10000);
        const auto fc = h.server.requests(QStringLiteral("/v1/forecast"));
        QVERIFY(fc.size() >= 1);
        const QString day = QDateTime::currentDateTimeUtc().date().addDays(-1).toString(Qt::ISODate);
        QCOMPARE(fc.first().query.queryItemValue(QStringLiteral("start_date")), day);
        QCOMPARE(fc.first().query.queryItemValue(QStringLiteral("end_date")), day);
        QCOMPARE(h.readings.size(), 168); // every recorded hourly row, all in the past
        QCOMPARE(h.readings.first().timestampMs, iso("2025-07-27T00:00:00Z"));
        QCOMPARE(h.progress.last(), (QPair<qint64, qint64>(1, 1)));
    }

    void legacyFahrenheitAndMph()
    {
        Harness h;
        QVERIFY(h.server.listen());
        h.server.route(QStringLiteral("/v1/forecast"), om("openmeteo/forecast_current_weather_legacy_fahrenheit_mph.json"));
        h.make(0, -12.5, 130.875);
        h.source->start();
        QTRY_COMPARE_WITH_TIMEOUT(h.readings.size(), 1, 10000);
        const Reading &r = h.readings.first();
        // Darwin (ACST, +09:30): 20:45 local = 11:15 UTC.
        QCOMPARE(r.timestampMs, iso("2023-10-25T11:15:00Z"));
        QCOMPARE(r.value(Variable::Temperature), (84.1 - 32) * 5 / 9); // °F
        QCOMPARE(r.value(Variable::WindSpeed), 7.6 * 0.44704);        // mp/h
        QCOMPARE(r.value(Variable::WindDirection), 90.0);
        QVERIFY(!r.has(Variable::Humidity));
        QVERIFY(h.waitState(Source::State::Ok));
    }

    void badRequestIsDownWithTheReasonAndNotRetried()
    {
        LogCapture logs;
        Harness h;
        QVERIFY(h.server.listen());
        h.server.route(QStringLiteral("/v1/forecast"),
                       FixtureHttpServer::status(400, FixtureHttpServer::fixture("openmeteo/error_400_invalid_hourly_variable.json"),
                                                 FixtureHttpServer::kOpenMeteoType));
        h.make(0);
        h.source->start();
        QVERIFY(h.waitState(Source::State::Down));
        QCOMPARE(h.server.requests(QStringLiteral("/v1/forecast")).size(), 1);
        QVERIFY(h.source->health().lastError.contains(QStringLiteral("HTTP 400")));
        QVERIFY(h.source->health().lastError.contains(QStringLiteral("Cannot initialize SurfaceAndPressureVariable")));
        QVERIFY(h.readings.isEmpty());
        QVERIFY(!LogCapture::find({QStringLiteral("poll failed"), QStringLiteral("HTTP 400")}).isEmpty());
    }

    void answerWithoutObservationsIsDegraded()
    {
        // An ocean point whose only block is `daily`, every value null: nothing to emit.
        LogCapture logs;
        Harness h;
        QVERIFY(h.server.listen());
        h.server.route(QStringLiteral("/v1/forecast"), om("openmeteo/forecast_daily_all_null.json"));
        h.make(0);
        h.source->start();
        QVERIFY(h.waitState(Source::State::Degraded));
        QVERIFY(h.readings.isEmpty());
        QVERIFY(h.source->health().lastError.contains(QStringLiteral("no current or hourly values")));
    }

    void unknownUnitDropsThoseValues()
    {
        LogCapture logs;
        Harness h;
        QVERIFY(h.server.listen());
        // Injected fault: the real Berlin answer with the wind-speed unit replaced everywhere.
        QByteArray body = FixtureHttpServer::fixture("openmeteo/forecast_current_hourly_daily.json");
        body.replace("\"wind_speed_10m\": \"km/h\"", "\"wind_speed_10m\": \"furlong/fortnight\"");
        h.server.route(QStringLiteral("/v1/forecast"), FixtureHttpServer::ok(body, FixtureHttpServer::kOpenMeteoType));
        h.make(0);
        h.source->start();
        QTRY_COMPARE_WITH_TIMEOUT(h.readings.size(), 4, 10000);
        QVERIFY(h.waitState(Source::State::Degraded));
        for (const Reading &r : std::as_const(h.readings)) {
            QVERIFY(!r.has(Variable::WindSpeed));
            QVERIFY(r.has(Variable::Temperature));
            QVERIFY(r.has(Variable::WindGust)); // its own unit is still km/h
        }
        QVERIFY(h.source->health().lastError.contains(QStringLiteral("furlong/fortnight")));
        QVERIFY(!LogCapture::find({QStringLiteral("wind_speed_10m"), QStringLiteral("unknown or incompatible unit \"furlong/fortnight\"")}).isEmpty());
    }

    void malformedAndTimeout()
    {
        LogCapture logs;
        Harness h;
        QVERIFY(h.server.listen());
        FixtureHttpServer::Reply silent;
        silent.mode = FixtureHttpServer::Reply::Mode::NeverAnswer;
        h.server.route(QStringLiteral("/v1/archive"), silent);
        QByteArray body = FixtureHttpServer::fixture("openmeteo/forecast_current_hourly_daily.json");
        h.server.route(QStringLiteral("/v1/forecast"), FixtureHttpServer::ok(body.left(5000), FixtureHttpServer::kOpenMeteoType));
        OpenMeteoSource::Options o;
        o.forecastUrl = o.archiveUrl = h.server.baseUrl();
        o.points.append({QString(), 43.14, -89.34, QString()});
        o.backfillDays = 1;
        o.http.timeoutMs = 300;
        o.http.maxAttempts = 1;
        h.source = std::make_unique<OpenMeteoSource>(o);
        h.source->start();
        QVERIFY(h.waitState(Source::State::Down));
        QVERIFY(h.source->health().lastError.contains(QStringLiteral("malformed JSON")));
        QVERIFY(!LogCapture::find({QStringLiteral("back-fill of"), QStringLiteral("timed out")}).isEmpty());
    }

    void unixtimeAnswers()
    {
        // timeformat=unixtime: the Brasilia answer's first instant written as epoch seconds.
        const QJsonObject root = QJsonDocument::fromJson(R"({"utc_offset_seconds":-10800,"timezone":"America/Sao_Paulo"})").object();
        QCOMPARE(OpenMeteoCodec::instant(root, QJsonValue(1672282800.0), true), std::optional<qint64>(iso("2022-12-29T03:00:00Z")));
        QCOMPARE(OpenMeteoCodec::instant(root, QJsonValue(QStringLiteral("2022-12-29T00:00")), false), std::optional<qint64>(iso("2022-12-29T03:00:00Z")));
    }
};

QTEST_GUILESS_MAIN(TestSourcesOpenMeteo)
#include "tst_pipeline_sources_openmeteo.moc"
