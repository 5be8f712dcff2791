#pragma once

#include "aggregate/SlidingWindowAggregator.h"

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <functional>

namespace stratus {

// Everything the Engine needs to know to run, filled by app/ from the command line (and later the
// config file). Plain data, no parsing here.
struct EngineOptions
{
    QString replayFile;      // empty = no replay source
    double replaySpeed = 1.0;
    bool replayShiftToNow = false;
    qint64 replayMaxGapMs = 0;
    bool replayLoop = false;
    QString stationsCsv;     // optional catalogue (positions, names)
    SlidingWindowAggregator::Options windows;
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
