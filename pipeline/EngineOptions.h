#pragma once

#include "aggregate/SlidingWindowAggregator.h"
#include "sources/SourceOptions.h"
#include "models/RetrainOptions.h"
#include "notify/NotifyOptions.h"
#include "store/StoreOptions.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

#include <functional>

namespace stratus {

// Everything the Engine needs to know to run (its sources, then the stages), filled by app/ from the settings (config file,
// environment, command line). Plain data, no parsing here.
struct EngineOptions : SourceOptions
{
    QString stationsCsv;     // optional catalogue (positions, names)

    SlidingWindowAggregator::Options windows;
    // Partitions the stations are split into (as on Kafka: per-partition watermarks and state). An
    // engine and a cluster with the same count make the same decisions; the config's kafka/partitions.
    int partitions = 4;
    // The history store may hold this many rows not yet committed before the sources are paused.
    qint64 storeHighWaterRows = 200'000;
    bool spatialCheck = true;     // compare readings with their nearest neighbours (Spatial anomalies)
    QStringList alertRules;  // alert rule lines from the config file (AlertRule.h); a bad line is logged and skipped
    QString alertsStateFile; // rules and silences added through the API/GUI (JSON); empty = beside the store, none without one
    qint64 dropoutCheckMs = 60'000; // how often silent stations are looked for (wall clock live, event time in a replay)
    QString modelDir;        // forecast model registry root (versions as subfolders); empty = persistence only
    RetrainOptions retrain;  // [retrain]: scheduled retraining, promotion margin, drift alerts (with modelDir)
    StoreOptions store;      // store.path empty = no history store
    NotifyOptions notify;    // [notify]: alerts pushed to Alertmanagers and a webhook (NotificationService)
    // Distributed mode: the bus to use instead of the in-process LocalBus (e.g. a KafkaBus), and
    // whether this process aggregates and infers itself (false: --connect, --worker --role collect).
    std::function<class Bus *(QObject *parent)> busFactory;
    bool computeInProcess = true;
    // Distributed mode: a (blocking) cluster health snapshot, run off the GUI thread every 5 s into
    // LiveState::cluster() — e.g. ClusterMonitor::snapshot().toJson().
    std::function<QJsonObject()> clusterSnapshot;

    // The bundled NWS recording, replayed live-like: 60× speed, recording pauses cut to 5 min,
    // times shifted to now, looping, so the demo always shows a moving feed; beside it the last
    // weeks of Beijing's hourly weather, which the shipped model forecasts (see ShippedModel).
    static EngineOptions demo();
};

} // namespace stratus
