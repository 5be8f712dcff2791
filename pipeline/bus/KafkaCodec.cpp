#include "KafkaCodec.h"

#include "JsonCodec.h"
#include "KafkaBinaryCodec.h"
#include "KafkaJsonReader.h"
#include "KafkaJsonWriter.h"

#include <QJsonObject>

namespace stratus {

namespace {
constexpr QLatin1StringView kOrigin{"origin"};
constexpr QLatin1StringView kKey{"key"};
constexpr QLatin1StringView kPayload{"payload"};
constexpr QLatin1StringView kReason{"reason"};
constexpr QLatin1StringView kReceived{"received_ms"};
constexpr QLatin1StringView kControl{"control"};

template <typename T, typename F>
Result<T> decode(QByteArrayView bytes, F fromJson)
{
    const auto o = JsonCodec::parseObject(bytes);
    if (!o)
        return o.error();
    return fromJson(*o);
}
} // namespace

QByteArray KafkaCodec::encode(const Reading &r, bool binary)
{
    return binary ? KafkaBinaryCodec::encode(r) : JsonCodec::compact(JsonCodec::toJson(r));
}
QByteArray KafkaCodec::encode(const WindowStats &w, bool binary)
{
    return binary ? KafkaBinaryCodec::encode(w) : KafkaJsonWriter::encode(w);
}
QByteArray KafkaCodec::encode(const Forecast &f, bool binary)
{
    return binary ? KafkaBinaryCodec::encode(f) : KafkaJsonWriter::encode(f);
}
QByteArray KafkaCodec::encode(const Anomaly &a) { return JsonCodec::compact(JsonCodec::toJson(a)); }

QByteArray KafkaCodec::encode(const DeadLetter &d)
{
    QJsonObject o;
    o.insert(kOrigin, d.origin);
    o.insert(kKey, QString::fromUtf8(d.key));
    // The payload may be any bytes (that is often why it is here): keep it as text when it is UTF-8.
    o.insert(kPayload, QString::fromUtf8(d.payload));
    o.insert(kReason, d.reason);
    o.insert(kReceived, static_cast<double>(d.receivedAtMs));
    return JsonCodec::compact(o);
}

Result<Reading> KafkaCodec::decodeReading(QByteArrayView b)
{
    if (KafkaBinaryCodec::isBinary(b))
        return KafkaBinaryCodec::decodeReading(b);
    if (auto r = KafkaJsonReader::decodeReading(b))
        return std::move(*r);
    return decode<Reading>(b, JsonCodec::readingFromJson);
}
Result<WindowStats> KafkaCodec::decodeWindow(QByteArrayView b)
{
    if (KafkaBinaryCodec::isBinary(b))
        return KafkaBinaryCodec::decodeWindow(b);
    return decode<WindowStats>(b, JsonCodec::windowFromJson);
}
Result<Forecast> KafkaCodec::decodeForecast(QByteArrayView b)
{
    if (KafkaBinaryCodec::isBinary(b))
        return KafkaBinaryCodec::decodeForecast(b);
    return decode<Forecast>(b, JsonCodec::forecastFromJson);
}
Result<Anomaly> KafkaCodec::decodeAnomaly(QByteArrayView b) { return decode<Anomaly>(b, JsonCodec::anomalyFromJson); }

Result<DeadLetter> KafkaCodec::decodeDeadLetter(QByteArrayView bytes)
{
    const auto o = JsonCodec::parseObject(bytes);
    if (!o)
        return o.error();
    if (!o->value(kReason).isString())
        return makeError(QStringLiteral("dead letter without a reason"));
    DeadLetter d;
    d.origin = o->value(kOrigin).toString();
    d.key = o->value(kKey).toString().toUtf8();
    d.payload = o->value(kPayload).toString().toUtf8();
    d.reason = o->value(kReason).toString();
    d.receivedAtMs = static_cast<qint64>(o->value(kReceived).toDouble());
    return d;
}

QByteArray KafkaCodec::endOfStream()
{
    return QByteArrayLiteral("{\"control\":\"end_of_stream\"}");
}

bool KafkaCodec::isEndOfStream(QByteArrayView bytes)
{
    // Cheap test first: this runs for every raw record.
    if (!bytes.startsWith(QByteArrayView("{\"control\"")))
        return false;
    const auto o = JsonCodec::parseObject(bytes);
    return o && o->value(kControl).toString() == QLatin1String("end_of_stream");
}

} // namespace stratus
