#pragma once

#include "Forecast.h"

#include <QHash>
#include <QJsonObject>
#include <QMutex>

#include <QStringList>

#include <array>
#include <map>
#include <vector>

namespace stratus {

// Scores forecasts against what actually arrived: a forecast point issued for hour slot k is scored
// by the first reading of that variable in slot k, per variant (model version or "persistence"),
// per station and per horizon. Thread-safe: the engine writes, the API reads.
class LiveAccuracy
{
public:
    struct Cell
    {
        qint64 n = 0;
        double sumAbs = 0, sumSq = 0;
        double mae() const { return n ? sumAbs / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN(); }
        double rmse() const { return n ? std::sqrt(sumSq / static_cast<double>(n)) : std::numeric_limits<double>::quiet_NaN(); }
    };

    // `variant` says which model made it (e.g. the version, or "persistence").
    void recordForecast(const Forecast &f, const QString &variant);
    void recordObservation(const QString &station, Variable v, qint64 ms, double value);

    // MAE over all stations of one variant at one horizon (NaN when nothing was scored yet).
    Cell cell(const QString &variant, Variable v, int horizonH) const;
    // Everything scored so far for one variant, all horizons and stations pooled.
    Cell overall(const QString &variant) const;
    // Every (variant, variable, horizon) scored so far, stations pooled, in one pass (/metrics).
    struct PooledCell
    {
        QString variant;
        Variable variable = Variable::Temperature;
        int horizonH = 0;
        Cell cell;
    };
    QList<PooledCell> pooled() const;
    // {"variants":{"v1":{"temperature":{"1":{"n":…,"mae":…,"rmse":…},…}}},
    //  "stations":{"KMSN":{"v1":{"temperature":{"1":{…}}}}}}; station filter optional.
    QJsonObject toJson(const QString &station = QString()) const;
    qint64 pending() const;

    // The horizons scored: those `--evaluate` reports and /models and the drift monitor read. All
    // 24 cost about 5× the memory for horizons nobody reads (at 10,000 stations ~250 MB of pending
    // points and cells).
    static constexpr std::array<int, 5> kScoredHorizonsH{1, 3, 6, 12, 24};
    static bool isScored(int horizonH);

private:
    struct Pending
    {
        qint64 slot; // target hour slot
        double value;
        qint16 horizonH;
        quint16 variant; // index into m_variants
    };
    struct Key
    {
        QString station;
        QString variant;
        int variable;
        int horizon;
        bool operator<(const Key &o) const
        {
            return std::tie(station, variant, variable, horizon) < std::tie(o.station, o.variant, o.variable, o.horizon);
        }
    };
    // Cells summed over stations (all, or just `station`); m_mutex held.
    std::map<Key, Cell> pooledLocked(const QString &station) const;

    mutable QMutex m_mutex;
    // (station, variable) → forecasts waiting for their target hour's observation, sorted by slot
    QHash<QString, std::vector<Pending>> m_pending;
    QStringList m_variants;
    std::map<Key, Cell> m_cells;
};

} // namespace stratus
