#include "StationTableModel.h"

#include "DisplayUnits.h"
#include "LiveState.h"
#include "TimeUtil.h"

#include <QBrush>
#include <QColor>

namespace stratus {

StationTableModel::StationTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void StationTableModel::setUnits(const DisplayUnits *units)
{
    m_units = units;
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(m_rows.size() - 1, ColumnCount - 1));
}

int StationTableModel::rowOf(const QString &id) const
{
    return m_rowOf.value(id, -1);
}

void StationTableModel::refresh(const LiveState &state)
{
    const StationCatalogue catalogue = state.catalogue();
    const QHash<QString, Reading> latest = state.latestReadings(); // one lock for all stations
    QList<Row> rows;
    rows.reserve(catalogue.size());
    for (const Station &s : catalogue.stations()) {
        if (!m_filter.isEmpty() && !m_filter.contains(s.id))
            continue;
        const auto it = latest.constFind(s.id);
        rows.append({s, it == latest.cend() ? std::nullopt : std::optional<Reading>(*it)});
    }
    if (rows.size() != m_rows.size()) {
        beginResetModel();
        m_rows = std::move(rows);
        indexRows();
        endResetModel();
        return;
    }
    // Same count: the index stays valid unless a station was replaced by another.
    bool sameIds = true;
    for (qsizetype i = 0; i < rows.size() && sameIds; ++i)
        sameIds = rows[i].station.id == m_rows[i].station.id;
    m_rows = std::move(rows);
    if (!sameIds)
        indexRows();
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(m_rows.size() - 1, ColumnCount - 1));
}

void StationTableModel::indexRows()
{
    m_rowOf.clear();
    m_rowOf.reserve(m_rows.size());
    for (int i = 0; i < m_rows.size(); ++i)
        m_rowOf.insert(m_rows[i].station.id, i);
}

int StationTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows.size();
}

int StationTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StationTableModel::data(const QModelIndex &idx, int role) const
{
    if (!idx.isValid() || idx.row() >= m_rows.size())
        return {};
    const Row &row = m_rows[idx.row()];
    const auto value = [&](Variable v) -> QVariant {
        if (!row.latest || !row.latest->has(v))
            return role == Qt::DisplayRole ? QVariant(QStringLiteral("—")) : QVariant();
        double x = row.latest->value(v);
        if (m_units)
            x = m_units->toDisplay(v, x);
        return role == Qt::DisplayRole ? QVariant(QString::number(x, 'f', v == Variable::WindDirection ? 0 : 1)) : QVariant(x);
    };
    if (role == Qt::TextAlignmentRole)
        return idx.column() >= Temperature ? int(Qt::AlignRight | Qt::AlignVCenter) : int(Qt::AlignLeft | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::UserRole)
        return {};
    switch (idx.column()) {
    case Id: return row.station.id;
    case Name: return row.station.name;
    case Time: return row.latest ? timeutil::toIsoUtc(row.latest->timestampMs) : QStringLiteral("—");
    case Temperature: return value(Variable::Temperature);
    case Humidity: return value(Variable::Humidity);
    case WindSpeed: return value(Variable::WindSpeed);
    case WindDirection: return value(Variable::WindDirection);
    case Pressure: return value(Variable::Pressure);
    default: return {};
    }
}

QVariant StationTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id: return tr("Station");
    case Name: return tr("Name");
    case Time: return tr("Observed (UTC)");
    case Temperature: return tr("Temp (%1)").arg(m_units ? m_units->symbol(Variable::Temperature) : unitSymbol(Variable::Temperature));
    case Humidity: return tr("Humidity (%)");
    case WindSpeed: return tr("Wind (%1)").arg(m_units ? m_units->symbol(Variable::WindSpeed) : unitSymbol(Variable::WindSpeed));
    case WindDirection: return tr("Dir (°)");
    case Pressure: return tr("Pressure (hPa)");
    default: return {};
    }
}

} // namespace stratus
