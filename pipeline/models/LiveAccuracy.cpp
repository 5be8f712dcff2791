#include "LiveAccuracy.h"

#include "TimeUtil.h"

#include <QJsonArray>

#include <algorithm>

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

bool LiveAccuracy::isScored(int horizonH)
{
    return std::find(kScoredHorizonsH.begin(), kScoredHorizonsH.end(), horizonH) != kScoredHorizonsH.end();
}

void LiveAccuracy::recordForecast(const Forecast &f, const QString &variant)
{
    QMutexLocker lock(&m_mutex);
    qsizetype vi = m_variants.indexOf(variant);
    if (vi < 0) {
        vi = m_variants.size();
        m_variants.append(variant);
    }
    auto &q = m_pending[pendingKey(f.stationId, f.variable)];
    for (const ForecastPoint &p : f.points) {
        if (std::isnan(p.value) || !isScored(p.horizonH))
            continue;
        const Pending x{p.targetMs / timeutil::kMsPerHour, p.value, static_cast<qint16>(p.horizonH), static_cast<quint16>(vi)};
        q.insert(std::upper_bound(q.begin(), q.end(), x, [](const Pending &a, const Pending &b) { return a.slot < b.slot; }), x);
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
    std::vector<Pending> &q = *it;
    const auto bySlot = [](const Pending &p, qint64 s) { return p.slot < s; };
    const auto first = std::lower_bound(q.begin(), q.end(), slot, bySlot);
    auto last = first;
    for (; last != q.end() && last->slot == slot; ++last) {
        Cell &c = m_cells[Key{station, m_variants[last->variant], index(v), last->horizonH}];
        const double e = last->value - value;
        ++c.n;
        c.sumAbs += std::abs(e);
        c.sumSq += e * e;
    }
    q.erase(first, last);
    q.erase(q.begin(), std::lower_bound(q.begin(), q.end(), slot - kMaxWaitSlots, bySlot));
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
    for (const auto &q : m_pending)
        n += static_cast<qint64>(q.size());
    return n;
}

std::map<LiveAccuracy::Key, LiveAccuracy::Cell> LiveAccuracy::pooledLocked(const QString &station) const
{
    std::map<Key, Cell> pooled;
    for (const auto &[k, c] : m_cells) {
        if (!station.isEmpty() && k.station != station)
            continue;
        Cell &p = pooled[Key{QString(), k.variant, k.variable, k.horizon}];
        p.n += c.n;
        p.sumAbs += c.sumAbs;
        p.sumSq += c.sumSq;
    }
    return pooled;
}

QList<LiveAccuracy::PooledCell> LiveAccuracy::pooled() const
{
    QMutexLocker lock(&m_mutex);
    QList<PooledCell> out;
    for (const auto &[k, c] : pooledLocked(QString()))
        out.append(PooledCell{k.variant, static_cast<Variable>(k.variable), k.horizon, c});
    return out;
}

QJsonObject LiveAccuracy::toJson(const QString &station) const
{
    QMutexLocker lock(&m_mutex);
    const std::map<Key, Cell> pooled = pooledLocked(station);
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
