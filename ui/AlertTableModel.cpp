#include "AlertTableModel.h"

#include "DisplayUnits.h"
#include "TimeUtil.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QPalette>

#include <algorithm>

namespace stratus {

AlertTableModel::AlertTableModel(const DisplayUnits &units, QObject *parent) : QAbstractTableModel(parent), m_units(units)
{
    connect(&m_units, &DisplayUnits::changed, this, [this] {
        if (!m_visible.isEmpty())
            emit dataChanged(index(0, Value), index(m_visible.size() - 1, Value));
    });
}

QString AlertTableModel::keyOf(const Anomaly &a)
{
    // The value is part of the identity: a corrected report at the same instant is a different alert.
    return a.stationId + QLatin1Char('|') + QString::number(a.timestampMs) + QLatin1Char('|') + variableKey(a.variable) +
           QLatin1Char('|') + anomalyKindKey(a.kind) + QLatin1Char('|') + QString::number(a.value, 'g', 10);
}

QList<Anomaly> AlertTableModel::addAnomalies(const QList<Anomaly> &anomalies)
{
    QList<Anomaly> severe;
    QList<Row> fresh;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const Anomaly &a : anomalies) {
        const QString key = keyOf(a);
        if (m_keys.contains(key))
            continue;
        m_keys.insert(key);
        fresh.append({a, false});
        if (a.severity == Severity::Critical && !isSilenced(a.stationId, now))
            severe.append(a);
    }
    if (fresh.isEmpty())
        return severe;
    // New rows are sorted among themselves and merged in: O(n), not a full sort per refresh.
    const auto newerFirst = [](const Row &x, const Row &y) { return x.anomaly.timestampMs > y.anomaly.timestampMs; };
    std::stable_sort(fresh.begin(), fresh.end(), newerFirst);
    const qsizetype old = m_all.size();
    m_all.append(fresh);
    std::inplace_merge(m_all.begin(), m_all.begin() + old, m_all.end(), newerFirst);
    while (m_all.size() > kMaxRows) {
        m_keys.remove(keyOf(m_all.last().anomaly));
        m_all.removeLast();
    }
    rebuildVisible();
    return severe;
}

bool AlertTableModel::accepts(const Row &row, qint64 nowMs) const
{
    const Anomaly &a = row.anomaly;
    if (a.severity < m_filter.minSeverity)
        return false;
    if (m_filter.kind && a.kind != *m_filter.kind)
        return false;
    if (!m_filter.stationText.isEmpty() && !a.stationId.contains(m_filter.stationText, Qt::CaseInsensitive))
        return false;
    if (m_filter.hideAcknowledged && row.acknowledged)
        return false;
    if (m_filter.hideSilenced && isSilenced(a.stationId, nowMs))
        return false;
    return true;
}

void AlertTableModel::rebuildVisible()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    beginResetModel();
    m_visible.clear();
    for (int i = 0; i < m_all.size(); ++i) {
        if (accepts(m_all[i], now))
            m_visible.append(i);
    }
    endResetModel();
}

void AlertTableModel::setFilter(const Filter &filter)
{
    m_filter = filter;
    rebuildVisible();
}

const Anomaly &AlertTableModel::anomalyAt(int row) const
{
    return m_all[m_visible.at(row)].anomaly;
}

bool AlertTableModel::isAcknowledged(int row) const
{
    return m_all[m_visible.at(row)].acknowledged;
}

void AlertTableModel::acknowledge(const QList<int> &rows)
{
    for (int r : rows) {
        if (r >= 0 && r < m_visible.size())
            m_all[m_visible[r]].acknowledged = true;
    }
    if (m_filter.hideAcknowledged)
        rebuildVisible();
    else if (!m_visible.isEmpty())
        emit dataChanged(index(0, 0), index(m_visible.size() - 1, ColumnCount - 1));
}

int AlertTableModel::acknowledgeAll()
{
    int changed = 0;
    for (int i : std::as_const(m_visible)) {
        if (!m_all[i].acknowledged) {
            m_all[i].acknowledged = true;
            ++changed;
        }
    }
    rebuildVisible();
    return changed;
}

void AlertTableModel::silence(const QString &station, qint64 untilMs)
{
    m_silencedUntil.insert(station, untilMs);
    rebuildVisible();
}

void AlertTableModel::unsilence(const QString &station)
{
    m_silencedUntil.remove(station);
    rebuildVisible();
}

bool AlertTableModel::isSilenced(const QString &station, qint64 nowMs) const
{
    // "*" is a silence of every station (one made through the API).
    for (const QString &key : {station, QStringLiteral("*")}) {
        const auto it = m_silencedUntil.constFind(key);
        if (it != m_silencedUntil.cend() && *it > nowMs)
            return true;
    }
    return false;
}

QStringList AlertTableModel::silencedStations(qint64 nowMs) const
{
    QStringList out;
    for (auto it = m_silencedUntil.cbegin(); it != m_silencedUntil.cend(); ++it) {
        if (it.value() > nowMs)
            out << it.key();
    }
    out.sort();
    return out;
}

int AlertTableModel::unacknowledgedCount() const
{
    return static_cast<int>(std::count_if(m_all.begin(), m_all.end(), [](const Row &r) { return !r.acknowledged; }));
}

int AlertTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_visible.size());
}

int AlertTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AlertTableModel::data(const QModelIndex &idx, int role) const
{
    if (!idx.isValid() || idx.row() >= m_visible.size())
        return {};
    const Row &row = m_all[m_visible[idx.row()]];
    const Anomaly &a = row.anomaly;
    if (role == Qt::BackgroundRole) {
        // Severity colours, faded once acknowledged.
        QColor c;
        switch (a.severity) {
        case Severity::Critical: c = QColor(0xdc, 0x26, 0x26); break;
        case Severity::Warning: c = QColor(0xf5, 0x9e, 0x0b); break;
        case Severity::Info: c = QColor(0x3b, 0x82, 0xf6); break;
        }
        c.setAlpha(row.acknowledged ? 18 : (a.severity == Severity::Critical ? 48 : 60));
        return QBrush(c);
    }
    if (role == Qt::FontRole && !row.acknowledged && idx.column() == Severity_) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (role == Qt::TextAlignmentRole)
        return idx.column() == Score || idx.column() == Value ? int(Qt::AlignRight | Qt::AlignVCenter)
                                                               : int(Qt::AlignLeft | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && idx.column() == Reason)
        return a.reason;
    if (role != Qt::DisplayRole)
        return {};
    switch (idx.column()) {
    case Time: return timeutil::toIsoUtc(a.timestampMs);
    case Station: return a.stationId;
    case Variable_: return DisplayUnits::variableLabel(a.variable);
    case Kind:
        // A rule's firing and its resolve notice are one kind; say which this row is.
        if (a.kind == AnomalyKind::Rule && a.reason.startsWith(QLatin1String("resolved:")))
            return tr("rule resolved");
        if (a.kind == AnomalyKind::Rule && a.reason.startsWith(QLatin1String("firing:")))
            return tr("rule firing");
        return anomalyKindKey(a.kind);
    case Severity_: return severityKey(a.severity);
    case Score: return QString::number(a.score, 'f', 2);
    case Value: return m_units.format(a.variable, a.value);
    case Reason: return a.reason;
    case Acknowledged: return row.acknowledged ? tr("yes") : QString();
    default: return {};
    }
}

QVariant AlertTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time: return tr("Observed (UTC)");
    case Station: return tr("Station");
    case Variable_: return tr("Variable");
    case Kind: return tr("Kind");
    case Severity_: return tr("Severity");
    case Score: return tr("Score");
    case Value: return tr("Value");
    case Reason: return tr("Reason");
    case Acknowledged: return tr("Ack");
    default: return {};
    }
}

} // namespace stratus
