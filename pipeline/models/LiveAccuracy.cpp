#include "LiveAccuracy.h"

#include "TimeUtil.h"

#include <QJsonArray>

#include <algorithm>
#include <map>
#include <tuple>

namespace stratus {

namespace {
QJsonValue num(double v)
{
    return std::isnan(v) ? QJsonValue() : QJsonValue(std::round(v * 10000) / 10000);
}
// Forecasts whose target hour passed this long ago without any reading are dropped unscored.
constexpr qint64 kMaxWaitSlots = 3;
} // namespace

bool LiveAccuracy::isScored(int horizonH)
{
    return horizonIndex(horizonH) >= 0;
}

int LiveAccuracy::horizonIndex(int horizonH)
{
    const auto it = std::find(kScoredHorizonsH.begin(), kScoredHorizonsH.end(), horizonH);
    return it == kScoredHorizonsH.end() ? -1 : static_cast<int>(it - kScoredHorizonsH.begin());
}

int LiveAccuracy::scoredIndex(Variable v)
{
    const auto it = std::find(kScoredVariables.begin(), kScoredVariables.end(), v);
    return it == kScoredVariables.end() ? -1 : static_cast<int>(it - kScoredVariables.begin());
}

LiveAccuracy::StationScores &LiveAccuracy::stationLocked(const QString &id)
{
    auto it = m_index.constFind(id);
    if (it == m_index.cend()) {
        it = m_index.insert(id, static_cast<int>(m_stations.size()));
        m_stations.push_back(StationScores{id, {}, {}});
    }
    return m_stations[static_cast<size_t>(*it)];
}

void LiveAccuracy::recordForecast(const Forecast &f, const QString &variant)
{
    const int var = scoredIndex(f.variable);
    if (var < 0)
        return;
    QMutexLocker lock(&m_mutex);
    qsizetype vi = m_variants.indexOf(variant);
    if (vi < 0) {
        vi = m_variants.size();
        m_variants.append(variant);
    }
    std::vector<Pending> &q = stationLocked(f.stationId).pending[static_cast<size_t>(var)];
    for (const ForecastPoint &p : f.points) {
        const int h = horizonIndex(p.horizonH);
        if (std::isnan(p.value) || h < 0)
            continue;
        const Pending x{p.targetMs / timeutil::kMsPerHour, p.value, static_cast<qint16>(h), static_cast<quint16>(vi)};
        q.insert(std::upper_bound(q.begin(), q.end(), x, [](const Pending &a, const Pending &b) { return a.slot < b.slot; }), x);
    }
}

void LiveAccuracy::observeLocked(StationScores &s, int var, qint64 ms, double value)
{
    std::vector<Pending> &q = s.pending[static_cast<size_t>(var)];
    if (q.empty() || std::isnan(value))
        return;
    const qint64 slot = ms / timeutil::kMsPerHour;
    const auto bySlot = [](const Pending &p, qint64 x) { return p.slot < x; };
    const auto first = std::lower_bound(q.begin(), q.end(), slot, bySlot);
    auto last = first;
    for (; last != q.end() && last->slot == slot; ++last) {
        if (s.byVariant.size() <= last->variant)
            s.byVariant.resize(static_cast<size_t>(last->variant) + 1);
        Cell &c = s.byVariant[last->variant][static_cast<size_t>(var)][static_cast<size_t>(last->horizon)];
        const double e = last->value - value;
        ++c.n;
        c.sumAbs += std::abs(e);
        c.sumSq += e * e;
    }
    q.erase(first, last);
    q.erase(q.begin(), std::lower_bound(q.begin(), q.end(), slot - kMaxWaitSlots, bySlot));
}

void LiveAccuracy::recordObservation(const QString &station, Variable v, qint64 ms, double value)
{
    const int var = scoredIndex(v);
    if (var < 0 || std::isnan(value))
        return;
    QMutexLocker lock(&m_mutex);
    const auto it = m_index.constFind(station);
    if (it != m_index.cend())
        observeLocked(m_stations[static_cast<size_t>(*it)], var, ms, value);
}

void LiveAccuracy::recordObservations(const Reading &r)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_index.constFind(r.stationId);
    if (it == m_index.cend())
        return;
    StationScores &s = m_stations[static_cast<size_t>(*it)];
    for (size_t var = 0; var < kScoredVariables.size(); ++var)
        observeLocked(s, static_cast<int>(var), r.timestampMs, r.value(kScoredVariables[var]));
}

template<class F> void LiveAccuracy::forEachCell(const QString &station, F &&f) const
{
    for (const StationScores &s : m_stations) {
        if (!station.isEmpty() && s.id != station)
            continue;
        for (size_t vi = 0; vi < s.byVariant.size(); ++vi) {
            for (size_t var = 0; var < kScoredVariables.size(); ++var) {
                for (size_t h = 0; h < kScoredHorizonsH.size(); ++h) {
                    const Cell &c = s.byVariant[vi][var][h];
                    if (c.n > 0)
                        f(s.id, m_variants[static_cast<qsizetype>(vi)], kScoredVariables[var], kScoredHorizonsH[h], c);
                }
            }
        }
    }
}

namespace {
void add(LiveAccuracy::Cell &to, const LiveAccuracy::Cell &c)
{
    to.n += c.n;
    to.sumAbs += c.sumAbs;
    to.sumSq += c.sumSq;
}
} // namespace

LiveAccuracy::Cell LiveAccuracy::cell(const QString &variant, Variable v, int horizonH) const
{
    QMutexLocker lock(&m_mutex);
    Cell out;
    forEachCell(QString(), [&](const QString &, const QString &vn, Variable var, int h, const Cell &c) {
        if (vn == variant && var == v && h == horizonH)
            add(out, c);
    });
    return out;
}

LiveAccuracy::Cell LiveAccuracy::overall(const QString &variant) const
{
    QMutexLocker lock(&m_mutex);
    Cell out;
    forEachCell(QString(), [&](const QString &, const QString &vn, Variable, int, const Cell &c) {
        if (vn == variant)
            add(out, c);
    });
    return out;
}

qint64 LiveAccuracy::pending() const
{
    QMutexLocker lock(&m_mutex);
    qint64 n = 0;
    for (const StationScores &s : m_stations) {
        for (const auto &q : s.pending)
            n += static_cast<qint64>(q.size());
    }
    return n;
}

QList<LiveAccuracy::PooledCell> LiveAccuracy::pooled() const
{
    QMutexLocker lock(&m_mutex);
    std::map<std::tuple<QString, int, int>, Cell> sums;
    forEachCell(QString(), [&](const QString &, const QString &variant, Variable v, int h, const Cell &c) {
        add(sums[{variant, index(v), h}], c);
    });
    QList<PooledCell> out;
    for (const auto &[k, c] : sums)
        out.append(PooledCell{std::get<0>(k), static_cast<Variable>(std::get<1>(k)), std::get<2>(k), c});
    return out;
}

QJsonObject LiveAccuracy::toJson(const QString &station) const
{
    QMutexLocker lock(&m_mutex);
    auto cellJson = [](const Cell &c) {
        return QJsonObject{{QStringLiteral("n"), c.n}, {QStringLiteral("mae"), num(c.mae())},
                           {QStringLiteral("rmse"), num(c.rmse())}};
    };
    // variant → variable → horizon, pooled over stations and per station.
    using Tree = std::map<QString, std::map<QString, std::map<int, Cell>>>;
    Tree pooled;
    std::map<QString, Tree> perStation;
    forEachCell(station, [&](const QString &id, const QString &variant, Variable v, int h, const Cell &c) {
        add(pooled[variant][variableKey(v)][h], c);
        add(perStation[id][variant][variableKey(v)][h], c);
    });
    auto toJsonTree = [&](const Tree &t) {
        QJsonObject variants;
        for (const auto &[variant, vars] : t) {
            QJsonObject byVar;
            for (const auto &[var, byH] : vars) {
                QJsonObject hs;
                for (const auto &[h, c] : byH)
                    hs[QString::number(h)] = cellJson(c);
                byVar[var] = hs;
            }
            variants[variant] = byVar;
        }
        return variants;
    };
    QJsonObject stations;
    for (const auto &[id, t] : perStation)
        stations[id] = toJsonTree(t);
    return QJsonObject{{QStringLiteral("variants"), toJsonTree(pooled)}, {QStringLiteral("stations"), stations}};
}

} // namespace stratus
