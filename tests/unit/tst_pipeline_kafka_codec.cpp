// KafkaCodec's two encodings on real data: every reading of the METAR day's first hours and the
// windows and forecasts the in-process aggregator and forecaster make of them round-trip through
// the binary format exactly (bit for bit), the decoders take JSON and binary alike, and damaged
// binary records give an error naming the problem, never a crash or a made-up value.
#include "TestData.h"
#include "aggregate/SlidingWindowAggregator.h"
#include "bus/KafkaBinaryCodec.h"
#include "bus/KafkaCodec.h"
#include "bus/KafkaJsonReader.h"
#include "bus/KafkaJsonWriter.h"
#include "JsonCodec.h"
#include "forecast/PersistenceForecaster.h"
#include "sources/RecordedDataReader.h"

#include <QtTest>

#include <cstring>

using namespace stratus;

namespace {
bool sameBits(double a, double b)
{
    return std::memcmp(&a, &b, sizeof a) == 0;
}
} // namespace

class TestKafkaCodec : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        const auto data = RecordedDataReader::read(testdata::shared("data/sao_19950318/observations.csv"));
        QVERIFY2(data, qPrintable(data.errorMessage()));
        m_readings = data->readings.mid(0, 1500);
        SlidingWindowAggregator agg;
        m_windows = agg.add(m_readings) + agg.flush();
        m_forecasts = PersistenceForecaster().forecast(m_windows);
        QVERIFY(m_windows.size() > 500);
        QVERIFY(!m_forecasts.isEmpty());
    }

    void readingsRoundTripExactly()
    {
        qsizetype binaryBytes = 0, jsonBytes = 0;
        for (const Reading &r : std::as_const(m_readings)) {
            const QByteArray b = KafkaCodec::encode(r, true);
            QVERIFY(KafkaBinaryCodec::isBinary(b));
            binaryBytes += b.size();
            jsonBytes += KafkaCodec::encode(r).size();
            const auto back = KafkaCodec::decodeReading(b);
            QVERIFY2(back, qPrintable(back.errorMessage()));
            QCOMPARE(back->stationId, r.stationId);
            QCOMPARE(back->timestampMs, r.timestampMs);
            QCOMPARE(back->quality, r.quality);
            for (int i = 0; i < kVariableCount; ++i)
                QVERIFY(sameBits(back->values[i], r.values[i]) || (std::isnan(back->values[i]) && std::isnan(r.values[i])));
            // The JSON path still decodes to the same reading.
            const auto viaJson = KafkaCodec::decodeReading(KafkaCodec::encode(r));
            QVERIFY(viaJson);
            QCOMPARE(KafkaCodec::encode(*viaJson, true), b);
        }
        qInfo() << "readings:" << binaryBytes << "bytes binary vs" << jsonBytes << "JSON";
        QVERIFY(binaryBytes < jsonBytes);
    }

    void windowsAndForecastsRoundTripExactly()
    {
        for (const WindowStats &w : std::as_const(m_windows)) {
            const QByteArray b = KafkaCodec::encode(w, true);
            const auto back = KafkaCodec::decodeWindow(b);
            QVERIFY2(back, qPrintable(back.errorMessage()));
            // Re-encoding compares every field, NaN included, bit for bit.
            QCOMPARE(KafkaCodec::encode(*back, true), b);
            QCOMPARE(KafkaCodec::encode(*back), KafkaCodec::encode(w));
        }
        for (const Forecast &f : std::as_const(m_forecasts)) {
            const QByteArray b = KafkaCodec::encode(f, true);
            const auto back = KafkaCodec::decodeForecast(b);
            QVERIFY2(back, qPrintable(back.errorMessage()));
            QCOMPARE(back->points.size(), f.points.size());
            QCOMPARE(KafkaCodec::encode(*back, true), b);
            QCOMPARE(KafkaCodec::encode(*back), KafkaCodec::encode(f));
        }
    }

    // The direct JSON writer (the worker's hot path) writes exactly the bytes of the QJsonObject
    // path, for every real window and forecast; strings that need escaping, empty windows (NaN
    // statistics) and a model version (edge cases injected on purpose) too.
    void jsonWriterEqualsJsonCodec()
    {
        for (const WindowStats &w : std::as_const(m_windows))
            QCOMPARE(KafkaJsonWriter::encode(w), JsonCodec::compact(JsonCodec::toJson(w)));
        for (const Forecast &f : std::as_const(m_forecasts))
            QCOMPARE(KafkaJsonWriter::encode(f), JsonCodec::compact(JsonCodec::toJson(f)));
        WindowStats odd = m_windows.first();
        for (const QString &id : {QStringLiteral("K\"Q"), QStringLiteral("K\\Q"), QStringLiteral("Zürich"), QStringLiteral("a\tb")}) {
            odd.stationId = id;
            QCOMPARE(KafkaJsonWriter::encode(odd), JsonCodec::compact(JsonCodec::toJson(odd)));
        }
        WindowStats empty = m_windows.first();
        empty.mean = empty.stddev = empty.min = empty.max = std::numeric_limits<double>::quiet_NaN();
        empty.first = std::numeric_limits<double>::infinity();
        QCOMPARE(KafkaJsonWriter::encode(empty), JsonCodec::compact(JsonCodec::toJson(empty)));
        Forecast f = m_forecasts.first();
        f.model = QStringLiteral("ridge");
        f.modelVersion = QStringLiteral("2026-11-26T10:00:00Z-3");
        f.points.first().lower = std::numeric_limits<double>::quiet_NaN();
        QCOMPARE(KafkaJsonWriter::encode(f), JsonCodec::compact(JsonCodec::toJson(f)));
        f.stationId = QStringLiteral("Zürich");
        QCOMPARE(KafkaJsonWriter::encode(f), JsonCodec::compact(JsonCodec::toJson(f)));
        f.points.clear();
        QCOMPARE(KafkaJsonWriter::encode(f), JsonCodec::compact(JsonCodec::toJson(f)));
    }

    // The fast JSON reading parser (the worker's hot path) gives exactly the general path's
    // reading for every real reading of the METAR day and the NWS recording, and for odd but valid
    // documents (injected on purpose) either the same reading or nothing (then the general path runs).
    void jsonReaderEqualsJsonCodec()
    {
        auto same = [](const Reading &a, const Reading &b) {
            if (a.stationId != b.stationId || a.timestampMs != b.timestampMs || a.quality != b.quality)
                return false;
            for (int i = 0; i < kVariableCount; ++i) {
                if (!sameBits(a.values[i], b.values[i]))
                    return false;
            }
            return true;
        };
        QList<Reading> all = m_readings;
        const auto nws = RecordedDataReader::read(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
        QVERIFY(nws);
        all += nws->readings;
        int fast = 0;
        for (const Reading &r : std::as_const(all)) {
            const QByteArray json = JsonCodec::compact(JsonCodec::toJson(r));
            const auto general = JsonCodec::readingFromJson(*JsonCodec::parseObject(json));
            QVERIFY(general);
            const auto quick = KafkaJsonReader::decodeReading(json);
            QVERIFY2(quick, json.constData());
            QVERIFY2(same(*quick, *general), json.constData());
            ++fast;
        }
        QVERIFY(fast > 1000);
        const QList<QByteArray> odd{
            QByteArray(" { \"station\" : \"KMSN\" , \"ts\" : 1.7e12 , \"temperature\" : -0 , \"humidity\" : null , \"extra\" : \"x\" } "),
            QByteArray("{\"station\":\"KMSN\",\"ts\":1700000000000,\"temperature\":-0.0,\"qc\":{\"temperature\":\"V\",\"bogus\":\"Z\",\"humidity\":\"ab\"}}"),
            QByteArray("{\"station\":\"KMSN\",\"ts\":1700000000000,\"temperature\":12.5e-1,\"pressure\":1013.250000000000001}"),
            QByteArray("{\"station\":\"KMSN\",\"ts\":1700000000000,\"temperature\":1,\"temperature\":2}"),       // duplicate key
            QByteArray("{\"station\":\"KMSN\",\"ts\":1700000000000,\"temperature\":\"12\"}"),                    // wrong type
            QByteArray("{\"station\":\"KM\\\"SN\",\"ts\":1700000000000}"),                                     // escape
            QByteArray("{\"station\":\"Z\xc3\xbc" "rich\",\"ts\":1700000000000,\"qc\":{\"temperature\":\"\xc3\xa9" "\"}}"),            // UTF-8
            QByteArray("{\"station\":\"KMSN\",\"ts\":99999999999999999999}"),                                // beyond 64 bits
            QByteArray("{\"station\":\"KMSN\",\"ts\":1700000000000,\"flag\":true,\"list\":[1]}"),                 // other values
            QByteArray("{\"station\":\"\",\"ts\":1700000000000}"),                                           // empty station
            QByteArray("{\"station\":\"KMSN\",\"ts\":1700000000000,\"temperature\":01}"),                      // not JSON
            QByteArray("{\"station\":\"KMSN\",\"ts\":1700000000000,} "),                                     // not JSON
            QByteArray("{\"station\":\"KMSN\",\"ts\":1700000000000}x"),                                      // trailing bytes
        };
        for (const QByteArray &json : odd) {
            const auto o = JsonCodec::parseObject(json);
            const auto general = o ? JsonCodec::readingFromJson(*o) : Result<Reading>(o.error());
            const auto quick = KafkaJsonReader::decodeReading(json);
            if (quick) {
                QVERIFY2(general, json.constData());
                QVERIFY2(same(*quick, *general), json.constData());
            }
            // Through KafkaCodec: the same result as the general path, errors included.
            const auto codec = KafkaCodec::decodeReading(json);
            QCOMPARE(bool(codec), bool(general));
            if (codec)
                QVERIFY2(same(*codec, *general), json.constData());
            else
                QCOMPARE(codec.errorMessage(), general.errorMessage());
        }
    }

    void damagedBinaryIsAnErrorWithItsReason()
    {
        const QByteArray good = KafkaCodec::encode(m_readings.first(), true);
        // Every truncation is an error naming the truncation (not a crash, not a partial reading).
        for (qsizetype n = 1; n < good.size(); ++n) {
            const auto r = KafkaCodec::decodeReading(good.left(n));
            QVERIFY2(!r, qPrintable(QStringLiteral("a %1-byte prefix decoded").arg(n)));
            QVERIFY2(r.errorMessage().contains(QLatin1String("binary reading")), qPrintable(r.errorMessage()));
        }
        QVERIFY(KafkaCodec::decodeReading(good.left(10)).errorMessage().contains(QLatin1String("truncated")));
        QVERIFY(KafkaCodec::decodeReading(QByteArray(good + "x")).errorMessage().contains(QLatin1String("trailing")));
        QByteArray version = good;
        version[2] = 7;
        QVERIFY(KafkaCodec::decodeReading(version).errorMessage().contains(QLatin1String("unsupported version 7")));
        // A window record where a reading is expected.
        const auto wrongType = KafkaCodec::decodeReading(KafkaCodec::encode(m_windows.first(), true));
        QVERIFY(!wrongType);
        QVERIFY2(wrongType.errorMessage().contains(QLatin1String("record type 2")), qPrintable(wrongType.errorMessage()));
        // A non-finite value is refused (JSON cannot carry one either; the encoder writes none, so
        // the bytes are patched: the first value follows header, station, time and the two masks).
        const Reading &first = m_readings.first();
        QVERIFY(first.has(Variable::Temperature));
        QByteArray inf = KafkaCodec::encode(first, true);
        const double infinity = std::numeric_limits<double>::infinity();
        std::memcpy(inf.data() + 3 + 2 + first.stationId.toUtf8().size() + 8 + 2 + 2, &infinity, sizeof infinity);
        const auto r = KafkaCodec::decodeReading(inf);
        QVERIFY(!r);
        QVERIFY2(r.errorMessage().contains(QLatin1String("temperature")), qPrintable(r.errorMessage()));
        // Unknown variable in a window.
        QByteArray w = KafkaCodec::encode(m_windows.first(), true);
        const qsizetype varAt = 3 + 2 + m_windows.first().stationId.toUtf8().size();
        w[varAt] = 42;
        QVERIFY(KafkaCodec::decodeWindow(w).errorMessage().contains(QLatin1String("unknown variable 42")));
        // JSON is still JSON.
        QVERIFY(!KafkaBinaryCodec::isBinary(KafkaCodec::encode(m_readings.first())));
        QVERIFY(!KafkaCodec::isEndOfStream(good));
    }

private:
    QList<Reading> m_readings;
    QList<WindowStats> m_windows;
    QList<Forecast> m_forecasts;
};

QTEST_GUILESS_MAIN(TestKafkaCodec)
#include "tst_pipeline_kafka_codec.moc"
