#pragma once

#include "Reading.h"

#include <QList>
#include <QString>

namespace stratus {

// Injects synthetic sensor faults into a REAL recorded stream, seeded, so the detector can be
// scored on faults whose truth is known: spikes (one reading off by a large amount), stuck values
// (a reading repeated for hours), slow drift (a growing offset over days) and dropouts (a station
// silent for hours). The base stream stays real; only the faults are synthetic, and the list of
// what was injected is returned with it.
class FaultInjector
{
public:
    enum class Kind { Spike, Stuck, Drift, Dropout };

    struct Fault
    {
        QString stationId;
        Variable variable = Variable::Temperature; // for Dropout: the whole station
        Kind kind = Kind::Spike;
        qint64 startMs = 0;
        qint64 endMs = 0;      // last affected instant (Dropout: first reading after the silence)
        double magnitude = 0;  // spike size, final drift offset, stuck value, silence in hours
    };

    struct Options
    {
        quint32 seed = 1;
        int count = 40;           // faults to place (fewer if the stream is too short)
        int warmupReadings = 48;  // leave each station's first readings alone
    };

    struct Injection
    {
        QList<Reading> readings; // the stream with the faults, still sorted by time
        QList<Fault> faults;
    };

    static QString kindKey(Kind kind);
    static std::optional<Kind> kindFromKey(QStringView key);
    static constexpr std::array<Kind, 4> kAllKinds = {Kind::Spike, Kind::Stuck, Kind::Drift, Kind::Dropout};

    // `base` must be sorted by time. Faults never overlap on a station (a margin of a day or a
    // quarter of the station's span keeps them apart), so each can be scored on its own.
    static Injection inject(const QList<Reading> &base, Kind kind, const Options &options);
};

} // namespace stratus
