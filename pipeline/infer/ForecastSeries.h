#pragma once

#include "Result.h"
#include "Variable.h"

#include <QString>
#include <QStringList>

#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

namespace stratus {

// The quantities the forecaster reads, each in the internal unit (°C, %, m/s, hPa, mm, degrees).
// Daily files add the day's extremes. A channel a file does not have stays all-missing.
enum class Channel : int {
    Temperature, // hourly: the observation; daily: the day's mean (TAVG)
    Dewpoint,
    Humidity,
    WindSpeed,
    WindDirection,
    Pressure,
    Precipitation, // mm in the slot (hour or day)
    TempMax,       // daily only
    TempMin,       // daily only
};
inline constexpr int kChannelCount = 9;
inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

QString channelKey(Channel c);
// The channel a live reading's variable feeds; none for variables the forecaster does not read.
std::optional<Channel> channelOf(Variable v);
constexpr int ch(Channel c) { return static_cast<int>(c); }

// One station's record on a regular grid (one slot per hour or per day, UTC). Slot i covers
// startMs + i*stepMs; a missing value is NaN, never 0.
struct StationSeries
{
    QString stationId;
    qint64 startMs = 0;
    qint64 stepMs = 0;
    std::array<std::vector<double>, kChannelCount> values;

    int size() const { return static_cast<int>(values[0].size()); }
    double at(Channel c, int i) const
    {
        return i >= 0 && i < size() ? values[ch(c)][static_cast<size_t>(i)] : kMissing;
    }
    qint64 timeOf(int i) const { return startMs + i * stepMs; }
    // Slot of a time, rounded down; may be outside [0, size()).
    int slotOf(qint64 ms) const;
    void resize(int n);
};

// A whole training or evaluation file: one series per station, all hourly or all daily.
struct ForecastDataset
{
    bool daily = false;
    std::vector<StationSeries> stations;
    QString description;      // e.g. "beijing hourly CSV, 12 stations"
    QStringList notes;        // what the loader did that a user should know (derived values, rejects)
    qint64 firstMs() const;
    qint64 lastMs() const;
    // Channels with real values at some station (more than half the slots of at least one station).
    std::array<bool, kChannelCount> presentChannels() const;
    // Keeps only the named stations (empty list keeps all).
    void keepStations(const QStringList &ids);
};

// Reads the three file layouts the project trains on, converting to internal units on the way in:
//  - hourly station CSV (beijing_hourly): station,time_utc,temperature_c,dewpoint_c,pressure_hpa,
//    rain_mm,wind_dir (16-point compass),wind_speed_ms;
//  - GHCN-Daily CSV (ghcnd_madison_daily): STATION,DATE,AWND (m/s),PRCP (mm),TAVG,TMAX,TMIN (°C);
//  - chicago_daily CSV in US units: date,temp_min_f,temp_f,temp_max_f,dewpoint_f,humidity_pct,
//    pressure_inhg,wind_mph,precip_in (°F, inHg, mph and inches converted here).
// The layout is recognised from the header; anything else is an error naming the missing columns.
class ForecastDataLoader
{
public:
    static Result<ForecastDataset> load(const QString &path);
    // Several files of the same kind (all hourly or all daily) merged, station ids kept apart.
    static Result<ForecastDataset> loadAll(const QStringList &paths);
    // Fills humidity from temperature and dewpoint (and dewpoint from temperature and humidity)
    // where only one of them is known, with the Magnus formula.
    static void deriveMoisture(StationSeries &s);
    static double relativeHumidity(double tC, double tdC);
    static double dewpointFrom(double tC, double rh);
};

} // namespace stratus
