#pragma once

#include "Anomaly.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>

#include <optional>

namespace stratus {

class DisplayUnits;

// Every anomaly the panel has seen, newest first, with the operator's acknowledgements, silenced
// stations and the current filter; only rows that pass the filter are exposed.
class AlertTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Station, Variable_, Kind, Severity_, Score, Value, Reason, Acknowledged, ColumnCount };
    static constexpr int kMaxRows = 20000;

    struct Filter
    {
        Severity minSeverity = Severity::Info;
        std::optional<AnomalyKind> kind;
        QString stationText;   // substring of the station id, case-insensitive
        bool hideAcknowledged = false;
        bool hideSilenced = true;
    };

    explicit AlertTableModel(const DisplayUnits &units, QObject *parent = nullptr);

    // Adds anomalies (any order); returns those that are new, not silenced and critical.
    QList<Anomaly> addAnomalies(const QList<Anomaly> &anomalies);
    void setFilter(const Filter &filter);
    const Filter &filter() const { return m_filter; }

    const Anomaly &anomalyAt(int row) const;
    bool isAcknowledged(int row) const;
    void acknowledge(const QList<int> &rows);
    int acknowledgeAll(); // the visible rows; returns how many changed
    void silence(const QString &station, qint64 untilMs);
    void unsilence(const QString &station);
    bool isSilenced(const QString &station, qint64 nowMs) const;
    QStringList silencedStations(qint64 nowMs) const;

    int totalCount() const { return static_cast<int>(m_all.size()); }
    int unacknowledgedCount() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString keyOf(const Anomaly &a);

private:
    struct Row
    {
        Anomaly anomaly;
        bool acknowledged = false;
    };
    bool accepts(const Row &row, qint64 nowMs) const;
    void rebuildVisible();

    const DisplayUnits &m_units;
    QList<Row> m_all; // newest (by event time) first
    QList<int> m_visible;
    QSet<QString> m_keys;
    QHash<QString, qint64> m_silencedUntil; // station → wall-clock ms
    Filter m_filter;
};

} // namespace stratus
