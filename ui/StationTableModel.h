#pragma once

#include "Reading.h"
#include "Station.h"

#include <QAbstractTableModel>

namespace stratus {

class LiveState;

// Stations and their latest readings, refreshed from a LiveState snapshot (never from the data path).
class StationTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Id, Name, Time, Temperature, Humidity, WindSpeed, WindDirection, Pressure, ColumnCount };

    explicit StationTableModel(QObject *parent = nullptr);

    void refresh(const LiveState &state);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Row
    {
        Station station;
        std::optional<Reading> latest;
    };
    QList<Row> m_rows;
};

} // namespace stratus
