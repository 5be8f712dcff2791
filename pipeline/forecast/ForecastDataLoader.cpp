#include "ForecastDataLoader.h"

#include "CsvReader.h"
#include "TimeUtil.h"
#include "Units.h"

#include <QFile>
#include <QHash>
#include <QMap>

#include <algorithm>
#include <cmath>

namespace stratus {

double ForecastDataLoader::relativeHumidity(double tC, double tdC)
{
    // Magnus formula (Alduchov & Eskridge 1996 coefficients).
    constexpr double a = 17.625, b = 243.04;
    const double rh = 100.0 * std::exp(a * tdC / (b + tdC) - a * tC / (b + tC));
    return std::clamp(rh, 0.0, 100.0);
}

double ForecastDataLoader::dewpointFrom(double tC, double rh)
{
    constexpr double a = 17.625, b = 243.04;
    const double g = std::log(std::max(rh, 1.0) / 100.0) + a * tC / (b + tC);
    return b * g / (a - g);
}

void ForecastDataLoader::deriveMoisture(StationSeries &s)
{
    auto &t = s.values[ch(Channel::Temperature)];
    auto &td = s.values[ch(Channel::Dewpoint)];
    auto &rh = s.values[ch(Channel::Humidity)];
    for (size_t i = 0; i < t.size(); ++i) {
        if (std::isnan(t[i]))
            continue;
        if (std::isnan(rh[i]) && !std::isnan(td[i]))
            rh[i] = relativeHumidity(t[i], std::min(td[i], t[i]));
        else if (std::isnan(td[i]) && !std::isnan(rh[i]))
            td[i] = dewpointFrom(t[i], rh[i]);
    }
}

namespace {

// Physical limits in internal units; values outside are sensor or decoding faults, dropped as missing.
bool plausible(Channel c, double v)
{
    switch (c) {
    case Channel::Temperature:
    case Channel::TempMax:
    case Channel::TempMin:
    case Channel::Dewpoint: return v > -90 && v < 60;
    case Channel::Humidity: return v >= 0 && v <= 100;
    case Channel::WindSpeed: return v >= 0 && v < 75;
    case Channel::WindDirection: return v >= 0 && v <= 360;
    case Channel::Pressure: return v > 870 && v < 1090;
    case Channel::Precipitation: return v >= 0 && v < 1000;
    }
    return false;
}

double compassDegrees(QStringView s)
{
    static const char *points[] = {"N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
                                   "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"};
    for (int i = 0; i < 16; ++i) {
        if (s == QLatin1String(points[i]))
            return i * 22.5;
    }
    return kMissing;
}

struct Row
{
    QString station;
    qint64 ms = 0;
    std::array<double, kChannelCount> v;
};

// Places rows on each station's regular grid. Duplicate slots keep the last row.
ForecastDataset toDataset(std::vector<Row> &rows, qint64 stepMs, bool daily)
{
    ForecastDataset ds;
    ds.daily = daily;
    QMap<QString, std::pair<qint64, qint64>> span;
    for (const Row &r : rows) {
        auto it = span.find(r.station);
        if (it == span.end())
            span.insert(r.station, {r.ms, r.ms});
        else
            *it = {std::min(it->first, r.ms), std::max(it->second, r.ms)};
    }
    QHash<QString, size_t> indexOf;
    for (auto it = span.cbegin(); it != span.cend(); ++it) {
        StationSeries s;
        s.stationId = it.key();
        s.stepMs = stepMs;
        s.startMs = it->first - (it->first % stepMs + stepMs) % stepMs;
        s.resize(s.slotOf(it->second) + 1);
        indexOf.insert(s.stationId, ds.stations.size());
        ds.stations.push_back(std::move(s));
    }
    for (const Row &r : rows) {
        StationSeries &s = ds.stations[indexOf.value(r.station)];
        const int i = s.slotOf(r.ms);
        for (int c = 0; c < kChannelCount; ++c)
            s.values[c][static_cast<size_t>(i)] = r.v[c];
    }
    for (auto &s : ds.stations)
        ForecastDataLoader::deriveMoisture(s);
    return ds;
}

double number(const QStringList &f, int col)
{
    if (col < 0 || col >= f.size() || f[col].isEmpty())
        return kMissing;
    bool ok = false;
    const double v = f[col].toDouble(&ok);
    return ok ? v : kMissing;
}

} // namespace

Result<ForecastDataset> ForecastDataLoader::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("cannot open %1: %2").arg(path, file.errorString()));
    CsvReader csv(&file);
    if (!csv.readHeader())
        return makeError(QStringLiteral("%1: empty file, no CSV header").arg(path));

    enum class Layout { Hourly, Ghcn, Chicago } layout;
    auto has = [&](std::initializer_list<const char *> names, QStringList *missing) {
        for (const char *n : names) {
            if (csv.column(QLatin1String(n)) < 0)
                missing->append(QLatin1String(n));
        }
        return missing->isEmpty();
    };
    QStringList missH, missG, missC;
    if (has({"station", "time_utc", "temperature_c"}, &missH))
        layout = Layout::Hourly;
    else if (has({"STATION", "DATE", "TMAX", "TMIN"}, &missG))
        layout = Layout::Ghcn;
    else if (has({"date", "temp_f", "temp_min_f", "temp_max_f"}, &missC))
        layout = Layout::Chicago;
    else
        return makeError(QStringLiteral("%1: not a known forecast data layout (hourly needs %2; GHCN daily needs "
                                        "%3; chicago daily needs %4)")
                             .arg(path, missH.join(QLatin1Char(',')), missG.join(QLatin1Char(',')),
                                  missC.join(QLatin1Char(','))));

    std::vector<Row> rows;
    QStringList f;
    qint64 rejected = 0, derivedTavg = 0, badTime = 0;
    const QString chicagoId = QStringLiteral("chicago");
    while (csv.readRow(f)) {
        Row r;
        r.v.fill(kMissing);
        auto set = [&](Channel c, double v) {
            if (std::isnan(v))
                return;
            if (plausible(c, v))
                r.v[ch(c)] = v;
            else
                ++rejected;
        };
        std::optional<qint64> ms;
        if (layout == Layout::Hourly) {
            r.station = f.value(csv.column(QStringLiteral("station")));
            ms = timeutil::parseIsoUtc(QStringView(f.value(csv.column(QStringLiteral("time_utc")))));
            set(Channel::Temperature, number(f, csv.column(QStringLiteral("temperature_c"))));
            set(Channel::Dewpoint, number(f, csv.column(QStringLiteral("dewpoint_c"))));
            set(Channel::Humidity, number(f, csv.column(QStringLiteral("humidity_pct"))));
            set(Channel::Pressure, number(f, csv.column(QStringLiteral("pressure_hpa"))));
            set(Channel::Precipitation, number(f, csv.column(QStringLiteral("rain_mm"))));
            set(Channel::WindSpeed, number(f, csv.column(QStringLiteral("wind_speed_ms"))));
            const int wd = csv.column(QStringLiteral("wind_dir"));
            if (wd >= 0 && !f.value(wd).isEmpty()) {
                const double deg = compassDegrees(f.value(wd));
                set(Channel::WindDirection, std::isnan(deg) ? number(f, wd) : deg);
            }
        } else if (layout == Layout::Ghcn) {
            r.station = f.value(csv.column(QStringLiteral("STATION")));
            ms = timeutil::parseIsoUtc(QStringView(f.value(csv.column(QStringLiteral("DATE")))));
            const double tmax = number(f, csv.column(QStringLiteral("TMAX")));
            const double tmin = number(f, csv.column(QStringLiteral("TMIN")));
            double tavg = number(f, csv.column(QStringLiteral("TAVG")));
            // GHCN leaves TAVG empty for years at a time; the midrange stands in, as the data README says.
            if (std::isnan(tavg) && !std::isnan(tmax) && !std::isnan(tmin)) {
                tavg = (tmax + tmin) / 2;
                ++derivedTavg;
            }
            set(Channel::Temperature, tavg);
            set(Channel::TempMax, tmax);
            set(Channel::TempMin, tmin);
            set(Channel::WindSpeed, number(f, csv.column(QStringLiteral("AWND"))));
            set(Channel::Precipitation, number(f, csv.column(QStringLiteral("PRCP"))));
        } else {
            r.station = chicagoId;
            ms = timeutil::parseIsoUtc(QStringView(f.value(csv.column(QStringLiteral("date")))));
            auto f2c = [&](const char *col) {
                const double v = number(f, csv.column(QLatin1String(col)));
                return std::isnan(v) ? v : units::fahrenheitToCelsius(v);
            };
            set(Channel::Temperature, f2c("temp_f"));
            set(Channel::TempMax, f2c("temp_max_f"));
            set(Channel::TempMin, f2c("temp_min_f"));
            set(Channel::Dewpoint, f2c("dewpoint_f"));
            set(Channel::Humidity, number(f, csv.column(QStringLiteral("humidity_pct"))));
            const double p = number(f, csv.column(QStringLiteral("pressure_inhg")));
            set(Channel::Pressure, std::isnan(p) ? p : units::inHgToHpa(p));
            const double w = number(f, csv.column(QStringLiteral("wind_mph")));
            set(Channel::WindSpeed, std::isnan(w) ? w : units::mphToMs(w));
            const double pr = number(f, csv.column(QStringLiteral("precip_in")));
            set(Channel::Precipitation, std::isnan(pr) ? pr : units::inchToMm(pr));
        }
        if (!ms || r.station.isEmpty()) {
            ++badTime;
            continue;
        }
        r.ms = *ms;
        rows.push_back(std::move(r));
    }
    if (rows.empty())
        return makeError(QStringLiteral("%1: no usable rows").arg(path));
    const bool daily = layout != Layout::Hourly;
    ForecastDataset ds = toDataset(rows, daily ? timeutil::kMsPerDay : timeutil::kMsPerHour, daily);
    const char *kind = layout == Layout::Hourly ? "hourly station CSV"
                       : layout == Layout::Ghcn ? "GHCN-Daily CSV"
                                                : "chicago daily CSV (US units converted to °C, hPa, m/s, mm)";
    ds.description = QStringLiteral("%1: %2, %3 station(s)").arg(path, QLatin1String(kind)).arg(ds.stations.size());
    if (derivedTavg)
        ds.notes << QStringLiteral("%1: TAVG missing on %2 days, (TMAX+TMIN)/2 used there").arg(path).arg(derivedTavg);
    if (rejected)
        ds.notes << QStringLiteral("%1: %2 physically impossible values treated as missing").arg(path).arg(rejected);
    if (badTime)
        ds.notes << QStringLiteral("%1: %2 rows without a station or a valid time skipped").arg(path).arg(badTime);
    return ds;
}

qsizetype ForecastDataLoader::mergeInto(StationSeries &into, const StationSeries &from)
{
    const qint64 step = into.stepMs;
    const qint64 start = std::min(into.startMs, from.startMs);
    const qint64 end = std::max(into.timeOf(into.size()), from.timeOf(from.size()));
    StationSeries merged;
    merged.stationId = into.stationId;
    merged.startMs = start;
    merged.stepMs = step;
    merged.resize(static_cast<int>((end - start) / step));
    qsizetype overlap = 0;
    for (const StationSeries *src : {static_cast<const StationSeries *>(&into), &from}) {
        const int offset = static_cast<int>((src->startMs - start) / step);
        for (int c = 0; c < kChannelCount; ++c) {
            for (int i = 0; i < src->size(); ++i) {
                const double v = src->values[c][static_cast<size_t>(i)];
                double &dst = merged.values[c][static_cast<size_t>(offset + i)];
                if (std::isnan(v))
                    continue;
                if (src == &from && !std::isnan(dst))
                    ++overlap;
                dst = v;
            }
        }
    }
    into = std::move(merged);
    return overlap;
}

Result<ForecastDataset> ForecastDataLoader::loadAll(const QStringList &paths)
{
    if (paths.isEmpty())
        return makeError(QStringLiteral("no data files given"));
    ForecastDataset all;
    QStringList descriptions;
    for (int i = 0; i < paths.size(); ++i) {
        auto one = load(paths[i]);
        if (!one)
            return one.error();
        if (i > 0 && one->daily != all.daily)
            return makeError(QStringLiteral("%1 is %2 but %3 is %4: train hourly and daily models separately")
                                 .arg(paths[i], one->daily ? QStringLiteral("daily") : QStringLiteral("hourly"),
                                      paths[0], all.daily ? QStringLiteral("daily") : QStringLiteral("hourly")));
        all.daily = one->daily;
        for (auto &s : one->stations) {
            auto existing = std::find_if(all.stations.begin(), all.stations.end(),
                                         [&](const StationSeries &e) { return e.stationId == s.stationId; });
            if (existing == all.stations.end()) {
                all.stations.push_back(std::move(s));
                continue;
            }
            // The same station in a later file (e.g. the history, then the period to score): one time
            // line, the later file's value where both have one.
            const qsizetype overlap = mergeInto(*existing, s);
            all.notes << QStringLiteral("station %1 is in %2 and an earlier file: merged on one time line%3")
                             .arg(s.stationId, paths[i],
                                  overlap ? QStringLiteral(" (%1 slots in both: %2's values kept)").arg(overlap).arg(paths[i])
                                          : QString());
        }
        descriptions << one->description;
        all.notes << one->notes;
    }
    all.description = descriptions.join(QStringLiteral("; "));
    return all;
}

} // namespace stratus
