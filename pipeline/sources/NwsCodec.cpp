#include "NwsCodec.h"

#include "JsonCodec.h"

#include "TimeUtil.h"
#include "Units.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <cmath>

namespace stratus {

namespace {

struct Field
{
    const char *key;
    Variable variable;
};

// NWS observation properties → Stratus variables. Pressure prefers seaLevelPressure; where a station
// gives none, barometricPressure is used instead: the API derives it from the METAR altimeter
// setting (e.g. A3024 → 102410 Pa), which is itself reduced to sea level.
constexpr Field kFields[] = {
    {"temperature", Variable::Temperature},
    {"dewpoint", Variable::Dewpoint},
    {"relativeHumidity", Variable::Humidity},
    {"windSpeed", Variable::WindSpeed},
    {"windGust", Variable::WindGust},
    {"windDirection", Variable::WindDirection},
    {"seaLevelPressure", Variable::Pressure},
    {"precipitationLastHour", Variable::Precipitation},
    {"visibility", Variable::Visibility},
};

// "qc:V" (2019 responses) and "V" both mean V.
char qcLetter(const QJsonValue &qc)
{
    QString s = qc.toString();
    if (s.startsWith(QLatin1String("qc:")))
        s = s.mid(3);
    return s.isEmpty() ? 0 : static_cast<char>(s.at(0).toLatin1());
}

// Decodes one {value, unitCode, qualityControl}; returns whether a usable value was set.
bool takeQuantity(const QJsonObject &props, const char *key, Variable variable, const QString &stationId,
                  Reading &reading, QStringList &problems)
{
    const QJsonValue q = props.value(QLatin1String(key));
    if (!q.isObject())
        return false; // absent (e.g. precipitation at mesonet stations): missing
    const QJsonObject o = q.toObject();
    const QJsonValue v = o.value(QLatin1String("value"));
    reading.quality[index(variable)] = qcLetter(o.value(QLatin1String("qualityControl")));
    if (v.isNull() || v.isUndefined())
        return false;
    if (!v.isDouble()) {
        problems << QStringLiteral("%1: %2 value is not a number (%3)")
                        .arg(stationId, QLatin1String(key),
                             QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact)));
        return false;
    }
    const QString unit = o.value(QLatin1String("unitCode")).toString();
    if (unit.isEmpty()) {
        problems << QStringLiteral("%1: %2 = %3 has no unitCode; value dropped").arg(stationId, QLatin1String(key)).arg(v.toDouble());
        return false;
    }
    const auto converted = units::toInternal(variable, unit, v.toDouble());
    if (!converted) {
        problems << QStringLiteral("%1: %2 = %3: %4; value dropped")
                        .arg(stationId, QLatin1String(key))
                        .arg(v.toDouble())
                        .arg(converted.errorMessage());
        return false;
    }
    reading.set(variable, *converted);
    return true;
}

QString lastPathSegment(const QString &url)
{
    QString s = url;
    while (s.endsWith(u'/'))
        s.chop(1);
    return s.mid(s.lastIndexOf(u'/') + 1);
}

void takeGeometry(const QJsonObject &feature, Station &s)
{
    const QJsonArray c = feature.value(QLatin1String("geometry")).toObject().value(QLatin1String("coordinates")).toArray();
    if (c.size() >= 2 && c[0].isDouble() && c[1].isDouble()) {
        const double lon = c[0].toDouble(), lat = c[1].toDouble();
        if (std::abs(lat) <= 90 && std::abs(lon) <= 180) { // GeoJSON order is lon, lat
            s.latitude = lat;
            s.longitude = lon;
        }
    }
}

void takeElevation(const QJsonObject &props, Station &s)
{
    const QJsonObject e = props.value(QLatin1String("elevation")).toObject();
    const QJsonValue v = e.value(QLatin1String("value"));
    if (!v.isDouble())
        return;
    const QString unit = e.value(QLatin1String("unitCode")).toString();
    if (unit.endsWith(QLatin1String(":m")) || unit == QLatin1String("m"))
        s.elevationM = v.toDouble();
    else if (unit.endsWith(QLatin1String(":ft")) || unit == QLatin1String("ft"))
        s.elevationM = v.toDouble() * 0.3048;
}

} // namespace

Result<QJsonObject> NwsCodec::parseObject(const QByteArray &body)
{
    return JsonCodec::parseObject(body);
}

Result<NwsCodec::Observation> NwsCodec::observation(const QJsonObject &feature, const QString &fallbackStationId)
{
    const QJsonObject props = feature.value(QLatin1String("properties")).toObject();
    if (props.isEmpty())
        return makeError(QStringLiteral("not an observation: no \"properties\" object"));
    Observation obs;
    QString id = lastPathSegment(props.value(QLatin1String("station")).toString());
    if (id.isEmpty())
        id = fallbackStationId;
    if (id.isEmpty())
        return makeError(QStringLiteral("observation names no station"));
    const QString ts = props.value(QLatin1String("timestamp")).toString();
    const auto ms = timeutil::parseIsoUtc(QStringView(ts));
    if (!ms)
        return makeError(QStringLiteral("%1: observation timestamp \"%2\" is not ISO 8601").arg(id, ts));
    obs.reading.stationId = id;
    obs.reading.timestampMs = *ms;
    for (const Field &f : kFields)
        takeQuantity(props, f.key, f.variable, id, obs.reading, obs.problems);
    if (!obs.reading.has(Variable::Pressure)) {
        const char keep = obs.reading.quality[index(Variable::Pressure)];
        if (!takeQuantity(props, "barometricPressure", Variable::Pressure, id, obs.reading, obs.problems))
            obs.reading.quality[index(Variable::Pressure)] = keep;
    }
    obs.station.id = id;
    obs.station.source = QStringLiteral("nws");
    takeGeometry(feature, obs.station);
    takeElevation(props, obs.station);
    return obs;
}

QList<NwsCodec::Observation> NwsCodec::observations(const QJsonObject &collection, QStringList *problems)
{
    QList<Observation> out;
    const QJsonArray features = collection.value(QLatin1String("features")).toArray();
    for (const QJsonValue &f : features) {
        auto obs = observation(f.toObject());
        if (!obs) {
            if (problems)
                *problems << obs.errorMessage();
            continue;
        }
        out.append(std::move(obs).value());
    }
    std::sort(out.begin(), out.end(),
              [](const Observation &a, const Observation &b) { return a.reading.timestampMs < b.reading.timestampMs; });
    return out;
}

Result<QUrl> NwsCodec::observationStationsUrl(const QJsonObject &point)
{
    const QString url = point.value(QLatin1String("properties")).toObject().value(QLatin1String("observationStations")).toString();
    if (url.isEmpty())
        return makeError(QStringLiteral("the /points answer has no properties.observationStations URL"));
    return QUrl(url);
}

Result<Station> NwsCodec::station(const QJsonObject &feature)
{
    const QJsonObject props = feature.value(QLatin1String("properties")).toObject();
    Station s;
    s.id = props.value(QLatin1String("stationIdentifier")).toString();
    if (s.id.isEmpty())
        s.id = lastPathSegment(feature.value(QLatin1String("id")).toString());
    if (s.id.isEmpty())
        return makeError(QStringLiteral("station feature without stationIdentifier"));
    s.name = props.value(QLatin1String("name")).toString();
    s.source = QStringLiteral("nws");
    takeGeometry(feature, s);
    takeElevation(props, s);
    return s;
}

QList<Station> NwsCodec::stations(const QJsonObject &collection, QStringList *problems)
{
    QList<Station> out;
    for (const QJsonValue &f : collection.value(QLatin1String("features")).toArray()) {
        auto s = station(f.toObject());
        if (s)
            out.append(*s);
        else if (problems)
            *problems << s.errorMessage();
    }
    return out;
}

QUrl NwsCodec::nextPage(const QJsonObject &collection)
{
    return QUrl(collection.value(QLatin1String("pagination")).toObject().value(QLatin1String("next")).toString());
}

QString NwsCodec::problemDetail(const QByteArray &body)
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    const QString title = o.value(QLatin1String("title")).toString();
    const QString detail = o.value(QLatin1String("detail")).toString();
    if (title.isEmpty() && detail.isEmpty())
        return QString();
    return detail.isEmpty() ? title : title.isEmpty() ? detail : title + QStringLiteral(": ") + detail;
}

} // namespace stratus
