#include "ReferenceMessageCodec.h"

#include "TimeUtil.h"
#include "Units.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace stratus {

namespace {

// The raw text of the "temperature" number, because QJsonDocument forgets whether it had a '.'.
QByteArrayView temperatureLiteral(QByteArrayView line)
{
    const QByteArrayView key("\"temperature\"");
    const qsizetype at = line.indexOf(key);
    if (at < 0)
        return {};
    qsizetype i = at + key.size();
    while (i < line.size() && (line[i] == ' ' || line[i] == ':' || line[i] == '\t'))
        ++i;
    const qsizetype start = i;
    while (i < line.size() && (QByteArrayView("+-.eE0123456789").contains(line[i])))
        ++i;
    return line.sliced(start, i - start);
}

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return QStringLiteral("boolean");
    case QJsonValue::Double: return QStringLiteral("number");
    case QJsonValue::String: return QStringLiteral("string");
    case QJsonValue::Array: return QStringLiteral("array");
    case QJsonValue::Object: return QStringLiteral("object");
    case QJsonValue::Undefined: return QStringLiteral("nothing");
    }
    return QString();
}

struct Field
{
    const char *key;
    Variable variable;
    const char16_t *unit;
};

// Fields other than temperature, with the unit the producer wrote them in.
constexpr Field kFields[] = {
    {"humidity", Variable::Humidity, u"%"},
    {"wind_speed", Variable::WindSpeed, u"km/h"},
    {"wind_direction", Variable::WindDirection, u"deg"},
    {"sea_level_pressure", Variable::Pressure, u"hPa"},
};

} // namespace

Result<ReferenceMessageCodec::Decoded> ReferenceMessageCodec::decode(QByteArrayView line)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(line.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return makeError(QStringLiteral("malformed JSON at offset %1: %2")
                             .arg(parseError.offset)
                             .arg(parseError.errorString()));
    if (!doc.isObject())
        return makeError(QStringLiteral("expected a JSON object"));
    const QJsonObject obj = doc.object();

    Decoded out;
    const QJsonValue id = obj.value(QLatin1String("station_id"));
    if (!id.isString() || id.toString().isEmpty())
        return makeError(QStringLiteral("station_id: expected a non-empty string, got %1").arg(typeName(id)));
    out.reading.stationId = id.toString();
    out.stationName = obj.value(QLatin1String("station_name")).toString();

    const QJsonValue ts = obj.value(QLatin1String("timestamp"));
    if (!ts.isString())
        return makeError(QStringLiteral("timestamp: expected an ISO 8601 string, got %1").arg(typeName(ts)));
    const auto ms = timeutil::parseIsoUtc(ts.toString());
    if (!ms)
        return makeError(QStringLiteral("timestamp: \"%1\" is not an ISO 8601 date-time").arg(ts.toString()));
    out.reading.timestampMs = *ms;

    const QJsonValue temp = obj.value(QLatin1String("temperature"));
    if (temp.isDouble()) {
        QString unit = obj.value(QLatin1String("temperature_unit")).toString();
        if (unit.isEmpty()) {
            const bool decimal = temperatureLiteral(line).contains('.');
            unit = (decimal && *ms <= kFahrenheitUntilMs) ? QStringLiteral("F") : QStringLiteral("C");
        }
        const auto c = units::toInternal(Variable::Temperature, unit, temp.toDouble());
        if (!c)
            return makeError(QStringLiteral("temperature_unit: ") + c.errorMessage());
        out.reading.set(Variable::Temperature, *c);
        out.temperatureUnit = unit.startsWith(u'F') ? u'F' : u'C';
    } else if (!temp.isNull() && !temp.isUndefined()) {
        return makeError(QStringLiteral("temperature: expected a number or null, got %1").arg(typeName(temp)));
    }

    for (const Field &f : kFields) {
        const QJsonValue v = obj.value(QLatin1String(f.key));
        if (v.isNull() || v.isUndefined())
            continue;
        if (!v.isDouble())
            return makeError(QStringLiteral("%1: expected a number or null, got %2")
                                 .arg(QLatin1String(f.key), typeName(v)));
        out.reading.set(f.variable, *units::toInternal(f.variable, QStringView(f.unit), v.toDouble()));
    }
    // precipitation_last_hour is deliberately not read: the producer wrote 0.0 whenever NWS said
    // null, so a 0 there is indistinguishable from "no data" and would fabricate dry hours.
    return out;
}

QByteArray ReferenceMessageCodec::encode(const Reading &reading, const QString &stationName)
{
    QJsonObject obj;
    obj.insert(QLatin1String("station_id"), reading.stationId);
    obj.insert(QLatin1String("station_name"), stationName);
    obj.insert(QLatin1String("timestamp"), timeutil::toIsoUtc(reading.timestampMs));
    const auto put = [&](const char *key, Variable v, double scale) {
        obj.insert(QLatin1String(key), reading.has(v) ? QJsonValue(reading.value(v) * scale) : QJsonValue());
    };
    put("temperature", Variable::Temperature, 1.0);
    obj.insert(QLatin1String("temperature_unit"), QStringLiteral("C"));
    put("humidity", Variable::Humidity, 1.0);
    put("wind_speed", Variable::WindSpeed, 3.6);
    put("wind_direction", Variable::WindDirection, 1.0);
    put("sea_level_pressure", Variable::Pressure, 1.0);
    return QJsonDocument(obj).toJson(QJsonDocument::Compact);
}

} // namespace stratus
