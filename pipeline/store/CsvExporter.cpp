#include "CsvExporter.h"

#include "CsvReader.h"
#include "StoreSchema.h"
#include "TimeUtil.h"

#include <QFileInfo>
#include <QLocale>
#include <QSaveFile>
#include <QSqlQuery>

namespace stratus {

namespace {
constexpr std::array<std::pair<CsvExporter::Kind, const char *>, 5> kKinds = {{
    {CsvExporter::Kind::Readings, "readings"},
    {CsvExporter::Kind::Features, "features"},
    {CsvExporter::Kind::Predictions, "predictions"},
    {CsvExporter::Kind::Anomalies, "anomalies"},
    {CsvExporter::Kind::DailySummary, "daily-summary"},
}};

// Shortest text that reads back to the same double; empty for SQL NULL (missing, never 0).
QByteArray number(const QVariant &v)
{
    if (v.isNull())
        return QByteArray();
    if (v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int)
        return QByteArray::number(v.toLongLong());
    return QByteArray::number(v.toDouble(), 'g', QLocale::FloatingPointShortest);
}

QByteArray text(const QVariant &v)
{
    return csvField(v.toString()).toUtf8();
}

QByteArray time(const QVariant &v)
{
    return v.isNull() ? QByteArray() : timeutil::toIsoUtc(v.toLongLong()).toUtf8();
}

// Unit in brackets after the column name, e.g. "temperature [°C]".
QByteArray withUnit(const QString &name, const QString &unit)
{
    return csvField(name + QStringLiteral(" [") + unit + QStringLiteral("]")).toUtf8();
}
} // namespace

std::optional<CsvExporter::Kind> CsvExporter::kindFromKey(QStringView key)
{
    for (const auto &[kind, name] : kKinds) {
        if (key == QLatin1String(name))
            return kind;
    }
    return std::nullopt;
}

QString CsvExporter::kindKey(Kind kind)
{
    for (const auto &[k, name] : kKinds) {
        if (k == kind)
            return QString::fromLatin1(name);
    }
    return QString();
}

QStringList CsvExporter::kindKeys()
{
    QStringList out;
    for (const auto &[k, name] : kKinds)
        out << QString::fromLatin1(name);
    return out;
}

Result<qint64> CsvExporter::exportToFile(const QString &dbPath, const Request &request, const QString &outPath)
{
    if (!QFileInfo::exists(dbPath))
        return makeError(QStringLiteral("history store \"%1\" does not exist").arg(dbPath));
    HistoryReader reader(dbPath);
    if (const auto opened = reader.open(); !opened)
        return opened.error();
    if (!request.station.isEmpty()) {
        const auto known = reader.stations();
        if (!known)
            return known.error();
        if (!known->contains(request.station))
            return makeError(QStringLiteral("station \"%1\" has no readings in %2").arg(request.station, dbPath));
    }
    QSaveFile file(outPath);
    if (!file.open(QIODevice::WriteOnly))
        return makeError(QStringLiteral("cannot write %1: %2").arg(outPath, file.errorString()));
    CsvExporter exporter(reader);
    const auto rows = exporter.write(request, &file);
    if (!rows) {
        file.cancelWriting();
        return rows;
    }
    if (!file.commit())
        return makeError(QStringLiteral("cannot write %1: %2").arg(outPath, file.errorString()));
    return rows;
}

Result<qint64> CsvExporter::write(const Request &req, QIODevice *out, const std::atomic<bool> *cancel)
{
    QVariantList binds;
    auto range = [&](const QString &timeColumn, const QString &alias = QString()) {
        const QString col = alias.isEmpty() ? timeColumn : alias + QLatin1Char('.') + timeColumn;
        QString w = QStringLiteral(" WHERE %1 >= ? AND %1 < ?").arg(col);
        binds << req.fromMs << req.toMs;
        if (!req.station.isEmpty()) {
            w += QStringLiteral(" AND %1station = ?").arg(alias.isEmpty() ? QString() : alias + QLatin1Char('.'));
            binds << req.station;
        }
        return w;
    };

    QByteArrayList header;
    QString sql;
    // How each selected column is formatted, in order.
    enum class Fmt { Text, Time, Number, Unit }; // Unit: the variable key in, its unit symbol out
    QList<Fmt> formats;

    switch (req.kind) {
    case Kind::Readings: {
        header << "time_utc" << "station";
        formats << Fmt::Time << Fmt::Text;
        QString cols;
        for (Variable v : kAllVariables) {
            header << withUnit(variableKey(v), unitSymbol(v));
            formats << Fmt::Number;
            cols += QStringLiteral(", ") + storeschema::column(v);
        }
        sql = QStringLiteral("SELECT ts, station") + cols + QStringLiteral(" FROM readings") + range(QStringLiteral("ts"))
              + QStringLiteral(" ORDER BY ts, station");
        break;
    }
    case Kind::Features:
        header << "window_start_utc" << "window_end_utc" << "station" << "variable" << "unit" << "count" << "mean"
               << "std" << "min" << "max" << "first" << "last" << "resultant_length" << "revision";
        formats << Fmt::Time << Fmt::Time << Fmt::Text << Fmt::Text << Fmt::Unit << Fmt::Number << Fmt::Number
                << Fmt::Number << Fmt::Number << Fmt::Number << Fmt::Number << Fmt::Number << Fmt::Number
                << Fmt::Number;
        sql = QStringLiteral("SELECT start_ms, end_ms, station, variable, variable, count, mean, std, min, max, first, "
                             "last, resultant_length, revision FROM features")
              + range(QStringLiteral("end_ms")) + QStringLiteral(" ORDER BY end_ms, station, variable");
        break;
    case Kind::Predictions:
        header << "issued_utc" << "station" << "variable" << "unit" << "model" << "model_version" << "horizon [h]"
               << "target_utc" << "value" << "lower_p10" << "upper_p90";
        formats << Fmt::Time << Fmt::Text << Fmt::Text << Fmt::Unit << Fmt::Text << Fmt::Text << Fmt::Number
                << Fmt::Time << Fmt::Number << Fmt::Number << Fmt::Number;
        sql = QStringLiteral("SELECT issued_ms, station, variable, variable, model, version, horizon_h, target_ms, value, "
                             "lower, upper FROM predictions")
              + range(QStringLiteral("issued_ms"))
              + QStringLiteral(" ORDER BY issued_ms, station, variable, model, version, horizon_h");
        break;
    case Kind::Anomalies:
        header << "time_utc" << "station" << "variable" << "unit" << "kind" << "severity" << "score" << "value"
               << "reason";
        formats << Fmt::Time << Fmt::Text << Fmt::Text << Fmt::Unit << Fmt::Text << Fmt::Text << Fmt::Number
                << Fmt::Number << Fmt::Text;
        sql = QStringLiteral("SELECT ts, station, variable, variable, kind, severity, score, value, reason FROM anomalies")
              + range(QStringLiteral("ts")) + QStringLiteral(" ORDER BY ts, id");
        break;
    case Kind::DailySummary:
        header << "date_utc" << "station" << "readings" << withUnit(QStringLiteral("temperature_min"), QStringLiteral("°C"))
               << withUnit(QStringLiteral("temperature_max"), QStringLiteral("°C"))
               << withUnit(QStringLiteral("temperature_mean"), QStringLiteral("°C"))
               << withUnit(QStringLiteral("precipitation_total"), QStringLiteral("mm"))
               << withUnit(QStringLiteral("wind_speed_mean"), QStringLiteral("m/s")) << "anomalies";
        formats << Fmt::Text << Fmt::Text << Fmt::Number << Fmt::Number << Fmt::Number << Fmt::Number << Fmt::Number
                << Fmt::Number << Fmt::Number;
        // Precipitation is "mm in the last hour" and stations report several times an hour, so the
        // daily total sums one value per clock hour (the hour's last report), not every reading.
        sql = QStringLiteral(
                  "WITH r AS (SELECT station, ts, temperature, precipitation, wind_speed, ts / 86400000 AS day "
                  "FROM readings") + range(QStringLiteral("ts")) + QStringLiteral("), "
                  "hourly AS (SELECT station, day, precipitation, max(ts) FROM r GROUP BY station, ts / 3600000), "
                  "rain AS (SELECT station, day, sum(precipitation) AS total FROM hourly GROUP BY station, day), "
                  "days AS (SELECT station, day, count(*) AS n, min(temperature) AS tmin, max(temperature) AS tmax, "
                  "avg(temperature) AS tmean, avg(wind_speed) AS wind FROM r GROUP BY station, day) "
                  "SELECT date(days.day * 86400, 'unixepoch'), days.station, days.n, days.tmin, days.tmax, days.tmean, "
                  "rain.total, days.wind, (SELECT count(*) FROM anomalies a WHERE a.station = days.station AND "
                  "a.ts >= days.day * 86400000 AND a.ts < (days.day + 1) * 86400000) "
                  "FROM days JOIN rain ON rain.station = days.station AND rain.day = days.day "
                  "ORDER BY days.day, days.station");
        break;
    }

    QByteArray buffer = header.join(',') + "\r\n";
    QString failure;
    auto result = m_reader.stream(sql, binds, [&](const QSqlQuery &q) {
        for (int i = 0; i < formats.size(); ++i) {
            if (i)
                buffer += ',';
            const QVariant v = q.value(i);
            switch (formats[i]) {
            case Fmt::Text: buffer += text(v); break;
            case Fmt::Time: buffer += time(v); break;
            case Fmt::Number: buffer += number(v); break;
            case Fmt::Unit: {
                const auto var = variableFromKey(v.toString());
                buffer += var ? csvField(unitSymbol(*var)).toUtf8() : QByteArray();
                break;
            }
            }
        }
        buffer += "\r\n";
        if (buffer.size() > (1 << 16)) {
            if (out->write(buffer) != buffer.size()) {
                failure = QStringLiteral("cannot write the CSV: %1").arg(out->errorString());
                return false;
            }
            buffer.clear();
        }
        return !(cancel && cancel->load(std::memory_order_relaxed));
    });
    if (!result)
        return result;
    if (!failure.isEmpty())
        return makeError(failure);
    if (!buffer.isEmpty() && out->write(buffer) != buffer.size())
        return makeError(QStringLiteral("cannot write the CSV: %1").arg(out->errorString()));
    return result;
}

} // namespace stratus
