#pragma once

#include "forecast/ForecastDataLoader.h"
#include "Result.h"

#include <QString>

namespace stratus {

class HistoryReader;

// The forecaster's hourly series of one station, built from the history store's readings (the last
// value of each hour slot, as ForecastService keeps them live), and saved to / loaded from a binary
// checkpoint file so an interrupted retrain does not read the store again.
class HistoryDataset
{
public:
    // Readings of `station` in [fromMs, toMs) on the hourly grid starting at fromMs (rounded down).
    static Result<StationSeries> readStation(HistoryReader &reader, const QString &station, qint64 fromMs, qint64 toMs);
    // Written atomically (QSaveFile): a checkpoint file either exists whole or not at all.
    static Result<bool> save(const StationSeries &s, const QString &path);
    static Result<StationSeries> load(const QString &path);
    // The newest reading time in the store (0 when empty).
    static Result<qint64> newestReadingMs(HistoryReader &reader);
};

} // namespace stratus
