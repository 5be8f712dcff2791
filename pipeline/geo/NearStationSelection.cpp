#include "NearStationSelection.h"

namespace stratus {

NearStationSelection::NearStationSelection(GeoQuery query) : m_query(std::move(query)) {}

QList<Station> NearStationSelection::addStations(const QList<Station> &stations)
{
    for (const Station &s : stations)
        m_known.upsert(s);
    const StationIndex index(m_known.stations());
    m_located = index.size();
    m_selected = index.query(m_query);
    m_ids.clear();
    QList<Station> out;
    out.reserve(m_selected.size());
    for (const NearStation &n : std::as_const(m_selected)) {
        m_ids.insert(n.station.id);
        out.append(n.station);
    }
    return out;
}

QList<Reading> NearStationSelection::filter(const QList<Reading> &readings, qsizetype *dropped) const
{
    QList<Reading> out;
    out.reserve(readings.size());
    for (const Reading &r : readings) {
        if (m_ids.contains(r.stationId))
            out.append(r);
    }
    if (dropped)
        *dropped = readings.size() - out.size();
    return out;
}

QString NearStationSelection::summary() const
{
    QString s = QStringLiteral("%1: %2 of %3 located stations selected")
                    .arg(m_query.describe())
                    .arg(m_selected.size())
                    .arg(m_located);
    QStringList first;
    for (qsizetype i = 0; i < std::min<qsizetype>(m_selected.size(), 10); ++i)
        first << QStringLiteral("%1 %2 km").arg(m_selected[i].station.id).arg(m_selected[i].distanceKm, 0, 'f', 1);
    if (!first.isEmpty())
        s += QStringLiteral(" (%1%2)").arg(first.join(QStringLiteral(", ")),
                                           m_selected.size() > first.size() ? QStringLiteral(", …") : QString());
    return s;
}

} // namespace stratus
