#pragma once

#include "Result.h"
#include "Station.h"

#include <QHash>
#include <QList>

namespace stratus {

// The stations Stratus knows: id → metadata, in insertion order. Filled from a source's metadata or
// from a CSV (station_id|id, name, lat|latitude, lon|longitude, elevation_m|elevation (m), state, country).
class StationCatalogue
{
public:
    // Adds or updates; fields missing in `station` (empty name, NaN position) keep known values.
    void upsert(const Station &station);
    const Station *find(const QString &id) const;
    bool contains(const QString &id) const { return m_index.contains(id); }
    const QList<Station> &stations() const { return m_stations; }
    qsizetype size() const { return m_stations.size(); }
    qsizetype locatedCount() const;

    // Loads stations from a CSV file; returns how many rows were taken. Rows with an invalid id or
    // an impossible position are skipped and listed in `skipped` (line and reason).
    Result<int> loadCsv(const QString &path, const QString &source, QStringList *skipped = nullptr);

private:
    QList<Station> m_stations;
    QHash<QString, qsizetype> m_index;
};

} // namespace stratus
