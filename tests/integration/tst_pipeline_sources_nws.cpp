// NwsSource against a real HTTP server on 127.0.0.1 serving the recorded api.weather.gov answers
// in ../shared/fixtures/api/nws. Faults are injected around them (error statuses, Retry-After,
// malformed and cut-short bodies, silence, an unknown unit, every value null); where a fixture is
// altered for that, the test says so.
#include "FixtureHttpServer.h"
#include "LogCapture.h"
#include "TimeUtil.h"
#include "sources/NwsSource.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace stratus;
using Reply = FixtureHttpServer::Reply;

namespace {

QByteArray compact(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

// /stations/KLIT/observations/latest answers a single Feature; the KLIT fixture is the same
// observation as a one-feature FeatureCollection (?limit=1), so the feature is lifted out unchanged.
QJsonObject klitFeature()
{
    const QJsonObject fc = QJsonDocument::fromJson(FixtureHttpServer::fixture("nws/stations_KLIT_observations_limit1.json")).object();
    return fc.value(QLatin1String("features")).toArray().first().toObject();
}

QJsonObject withTimestampShift(QJsonObject feature, qint64 shiftMs)
{
    QJsonObject props = feature.value(QLatin1String("properties")).toObject();
    const qint64 t = *timeutil::parseIsoUtc(QStringView(props.value(QLatin1String("timestamp")).toString())) + shiftMs;
    props.insert(QLatin1String("timestamp"), timeutil::toIsoUtc(t));
    feature.insert(QLatin1String("properties"), props);
    return feature;
}

qint64 iso(const char *s) { return *timeutil::parseIsoUtc(QByteArrayView(s)); }

struct Harness
{
    FixtureHttpServer server;
    std::unique_ptr<NwsSource> source;
    QList<Reading> readings;
    QList<Station> stations;
    QStringList states;

    void make(NwsSource::Options o)
    {
        o.baseUrl = server.baseUrl();
        o.contact = QStringLiteral("stratus-tests@example.invalid");
        if (o.http.backoffBaseMs == HttpClient::Options().backoffBaseMs)
            o.http.backoffBaseMs = 40; // quick retries in tests; the schedule itself is tested below
        if (o.http.timeoutMs == HttpClient::Options().timeoutMs)
            o.http.timeoutMs = 3000;
        source = std::make_unique<NwsSource>(o);
        QObject::connect(source.get(), &Source::readingsReady, source.get(), [this](const QList<Reading> &r) { readings += r; });
        QObject::connect(source.get(), &Source::stationsDiscovered, source.get(), [this](const QList<Station> &s) { stations += s; });
        QObject::connect(source.get(), &Source::healthChanged, source.get(),
                         [this] { states << Source::stateKey(source->health().state); });
    }
    const Reading *reading(const QString &id) const
    {
        for (const Reading &r : readings) {
            if (r.stationId == id)
                return &r;
        }
        return nullptr;
    }
    bool waitState(Source::State s, int ms = 10000)
    {
        return QTest::qWaitFor([&] { return source->health().state == s; }, ms);
    }
};

NwsSource::Options stationsOption(const QStringList &ids, int pollMs = 60'000)
{
    NwsSource::Options o;
    o.stationIds = ids;
    o.pollIntervalMs = pollMs;
    return o;
}

} // namespace

class TestSourcesNws : public QObject
{
    Q_OBJECT
private slots:
    void init() { LogCapture::clear(); }

    void discoveryFromPointFollowsPagination()
    {
        LogCapture logs;
        Harness h;
        QVERIFY(h.server.listen());
        h.server.route(QStringLiteral("/points/30,-85"), FixtureHttpServer::ok(FixtureHttpServer::fixture("nws/points_30_-85.json")));
        h.server.route(QStringLiteral("/gridpoints/TAE/58,65/stations"),
                       FixtureHttpServer::ok(FixtureHttpServer::fixture("nws/gridpoint_stations.json")));
        // The page pagination.next points at. The API ends a list with a page without features;
        // this small body is written here for that (no such page was recorded).
        h.server.route(QStringLiteral("/stations"), FixtureHttpServer::ok(R"({"type":"FeatureCollection","features":[]})"));
        NwsSource::Options o;
        o.near = std::make_pair(30.0, -85.0);
        o.maxStations = 0; // all
        o.pollIntervalMs = 60'000;
        h.make(o);
        h.source->start();
        QTRY_COMPARE_WITH_TIMEOUT(h.source->pollingStations().size(), 41, 10000);

        QCOMPARE(h.server.requests(QStringLiteral("/points/30,-85")).size(), 1);
        const auto page2 = h.server.requests(QStringLiteral("/stations"));
        QCOMPARE(page2.size(), 1);
        QCOMPARE(page2.first().query.queryItemValue(QStringLiteral("cursor")), QStringLiteral("eyJzIjo1MDB9"));
        QCOMPARE(h.source->pollingStations().first(), QStringLiteral("KCMH"));
        const Station &kcmh = h.stations.first();
        QCOMPARE(kcmh.id, QStringLiteral("KCMH"));
        QCOMPARE(kcmh.name, QStringLiteral("John Glenn Columbus International Airport"));
        QCOMPARE(kcmh.latitude, 39.9906999);
        QCOMPARE(kcmh.longitude, -82.87691);
        QCOMPARE(kcmh.elevationM, 245.9736);
        // NWS asks for an identifying User-Agent with a contact, and GeoJSON.
        const auto first = h.server.requests().first();
        QVERIFY(first.headers.value("user-agent").startsWith("Stratus/"));
        QVERIFY(first.headers.value("user-agent").contains("stratus-tests@example.invalid"));
        QCOMPARE(first.headers.value("accept"), QByteArray("application/geo+json"));
        QVERIFY(!LogCapture::find({QStringLiteral("discovered 41 stations in 2 page(s)")}).isEmpty());
    }

    void discoveryLimitedToNearest()
    {
        Harness h;
        QVERIFY(h.server.listen());
        h.server.route(QStringLiteral("/points/30,-85"), FixtureHttpServer::ok(FixtureHttpServer::fixture("nws/points_30_-85.json")));
        h.server.route(QStringLiteral("/gridpoints/TAE/58,65/stations"),
                       FixtureHttpServer::ok(FixtureHttpServer::fixture("nws/gridpoint_stations.json")));
        NwsSource::Options o;
        o.near = std::make_pair(30.0, -85.0);
        o.maxStations = 3;
        h.make(o);
        h.source->start();
        QTRY_COMPARE_WITH_TIMEOUT(h.source->pollingStations(), (QStringList{QStringLiteral("KCMH"), QStringLiteral("KOSU"), QStringLiteral("KTZR")}), 10000);
        QCOMPARE(h.server.requests(QStringLiteral("/stations")).size(), 0); // enough after page 1
    }

    void pollConvertsEveryQuantityByItsUnit()
    {
        Harness h;
        QVERIFY(h.server.listen());
        h.server.route(QStringLiteral("/stations/KLIT/observations/latest"), FixtureHttpServer::ok(compact(klitFeature())));
        h.server.route(QStringLiteral("/stations/KFLL/observations/latest"), FixtureHttpServer::ok(FixtureHttpServer::fixture("nws/stations_KFLL_observations_latest.json")));
        h.server.route(QStringLiteral("/stations/KDEN/observations/latest"), FixtureHttpServer::ok(FixtureHttpServer::fixture("nws/stations_KDEN_observations_latest_calm.json")));
        h.server.route(QStringLiteral("/stations/KSEC2/observations/latest"), FixtureHttpServer::ok(FixtureHttpServer::fixture("nws/stations_KSEC2_observations_latest_nonmetar_missing_fields.json")));
        h.server.route(QStringLiteral("/stations/K0CO/observations/latest"), FixtureHttpServer::ok(FixtureHttpServer::fixture("nws/stations_K0CO_observations_latest_temp_null.json")));
        h.make(stationsOption({QStringLiteral("KLIT"), QStringLiteral("KFLL"), QStringLiteral("KDEN"), QStringLiteral("KSEC2"), QStringLiteral("K0CO")}));
        h.source->start();
        QTRY_COMPARE_WITH_TIMEOUT(h.readings.size(), 5, 10000);
        QVERIFY(h.waitState(Source::State::Ok));

        const Reading *klit = h.reading(QStringLiteral("KLIT"));
        QVERIFY(klit);
        QCOMPARE(klit->timestampMs, iso("2024-02-20T15:53:00Z"));
        QCOMPARE(klit->value(Variable::Temperature), 12.8);
        QCOMPARE(klit->value(Variable::Dewpoint), 0.6);
        QCOMPARE(klit->value(Variable::WindSpeed), 1.5);         // 5.4 km/h (270° 3 kt)
        QCOMPARE(klit->value(Variable::WindDirection), 270.0);
        QCOMPARE(klit->value(Variable::Pressure), 1024.3);       // seaLevelPressure 102430 Pa
        QCOMPARE(klit->value(Variable::Visibility), 16.09);      // 16090 m
        QVERIFY(qAbs(klit->value(Variable::Humidity) - 43.24031437479) < 1e-9);
        QVERIFY(!klit->has(Variable::WindGust));                  // null stays missing ...
        QCOMPARE(klit->quality[index(Variable::WindGust)], 'Z'); // ... with its qc flag
        QCOMPARE(klit->quality[index(Variable::Temperature)], 'V');
        QVERIFY(!klit->has(Variable::Precipitation));            // wmoUnit:mm, null

        const Reading *kfll = h.reading(QStringLiteral("KFLL"));
        QVERIFY(kfll);
        QCOMPARE(kfll->value(Variable::WindSpeed), 2.1);         // 7.56 km/h
        QCOMPARE(kfll->value(Variable::Pressure), 1018.7);
        QVERIFY(!kfll->has(Variable::Precipitation));

        const Reading *kden = h.reading(QStringLiteral("KDEN"));
        QVERIFY(kden);
        QVERIFY(kden->has(Variable::WindSpeed));                  // calm is 0, not missing
        QCOMPARE(kden->value(Variable::WindSpeed), 0.0);
        QCOMPARE(kden->quality[index(Variable::WindSpeed)], 'V');

        const Reading *ksec2 = h.reading(QStringLiteral("KSEC2"));
        QVERIFY(ksec2);
        QVERIFY(!ksec2->has(Variable::Precipitation));            // field absent
        QVERIFY(!ksec2->has(Variable::Pressure));                 // both pressures null
        QVERIFY(qAbs(ksec2->value(Variable::WindGust) - 28.98 / 3.6) < 1e-12);
        QCOMPARE(ksec2->quality[index(Variable::WindGust)], 'S');

        const Reading *k0co = h.reading(QStringLiteral("K0CO"));
        QVERIFY(k0co);
        QVERIFY(!k0co->has(Variable::Temperature));                // MADIS rejected: null, qc Z
        QCOMPARE(k0co->quality[index(Variable::Temperature)], 'Z');
        QCOMPARE(k0co->value(Variable::Precipitation), 0.0);       // 0 in wmoUnit:m
        QCOMPARE(k0co->value(Variable::Visibility), 0.4);
        QCOMPARE(k0co->value(Variable::WindSpeed), 46.44 / 3.6);

        // Station metadata from the observations' geometry and elevation.
        bool sawKlitPosition = false;
        for (const Station &s : std::as_const(h.stations)) {
            if (s.id == QLatin1String("KLIT") && s.hasLocation()) {
                sawKlitPosition = true;
                QCOMPARE(s.latitude, 34.72);
                QCOMPARE(s.longitude, -92.23);
                QCOMPARE(s.elevationM, 79.0);
            }
        }
        QVERIFY(sawKlitPosition);
    }

    void unchangedObservationIsNotReemitted()
    {
        Harness h;
        QVERIFY(h.server.listen());
        h.server.route(QStringLiteral("/stations/KLIT/observations/latest"), FixtureHttpServer::ok(compact(klitFeature())));
        h.make(stationsOption({QStringLiteral("KLIT")}, 150));
        h.source->start();
        QTRY_VERIFY_WITH_TIMEOUT(h.server.requests(QStringLiteral("/stations/KLIT/observations/latest")).size() >= 4, 10000);
        QCOMPARE(h.readings.size(), 1);
        QCOMPARE(h.source->health().readingsEmitted, 1);
        QCOMPARE(h.source->health().state, Source::State::Ok);
    }

    void serverErrorMeansDownAfterRetries()
    {
        LogCapture logs;
        Harness h;
        QVERIFY(h.server.listen());
        h.server.route(QStringLiteral("/stations/KLIT/observations/latest"),
                       FixtureHttpServer::status(500, R"({"title":"Unexpected Problem","status":500,"detail":"An unexpected problem has occurred."})"));
        NwsSource::Options o = stationsOption({QStringLiteral("KLIT")});
        o.http.maxAttempts = 3;
        h.make(o);
        h.source->start();
        QVERIFY(h.waitState(Source::State::Down));
        QCOMPARE(h.server.requests(QStringLiteral("/stations/KLIT/observations/latest")).size(), 3);
        QVERIFY(h.source->health().lastError.contains(QStringLiteral("HTTP 500")));
        QVERIFY(h.source->health().lastError.contains(QStringLiteral("An unexpected problem has occurred.")));
        QVERIFY(h.states.contains(QStringLiteral("degraded"))); // while retrying
        QVERIFY(h.readings.isEmpty());
        QVERIFY(!LogCapture::find({QStringLiteral("KLIT: poll failed"), QStringLiteral("HTTP 500"), QStringLiteral("after 3 attempts")}).isEmpty());
    }

    void oneStationFailingIsDegraded()
    {
        Harness h;
        QVERIFY(h.server.listen());
        h.server.route(QStringLiteral("/stations/KLIT/observations/latest"), FixtureHttpServer::status(500));
        h.server.route(QStringLiteral("/stations/KDEN/observations/latest"), FixtureHttpServer::ok(FixtureHttpServer::fixture("nws/stations_KDEN_observations_latest_calm.json")));
        NwsSource::Options o = stationsOption({QStringLiteral("KLIT"), QStringLiteral("KDEN")});
        o.http.maxAttempts = 2;
        h.make(o);
        h.source->start();
        QTRY_VERIFY_WITH_TIMEOUT(h.server.requests(QStringLiteral("/stations/KLIT/observations/latest")).size() == 2 && h.readings.size() == 1, 10000);
        // (Degraded already while KLIT is retried; the round's verdict names the failed share.)
        QTRY_VERIFY_WITH_TIMEOUT(h.source->health().lastError.startsWith(QStringLiteral("1 of 2 stations failed")), 10000);
        QCOMPARE(h.source->health().state, Source::State::Degraded);
        QCOMPARE(h.readings.first().stationId, QStringLiteral("KDEN"));
    }

    void tooManyRequestsHonoursRetryAfter()
    {
        LogCapture logs;
        Harness h;
        QVERIFY(h.server.listen());
        Reply busy = FixtureHttpServer::status(429, R"({"title":"Too Many Requests","status":429})");
        busy.headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("1")));
        h.server.routeSequence(QStringLiteral("/stations/KLIT/observations/latest"), {busy, FixtureHttpServer::ok(compact(klitFeature()))});
        h.make(stationsOption({QStringLiteral("KLIT")}));
        h.source->start();
        QTRY_COMPARE_WITH_TIMEOUT(h.readings.size(), 1, 10000);
        QVERIFY(h.waitState(Source::State::Ok));
        const auto reqs = h.server.requests(QStringLiteral("/stations/KLIT/observations/latest"));
        QCOMPARE(reqs.size(), 2);
        QVERIFY2(reqs[1].atMs - reqs[0].atMs >= 1000, qPrintable(QString::number(reqs[1].atMs - reqs[0].atMs)));
        QVERIFY(h.states.contains(QStringLiteral("degraded"))); // while waiting out Retry-After
        QVERIFY(!LogCapture::find({QStringLiteral("HTTP 429"), QStringLiteral("in 1000 ms (Retry-After)")}).isEmpty());
    }

    void serviceUnavailableRetryAfterAsHttpDate()
    {
        Harness h;
        QVERIFY(h.server.listen());
        Reply busy = FixtureHttpServer::status(503);
        busy.headers.append(qMakePair(QByteArray("Retry-After"), QDateTime::currentDateTimeUtc().addSecs(2).toString(Qt::RFC2822Date).toLatin1()));
        h.server.routeSequence(QStringLiteral("/stations/KLIT/observations/latest"), {busy, FixtureHttpServer::ok(compact(klitFeature()))});
        h.make(stationsOption({QStringLiteral("KLIT")}));
        h.source->start();
        QTRY_COMPARE_WITH_TIMEOUT(h.readings.size(), 1, 10000);
        const auto reqs = h.server.requests(QStringLiteral("/stations/KLIT/observations/latest"));
        QVERIFY2(reqs[1].atMs - reqs[0].atMs >= 900, qPrintable(QString::number(reqs[1].atMs - reqs[0].atMs)));
    }

    void malformedJsonIsAnErrorNotAReading()
    {
        LogCapture logs;
        Harness h;
        QVERIFY(h.server.listen());
        // The real KLIT answer cut at 60 % and served as a complete (well-framed) HTTP body.
        const QByteArray body = compact(klitFeature());
        h.server.route(QStringLiteral("/stations/KLIT/observations/latest"), FixtureHttpServer::ok(body.left(body.size() * 6 / 10)));
        h.make(stationsOption({QStringLiteral("KLIT")}));
        h.source->start();
        QVERIFY(h.waitState(Source::State::Down));
        QVERIFY(h.source->health().lastError.contains(QStringLiteral("malformed JSON")));
        QVERIFY(h.readings.isEmpty());
        QVERIFY(!LogCapture::find({QStringLiteral("KLIT: poll failed"), QStringLiteral("malformed JSON at offset")}).isEmpty());
    }

    void cutShortBodyIsAnError()
    {
        LogCapture logs;
        Harness h;
        QVERIFY(h.server.listen());
        Reply cut = FixtureHttpServer::ok(compact(klitFeature()));
        cut.mode = Reply::Mode::CutShort;
        h.server.route(QStringLiteral("/stations/KLIT/observations/latest"), cut);
        NwsSource::Options o = stationsOption({QStringLiteral("KLIT")});
        o.http.maxAttempts = 2;
        h.make(o);
        h.source->start();
        QVERIFY(h.waitState(Source::State::Down));
        QVERIFY(h.readings.isEmpty());
        QCOMPARE(h.server.requests(QStringLiteral("/stations/KLIT/observations/latest")).size(), 2);
        QVERIFY(!h.source->health().lastError.isEmpty());
        QVERIFY(!LogCapture::find({QStringLiteral("KLIT: poll failed")}).isEmpty());
        qInfo().noquote() << "cut-short body reported as:" << h.source->health().lastError;
    }

    void silentServerTimesOut()
    {
        LogCapture logs;
        Harness h;
        QVERIFY(h.server.listen());
        Reply silent;
        silent.mode = Reply::Mode::NeverAnswer;
        h.server.route(QStringLiteral("/stations/KLIT/observations/latest"), silent);
        NwsSource::Options o = stationsOption({QStringLiteral("KLIT")});
        o.http.timeoutMs = 300;
        o.http.maxAttempts = 2;
        h.make(o);
        h.source->start();
        QVERIFY(h.waitState(Source::State::Down));
        QVERIFY(h.source->health().lastError.contains(QStringLiteral("no response within 300 ms (timed out)")));
        QVERIFY(h.readings.isEmpty());
        QVERIFY(!LogCapture::find({QStringLiteral("KLIT: poll failed"), QStringLiteral("timed out")}).isEmpty());
    }

    void unknownUnitDropsOnlyThatValue()
    {
        LogCapture logs;
        Harness h;
        QVERIFY(h.server.listen());
        // Injected fault: the real KLIT observation with its temperature unit replaced.
        QJsonObject f = klitFeature();
        QJsonObject props = f.value(QLatin1String("properties")).toObject();
        QJsonObject t = props.value(QLatin1String("temperature")).toObject();
        t.insert(QLatin1String("unitCode"), QStringLiteral("wmoUnit:degRe"));
        props.insert(QLatin1String("temperature"), t);
        f.insert(QLatin1String("properties"), props);
        h.server.route(QStringLiteral("/stations/KLIT/observations/latest"), FixtureHttpServer::ok(compact(f)));
        h.make(stationsOption({QStringLiteral("KLIT")}));
        h.source->start();
        QTRY_COMPARE_WITH_TIMEOUT(h.readings.size(), 1, 10000);
        QVERIFY(h.waitState(Source::State::Degraded));
        const Reading &r = h.readings.first();
        QVERIFY(!r.has(Variable::Temperature)); // not guessed
        QCOMPARE(r.value(Variable::WindSpeed), 1.5);
        QCOMPARE(r.value(Variable::Dewpoint), 0.6);
        QVERIFY(h.source->health().lastError.contains(QStringLiteral("\"wmoUnit:degRe\"")));
        QVERIFY(!LogCapture::find({QStringLiteral("KLIT: temperature = 12.8"), QStringLiteral("unknown or incompatible unit \"wmoUnit:degRe\"")}).isEmpty());
    }

    void stationWithEveryValueNull()
    {
        LogCapture logs;
        Harness h;
        QVERIFY(h.server.listen());
        // Injected fault: the real KLIT observation with every quantity's value set to null.
        QJsonObject f = klitFeature();
        QJsonObject props = f.value(QLatin1String("properties")).toObject();
        for (auto it = props.begin(); it != props.end(); ++it) {
            if (it.value().isObject() && it.value().toObject().contains(QLatin1String("unitCode")) && it.key() != QLatin1String("elevation")) {
                QJsonObject q = it.value().toObject();
                q.insert(QLatin1String("value"), QJsonValue::Null);
                q.insert(QLatin1String("qualityControl"), QStringLiteral("Z"));
                it.value() = q;
            }
        }
        f.insert(QLatin1String("properties"), props);
        h.server.route(QStringLiteral("/stations/KLIT/observations/latest"), FixtureHttpServer::ok(compact(f)));
        h.make(stationsOption({QStringLiteral("KLIT")}, 200));
        h.source->start();
        QVERIFY(h.waitState(Source::State::Degraded));
        QTRY_VERIFY_WITH_TIMEOUT(h.server.requests(QStringLiteral("/stations/KLIT/observations/latest")).size() >= 3, 10000);
        QVERIFY(h.readings.isEmpty()); // nothing fabricated
        QCOMPARE(h.source->health().state, Source::State::Degraded);
        QVERIFY(h.source->health().lastError.contains(QStringLiteral("no usable value")));
        int logged = 0;
        for (const QString &l : LogCapture::lines())
            logged += l.contains(QStringLiteral("KLIT: observation at 2024-02-20T15:53:00Z has no usable value"));
        QCOMPARE(logged, 1); // reported once, not on every poll
    }

    void gapAfterDowntimeIsRecovered()
    {
        LogCapture logs;
        Harness h;
        QVERIFY(h.server.listen());
        // The real KLIT observation (15:53) is the one inside the gap, served by
        // /observations?start=&end= as recorded. Around it, the same observation with its time
        // moved to 14:53 (before the outage) and 16:53 (after) — times altered, said so.
        const QJsonObject real = klitFeature();
        h.server.routeSequence(QStringLiteral("/stations/KLIT/observations/latest"),
                               {FixtureHttpServer::ok(compact(withTimestampShift(real, -3600'000))),
                                FixtureHttpServer::status(503), FixtureHttpServer::status(503),
                                FixtureHttpServer::ok(compact(withTimestampShift(real, 3600'000)))});
        h.server.route(QStringLiteral("/stations/KLIT/observations"),
                       FixtureHttpServer::ok(FixtureHttpServer::fixture("nws/stations_KLIT_observations_limit1.json")));
        NwsSource::Options o = stationsOption({QStringLiteral("KLIT")}, 300);
        o.http.maxAttempts = 1;
        h.make(o);
        h.source->start();
        QTRY_COMPARE_WITH_TIMEOUT(h.readings.size(), 3, 10000);
        QCOMPARE(h.readings[0].timestampMs, iso("2024-02-20T14:53:00Z"));
        QCOMPARE(h.readings[1].timestampMs, iso("2024-02-20T15:53:00Z"));
        QCOMPARE(h.readings[2].timestampMs, iso("2024-02-20T16:53:00Z"));
        QCOMPARE(h.readings[1].value(Variable::WindSpeed), 1.5);
        const auto rec = h.server.requests(QStringLiteral("/stations/KLIT/observations"));
        QCOMPARE(rec.size(), 1);
        QCOMPARE(rec.first().query.queryItemValue(QStringLiteral("start"), QUrl::FullyDecoded), QStringLiteral("2024-02-20T14:53:01Z"));
        QCOMPARE(rec.first().query.queryItemValue(QStringLiteral("end"), QUrl::FullyDecoded), QStringLiteral("2024-02-20T16:53:00Z"));
        QVERIFY(h.states.contains(QStringLiteral("down")));
        QVERIFY(h.waitState(Source::State::Ok));
        QVERIFY(!LogCapture::find({QStringLiteral("KLIT: recovered 1 observation(s) from the gap")}).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSourcesNws)
#include "tst_pipeline_sources_nws.moc"
