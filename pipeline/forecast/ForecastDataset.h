#pragma once

#include "StationSeries.h"

#include <QString>
#include <QStringList>

#include <array>
#include <vector>

namespace stratus {

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

} // namespace stratus
