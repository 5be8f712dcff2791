#include "CsvReader.h"
#include "JsonCodec.h"
#include "ReferenceMessageCodec.h"
#include "TestData.h"
#include "TimeUtil.h"

#include <QBuffer>
#include <QDateTime>
#include <QFile>
#include <QTest>

using namespace stratus;
using namespace Qt::StringLiterals;

namespace {
QList<QByteArray> recordedLines()
{
    QFile f(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines;
    while (!f.atEnd()) {
        const QByteArray l = f.readLine().trimmed();
        if (!l.isEmpty())
            lines << l;
    }
    return lines;
}
} // namespace

class TestCodec : public QObject
{
    Q_OBJECT
private slots:
    void decodesEveryRecordedMessage();
    void detectsTheFahrenheitEra();
    void convertsUnits();
    void keepsNullsMissing();
    void malformedMessagesNameTheProblem_data();
    void malformedMessagesNameTheProblem();
    void referenceEncodingRoundTrips();
    void jsonCodecRoundTrips();
    void jsonCodecRejectsWrongTypes();
    void isoTimes_data();
    void isoTimes();
    void csvFieldsRoundTripAndDefuseFormulas_data();
    void csvFieldsRoundTripAndDefuseFormulas();
};

void TestCodec::decodesEveryRecordedMessage()
{
    const auto lines = recordedLines();
    QCOMPARE(lines.size(), 524);
    QSet<QString> stations;
    for (const QByteArray &line : lines) {
        const auto d = ReferenceMessageCodec::decode(line);
        QVERIFY2(d.ok(), qPrintable(d.errorMessage() + QStringLiteral(" in ") + QString::fromUtf8(line)));
        stations.insert(d->reading.stationId);
        // Every recorded temperature is a plausible winter temperature in °C after decoding.
        QVERIFY2(d->reading.value(Variable::Temperature) > -40 && d->reading.value(Variable::Temperature) < 20,
                 qPrintable(QString::fromUtf8(line)));
    }
    QCOMPARE(stations, (QSet<QString>{u"KMDW"_s, u"KMSN"_s, u"KMSP"_s, u"KMKE"_s, u"KDSM"_s}));
}

void TestCodec::detectsTheFahrenheitEra()
{
    int fahrenheit = 0, celsius = 0;
    for (const QByteArray &line : recordedLines()) {
        const auto d = ReferenceMessageCodec::decode(line);
        QVERIFY(d.ok());
        (d->temperatureUnit == u'F' ? fahrenheit : celsius)++;
    }
    // ../shared/data/README.md: 225 records in °F, 299 in °C.
    QCOMPARE(fahrenheit, 225);
    QCOMPARE(celsius, 299);

    // The KMSP 23:10 observation recorded before (8.6 °F) and after (−13 °C) the producer's unit change.
    const auto before = ReferenceMessageCodec::decode(
        R"({"station_id": "KMSP", "station_name": "Minneapolis", "timestamp": "2026-01-27T23:10:00+00:00", "temperature": 8.6, "humidity": 51.12, "wind_speed": 16.668, "wind_direction": 280, "sea_level_pressure": 1026.08, "precipitation_last_hour": 0.0})");
    const auto after = ReferenceMessageCodec::decode(
        R"({"station_id": "KMSP", "station_name": "Minneapolis", "timestamp": "2026-01-27T23:10:00+00:00", "temperature": -13, "humidity": 51.12, "wind_speed": 16.668, "wind_direction": 280, "sea_level_pressure": 1026.08, "precipitation_last_hour": 0.0})");
    QVERIFY(before.ok() && after.ok());
    QVERIFY(std::abs(before->reading.value(Variable::Temperature) - (-13.0)) < 0.05);
    QCOMPARE(after->reading.value(Variable::Temperature), -13.0);
}

void TestCodec::convertsUnits()
{
    // First recorded line: KDSM 10.4 °F, 14.832 km/h.
    const auto d = ReferenceMessageCodec::decode(recordedLines().first());
    QVERIFY(d.ok());
    QCOMPARE(d->reading.stationId, QStringLiteral("KDSM"));
    QCOMPARE(d->stationName, QStringLiteral("Des Moines"));
    QCOMPARE(d->reading.timestampMs, *timeutil::parseIsoUtc(QStringView(u"2025-12-13T09:35:00Z")));
    QVERIFY(std::abs(d->reading.value(Variable::Temperature) - (-12.0)) < 1e-9);
    QVERIFY(std::abs(d->reading.value(Variable::WindSpeed) - 14.832 / 3.6) < 1e-9);
    QCOMPARE(d->reading.value(Variable::WindDirection), 330.0);
    QCOMPARE(d->reading.value(Variable::Pressure), 1024.72);
    QCOMPARE(d->reading.value(Variable::Humidity), 66.36);
    // precipitation_last_hour is always 0.0 in the recording (null written as 0.0): not taken.
    QVERIFY(!d->reading.has(Variable::Precipitation));
}

void TestCodec::keepsNullsMissing()
{
    int humidityMissing = 0, windMissing = 0;
    for (const QByteArray &line : recordedLines()) {
        const auto d = ReferenceMessageCodec::decode(line);
        humidityMissing += !d->reading.has(Variable::Humidity);
        windMissing += !d->reading.has(Variable::WindSpeed);
    }
    QCOMPARE(humidityMissing, 13);
    QCOMPARE(windMissing, 33);
}

void TestCodec::malformedMessagesNameTheProblem_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("expected");
    const QByteArray good = recordedLines().value(1);
    QTest::newRow("truncated") << good.left(good.size() / 2) << "malformed JSON";
    QTest::newRow("not an object") << QByteArray("[1,2,3]") << "expected a JSON object";
    QTest::newRow("empty") << QByteArray("") << "malformed JSON";
    QTest::newRow("missing station") << QByteArray(R"({"timestamp": "2026-01-28T01:20:00+00:00", "temperature": -14})")
                                     << "station_id";
    QTest::newRow("station not a string") << QByteArray(R"({"station_id": 42, "timestamp": "2026-01-28T01:20:00+00:00"})")
                                          << "station_id: expected a non-empty string, got number";
    QTest::newRow("bad timestamp") << QByteArray(R"({"station_id": "KMSN", "timestamp": "yesterday"})") << "timestamp";
    QTest::newRow("temperature as string")
        << QByteArray(R"({"station_id": "KMSN", "timestamp": "2026-01-28T01:20:00+00:00", "temperature": "cold"})")
        << "temperature: expected a number or null, got string";
    QTest::newRow("humidity as object")
        << QByteArray(R"({"station_id": "KMSN", "timestamp": "2026-01-28T01:20:00+00:00", "humidity": {}})")
        << "humidity: expected a number or null, got object";
    QTest::newRow("unknown temperature unit")
        << QByteArray(R"({"station_id": "KMSN", "timestamp": "2026-01-28T01:20:00+00:00", "temperature": 3, "temperature_unit": "R"})")
        << "unit";
}

void TestCodec::malformedMessagesNameTheProblem()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, expected);
    const auto d = ReferenceMessageCodec::decode(line);
    QVERIFY(!d.ok());
    QVERIFY2(d.errorMessage().contains(expected), qPrintable(d.errorMessage()));
}

void TestCodec::referenceEncodingRoundTrips()
{
    for (const QByteArray &line : recordedLines()) {
        const auto d = ReferenceMessageCodec::decode(line);
        const auto again = ReferenceMessageCodec::decode(ReferenceMessageCodec::encode(d->reading, d->stationName));
        QVERIFY2(again.ok(), qPrintable(again.errorMessage()));
        for (Variable v : kAllVariables) {
            const double a = d->reading.value(v), b = again->reading.value(v);
            QVERIFY((std::isnan(a) && std::isnan(b)) || std::abs(a - b) < 1e-9);
        }
    }
}

void TestCodec::jsonCodecRoundTrips()
{
    const auto d = ReferenceMessageCodec::decode(recordedLines().at(10));
    Reading r = d->reading;
    r.quality[index(Variable::Temperature)] = 'V';
    const auto back = JsonCodec::readingFromJson(*JsonCodec::parseObject(JsonCodec::compact(JsonCodec::toJson(r))));
    QVERIFY(back.ok());
    QCOMPARE(back->stationId, r.stationId);
    QCOMPARE(back->timestampMs, r.timestampMs);
    QCOMPARE(back->quality[index(Variable::Temperature)], 'V');
    for (Variable v : kAllVariables)
        QVERIFY((std::isnan(r.value(v)) && std::isnan(back->value(v))) || r.value(v) == back->value(v));

    WindowStats w;
    w.stationId = QStringLiteral("KMSN");
    w.variable = Variable::WindDirection;
    w.startMs = 1000;
    w.endMs = 301000;
    w.count = 3;
    w.mean = 355.0;
    w.resultantLength = 0.93;
    w.revision = 2;
    const auto wb = JsonCodec::windowFromJson(JsonCodec::toJson(w));
    QVERIFY(wb.ok());
    QCOMPARE(wb->variable, Variable::WindDirection);
    QCOMPARE(wb->count, 3);
    QCOMPARE(wb->mean, 355.0);
    QCOMPARE(wb->resultantLength, 0.93);
    QCOMPARE(wb->revision, 2);
    QVERIFY(std::isnan(wb->min)); // missing stays missing

    Forecast f;
    f.stationId = QStringLiteral("KMSN");
    f.variable = Variable::Temperature;
    f.issuedAtMs = 5000;
    f.model = QStringLiteral("persistence");
    f.points.append({1, 5000 + 3600000, -3.5, -5.0, -2.0});
    const auto fb = JsonCodec::forecastFromJson(JsonCodec::toJson(f));
    QVERIFY(fb.ok());
    QCOMPARE(fb->points.size(), 1);
    QCOMPARE(fb->points[0].lower, -5.0);

    Anomaly a;
    a.stationId = QStringLiteral("KGSO");
    a.kind = AnomalyKind::Stuck;
    a.severity = Severity::Critical;
    a.reason = QStringLiteral("stuck at 5.0 for 2 h");
    const auto ab = JsonCodec::anomalyFromJson(JsonCodec::toJson(a));
    QVERIFY(ab.ok());
    QCOMPARE(ab->kind, AnomalyKind::Stuck);
    QCOMPARE(ab->severity, Severity::Critical);
    QCOMPARE(ab->reason, a.reason);
}

void TestCodec::jsonCodecRejectsWrongTypes()
{
    QVERIFY(!JsonCodec::parseObject("{\"station\":").ok());
    const auto r = JsonCodec::readingFromJson(*JsonCodec::parseObject(R"({"station":"KMSN","ts":1,"temperature":"warm"})"));
    QVERIFY(!r.ok());
    QVERIFY(r.errorMessage().contains(QStringLiteral("temperature")));
    const auto w = JsonCodec::windowFromJson(*JsonCodec::parseObject(R"({"station":"KMSN","variable":"mood","start":0,"end":1})"));
    QVERIFY(!w.ok());
    QVERIFY(w.errorMessage().contains(QStringLiteral("mood")));
}

void TestCodec::isoTimes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("expected"); // -1 = invalid
    QTest::newRow("offset") << "2025-12-13T09:35:00+00:00" << qint64(1765618500000);
    QTest::newRow("Z") << "1995-03-17T23:45:00Z" << qint64(795483900000);
    QTest::newRow("negative offset") << "2025-12-13T04:35:00-05:00" << qint64(1765618500000);
    QTest::newRow("millis") << "2025-12-13T09:35:00.250Z" << qint64(1765618500250);
    QTest::newRow("open-meteo local") << "2025-07-27T03:00" << qint64(1753585200000);
    QTest::newRow("date") << "1996-12-01" << qint64(849398400000);
    QTest::newRow("garbage") << "yesterday" << qint64(-1);
    QTest::newRow("month 13") << "2025-13-01T00:00:00Z" << qint64(-1);
    QTest::newRow("trailing junk") << "2025-12-13T09:35:00Zjunk" << qint64(-1);
}

void TestCodec::isoTimes()
{
    QFETCH(QString, text);
    QFETCH(qint64, expected);
    const auto t = timeutil::parseIsoUtc(QStringView(text));
    if (expected < 0) {
        QVERIFY(!t);
        return;
    }
    QVERIFY(t);
    QCOMPARE(*t, expected);
    if (text.endsWith(u'Z') || text.size() == 25) // Qt's parser as an independent check where it is unambiguous
        QCOMPARE(QDateTime::fromString(text, Qt::ISODateWithMs).toMSecsSinceEpoch(), expected);
}

void TestCodec::csvFieldsRoundTripAndDefuseFormulas_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("readBack");
    QTest::newRow("plain id") << u"KMSN"_s << u"KMSN"_s;
    QTest::newRow("comma and quote") << u"Madison, \"Dane\" County"_s << u"Madison, \"Dane\" County"_s;
    QTest::newRow("line break") << u"two\nlines"_s << u"two\nlines"_s;
    // A spreadsheet would run these as formulas; they read back with the apostrophe that defuses them.
    QTest::newRow("equals") << u"=HYPERLINK(\"http://127.0.0.1/x\",\"KMSN\")"_s << u"'=HYPERLINK(\"http://127.0.0.1/x\",\"KMSN\")"_s;
    QTest::newRow("plus") << u"+1+cmd|' /C calc'!A0"_s << u"'+1+cmd|' /C calc'!A0"_s;
    QTest::newRow("minus") << u"-2+3"_s << u"'-2+3"_s;
    QTest::newRow("at") << u"@SUM(A1:A9)"_s << u"'@SUM(A1:A9)"_s;
    QTest::newRow("tab") << u"\t=1"_s << u"'\t=1"_s;
    QTest::newRow("inner equals") << u"a=b"_s << u"a=b"_s;
}

void TestCodec::csvFieldsRoundTripAndDefuseFormulas()
{
    QFETCH(QString, value);
    QFETCH(QString, readBack);
    QByteArray bytes = "station,note\r\n" + csvField(value).toUtf8() + ",x\r\n";
    QBuffer buffer(&bytes);
    QVERIFY(buffer.open(QIODevice::ReadOnly));
    CsvReader reader(&buffer);
    QVERIFY(reader.readHeader());
    QStringList row;
    QVERIFY(reader.readRow(row));
    QCOMPARE(row.size(), 2);
    QCOMPARE(row[0], readBack);
    QCOMPARE(row[1], u"x"_s);
}

QTEST_APPLESS_MAIN(TestCodec)
#include "tst_core_codec.moc"
