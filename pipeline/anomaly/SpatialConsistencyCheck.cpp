#include "SpatialConsistencyCheck.h"

#include "Variable.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace stratus {

namespace {

double median(std::vector<double> v)
{
    const size_t n = v.size();
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n / 2), v.end());
    const double hi = v[n / 2];
    if (n % 2)
        return hi;
    return (hi + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n / 2))) / 2.0;
}

} // namespace

QList<SpatialConsistencyCheck::Rule> SpatialConsistencyCheck::defaultRules()
{
    return {
        {Variable::Temperature, -6.5, 4.0, 1.0},
        {Variable::Dewpoint, -2.0, 5.0, 1.0},
        {Variable::Pressure, 0.0, 4.0, 1.0},
    };
}

SpatialConsistencyCheck::SpatialConsistencyCheck() : SpatialConsistencyCheck(Options()) {}

SpatialConsistencyCheck::SpatialConsistencyCheck(Options options) : m_options(std::move(options)) {}

void SpatialConsistencyCheck::upsertStations(const QList<Station> &stations)
{
    for (const Station &s : stations) {
        const Station *known = m_stations.find(s.id);
        const bool moves = s.hasLocation() && (!known || known->latitude != s.latitude || known->longitude != s.longitude);
        const bool rises = !std::isnan(s.elevationM) && (!known || known->elevationM != s.elevationM);
        m_stations.upsert(s);
        m_indexDirty = m_indexDirty || moves || rises || !known;
    }
    if (m_indexDirty)
        m_candidates.clear();
}

const StationIndex &SpatialConsistencyCheck::stationIndex()
{
    if (m_indexDirty) {
        m_index = StationIndex(m_stations.stations());
        m_indexDirty = false;
    }
    return m_index;
}

QList<Anomaly> SpatialConsistencyCheck::check(const QList<Reading> &readings)
{
    QList<Anomaly> out;
    for (const Reading &r : readings)
        out += check(r);
    return out;
}

QList<Anomaly> SpatialConsistencyCheck::check(const Reading &reading)
{
    const Lookup own = [this](const QString &id, Variable v, qint64 atMs, qint64 maxAgeMs) -> std::optional<NeighbourValue> {
        const auto it = m_memory.constFind(id);
        if (it == m_memory.cend() || !it->latest[index(v)])
            return std::nullopt;
        const Latest &l = *it->latest[index(v)];
        if (l.timestampMs > atMs || l.timestampMs < atMs - maxAgeMs)
            return std::nullopt;
        return NeighbourValue{l.value, l.timestampMs};
    };
    QList<Anomaly> out = check(reading, own);
    remember(reading);
    return out;
}

QList<Anomaly> SpatialConsistencyCheck::check(const Reading &reading, const Lookup &lookup)
{
    QList<Anomaly> out;
    const Station *station = m_stations.find(reading.stationId);
    if (!station || !station->hasLocation())
        return out;
    for (const Rule &rule : std::as_const(m_options.rules)) {
        if (reading.has(rule.variable)) {
            if (auto a = checkVariable(*station, reading, rule, lookup))
                out.append(*a);
        }
    }
    return out;
}

bool SpatialConsistencyCheck::applies(const Reading &reading) const
{
    const Station *station = m_stations.find(reading.stationId);
    if (!station || !station->hasLocation())
        return false;
    for (const Rule &rule : m_options.rules) {
        if (reading.has(rule.variable))
            return true;
    }
    return false;
}

const QList<NearStation> &SpatialConsistencyCheck::candidates(const QString &stationId)
{
    auto it = m_candidates.find(stationId);
    if (it != m_candidates.end())
        return *it;
    QList<NearStation> near;
    if (const Station *s = m_stations.find(stationId); s && s->hasLocation()) {
        near = stationIndex().nearest(QGeoCoordinate(s->latitude, s->longitude), m_options.candidates + 1,
                                      m_options.maxDistanceKm, [&](const Station &n) { return n.id != stationId; });
        if (near.size() > m_options.candidates)
            near.resize(m_options.candidates);
    }
    return *m_candidates.insert(stationId, near);
}

void SpatialConsistencyCheck::remember(const Reading &reading)
{
    StationMemory &memory = m_memory[reading.stationId];
    for (const Rule &rule : std::as_const(m_options.rules)) {
        if (!reading.has(rule.variable))
            continue;
        auto &slot = memory.latest[index(rule.variable)];
        if (!slot || slot->timestampMs <= reading.timestampMs)
            slot = Latest{reading.value(rule.variable), reading.timestampMs};
    }
}

std::optional<Anomaly> SpatialConsistencyCheck::checkVariable(const Station &station, const Reading &reading,
                                                              const Rule &rule, const Lookup &lookup)
{
    // The nearest candidates that have a value at or before the reading's time.
    QList<NearStation> near;
    std::vector<double> values;
    for (const NearStation &n : candidates(station.id)) {
        if (const auto v = lookup(n.station.id, rule.variable, reading.timestampMs, m_options.maxAgeMs)) {
            near.append(n);
            values.push_back(v->value);
            if (near.size() == m_options.neighbours)
                break;
        }
    }
    if (near.size() < m_options.minNeighbours)
        return std::nullopt;

    const double value = reading.value(rule.variable);
    const QString unit = unitSymbol(rule.variable);
    std::vector<double> adjusted;
    std::vector<double> distances;
    QStringList described;
    for (qsizetype k = 0; k < near.size(); ++k) {
        const NearStation &n = near[k];
        double v = values[static_cast<size_t>(k)];
        // Move the neighbour's value to this station's height; unknown elevations are compared as is.
        if (rule.lapsePerKm != 0 && !std::isnan(station.elevationM) && !std::isnan(n.station.elevationM))
            v += rule.lapsePerKm * (station.elevationM - n.station.elevationM) / 1000.0;
        adjusted.push_back(v);
        distances.push_back(n.distanceKm);
        described << QStringLiteral("%1 %2 km %3 %4").arg(n.station.id).arg(n.distanceKm, 0, 'f', 0).arg(v, 0, 'f', 1).arg(unit);
    }
    // Far from all: closer than half the base allowance to any single neighbour clears the value.
    double nearestGap = std::numeric_limits<double>::infinity();
    for (double v : adjusted)
        nearestGap = std::min(nearestGap, std::abs(value - v));
    if (nearestGap <= rule.tolerance / 2)
        return std::nullopt;
    // Consensus: the neighbours' median, with an allowance that grows with their distance and with
    // their own disagreement (a front running through the neighbourhood widens it).
    const double expected = median(adjusted);
    std::vector<double> deviations;
    for (double v : adjusted)
        deviations.push_back(std::abs(v - expected));
    const double spread = 1.4826 * median(deviations);
    const double allowed = rule.tolerance + rule.tolerancePer100Km * median(distances) / 100.0 + m_options.spreadFactor * spread;
    const double score = std::abs(value - expected) / allowed;
    if (score <= 1.0)
        return std::nullopt;

    Anomaly a;
    a.stationId = station.id;
    a.timestampMs = reading.timestampMs;
    a.variable = rule.variable;
    a.kind = AnomalyKind::Spatial;
    a.score = score;
    a.severity = score >= 2.0 ? Severity::Critical : Severity::Warning;
    a.value = value;
    a.reason = QStringLiteral("%1 %2 %3 is far from all %4 nearest neighbours%5: %6; it is %7 %3 from their median %8 %3, "
                              "where %9 %3 is allowed")
                   .arg(variableKey(rule.variable).replace(QLatin1Char('_'), QLatin1Char(' ')))
                   .arg(value, 0, 'f', 1)
                   .arg(unit)
                   .arg(near.size())
                   .arg(rule.lapsePerKm != 0 ? QStringLiteral(" (adjusted to this station's elevation at %1 %2/km)")
                                                   .arg(std::abs(rule.lapsePerKm)).arg(unit)
                                             : QString())
                   .arg(described.join(QStringLiteral(", ")))
                   .arg(std::abs(value - expected), 0, 'f', 1)
                   .arg(expected, 0, 'f', 1)
                   .arg(allowed, 0, 'f', 1);
    return a;
}

} // namespace stratus
