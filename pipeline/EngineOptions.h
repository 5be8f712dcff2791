#pragma once

#include "aggregate/SlidingWindowAggregator.h"
#include "store/StoreOptions.h"

#include <QString>

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
    StoreOptions store;      // store.path empty = no history store

    // The bundled NWS recording, replayed live-like: 60× speed, recording pauses cut to 5 min,
    // times shifted to now, looping, so the demo always shows a moving feed.
    static EngineOptions demo();
};

} // namespace stratus
