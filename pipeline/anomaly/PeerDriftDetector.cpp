#include "PeerDriftDetector.h"

#include "TimeUtil.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace stratus {

namespace {
int smoothSlot(Variable v)
{
    switch (v) {
    case Variable::Temperature: return 0;
    case Variable::Dewpoint: return 1;
    case Variable::Pressure: return 2;
    default: return -1;
    }
}

double haversineKm(const Station &a, const Station &b)
{
    constexpr double kRad = M_PI / 180.0;
    const double dLat = (b.latitude - a.latitude) * kRad;
    const double dLon = (b.longitude - a.longitude) * kRad;
    const double h = std::sin(dLat / 2) * std::sin(dLat / 2)
        + std::cos(a.latitude * kRad) * std::cos(b.latitude * kRad) * std::sin(dLon / 2) * std::sin(dLon / 2);
    return 2 * 6371.0 * std::asin(std::min(1.0, std::sqrt(h)));
}
} // namespace

struct PeerDriftDetector::Latest
{
    double value = 0;
    qint64 timeMs = 0;
    bool valid = false;
    double prevValue = 0;
    qint64 prevTimeMs = 0;
    bool hasPrev = false;
};

struct PeerDriftDetector::Offset
{
    double longMean = 0, longDev = 0, shortMean = 0;
    qint64 lastMs = 0;
    int n = 0;
    int over = 0; // consecutive readings beyond the threshold
    bool alarmed = false;
    std::array<double, 24> hourShape{}; // usual offset by UTC hour, around longMean
    std::array<int, 24> hourCount{};
};

struct PeerDriftDetector::Entry
{
    QString id;
    bool seen = false; // has reported a spatially smooth variable
    std::array<Latest, 3> latest;
    std::array<Offset, 3> offsets;
    std::vector<Handle> peers;
    bool peersFinal = false;       // peers known for good (until the stations change)
    quint64 peersGeneration = ~0ULL; // network the provisional peers were chosen from
};

PeerDriftDetector::PeerDriftDetector() : PeerDriftDetector(Options()) {}
PeerDriftDetector::PeerDriftDetector(Options options) : m_options(options) {}
PeerDriftDetector::~PeerDriftDetector() = default;

bool PeerDriftDetector::isSpatiallySmooth(Variable v) { return smoothSlot(v) >= 0; }

void PeerDriftDetector::setStations(const QList<Station> &stations)
{
    for (const Station &s : stations)
        m_stations.insert(s.id, s);
    for (const auto &e : m_owned)
        e->peersFinal = false;
    ++m_generation;
}

PeerDriftDetector::Handle PeerDriftDetector::handle(const QString &stationId)
{
    if (Handle h = m_entries.value(stationId))
        return h;
    auto owned = std::make_unique<Entry>();
    owned->id = stationId;
    Handle h = owned.get();
    m_entries.insert(stationId, h);
    m_owned.push_back(std::move(owned));
    return h;
}

void PeerDriftDetector::reset()
{
    // Peers chosen for good stay chosen: they depend on the stations' places, not on what was seen.
    for (const auto &e : m_owned) {
        e->seen = false;
        e->latest = {};
        e->offsets = {};
    }
    ++m_generation;
}

const std::vector<PeerDriftDetector::Handle> &PeerDriftDetector::peersOf(Entry &e)
{
    if (e.peersFinal)
        return e.peers;
    const auto self = m_stations.constFind(e.id);
    if (self != m_stations.cend() && self->hasLocation())
        locatedPeers(e, *self);
    else if (e.peersGeneration != m_generation)
        networkPeers(e, self != m_stations.cend() ? self->region : QString());
    return e.peers;
}

// The k nearest located stations within maxPeerKm.
void PeerDriftDetector::locatedPeers(Entry &e, const Station &self)
{
    std::vector<std::pair<double, QString>> byDistance;
    for (const Station &s : std::as_const(m_stations)) {
        if (s.id == e.id || !s.hasLocation())
            continue;
        const double km = haversineKm(self, s);
        if (km <= m_options.maxPeerKm)
            byDistance.emplace_back(km, s.id);
    }
    std::sort(byDistance.begin(), byDistance.end());
    e.peers.clear();
    for (size_t i = 0; i < byDistance.size() && static_cast<int>(i) < m_options.maxPeers; ++i)
        e.peers.push_back(handle(byDistance[i].second));
    e.peersFinal = true;
}

// Without positions (e.g. the Beijing sites, or stations seen only in the stream) the stations form
// one local network; the k first others seen, in a stable order, are the peers. Only stations of the
// same kind of place (Station::region, e.g. indoor/outdoor motes) are comparable. Chosen for good
// once there are k; until then chosen again whenever a new station has been seen.
void PeerDriftDetector::networkPeers(Entry &e, const QString &region)
{
    std::vector<Handle> all;
    for (const auto &o : m_owned) {
        if (!o->seen || o.get() == &e)
            continue;
        const auto st = m_stations.constFind(o->id);
        const bool unlocated = st == m_stations.cend() || !st->hasLocation();
        const QString theirRegion = st != m_stations.cend() ? st->region : QString();
        if (unlocated && theirRegion == region)
            all.push_back(o.get());
    }
    std::sort(all.begin(), all.end(), [](Handle a, Handle b) { return a->id < b->id; });
    if (static_cast<int>(all.size()) > m_options.maxPeers)
        all.resize(static_cast<size_t>(m_options.maxPeers));
    e.peers = std::move(all);
    e.peersGeneration = m_generation;
    e.peersFinal = static_cast<int>(e.peers.size()) >= m_options.maxPeers;
}

std::optional<Anomaly> PeerDriftDetector::process(Handle station, const Reading &reading, Variable variable,
                                                  double scaleFloor)
{
    const int slot = smoothSlot(variable);
    if (slot < 0 || !reading.has(variable))
        return std::nullopt;
    // The reading is judged one reading late: when the station's next reading arrives, every peer
    // has reported for the previous instant too (hourly networks report all at the same minute, and
    // the first stations of an hour would otherwise have no current peers).
    if (!station->seen) {
        station->seen = true;
        ++m_generation;
    }
    Latest &mine = station->latest[static_cast<size_t>(slot)];
    const Latest pending = mine;
    mine.prevValue = mine.value;
    mine.prevTimeMs = mine.timeMs;
    mine.hasPrev = mine.valid;
    mine.value = reading.value(variable);
    mine.timeMs = reading.timestampMs;
    mine.valid = true;
    if (!pending.valid)
        return std::nullopt;
    const double x = pending.value;
    const qint64 tp = pending.timeMs;

    std::vector<double> &peerValues = m_values;
    peerValues.clear();
    for (Handle p : peersOf(*station)) {
        const Latest &l = p->latest[static_cast<size_t>(slot)];
        // The peer's value closest in time to the judged reading.
        qint64 best = m_options.peerToleranceMs + 1;
        double value = 0;
        if (l.valid && std::llabs(l.timeMs - tp) < best) {
            best = std::llabs(l.timeMs - tp);
            value = l.value;
        }
        if (l.hasPrev && std::llabs(l.prevTimeMs - tp) < best) {
            best = std::llabs(l.prevTimeMs - tp);
            value = l.prevValue;
        }
        if (best <= m_options.peerToleranceMs)
            peerValues.push_back(value);
    }
    if (static_cast<int>(peerValues.size()) < m_options.minPeers)
        return std::nullopt;
    const size_t mid = peerValues.size() / 2;
    std::nth_element(peerValues.begin(), peerValues.begin() + static_cast<std::ptrdiff_t>(mid), peerValues.end());
    double consensus = peerValues[mid];
    if (peerValues.size() % 2 == 0) {
        const double lower = *std::max_element(peerValues.begin(), peerValues.begin() + static_cast<std::ptrdiff_t>(mid));
        consensus = (consensus + lower) / 2;
    }
    const double rawOffset = x - consensus;

    Offset &o = station->offsets[static_cast<size_t>(slot)];
    const int hour = static_cast<int>(((tp / 3'600'000) % 24 + 24) % 24);
    const bool shapeReady =
        m_options.diurnalBaseline && o.hourCount[static_cast<size_t>(hour)] >= m_options.hourWarmupDays;
    const double d = rawOffset - (shapeReady ? o.hourShape[static_cast<size_t>(hour)] : 0.0);
    if (o.n == 0) {
        o.longMean = o.shortMean = d;
        o.longDev = 0;
        o.lastMs = tp;
        o.n = 1;
        return std::nullopt;
    }
    const double dt = static_cast<double>(std::max<qint64>(0, tp - o.lastMs));
    o.lastMs = tp;
    if (dt != m_lastDt) {
        // Readings come at a station's steady interval: the same dt, the same weights.
        m_lastDt = dt;
        m_aShort = 1 - std::exp(-dt / static_cast<double>(m_options.shortTauMs));
        m_aLong = 1 - std::exp(-dt / static_cast<double>(m_options.longTauMs));
    }
    const double aShort = m_aShort, aLong = m_aLong;
    o.shortMean += aShort * (d - o.shortMean);
    // The scale is that of the statistic itself: how far the recent mean offset usually wanders
    // from the usual offset (mean absolute deviation × 1.25 ≈ standard deviation).
    const double spread = std::max(1.25 * o.longDev, scaleFloor);
    const double z = (o.shortMean - o.longMean) / spread;
    ++o.n;
    if (o.n > m_options.warmup && (!m_options.diurnalBaseline || shapeReady) && std::abs(z) > m_options.threshold
        && std::abs(o.shortMean - o.longMean) >= m_options.minShift) {
        o.alarmed = true; // the usual offset is frozen while the station drifts away from it
        // A drift persists; a passing front that splits the network for an hour or two does not.
        if (++o.over < m_options.persistReadings)
            return std::nullopt;
        Anomaly a;
        a.stationId = reading.stationId;
        a.timestampMs = tp;
        a.variable = variable;
        a.kind = AnomalyKind::Spatial;
        a.score = std::abs(z) / m_options.threshold;
        a.severity = a.score >= 2 ? Severity::Critical : Severity::Warning;
        a.value = x;
        const QString unit = unitSymbol(variable);
        a.reason = QStringLiteral("%1 has read %2 %3 %4 its %5 neighbours over the last hours, against a usual "
                                  "offset of %6 %3: the sensor may be drifting")
                       .arg(variableKey(variable), QString::number(std::abs(o.shortMean - o.longMean) , 'f', 1), unit,
                            o.shortMean > o.longMean ? QStringLiteral("more than") : QStringLiteral("less than"))
                       .arg(peerValues.size())
                       .arg(QString::number(o.longMean, 'f', 1));
        return a;
    }
    o.over = 0;
    if (o.alarmed) {
        // Back to normal: the recent offset forgets the drift quickly so it does not re-alarm.
        o.alarmed = false;
    }
    o.longMean += aLong * (d - o.longMean);
    if (m_options.diurnalBaseline) {
        // One update per hour bin and day: a long-tau EWMA in days (plain mean while it warms up).
        double &shape = o.hourShape[static_cast<size_t>(hour)];
        int &seen = o.hourCount[static_cast<size_t>(hour)];
        const double days = static_cast<double>(m_options.longTauMs) / timeutil::kMsPerDay;
        const double a = seen < m_options.hourWarmupDays ? 1.0 / (seen + 1) : 1 - std::exp(-1.0 / days);
        shape += a * ((rawOffset - o.longMean) - shape);
        ++seen;
    }
    const double wander = std::abs(o.shortMean - o.longMean);
    if (o.n <= m_options.warmup) // learn the spread fast at the start
        o.longDev += (wander - o.longDev) / o.n;
    else
        o.longDev += aLong * (wander - o.longDev);
    return std::nullopt;
}

} // namespace stratus
