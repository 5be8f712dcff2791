#pragma once

#include "Anomaly.h"
#include "Reading.h"
#include "StationCatalogue.h"
#include "StationIndex.h"

#include <QHash>
#include <QList>

#include <array>
#include <functional>
#include <optional>

namespace stratus {

// Compares a station's reading with the latest readings of its nearest neighbours. A value is a
// `Spatial` anomaly when it is far from EVERY neighbour, after moving each neighbour's value to
// the station's elevation (e.g. temperature falls 6.5 °C per km of height, the standard
// atmosphere's lapse rate) and allowing more disagreement the farther the neighbour is. One odd
// neighbour cannot raise an alert, and a real weather front (which some neighbours share) does
// not either. The reason names the neighbours, their distances and their adjusted values.
//
// A neighbour's value counts when it is its latest at or before the reading's time and at most
// maxAgeMs older. The engine supplies the values through a lookup (its NeighbourTable), once the
// neighbours' data is final through the reading's time, so the verdict does not depend on which
// neighbour's reading happened to arrive first. Used on its own, check(reading) compares with the
// readings checked before and then remembers it (a stream in event-time order).
//
// Each station's neighbour candidates (the nearest `candidates` within maxDistanceKm) are looked up
// once and kept until the stations change.
class SpatialConsistencyCheck
{
public:
    struct Rule
    {
        Variable variable = Variable::Temperature;
        double lapsePerKm = 0;        // change of the value per km of elevation (temperature: -6.5)
        double tolerance = 0;         // allowed difference to a neighbour next door
        double tolerancePer100Km = 0; // extra allowance per 100 km of distance
    };

    struct Options
    {
        int neighbours = 5;               // compared with at most this many nearest neighbours
        int minNeighbours = 3;            // fewer with a recent value: no verdict
        double maxDistanceKm = 250;       // neighbours farther away say little
        int candidates = 15;              // nearest stations looked at for the `neighbours` with a value
        qint64 maxAgeMs = 75 * 60'000;    // a neighbour's value must be this recent
        double spreadFactor = 2.0;        // allowance += this × the neighbours' robust spread (1.4826 MAD)
        QList<Rule> rules = defaultRules();
    };

    // Temperature (−6.5 °C/km), dewpoint (−2 °C/km) and sea-level pressure (already reduced to
    // sea level, so no lapse), with allowances calibrated on the real SAO day of 1995-03-18.
    static QList<Rule> defaultRules();

    SpatialConsistencyCheck();
    explicit SpatialConsistencyCheck(Options options);

    // Learns positions and elevations (stations without a position are never neighbours).
    void upsertStations(const QList<Station> &stations);
    struct NeighbourValue
    {
        double value = 0;
        qint64 timestampMs = 0;
    };
    // A station's latest value of a variable at or before a time, at most maxAgeMs older.
    using Lookup = std::function<std::optional<NeighbourValue>(const QString &stationId, Variable variable,
                                                               qint64 atMs, qint64 maxAgeMs)>;

    // Checks then remembers each reading; returns the anomalies found, in input order.
    QList<Anomaly> check(const QList<Reading> &readings);
    QList<Anomaly> check(const Reading &reading);
    // Checks a reading against the neighbours' values `lookup` gives.
    QList<Anomaly> check(const Reading &reading, const Lookup &lookup);
    // Whether check() has anything to say about this reading (a located station, a checked value).
    bool applies(const Reading &reading) const;
    // The stations whose values a check of this station may read (nearest first).
    const QList<NearStation> &candidates(const QString &stationId);

    const Options &options() const { return m_options; }

private:
    struct Latest
    {
        double value = 0;
        qint64 timestampMs = 0;
    };
    struct StationMemory
    {
        std::array<std::optional<Latest>, kVariableCount> latest;
    };

    const StationIndex &stationIndex();
    std::optional<Anomaly> checkVariable(const Station &station, const Reading &reading, const Rule &rule,
                                         const Lookup &lookup);
    void remember(const Reading &reading);

    Options m_options;
    StationCatalogue m_stations;
    StationIndex m_index;
    bool m_indexDirty = false;
    QHash<QString, QList<NearStation>> m_candidates;
    QHash<QString, StationMemory> m_memory; // check(reading) on its own: the readings it was given
};

} // namespace stratus
