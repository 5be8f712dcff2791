#pragma once

#include "DeadLetter.h"
#include "Reading.h"
#include "Result.h"
#include "Station.h"

#include <QList>
#include <QString>

namespace stratus {

// Reads a real recorded data set into memory, sorted by event time. Formats, detected from the
// file's first line:
//  - the reference system's NWS JSONL (nws_recorded*.jsonl),
//  - the hourly/daily surface CSVs with station_id|station, time_utc and *_c / *_ms / *_hpa columns
//    (sao_19950318/observations.csv, beijing_hourly),
//  - the daily records: GHCN-Daily exports (STATION, DATE, TAVG/TMAX/TMIN °C, AWND m/s) and the
//    Chicago set in US units (date, temp_f, dewpoint_f, humidity_pct, pressure_inhg, wind_mph,
//    gust_mph), converted on the way in. One reading per day, stamped 00:00 UTC of the date. Daily
//    precipitation totals are not carried: Variable::Precipitation means the last hour.
// A malformed line is skipped, kept as a DeadLetter naming file and line, and reading goes on.
class RecordedDataReader
{
public:
    struct Data
    {
        QList<Reading> readings;
        QList<Station> stations; // every station seen, with position where the file has one
        QList<DeadLetter> rejected;
    };

    static Result<Data> read(const QString &path);

private:
    static Result<Data> readReferenceJsonl(const QString &path);
    static Result<Data> readSurfaceCsv(const QString &path);
    static Result<Data> readDailyCsv(const QString &path);
};

} // namespace stratus
