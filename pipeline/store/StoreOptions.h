#pragma once

#include <QString>

namespace stratus {

// How the history store is opened. Plain data, filled by app/ from the command line.
struct StoreOptions
{
    QString path;             // SQLite file; empty = no history store
    int retentionDays = 30;   // rows older than this (relative to the newest reading) are deleted; 0 = keep all
    int batchRows = 4000;     // a batch is committed when it reaches this many rows ...
    int batchIntervalMs = 200; // ... or when this much time passed since its first row
    // The engine issues a 24-point forecast for every closed window; history keeps one forecast per
    // station, variable and model per this much event time (the live state keeps the latest anyway).
    // 0 = keep every forecast.
    qint64 predictionEveryMs = 3600 * 1000;
};

} // namespace stratus
