#pragma once

#include "ForecastDataset.h"
#include "Result.h"

#include <QString>
#include <QStringList>

#include <cmath>

namespace stratus {

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
    // Several files of the same kind (all hourly or all daily) merged; a station in several files
    // (its history in one, a later period in another) gets one time line.
    static Result<ForecastDataset> loadAll(const QStringList &paths);
    // Puts both records on one grid (they share the step); `from`'s values win where both have one.
    // Returns how many values were in both.
    static qsizetype mergeInto(StationSeries &into, const StationSeries &from);
    // Fills humidity from temperature and dewpoint (and dewpoint from temperature and humidity)
    // where only one of them is known, with the Magnus formula.
    static void deriveMoisture(StationSeries &s);
    static double relativeHumidity(double tC, double tdC);
    static double dewpointFrom(double tC, double rh);
};

} // namespace stratus
