#pragma once

#include "GeoQuery.h"
#include "aggregate/SlidingWindowAggregator.h"
#include "infer/RetrainOptions.h"
#include "store/StoreOptions.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

#include <functional>

namespace stratus {

// Everything the Engine needs to know to run, filled by app/ from the settings (config file,
// environment, command line). Plain data, no parsing here.
struct EngineOptions
{
    QString replayFile;      // empty = no replay source
    double replaySpeed = 1.0;
    bool replayShiftToNow = false;
    qint64 replayMaxGapMs = 0;
    bool replayLoop = false;
    QString stationsCsv;     // optional catalogue (positions, names)

    // Live sources (see sources/SourceFactory): which one, and where it points.
    QString sourceKind = QStringLiteral("replay");    // replay | nws | openmeteo
    QStringList stationIds;                           // nws: explicit station ids
    int nearMaxStations = 10;                         // nws: discovered stations polled
    QString nwsUrl;                                   // empty = https://api.weather.gov
    QString openMeteoUrl;                             // empty = https://api.open-meteo.com
    QString openMeteoArchiveUrl;                      // empty = openMeteoUrl if set, else archive-api.open-meteo.com
    int pollIntervalS = 0;                            // 0 = the source's default (nws 15 s, openmeteo 900 s)
    int backfillDays = 7;                             // openmeteo: hourly history on first start
    QString contact;                                  // User-Agent contact (NWS asks for one)
    SlidingWindowAggregator::Options windows;
    // --near: only stations of the catalogue near a point (centre resolved). Its centre is also the
    // live sources' point (SourceFactory::sourcePoint): NWS discovers stations there, Open-Meteo serves it.
    std::optional<GeoQuery> near;
    bool spatialCheck = true;     // compare readings with their nearest neighbours (Spatial anomalies)
    QStringList alertRules;  // alert rule lines from the config file (AlertRule.h); a bad line is logged and skipped
    QString alertsStateFile; // rules and silences added through the API/GUI (JSON); empty = beside the store, none without one
    qint64 dropoutCheckMs = 60'000; // how often silent stations are looked for (wall clock live, event time in a replay)
    QString modelDir;        // forecast model registry root (versions as subfolders); empty = persistence only
    RetrainOptions retrain;  // [retrain]: scheduled retraining, promotion margin, drift alerts (with modelDir)
    StoreOptions store;      // store.path empty = no history store
    // Distributed mode: the bus to use instead of the in-process LocalBus (e.g. a KafkaBus), and
    // whether this process aggregates and infers itself (false: --connect, --worker --role collect).
    std::function<class Bus *(QObject *parent)> busFactory;
    bool computeInProcess = true;
    // Distributed mode: a (blocking) cluster health snapshot, run off the GUI thread every 5 s into
    // LiveState::cluster() — e.g. ClusterMonitor::snapshot().toJson().
    std::function<QJsonObject()> clusterSnapshot;

    // The bundled NWS recording, replayed live-like: 60× speed, recording pauses cut to 5 min,
    // times shifted to now, looping, so the demo always shows a moving feed.
    static EngineOptions demo();
};

} // namespace stratus
