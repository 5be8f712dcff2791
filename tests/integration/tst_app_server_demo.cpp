// Black-box test of `stratus --server --demo`: the real binary, real HTTP on loopback, answers
// checked against the recorded data it replays.
#include "ReferenceMessageCodec.h"
#include "StratusProcess.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace stratus;
using namespace Qt::StringLiterals;

class TestServerDemo : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void healthIsReal();
    void stationsCarryTheRecordedReadings();
    void predictionsAppearOnceAWindowCloses();
    void unknownStationIs404();
    void unknownRouteIs404Json();
    void malformedReplayLinesAreSkippedAndNamed();
    void alertRulesFromTheConfigFire();
    void aBadAlertRuleRefusesTheStart();
    void cleanupTestCase();

private:
    StratusProcess m_server;
};

void TestServerDemo::initTestCase()
{
    QElapsedTimer t;
    t.start();
    QVERIFY2(m_server.startServer({QStringLiteral("--demo")}), qPrintable(m_server.error()));
    QVERIFY2(t.elapsed() < 5000, "the demo server must serve within a few seconds");
}

void TestServerDemo::healthIsReal()
{
    const auto r = m_server.get(QStringLiteral("/health"));
    QCOMPARE(r.status, 200);
    QVERIFY(r.contentType.startsWith("application/json"));
    const QJsonObject o = r.json();
    QCOMPARE(o.value(u"status"_s).toString(), QStringLiteral("ok"));
    QCOMPARE(o.value(u"mode"_s).toString(), QStringLiteral("in-process"));
    // The NWS recording's 5 stations and the 12 Beijing sites replayed beside it.
    QCOMPARE(o.value(u"stations"_s).toInt(), 17);
    const QJsonArray sources = o.value(u"sources"_s).toArray();
    QCOMPARE(sources.size(), 2);
    QStringList names;
    for (const QJsonValue &s : sources)
        names << s.toObject().value(u"name"_s).toString();
    names.sort();
    QCOMPARE(names, (QStringList{u"replay:beijing_recent.csv"_s, u"replay:nws_recorded.jsonl"_s}));
    for (const QJsonValue &s : sources)
        QCOMPARE(s.toObject().value(u"state"_s).toString(), QStringLiteral("ok"));
    QCOMPARE(o.value(u"bus"_s).toObject().value(u"kind"_s).toString(), QStringLiteral("local"));
}

void TestServerDemo::stationsCarryTheRecordedReadings()
{
    // Expected: every (station, values) combination in the recording, decoded independently here.
    QFile f(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QHash<QString, QList<Reading>> recorded;
    while (!f.atEnd()) {
        const auto d = ReferenceMessageCodec::decode(f.readLine().trimmed());
        QVERIFY(d.ok());
        recorded[d->reading.stationId].append(d->reading);
    }

    QTRY_VERIFY_WITH_TIMEOUT(m_server.get(QStringLiteral("/stations")).json().value(u"stations"_s).toArray().size() == 17
                                 && m_server.get(QStringLiteral("/stations")).body.count("\"latest\"") == 17,
                             10000);
    const QJsonArray stations = m_server.get(QStringLiteral("/stations")).json().value(u"stations"_s).toArray();
    const QHash<QString, QPair<double, double>> coordinates = {
        {u"KMSN"_s, {43.1399, -89.3375}}, {u"KMKE"_s, {42.9472, -87.8967}}, {u"KMDW"_s, {41.7868, -87.7522}},
        {u"KMSP"_s, {44.8833, -93.2219}}, {u"KDSM"_s, {41.5340, -93.6631}}};
    int nws = 0;
    for (const QJsonValue &v : stations) {
        const QJsonObject s = v.toObject();
        const QString id = s.value(u"id"_s).toString();
        if (!id.startsWith(u'K'))
            continue; // a Beijing site (tst_app_shipped_model checks those)
        ++nws;
        QVERIFY2(coordinates.contains(id), qPrintable(id));
        QCOMPARE(s.value(u"latitude"_s).toDouble(), coordinates[id].first);
        QCOMPARE(s.value(u"longitude"_s).toDouble(), coordinates[id].second);
        QVERIFY(!s.value(u"name"_s).toString().isEmpty());
        const QJsonObject latest = s.value(u"latest"_s).toObject();
        // The latest reading must be one of this station's recorded readings, in internal units.
        bool found = false;
        for (const Reading &r : recorded.value(id)) {
            const double t = latest.value(u"temperature"_s).toDouble(std::numeric_limits<double>::quiet_NaN());
            const double p = latest.value(u"pressure"_s).toDouble(std::numeric_limits<double>::quiet_NaN());
            if (std::abs(r.value(Variable::Temperature) - t) < 1e-9
                && (std::isnan(p) == !r.has(Variable::Pressure)) && (std::isnan(p) || std::abs(r.value(Variable::Pressure) - p) < 1e-9)) {
                found = true;
                break;
            }
        }
        QVERIFY2(found, QJsonDocument(latest).toJson().constData());
    }
    QCOMPARE(nws, 5);
}

void TestServerDemo::predictionsAppearOnceAWindowCloses()
{
    // At 60× a 5-minute window plus 2 minutes of lateness closes after ~7 s of wall time.
    QJsonArray predictions;
    QTRY_VERIFY_WITH_TIMEOUT(
        (predictions = m_server.get(QStringLiteral("/predictions/KMSN")).json().value(u"predictions"_s).toArray()).size() > 0,
        30000);
    const QJsonObject temperature = [&] {
        for (const QJsonValue &p : predictions) {
            if (p.toObject().value(u"variable"_s).toString() == QLatin1String("temperature"))
                return p.toObject();
        }
        return QJsonObject();
    }();
    QVERIFY(!temperature.isEmpty());
    QCOMPARE(temperature.value(u"model"_s).toString(), QStringLiteral("persistence"));
    const QJsonArray points = temperature.value(u"points"_s).toArray();
    QCOMPARE(points.size(), 24);
    QCOMPARE(points.first().toObject().value(u"h"_s).toInt(), 1);
    QCOMPARE(points.last().toObject().value(u"h"_s).toInt(), 24);
    const double v = points.first().toObject().value(u"value"_s).toDouble();
    QVERIFY(v > -40 && v < 20);
    QCOMPARE(points.last().toObject().value(u"value"_s).toDouble(), v); // persistence: flat
}

void TestServerDemo::unknownStationIs404()
{
    const auto r = m_server.get(QStringLiteral("/predictions/KXYZ"));
    QCOMPARE(r.status, 404);
    QVERIFY(r.json().value(u"message"_s).toString().contains(QStringLiteral("KXYZ")));
}

void TestServerDemo::unknownRouteIs404Json()
{
    const auto r = m_server.get(QStringLiteral("/no/such/route"));
    QCOMPARE(r.status, 404);
    QVERIFY(r.contentType.startsWith("application/json"));
    QCOMPARE(r.json().value(u"status"_s).toInt(), 404);
    QVERIFY(m_server.running());
}

void TestServerDemo::malformedReplayLinesAreSkippedAndNamed()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("with-bad-lines.jsonl"));
    QFile in(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
    QVERIFY(in.open(QIODevice::ReadOnly));
    QByteArray content = in.readAll();
    content.insert(0, "this is not json\n");
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(content);
    out.close();

    StratusProcess server;
    QVERIFY2(server.startServer({QStringLiteral("--file"), path, QStringLiteral("--speed"), QStringLiteral("max")}),
             qPrintable(server.error()));
    QTRY_VERIFY_WITH_TIMEOUT(server.get(QStringLiteral("/health")).json().value(u"counters"_s).toObject().value(u"readings_in"_s).toInt() == 524, 10000);
    QVERIFY(server.running());
    QVERIFY2(server.stderrText().contains(path + QStringLiteral(":1")), qPrintable(server.stderrText()));
    QCOMPARE(server.get(QStringLiteral("/health")).json().value(u"counters"_s).toObject().value(u"readings_rejected"_s).toInt(), 1);
}

void TestServerDemo::alertRulesFromTheConfigFire()
{
    // The recording has hours below −15 °C at KMKE (2026-01-29); the rule must fire there.
    QTemporaryDir dir;
    const QString rules = dir.filePath(QStringLiteral("rules.txt"));
    QFile f(rules);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("# operators' rules\ntemperature < -15 for 10m severity=critical\n");
    f.close();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("STRATUS_ALERTS_RULES_FILE"), rules);
    StratusProcess server;
    QVERIFY2(server.startServer({QStringLiteral("--file"), testdata::shared("data/nws_recorded/nws_recorded.jsonl"),
                           QStringLiteral("--speed"), QStringLiteral("max")}, env),
             qPrintable(server.error()));
    QJsonArray fired;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            fired = {};
            for (const QJsonValue &a : server.get(QStringLiteral("/anomalies?limit=1000")).json().value(u"anomalies"_s).toArray()) {
                if (a.toObject().value(u"kind"_s).toString() == QLatin1String("rule"))
                    fired.append(a);
            }
            return !fired.isEmpty();
        }(),
        15000);
    for (const QJsonValue &a : std::as_const(fired)) {
        QVERIFY(a.toObject().value(u"reason"_s).toString().contains(QStringLiteral("temperature < -15")));
        QVERIFY(a.toObject().value(u"value"_s).toDouble() < -15 || a.toObject().value(u"reason"_s).toString().startsWith(QStringLiteral("resolved")));
    }
}

void TestServerDemo::aBadAlertRuleRefusesTheStart()
{
    QTemporaryDir dir;
    const QString rules = dir.filePath(QStringLiteral("rules.txt"));
    QFile f(rules);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("temperature < -20 for 10m\n\ntemperature < cold\n");
    f.close();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("STRATUS_ALERTS_RULES_FILE"), rules);
    StratusProcess p;
    QCOMPARE(p.run({QStringLiteral("--server"), QStringLiteral("--demo"), QStringLiteral("--port"), QStringLiteral("0")}, env), 2);
    const QString err = p.stderrText();
    QVERIFY2(err.contains(QStringLiteral("line 3")) && err.contains(QStringLiteral("\"cold\" is not a number")), qPrintable(err));
}

void TestServerDemo::cleanupTestCase()
{
    m_server.stop();
}

QTEST_GUILESS_MAIN(TestServerDemo)
#include "tst_app_server_demo.moc"
