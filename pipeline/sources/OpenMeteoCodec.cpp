#include "OpenMeteoCodec.h"

#include "JsonCodec.h"

#include "TimeUtil.h"
#include "Units.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QTimeZone>

#include <QSet>

#include <algorithm>

namespace stratus {

namespace {

struct Key
{
    const char *name;
    Variable variable;
};

// Current names first, then the legacy spellings Open-Meteo still echoes back.
constexpr Key kKeys[] = {
    {"temperature_2m", Variable::Temperature},    {"temperature", Variable::Temperature},
    {"dew_point_2m", Variable::Dewpoint},         {"dewpoint_2m", Variable::Dewpoint},
    {"relative_humidity_2m", Variable::Humidity}, {"relativehumidity_2m", Variable::Humidity},
    {"wind_speed_10m", Variable::WindSpeed},      {"windspeed_10m", Variable::WindSpeed},
    {"windspeed", Variable::WindSpeed},           {"wind_gusts_10m", Variable::WindGust},
    {"windgusts_10m", Variable::WindGust},        {"wind_direction_10m", Variable::WindDirection},
    {"winddirection_10m", Variable::WindDirection}, {"winddirection", Variable::WindDirection},
    {"pressure_msl", Variable::Pressure},         {"precipitation", Variable::Precipitation},
    {"visibility", Variable::Visibility},
};

std::optional<Variable> variableOf(const QString &key, bool currentBlock)
{
    // In `current`, precipitation is the sum of the preceding 15-minute interval, not of an hour.
    if (currentBlock && key == QLatin1String("precipitation"))
        return std::nullopt;
    for (const Key &k : kKeys) {
        if (key == QLatin1String(k.name))
            return k.variable;
    }
    return std::nullopt;
}

bool isUnixTime(const QJsonObject &units)
{
    return units.value(QLatin1String("time")).toString() == QLatin1String("unixtime");
}

// Converts value `x` of `key` by its unit; records a problem once per key and answer.
std::optional<double> convert(Variable v, const QString &key, const QJsonObject &units, double x,
                              QStringList *problems, QSet<QString> &reported)
{
    const QString unit = units.value(key).toString();
    const auto r = units::toInternal(v, unit, x);
    if (r)
        return *r;
    if (!reported.contains(key)) {
        reported.insert(key);
        if (problems)
            *problems << QStringLiteral("%1: %2; values dropped").arg(key, r.errorMessage());
    }
    return std::nullopt;
}

} // namespace

QString OpenMeteoCodec::currentVariables()
{
    return QStringLiteral("temperature_2m,relative_humidity_2m,dew_point_2m,wind_speed_10m,wind_gusts_10m,"
                          "wind_direction_10m,pressure_msl");
}

QString OpenMeteoCodec::hourlyVariables()
{
    return archiveVariables() + QStringLiteral(",visibility");
}

QString OpenMeteoCodec::archiveVariables()
{
    return QStringLiteral("temperature_2m,relative_humidity_2m,dew_point_2m,wind_speed_10m,wind_gusts_10m,"
                          "wind_direction_10m,pressure_msl,precipitation");
}

Result<QJsonObject> OpenMeteoCodec::parseObject(const QByteArray &body)
{
    const auto parsed = JsonCodec::parseObject(body);
    if (!parsed)
        return parsed.error();
    const QJsonObject &o = *parsed;
    if (o.value(QLatin1String("error")).toBool())
        return makeError(QStringLiteral("Open-Meteo error: %1").arg(o.value(QLatin1String("reason")).toString()));
    return o;
}

QString OpenMeteoCodec::errorReason(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object().value(QLatin1String("reason")).toString();
}

std::optional<qint64> OpenMeteoCodec::instant(const QJsonObject &root, const QJsonValue &time, bool unixtime)
{
    if (unixtime) {
        if (!time.isDouble())
            return std::nullopt;
        return static_cast<qint64>(time.toDouble()) * 1000;
    }
    const QString text = time.toString();
    const auto wall = timeutil::parseIsoUtc(QStringView(text)); // the wall clock, read as if it were UTC
    if (!wall)
        return std::nullopt;
    const QByteArray zoneName = root.value(QLatin1String("timezone")).toString().toUtf8();
    if (zoneName.isEmpty() || zoneName == "GMT" || zoneName == "UTC")
        return *wall - static_cast<qint64>(root.value(QLatin1String("utc_offset_seconds")).toDouble()) * 1000;
    const QTimeZone zone(zoneName);
    if (!zone.isValid()) // a zone this system does not know: the answer's single offset is all we have
        return *wall - static_cast<qint64>(root.value(QLatin1String("utc_offset_seconds")).toDouble()) * 1000;
    const QDateTime utcWall = QDateTime::fromMSecsSinceEpoch(*wall, QTimeZone::utc());
    const QDateTime local(utcWall.date(), utcWall.time(), zone);
    return local.toMSecsSinceEpoch();
}

QList<Reading> OpenMeteoCodec::current(const QJsonObject &root, const QString &stationId, QStringList *problems)
{
    QString blockKey = QStringLiteral("current");
    if (!root.value(blockKey).isObject())
        blockKey = QStringLiteral("current_weather");
    const QJsonObject block = root.value(blockKey).toObject();
    if (block.isEmpty())
        return {};
    const QJsonObject units = root.value(blockKey + QStringLiteral("_units")).toObject();
    const auto ts = instant(root, block.value(QLatin1String("time")), isUnixTime(units));
    if (!ts) {
        if (problems)
            *problems << QStringLiteral("%1.time is not a time").arg(blockKey);
        return {};
    }
    Reading r;
    r.stationId = stationId;
    r.timestampMs = *ts;
    QSet<QString> reported;
    for (auto it = block.constBegin(); it != block.constEnd(); ++it) {
        const auto v = variableOf(it.key(), true);
        if (!v || !it.value().isDouble() || r.has(*v))
            continue;
        if (const auto x = convert(*v, it.key(), units, it.value().toDouble(), problems, reported))
            r.set(*v, *x);
    }
    if (r.isEmpty())
        return {};
    return {r};
}

QList<Reading> OpenMeteoCodec::hourly(const QJsonObject &root, const QString &stationId, QStringList *problems)
{
    const QJsonObject block = root.value(QLatin1String("hourly")).toObject();
    if (block.isEmpty())
        return {};
    const QJsonObject units = root.value(QLatin1String("hourly_units")).toObject();
    const bool unixtime = isUnixTime(units);
    const QJsonArray times = block.value(QLatin1String("time")).toArray();
    QList<qint64> rowTime(times.size(), -1);
    for (qsizetype i = 0; i < times.size(); ++i) {
        const auto ts = instant(root, times[i], unixtime);
        if (!ts) {
            if (problems)
                *problems << QStringLiteral("hourly.time[%1] \"%2\" is not a time").arg(i).arg(times[i].toString());
            continue;
        }
        rowTime[i] = *ts;
    }
    QSet<QString> reported;
    QList<Reading> out(times.size());
    for (auto it = block.constBegin(); it != block.constEnd(); ++it) {
        const auto v = variableOf(it.key(), false);
        if (!v)
            continue;
        const QJsonArray values = it.value().toArray();
        if (values.size() != times.size() && problems)
            *problems << QStringLiteral("hourly.%1 has %2 values for %3 times").arg(it.key()).arg(values.size()).arg(times.size());
        for (qsizetype i = 0; i < std::min(values.size(), times.size()); ++i) {
            if (!values[i].isDouble() || rowTime[i] < 0 || out[i].has(*v))
                continue; // null stays missing
            if (const auto x = convert(*v, it.key(), units, values[i].toDouble(), problems, reported))
                out[i].set(*v, *x);
        }
    }
    QList<Reading> result;
    for (qsizetype i = 0; i < times.size(); ++i) {
        if (rowTime[i] < 0 || out[i].isEmpty())
            continue;
        out[i].stationId = stationId;
        out[i].timestampMs = rowTime[i];
        result.append(out[i]);
    }
    std::stable_sort(result.begin(), result.end(), [](const Reading &a, const Reading &b) { return a.timestampMs < b.timestampMs; });
    return result;
}

} // namespace stratus
