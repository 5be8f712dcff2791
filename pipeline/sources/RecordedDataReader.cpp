#include "RecordedDataReader.h"

#include "CsvReader.h"
#include "ReadingValidator.h"
#include "ReferenceMessageCodec.h"
#include "TimeUtil.h"
#include "Units.h"

#include <QDateTime>
#include <QDebug>
#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <algorithm>
#include <cmath>

namespace stratus {

namespace {

DeadLetter rejectedLine(const QString &path, qint64 line, const QByteArray &payload, const QString &reason)
{
    DeadLetter d;
    d.origin = QStringLiteral("%1:%2").arg(path).arg(line);
    d.payload = payload;
    d.reason = reason;
    d.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
    return d;
}

void sortByTime(QList<Reading> &readings)
{
    std::stable_sort(readings.begin(), readings.end(),
                     [](const Reading &a, const Reading &b) { return a.timestampMs < b.timestampMs; });
}

// 16-point compass names → degrees true.
std::optional<double> compassDegrees(QStringView name)
{
    static const char16_t *const kPoints[] = {u"N",  u"NNE", u"NE", u"ENE", u"E",  u"ESE", u"SE", u"SSE",
                                              u"S",  u"SSW", u"SW", u"WSW", u"W",  u"WNW", u"NW", u"NNW"};
    for (int i = 0; i < 16; ++i) {
        if (name == QStringView(kPoints[i]))
            return i * 22.5;
    }
    return std::nullopt;
}

// Relative humidity from temperature and dewpoint (Magnus formula, Alduchov & Eskridge 1996
// coefficients), for sources that report dewpoint only.
double relativeHumidity(double t, double td)
{
    const double a = 17.625, b = 243.04;
    return 100.0 * std::exp(a * td / (b + td)) / std::exp(a * t / (b + t));
}

} // namespace

Result<RecordedDataReader::Data> RecordedDataReader::read(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    const QByteArray head = file.peek(64 * 1024);
    file.close();
    if (head.trimmed().isEmpty())
        return makeError(QStringLiteral("%1: the file is empty").arg(path));
    const QByteArray header = head.left(head.indexOf('\n')).trimmed();
    if ((header.startsWith("STATION,") && header.contains(",DATE")) || (header.startsWith("date,") && header.contains(",temp_f")))
        return readDailyCsv(path);
    // The extension decides; without one, any of the first lines looking like a JSON object does,
    // so that a malformed first line cannot make a JSONL file look like a CSV.
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("jsonl") || suffix == QLatin1String("ndjson") || suffix == QLatin1String("json"))
        return readReferenceJsonl(path);
    if (suffix == QLatin1String("csv"))
        return readSurfaceCsv(path);
    const QList<QByteArray> lines = head.split('\n');
    for (qsizetype i = 0; i < std::min<qsizetype>(lines.size(), 20); ++i) {
        if (lines[i].trimmed().startsWith('{'))
            return readReferenceJsonl(path);
    }
    return readSurfaceCsv(path);
}

Result<RecordedDataReader::Data> RecordedDataReader::readReferenceJsonl(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    Data data;
    QHash<QString, QString> names;
    qint64 lineNo = 0;
    while (!file.atEnd()) {
        QByteArray line = file.readLine();
        ++lineNo;
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        auto decoded = ReferenceMessageCodec::decode(line);
        if (!decoded) {
            data.rejected.append(rejectedLine(path, lineNo, line, decoded.errorMessage()));
            continue;
        }
        names.insert(decoded->reading.stationId, decoded->stationName);
        data.readings.append(std::move(decoded).value().reading);
    }
    for (auto it = names.cbegin(); it != names.cend(); ++it) {
        Station s;
        s.id = it.key();
        s.name = it.value();
        s.source = QStringLiteral("replay");
        data.stations.append(s);
    }
    std::sort(data.stations.begin(), data.stations.end(), [](const Station &a, const Station &b) { return a.id < b.id; });
    sortByTime(data.readings);
    return data;
}

Result<RecordedDataReader::Data> RecordedDataReader::readSurfaceCsv(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    CsvReader csv(&file);
    if (!csv.readHeader())
        return makeError(QStringLiteral("%1: empty file").arg(path));
    const auto col = [&](std::initializer_list<const char *> names) { return csv.firstColumn(names); };
    const int idCol = col({"station_id", "station"});
    const int timeCol = col({"time_utc", "timestamp", "time"});
    if (idCol < 0 || timeCol < 0)
        return makeError(QStringLiteral("%1: not a recorded-data CSV: needs station_id (or station) and time_utc columns, header is \"%2\"")
                             .arg(path, csv.header().join(u',')));
    struct NumericColumn
    {
        int column;
        Variable variable;
    };
    QList<NumericColumn> numeric;
    const auto addNumeric = [&](std::initializer_list<const char *> names, Variable v) {
        const int c = col(names);
        if (c >= 0)
            numeric.append({c, v});
    };
    addNumeric({"temperature_c"}, Variable::Temperature);
    addNumeric({"dewpoint_c"}, Variable::Dewpoint);
    addNumeric({"humidity_pct"}, Variable::Humidity);
    addNumeric({"wind_speed_ms"}, Variable::WindSpeed);
    addNumeric({"wind_gust_ms"}, Variable::WindGust);
    addNumeric({"wind_dir_deg"}, Variable::WindDirection);
    addNumeric({"sea_level_pressure_hpa", "pressure_hpa"}, Variable::Pressure);
    addNumeric({"rain_mm", "precipitation_mm"}, Variable::Precipitation);
    addNumeric({"visibility_km"}, Variable::Visibility);
    const int compassCol = col({"wind_dir"});
    const int humidityCol = col({"humidity_pct"});
    const int latCol = col({"lat", "latitude"});
    const int lonCol = col({"lon", "longitude"});
    const int elevCol = col({"elevation_m"});
    const int stateCol = col({"state"});
    const int countryCol = col({"country"});

    Data data;
    QHash<QString, qsizetype> stationIndex;
    QStringList row;
    while (csv.readRow(row)) {
        const auto field = [&](int c) { return c >= 0 && c < row.size() ? QStringView(row[c]) : QStringView(); };
        if (row.size() < csv.header().size()) {
            data.rejected.append(rejectedLine(path, csv.lineNumber(), row.join(u',').toUtf8(),
                                              QStringLiteral("%1 fields, the header has %2").arg(row.size()).arg(csv.header().size())));
            continue;
        }
        Reading r;
        r.stationId = field(idCol).trimmed().toString();
        const auto ts = timeutil::parseIsoUtc(field(timeCol));
        if (!ts) {
            data.rejected.append(rejectedLine(path, csv.lineNumber(), row.join(u',').toUtf8(),
                                              QStringLiteral("time \"%1\" is not an ISO 8601 date-time").arg(field(timeCol))));
            continue;
        }
        r.timestampMs = *ts;
        QString badNumber;
        for (const NumericColumn &nc : std::as_const(numeric)) {
            const QStringView text = field(nc.column);
            if (text.isEmpty())
                continue;
            bool ok = false;
            const double x = text.toDouble(&ok);
            if (!ok) {
                badNumber = QStringLiteral("%1 \"%2\" is not a number").arg(csv.header()[nc.column], text);
                break;
            }
            r.set(nc.variable, x);
        }
        if (!badNumber.isEmpty()) {
            data.rejected.append(rejectedLine(path, csv.lineNumber(), row.join(u',').toUtf8(), badNumber));
            continue;
        }
        if (compassCol >= 0 && !field(compassCol).isEmpty()) {
            if (const auto deg = compassDegrees(field(compassCol)))
                r.set(Variable::WindDirection, *deg);
        }
        if (humidityCol < 0 && r.has(Variable::Temperature) && r.has(Variable::Dewpoint))
            r.set(Variable::Humidity, relativeHumidity(r.value(Variable::Temperature), r.value(Variable::Dewpoint)));

        if (!ReadingValidator::isValidStationId(r.stationId)) {
            // The reading still goes on (the engine dead-letters it with the reason), but a time
            // decoded into the id field ("0030") must not become a phantom station on the map.
            data.readings.append(std::move(r));
            continue;
        }
        auto it = stationIndex.constFind(r.stationId);
        if (it == stationIndex.cend()) {
            Station s;
            s.id = r.stationId;
            s.source = QStringLiteral("replay");
            it = stationIndex.insert(r.stationId, data.stations.size());
            data.stations.append(s);
        }
        Station &s = data.stations[*it];
        if (!s.hasLocation() && latCol >= 0 && lonCol >= 0 && !field(latCol).isEmpty() && !field(lonCol).isEmpty()
            && std::abs(field(latCol).toDouble()) <= 90 && std::abs(field(lonCol).toDouble()) <= 180) {
            // A position off the Earth (WUY at longitude -790.2) is a decoding error: no position.
            s.latitude = field(latCol).toDouble();
            s.longitude = field(lonCol).toDouble();
            s.elevationM = elevCol >= 0 && !field(elevCol).isEmpty() ? field(elevCol).toDouble() : s.elevationM;
            s.region = stateCol >= 0 ? field(stateCol).toString() : QString();
            s.country = countryCol >= 0 ? field(countryCol).toString() : QString();
        }
        data.readings.append(std::move(r));
    }
    sortByTime(data.readings);
    return data;
}

Result<RecordedDataReader::Data> RecordedDataReader::readDailyCsv(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()));
    CsvReader csv(&file);
    if (!csv.readHeader())
        return makeError(QStringLiteral("%1: empty file").arg(path));
    const bool ghcn = csv.column(QStringLiteral("STATION")) >= 0;
    struct Column
    {
        const char *name;
        Variable variable;
        const char16_t *unit;
        bool zeroIsMissing; // Chicago's gust 0 means "no gust reported", not a calm gust
    };
    static const Column kGhcn[] = {
        {"TAVG", Variable::Temperature, u"°C", false},
        {"AWND", Variable::WindSpeed, u"m/s", false},
    };
    static const Column kChicago[] = {
        {"temp_f", Variable::Temperature, u"°F", false},   {"dewpoint_f", Variable::Dewpoint, u"°F", false},
        {"humidity_pct", Variable::Humidity, u"%", false}, {"pressure_inhg", Variable::Pressure, u"inHg", false},
        {"wind_mph", Variable::WindSpeed, u"mph", false},  {"gust_mph", Variable::WindGust, u"mph", true},
    };
    const auto columns = ghcn ? QList<Column>(std::begin(kGhcn), std::end(kGhcn))
                              : QList<Column>(std::begin(kChicago), std::end(kChicago));
    const int dateCol = csv.column(ghcn ? QStringLiteral("DATE") : QStringLiteral("date"));
    if (dateCol < 0)
        return makeError(QStringLiteral("%1: no DATE/date column").arg(path));
    const int idCol = csv.column(QStringLiteral("STATION"));
    const int tmaxCol = csv.column(QStringLiteral("TMAX"));
    const int tminCol = csv.column(QStringLiteral("TMIN"));

    Data data;
    QHash<QString, qsizetype> stationIndex;
    qint64 tavgFilled = 0;
    QStringList row;
    while (csv.readRow(row)) {
        const auto field = [&](int c) { return c >= 0 && c < row.size() ? QStringView(row[c]) : QStringView(); };
        const auto reject = [&](const QString &why) {
            data.rejected.append(rejectedLine(path, csv.lineNumber(), row.join(u',').toUtf8(), why));
        };
        if (row.size() < csv.header().size()) {
            reject(QStringLiteral("%1 fields, the header has %2").arg(row.size()).arg(csv.header().size()));
            continue;
        }
        Reading r;
        // The Chicago set does not name its station; "CHICAGO" is our label for it.
        r.stationId = ghcn ? field(idCol).trimmed().toString() : QStringLiteral("CHICAGO");
        const auto ts = timeutil::parseIsoUtc(field(dateCol));
        if (!ts) {
            reject(QStringLiteral("date \"%1\" is not an ISO 8601 date").arg(field(dateCol)));
            continue;
        }
        r.timestampMs = *ts;
        QString bad;
        for (const Column &c : columns) {
            const QStringView text = field(csv.column(QString::fromLatin1(c.name)));
            if (text.isEmpty())
                continue;
            bool ok = false;
            const double x = text.toDouble(&ok);
            if (!ok) {
                bad = QStringLiteral("%1 \"%2\" is not a number").arg(QLatin1String(c.name), text);
                break;
            }
            if (c.zeroIsMissing && x == 0)
                continue;
            const auto v = units::toInternal(c.variable, QStringView(c.unit), x);
            if (v)
                r.set(c.variable, *v);
        }
        if (!bad.isEmpty()) {
            reject(bad);
            continue;
        }
        if (ghcn && !r.has(Variable::Temperature) && !field(tmaxCol).isEmpty() && !field(tminCol).isEmpty()) {
            // GHCN lacks TAVG for years at a time; the data README says to use (TMAX+TMIN)/2 there.
            r.set(Variable::Temperature, (field(tmaxCol).toDouble() + field(tminCol).toDouble()) / 2);
            ++tavgFilled;
        }
        if (!stationIndex.contains(r.stationId)) {
            Station s;
            s.id = r.stationId;
            s.source = QStringLiteral("replay");
            if (ghcn) {
                s.name = field(csv.column(QStringLiteral("NAME"))).toString();
                s.latitude = field(csv.column(QStringLiteral("LATITUDE"))).toDouble();
                s.longitude = field(csv.column(QStringLiteral("LONGITUDE"))).toDouble();
                s.elevationM = field(csv.column(QStringLiteral("ELEVATION"))).toDouble();
            } else {
                s.name = QStringLiteral("Chicago (daily, station not named in the source)");
            }
            stationIndex.insert(s.id, data.stations.size());
            data.stations.append(s);
        }
        data.readings.append(std::move(r));
    }
    if (tavgFilled > 0)
        qInfo().noquote() << QStringLiteral("%1: TAVG missing on %2 days; used (TMAX+TMIN)/2 there").arg(path).arg(tavgFilled);
    sortByTime(data.readings);
    return data;
}

} // namespace stratus
