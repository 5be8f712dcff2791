#pragma once

#include "GeoQuery.h"
#include "Reading.h"
#include "StationCatalogue.h"
#include "StationIndex.h"

#include <QList>
#include <QSet>

namespace stratus {

// `--near` for a source's catalogue: of every station whose position is known (from the station
// CSV or from the source itself), keep those the GeoQuery selects, and drop the readings of the
// rest. A station without a known position cannot be judged near and is not selected.
class NearStationSelection
{
public:
    explicit NearStationSelection(GeoQuery query);

    const GeoQuery &query() const { return m_query; }
    // Learns stations (positions, names) and recomputes the selection; returns the selected
    // stations, nearest first, for the live catalogue.
    QList<Station> addStations(const QList<Station> &stations);
    QList<NearStation> selected() const { return m_selected; }
    bool accepts(const QString &stationId) const { return m_ids.contains(stationId); }
    // The readings of selected stations; `dropped` (optional) counts the others.
    QList<Reading> filter(const QList<Reading> &readings, qsizetype *dropped = nullptr) const;
    // "the 5 stations nearest 43.1399,-89.3375: MSN 1.1 km, ..." for the log.
    QString summary() const;

private:
    GeoQuery m_query;
    StationCatalogue m_known;
    QList<NearStation> m_selected;
    QSet<QString> m_ids;
    qsizetype m_located = 0; // stations with a position on Earth
};

} // namespace stratus
