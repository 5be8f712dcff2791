#pragma once

#include "Anomaly.h"
#include "Reading.h"
#include "Station.h"

#include <QHash>
#include <QList>
#include <QStringList>

#include <array>
#include <memory>
#include <vector>

#include <optional>

namespace stratus {

// Slow sensor drift is invisible in a station's own series (it hides in the weather), but not
// against its neighbours: the offset between a station and the median of its peers is stable,
// and a drifting sensor moves it. Per station and variable this tracks that offset with a slow
// EWMA (its usual level and spread) and a fast EWMA (the last hours); when the fast one leaves the
// usual level by `threshold` spreads, the reading is flagged as kind `spatial`.
// Memory: one latest value per station and variable, a few numbers per series; a reading costs
// O(peers) (k nearest, default 6). A reading is judged when the station's next one arrives (the
// anomaly carries the judged reading's time and value). Stations without a position are peers of the unlocated stations
// of the same region (Station::region), e.g. one city's network, or the indoor motes.
class PeerDriftDetector
{
public:
    struct Options
    {
        int maxPeers = 6;
        double maxPeerKm = 150;         // neighbours further away say little about this station
        int minPeers = 2;
        qint64 peerToleranceMs = 45 * 60'000LL; // peer readings this close in time are comparable
        qint64 longTauMs = 14 * 24 * 3600'000LL; // usual offset: two weeks, so a drift of days stands out
        qint64 shortTauMs = 12 * 3600'000LL;    // recent offset (drift is slow: half a day smooths weather)
        double threshold = 3.5;         // in usual spreads of the recent offset around the usual one
        int persistReadings = 10;       // readings in a row beyond the threshold before it speaks
        int warmup = 24;                // offsets seen before the check speaks
        // The offset to the peers has a daily cycle of its own (a city site stays warmer at night,
        // a valley site cools faster): its usual shape by UTC hour, learned over `longTauMs`, is
        // taken out before the recent offset is compared, so the cycle's seasonal swell is not
        // mistaken for drift.
        bool diurnalBaseline = true;
        // Smallest shift of the recent offset (°C or hPa) worth an alarm: sites of one network do
        // wander against each other by a degree over days (weather regimes, sensor swaps), which a
        // spread-only test flags hundreds of times a year; a failing sensor's drift grows past this.
        double minShift = 1.5;
        int hourWarmupDays = 7;         // days a station's hour-of-day shape is learned before it is used
    };

    struct Entry;
    // One station's state, created on first use and kept at one address for the detector's life, so
    // a caller looks a station up once and its peers are held as handles, not looked up per reading.
    using Handle = Entry *;

    PeerDriftDetector();
    explicit PeerDriftDetector(Options options);
    ~PeerDriftDetector();
    PeerDriftDetector(const PeerDriftDetector &) = delete;
    PeerDriftDetector &operator=(const PeerDriftDetector &) = delete;

    void setStations(const QList<Station> &stations);
    Handle handle(const QString &stationId);
    // Updates the station's latest value and scores `variable`. Variables other than temperature,
    // dewpoint and pressure (the spatially smooth ones) are ignored.
    std::optional<Anomaly> process(Handle station, const Reading &reading, Variable variable, double scaleFloor);
    std::optional<Anomaly> process(const Reading &reading, Variable variable, double scaleFloor)
    {
        return process(handle(reading.stationId), reading, variable, scaleFloor);
    }
    void reset();

    static bool isSpatiallySmooth(Variable v);

private:
    struct Latest;
    struct Offset;
    const std::vector<Handle> &peersOf(Entry &e);
    void locatedPeers(Entry &e, const Station &self);
    void networkPeers(Entry &e, const QString &region);

    Options m_options;
    QHash<QString, Station> m_stations;
    QHash<QString, Handle> m_entries;
    std::vector<std::unique_ptr<Entry>> m_owned;
    quint64 m_generation = 0;     // moves when the set of stations seen changes
    std::vector<double> m_values; // peers' values of one reading (reused)
    double m_lastDt = -1, m_aShort = 0, m_aLong = 0; // EWMA weights of the last interval
};

} // namespace stratus
