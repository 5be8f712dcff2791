#pragma once

#include "Reading.h"
#include "Station.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>

namespace stratus {

class DisplayUnits;
class LiveState;

// Stations and their latest readings, refreshed from a LiveState snapshot (never from the data path).
class StationTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Id, Name, Time, Temperature, Humidity, WindSpeed, WindDirection, Pressure, ColumnCount };

    explicit StationTableModel(QObject *parent = nullptr);

    void refresh(const LiveState &state);
    // Values are shown in these units when set (display only).
    void setUnits(const DisplayUnits *units);
    // Only these stations (empty = all); applied at the next refresh.
    void setFilter(const QSet<QString> &ids) { m_filter = ids; }
    QString stationAt(int row) const { return row >= 0 && row < m_rows.size() ? m_rows[row].station.id : QString(); }
    int rowOf(const QString &id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    void indexRows();

    struct Row
    {
        Station station;
        std::optional<Reading> latest;
    };
    QList<Row> m_rows;
    QHash<QString, int> m_rowOf; // id → row: the selection follows the map at 10,000 rows
    const DisplayUnits *m_units = nullptr;
    QSet<QString> m_filter;
};

} // namespace stratus
