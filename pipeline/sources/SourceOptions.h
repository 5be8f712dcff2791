#pragma once

#include "GeoQuery.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace stratus {

// Which source collects readings and where it points (see SourceFactory). Plain data, filled by
// app/ from the settings; the engine's options extend it.
struct SourceOptions
{
    QString sourceKind = QStringLiteral("replay"); // replay | nws | openmeteo
    QString replayFile;      // empty = no replay source
    double replaySpeed = 1.0;
    bool replayShiftToNow = false;
    qint64 replayMaxGapMs = 0;
    bool replayLoop = false;
    // Recordings replayed beside the main source at its replay pace (the demo's Beijing weeks);
    // the first companionHistoryMs of each is emitted at once as the history forecasts need.
    QStringList companionReplays;
    qint64 companionHistoryMs = 0;
    QStringList stationIds;                           // nws: explicit station ids
    int nearMaxStations = 10;                         // nws: discovered stations polled
    QString nwsUrl;                                   // empty = https://api.weather.gov
    QString openMeteoUrl;                             // empty = https://api.open-meteo.com
    QString openMeteoArchiveUrl;                      // empty = openMeteoUrl if set, else archive-api.open-meteo.com
    int pollIntervalS = 0;                            // 0 = the source's default (nws 15 s, openmeteo 900 s)
    int backfillDays = 7;                             // openmeteo: hourly history on first start
    QString contact;                                  // User-Agent contact (NWS asks for one)
    // --near: only stations of the catalogue near a point (centre resolved). Its centre is also the
    // live sources' point (SourceFactory::sourcePoint): NWS discovers stations there, Open-Meteo serves it.
    std::optional<GeoQuery> near;
};

} // namespace stratus
