#include "LiveAccuracy.h"

#include "TimeUtil.h"

#include <QJsonArray>

namespace stratus {

namespace {
QString pendingKey(const QString &station, Variable v)
{
    return station + QLatin1Char('|') + variableKey(v);
}
QJsonValue num(double v)
{
    return std::isnan(v) ? QJsonValue() : QJsonValue(std::round(v * 10000) / 10000);
}
// Forecasts whose target hour passed this long ago without any reading are dropped unscored.
constexpr qint64 kMaxWaitSlots = 3;
} // namespace

void LiveAccuracy::recordForecast(const Forecast &f, const QString &variant)
{
    QMutexLocker lock(&m_mutex);
    auto &byTarget = m_pending[pendingKey(f.stationId, f.variable)];
    for (const ForecastPoint &p : f.points) {
        if (std::isnan(p.value))
            continue;
        byTarget[p.targetMs / timeutil::kMsPerHour].push_back({p.horizonH, p.value, variant});
    }
}

void LiveAccuracy::recordObservation(const QString &station, Variable v, qint64 ms, double value)
{
    if (std::isnan(value))
        return;
    QMutexLocker lock(&m_mutex);
    auto it = m_pending.find(pendingKey(station, v));
    if (it == m_pending.end())
        return;
    const qint64 slot = ms / timeutil::kMsPerHour;
    auto &byTarget = *it;
    auto hit = byTarget.find(slot);
    if (hit != byTarget.end()) {
        for (const Pending &p : hit->second) {
            Cell &c = m_cells[Key{station, p.variant, index(v), p.horizonH}];
            const double e = p.value - value;
            ++c.n;
            c.sumAbs += std::abs(e);
            c.sumSq += e * e;
        }
        byTarget.erase(hit);
    }
    byTarget.erase(byTarget.begin(), byTarget.lower_bound(slot - kMaxWaitSlots));
}

LiveAccuracy::Cell LiveAccuracy::cell(const QString &variant, Variable v, int horizonH) const
{
    QMutexLocker lock(&m_mutex);
    Cell out;
    for (const auto &[k, c] : m_cells) {
        if (k.variant == variant && k.variable == index(v) && k.horizon == horizonH) {
            out.n += c.n;
            out.sumAbs += c.sumAbs;
            out.sumSq += c.sumSq;
        }
    }
    return out;
}

LiveAccuracy::Cell LiveAccuracy::overall(const QString &variant) const
{
    QMutexLocker lock(&m_mutex);
    Cell out;
    for (const auto &[k, c] : m_cells) {
        if (k.variant == variant) {
            out.n += c.n;
            out.sumAbs += c.sumAbs;
            out.sumSq += c.sumSq;
        }
    }
    return out;
}

qint64 LiveAccuracy::pending() const
{
    QMutexLocker lock(&m_mutex);
    qint64 n = 0;
    for (const auto &m : m_pending)
        for (const auto &[slot, v] : m)
            n += static_cast<qint64>(v.size());
    return n;
}

QJsonObject LiveAccuracy::toJson(const QString &station) const
{
    QMutexLocker lock(&m_mutex);
    std::map<Key, Cell> pooled;
    for (const auto &[k, c] : m_cells) {
        if (!station.isEmpty() && k.station != station)
            continue;
        Cell &p = pooled[Key{QString(), k.variant, k.variable, k.horizon}];
        p.n += c.n;
        p.sumAbs += c.sumAbs;
        p.sumSq += c.sumSq;
    }
    auto cellJson = [](const Cell &c) {
        return QJsonObject{{QStringLiteral("n"), c.n}, {QStringLiteral("mae"), num(c.mae())},
                           {QStringLiteral("rmse"), num(c.rmse())}};
    };
    auto insert = [&](QJsonObject &root, const Key &k, const Cell &c) {
        QJsonObject variant = root.value(k.variant).toObject();
        const QString var = variableKey(static_cast<Variable>(k.variable));
        QJsonObject byH = variant.value(var).toObject();
        byH[QString::number(k.horizon)] = cellJson(c);
        variant[var] = byH;
        root[k.variant] = variant;
    };
    QJsonObject variants;
    for (const auto &[k, c] : pooled)
        insert(variants, k, c);
    QJsonObject stations;
    for (const auto &[k, c] : m_cells) {
        if (!station.isEmpty() && k.station != station)
            continue;
        QJsonObject s = stations.value(k.station).toObject();
        insert(s, k, c);
        stations[k.station] = s;
    }
    return QJsonObject{{QStringLiteral("variants"), variants}, {QStringLiteral("stations"), stations}};
}

} // namespace stratus
