#include "AnomalyDetector.h"

#include "ReadingValidator.h"
#include "RollingWindow.h"
#include "TimeUtil.h"

#include <algorithm>
#include <cmath>

namespace stratus {

namespace {

constexpr double kMadToSigma = 1.4826;

QString fmt(double x, int decimals = 1) { return QString::number(x, 'f', decimals); }

QString duration(qint64 ms)
{
    if (ms < 120'000)
        return QStringLiteral("%1 s").arg(ms / 1000);
    if (ms < 2 * 3600'000LL)
        return QStringLiteral("%1 min").arg(ms / 60'000);
    return QStringLiteral("%1 h").arg(fmt(static_cast<double>(ms) / 3600'000.0));
}

Severity severityFor(double score) { return score >= 2.0 ? Severity::Critical : Severity::Warning; }

} // namespace

struct AnomalyDetector::Series
{
    explicit Series(int window) : baseline(window), steps(window) {}
    RollingWindow baseline; // recent normal values, with their times
    RollingWindow steps;    // signed change between consecutive normal values
    bool hasLast = false;
    double lastNormal = 0;
    qint64 lastNormalMs = 0;
    // The normal value before lastNormal, for the two-sided spike test.
    bool hasPrev = false;
    double prevNormal = 0;
    qint64 prevNormalMs = 0;
    bool lastWasNormal = false; // the previous reading of this series became lastNormal
    // Deviation event (hysteresis): the level and scale frozen when it began.
    bool inEvent = false;
    qint64 eventStartMs = 0;
    bool frozenHasWindow = false;
    double frozenMedian = 0, frozenScale = 1, frozenStepScale = 1;
    // Stuck detection.
    double runValue = std::numeric_limits<double>::quiet_NaN();
    int runCount = 0;
    qint64 runStartMs = 0;
    // Forecast expectations (bounded: the most recent few).
    struct Expectation
    {
        qint64 targetMs;
        double expected, lower, upper, coverage;
    };
    std::vector<Expectation> expectations; // sorted by target; a vector: no 512-byte deque node per series
};

struct AnomalyDetector::StationState
{
    QString id;
    std::vector<Series> series;
    qint64 lastMs = 0;
    bool seen = false;
    bool silenceReported = false;
    RollingWindow intervals{15};
    PeerDriftDetector::Handle peers = nullptr; // resolved once
    // Reporting schedule: readings per UTC hour, since when, and whether it reported at local night.
    std::array<int, 24> hourCounts{};
    qint64 firstMs = 0;
    double longitude = std::numeric_limits<double>::quiet_NaN();
    bool reportsAtNight = false;
    qint64 usualIntervalMs() const
    {
        if (intervals.size() < 3)
            return 0;
        return static_cast<qint64>(intervals.median());
    }
};

// What one reading of one variable is found to be: the strongest of the checks that spoke. The
// reason is only put in words for a check that wins.
struct AnomalyDetector::Verdict
{
    const Reading &r;
    Variable v;
    double x;
    std::optional<Anomaly> found;

    template <typename Words> void consider(AnomalyKind kind, double score, Words &&reason)
    {
        if (score < 1.0 || (found && found->score >= score))
            return;
        found = anomaly(kind, score);
        found->reason = reason();
    }
    Anomaly anomaly(AnomalyKind kind, double score) const
    {
        Anomaly a;
        a.stationId = r.stationId;
        a.timestampMs = r.timestampMs;
        a.variable = v;
        a.value = x;
        a.kind = kind;
        a.score = score;
        a.severity = severityFor(score);
        return a;
    }
    QString name() const { return variableKey(v); }
    QString unit() const { return unitSymbol(v); }
};

std::array<double, kVariableCount> AnomalyDetector::Options::defaultScaleFloors()
{
    // Roughly the accuracy of a good station sensor (WMO/ASOS class): deviations below these are
    // not measurable and must not raise alarms however quiet a series is.
    std::array<double, kVariableCount> f{};
    f[index(Variable::Temperature)] = 0.5;
    f[index(Variable::Dewpoint)] = 0.5;
    f[index(Variable::Humidity)] = 3.0;
    f[index(Variable::WindSpeed)] = 1.0;
    f[index(Variable::WindGust)] = 1.5;
    f[index(Variable::WindDirection)] = 20.0;
    f[index(Variable::Pressure)] = 0.5;
    f[index(Variable::Precipitation)] = 0.5;
    f[index(Variable::Visibility)] = 1.0;
    return f;
}

AnomalyDetector::AnomalyDetector() : AnomalyDetector(Options()) {}
AnomalyDetector::AnomalyDetector(Options options) : m_options(options) {}
AnomalyDetector::~AnomalyDetector() = default;

bool AnomalyDetector::isStatistical(Variable v)
{
    // Wind, precipitation and visibility are zero-inflated or capped and gust naturally; their
    // physical limits and the user's rules watch them instead.
    return v == Variable::Temperature || v == Variable::Dewpoint || v == Variable::Humidity
        || v == Variable::Pressure;
}

void AnomalyDetector::setStations(const QList<Station> &stations)
{
    m_peers.setStations(stations);
    for (const Station &s : stations) {
        if (s.hasLocation())
            m_longitudes.insert(s.id, s.longitude);
    }
    for (StationState *st : std::as_const(m_stations))
        st->longitude = m_longitudes.value(st->id, std::numeric_limits<double>::quiet_NaN());
}

namespace {
constexpr qint64 kHourMs = 3600'000;
int utcHour(qint64 ms) { return static_cast<int>(((ms / kHourMs) % 24 + 24) % 24); }
int localHour(int utcHourOfDay, double longitude)
{
    return ((utcHourOfDay + static_cast<int>(std::lround(longitude / 15.0))) % 24 + 24) % 24;
}
// Hours a part-time station may be closed, and the core of the night only a round-the-clock one reports in.
bool localNight(int utcHourOfDay, double longitude)
{
    const int local = localHour(utcHourOfDay, longitude);
    return local >= 21 || local < 7;
}
bool deepNight(int utcHourOfDay, double longitude) { return localHour(utcHourOfDay, longitude) < 4; }
} // namespace

void AnomalyDetector::noteSchedule(StationState &st, qint64 timeMs) const
{
    if (!st.seen)
        st.firstMs = timeMs;
    const int h = utcHour(timeMs);
    ++st.hourCounts[static_cast<size_t>(h)];
    if (!std::isnan(st.longitude) && deepNight(h, st.longitude))
        st.reportsAtNight = true;
}

qint64 AnomalyDetector::scheduledMs(const StationState &st, qint64 fromMs, qint64 toMs) const
{
    if (!m_options.learnSchedule || toMs - fromMs > 3 * 24 * kHourMs)
        return toMs - fromMs; // silent for days: whatever the schedule, that is a dropout
    const bool learned = st.lastMs - st.firstMs >= 24 * kHourMs;
    const auto reports = [&](int h) {
        if (learned) // an hour next to one it reported in counts too: schedules are not to the minute
            return st.hourCounts[static_cast<size_t>(h)] + st.hourCounts[static_cast<size_t>((h + 1) % 24)]
                       + st.hourCounts[static_cast<size_t>((h + 23) % 24)] > 0;
        return std::isnan(st.longitude) || st.reportsAtNight || !localNight(h, st.longitude);
    };
    qint64 total = 0;
    for (qint64 t = fromMs; t < toMs;) {
        const qint64 next = std::min(toMs, (t / kHourMs + 1) * kHourMs);
        if (reports(utcHour(t)))
            total += next - t;
        t = next;
    }
    return total;
}

void AnomalyDetector::reset()
{
    m_stations.clear();
    m_owned.clear();
    m_peers.reset();
}

AnomalyDetector::StationState *AnomalyDetector::stationState(const QString &id)
{
    if (StationState *st = m_stations.value(id))
        return st;
    auto owned = std::make_unique<StationState>();
    owned->id = id;
    owned->series.reserve(kVariableCount); // Series holds vectors: a reallocation would copy them
    for (int i = 0; i < kVariableCount; ++i)
        owned->series.emplace_back(m_options.windowSize);
    owned->peers = m_peers.handle(id);
    // A METAR id "KDUG" is the station "DUG" of the SA reports; the alias gives its place.
    const QString alias = id.size() == 4 && id.startsWith(QLatin1Char('K')) ? id.mid(1) : id;
    owned->longitude = m_longitudes.value(id, m_longitudes.value(alias, std::numeric_limits<double>::quiet_NaN()));
    StationState *st = owned.get();
    m_stations.insert(id, st);
    m_owned.push_back(std::move(owned));
    return st;
}

QList<Anomaly> AnomalyDetector::process(const QList<Reading> &readings)
{
    QList<Anomaly> out;
    for (const Reading &r : readings)
        out += process(r);
    return out;
}

QList<Anomaly> AnomalyDetector::process(const Reading &r)
{
    QList<Anomaly> out;
    StationState *st = stationState(r.stationId);
    if (st->seen && r.timestampMs <= st->lastMs) {
        // Out of order or duplicate: only the physical limits can judge it without corrupting state.
        for (Variable v : kAllVariables) {
            if (!r.has(v))
                continue;
            const auto range = ReadingValidator::physicalRange(v);
            const double x = r.value(v);
            if (x < range.min || x > range.max) {
                Anomaly a{r.stationId, r.timestampMs, v, AnomalyKind::OutOfRange, Severity::Critical, 1.0, x,
                          ReadingValidator().describe(r, v)};
                out.append(a);
            }
        }
        return out;
    }
    if (st->seen)
        checkGap(*st, r, out);
    noteSchedule(*st, r.timestampMs);
    st->seen = true;
    st->silenceReported = false;
    st->lastMs = r.timestampMs;

    for (Variable v : kAllVariables) {
        if (!r.has(v))
            continue;
        scoreVariable(*st, st->series[static_cast<size_t>(index(v))], r, v, out);
    }
    return out;
}

// Dropout: the gap before this reading, against the station's usual interval.
void AnomalyDetector::checkGap(StationState &st, const Reading &r, QList<Anomaly> &out)
{
    const qint64 gap = r.timestampMs - st.lastMs;
    const qint64 usual = st.usualIntervalMs();
    const qint64 limit = std::max<qint64>(static_cast<qint64>(m_options.dropoutFactor * static_cast<double>(usual)),
                                          m_options.dropoutMinMs);
    if (usual > 0 && gap > limit && !st.silenceReported && scheduledMs(st, st.lastMs, r.timestampMs) > limit) {
        Anomaly a;
        a.stationId = r.stationId;
        a.timestampMs = r.timestampMs;
        a.variable = Variable::Temperature;
        for (Variable v : kAllVariables) {
            if (r.has(v)) {
                a.variable = v;
                a.value = r.value(v);
                break;
            }
        }
        a.kind = AnomalyKind::Dropout;
        a.score = static_cast<double>(gap) / static_cast<double>(limit);
        a.severity = a.score >= 4 ? Severity::Critical : Severity::Warning;
        a.reason = QStringLiteral("station %1 sent nothing for %2 (from %3 to %4), its usual interval is %5")
                       .arg(r.stationId, duration(gap), timeutil::toIsoUtc(st.lastMs), timeutil::toIsoUtc(r.timestampMs),
                            duration(usual));
        out.append(a);
    }
    // A long silence is not a reporting interval; keep the usual interval from normal gaps.
    if (usual == 0 || gap <= limit)
        st.intervals.push(static_cast<double>(gap));
}

void AnomalyDetector::scoreVariable(StationState &st, Series &s, const Reading &r, Variable v, QList<Anomaly> &out)
{
    const double x = r.value(v);
    const auto range = ReadingValidator::physicalRange(v);
    if (!std::isfinite(x) || (m_options.physicalLimits && (x < range.min || x > range.max))) {
        Verdict verdict{r, v, x, std::nullopt};
        Anomaly a = verdict.anomaly(AnomalyKind::OutOfRange, 1.0);
        a.severity = Severity::Critical;
        a.reason = ReadingValidator().describe(r, v);
        out.append(a);
        return;
    }
    Verdict verdict{r, v, x, std::nullopt};
    const double floor = m_options.scaleFloor[static_cast<size_t>(index(v))];
    checkResidual(st, s, verdict);
    const bool stuck = checkStuck(s, verdict);
    // Peer drift (spatial), for the spatially smooth quantities.
    if (m_options.peerDrift && !stuck) {
        if (auto d = m_peers.process(st.peers, r, v, floor))
            out.append(*d); // about the previous reading: carries its own time and value
    }
    const bool statistical = isStatistical(v) && s.steps.size() >= m_options.minHistory;
    const auto stepStats = statistical ? medianMad(s.steps) : std::pair<double, double>{0, 0};
    std::optional<Anomaly> delayedSpike;
    if (statistical && s.lastWasNormal && s.hasPrev && !s.inEvent)
        delayedSpike = twoSidedSpike(s, verdict, stepStats, floor);
    const bool anomalous = statistical && checkWindow(s, verdict, stepStats, floor);
    learn(s, r.timestampMs, x, !anomalous && !stuck, isStatistical(v));
    if (delayedSpike)
        out.append(*delayedSpike);
    if (verdict.found)
        out.append(*verdict.found);
}

std::pair<double, double> AnomalyDetector::medianMad(const RollingWindow &w) const
{
    return m_options.referenceStatistics ? w.medianMadByCopy() : w.medianMad();
}

// Forecast residual: an expectation for about this time.
void AnomalyDetector::checkResidual(const StationState &st, Series &s, Verdict &verdict) const
{
    if (s.expectations.empty())
        return;
    const Reading &r = verdict.r;
    const qint64 tolerance = std::max<qint64>(st.usualIntervalMs() / 2, 60'000);
    const auto stale = std::find_if(s.expectations.begin(), s.expectations.end(),
                                    [&](const auto &e) { return e.targetMs >= r.timestampMs - tolerance; });
    s.expectations.erase(s.expectations.begin(), stale);
    for (const auto &e : s.expectations) {
        if (std::llabs(e.targetMs - r.timestampMs) <= tolerance) {
            if (auto res = residualAnomaly(r, verdict.v, e.expected, e.lower, e.upper, e.coverage, m_options.residualSigmas))
                verdict.consider(res->kind, res->score, [&] { return res->reason; });
            break;
        }
    }
}

// Stuck: the same value over and over, for quantities that should move. A calm wind or a saturated
// humidity legitimately stays put. Wind is reported in whole knots and may stay steady for hours; a
// stuck anemometer reads calm, which is indistinguishable from calm weather. So only the
// statistical quantities are checked.
bool AnomalyDetector::checkStuck(Series &s, Verdict &verdict) const
{
    const double x = verdict.x;
    const qint64 now = verdict.r.timestampMs;
    const bool eligible = isStatistical(verdict.v) && !(verdict.v == Variable::Humidity && x >= 99.5);
    if (x == s.runValue) {
        ++s.runCount;
    } else {
        s.runValue = x;
        s.runCount = 1;
        s.runStartMs = now;
    }
    if (!eligible || s.runCount < m_options.stuckMinReadings)
        return false;
    const qint64 runMs = now - s.runStartMs;
    // How surprising is the run? With a share p0 of unchanged steps in the station's recent normal
    // history (its own run excluded, Laplace-smoothed), n identical readings happen by chance with
    // probability ≈ p0^(n−1). Coarse sensors (whole-degree METAR temperatures) legitimately repeat
    // for hours; a 0.1 °C sensor does not.
    const double inRun = std::min<double>(s.runCount - 1, static_cast<double>(s.steps.zeros()));
    const double zeros = static_cast<double>(s.steps.zeros()) - inRun;
    const double total = static_cast<double>(s.steps.size()) - inRun;
    const double p0 = (zeros + 1) / (total + 2);
    // Too little history outside the run says nothing about how often this station repeats.
    const double chance = total >= m_options.minHistory ? std::pow(p0, s.runCount - 1) : 1.0;
    if (runMs < m_options.stuckMinMs || chance >= m_options.stuckChance)
        return false;
    verdict.consider(AnomalyKind::Stuck, static_cast<double>(runMs) / static_cast<double>(m_options.stuckMinMs), [&] {
        return QStringLiteral("%1 has read exactly %2 %3 for %4 readings over %5 (since %6), a run this station's "
                              "usual variation makes a 1-in-%7 chance: the sensor looks stuck")
            .arg(verdict.name(), QString::number(x), verdict.unit())
            .arg(s.runCount)
            .arg(duration(runMs), timeutil::toIsoUtc(s.runStartMs))
            .arg(chance > 0 ? QString::number(1.0 / chance, 'g', 2) : QStringLiteral("∞"));
    });
    return true;
}

// Two-sided spike test (as QARTOD's): when this reading arrives, the previous one is a spike if it
// stood far from the midpoint of its two neighbours while they agree. Costs one reading of delay,
// so it can afford a lower threshold than the one-sided step test; the anomaly carries the previous
// reading's time.
std::optional<Anomaly> AnomalyDetector::twoSidedSpike(Series &s, const Verdict &verdict,
                                                      std::pair<double, double> stepStats, double floor) const
{
    const double x = verdict.x;
    const double dtMin = static_cast<double>(verdict.r.timestampMs - s.prevNormalMs) / 2.0 / 60'000.0;
    const double scale = std::max(kMadToSigma * stepStats.second, floor * std::max(1.0, std::sqrt(dtMin / 10.0)));
    const double ref = std::abs(s.lastNormal - (s.prevNormal + x) / 2) - std::abs(x - s.prevNormal) / 2;
    const double score = ref / (m_options.twoSidedSpikeScore * scale);
    if (score < 1.0)
        return std::nullopt;
    Anomaly d = verdict.anomaly(AnomalyKind::Spike, score);
    d.timestampMs = s.lastNormalMs;
    d.value = s.lastNormal;
    const QString unit = verdict.unit();
    d.reason = QStringLiteral("%1 %2 %3 at %4 stood %5 %3 off both neighbours (%6 and %7 %3), which agree; "
                              "this station's usual change is about %8 %3")
                   .arg(verdict.name(), fmt(s.lastNormal, 2), unit, timeutil::toIsoUtc(s.lastNormalMs), fmt(ref, 2),
                        fmt(s.prevNormal, 2), fmt(x, 2), fmt(scale, 2));
    // The spike was no normal value: step back to the one before it.
    s.lastNormal = s.prevNormal;
    s.lastNormalMs = s.prevNormalMs;
    s.hasPrev = false;
    return d;
}

// The window: recent normal readings within windowSpanMs (at most windowSize of them). With sparse
// (hourly) data it holds too few readings to speak, and only the step check runs: an hourly series'
// recent hours are not a "normal" its next hour must stay near. Returns whether the reading is
// anomalous (a spike, a deviation, or still inside a deviation event).
bool AnomalyDetector::checkWindow(Series &s, Verdict &verdict, std::pair<double, double> stepStats, double floor)
{
    const double x = verdict.x;
    const qint64 now = verdict.r.timestampMs;
    s.baseline.evictBefore(now - m_options.windowSpanMs);
    const int count = s.baseline.size();
    const auto [med, mad] = medianMad(s.baseline);
    const bool haveWindow = count >= m_options.minHistory;
    const double scale = std::max(kMadToSigma * mad, floor);
    const double z = haveWindow ? (x - med) / scale : 0.0;
    // Natural change grows with the time between readings (roughly as its square root, like a
    // random walk), so the floor of the usual step does too, counted from 10 minutes.
    const double dtMin = static_cast<double>(now - s.lastNormalMs) / 60'000.0;
    const double stepScale = std::max(kMadToSigma * stepStats.second, floor * std::max(1.0, std::sqrt(dtMin / 10.0)));
    const double step = x - s.lastNormal;
    const double stepScore = std::abs(step - stepStats.first) / (m_options.spikeScore * stepScale);
    if (s.inEvent)
        return continueEvent(s, verdict, z, step);
    const bool spike = stepScore >= 1.0;
    const bool deviates = std::abs(z) > m_options.enterScore;
    if (!spike && !deviates)
        return false;
    s.inEvent = true;
    s.eventStartMs = now;
    s.frozenHasWindow = haveWindow;
    s.frozenMedian = med;
    s.frozenScale = scale;
    s.frozenStepScale = stepScale;
    if (spike)
        verdict.consider(AnomalyKind::Spike, stepScore, [&] {
            return QStringLiteral("%1 jumped %2 %3 in %4 to %5 %3; this station's usual change is about %6 %3")
                .arg(verdict.name(), fmt(step, 2), verdict.unit(), duration(now - s.lastNormalMs), fmt(x, 2),
                     fmt(stepScale, 2));
        });
    if (deviates)
        verdict.consider(AnomalyKind::WindowDeviation, std::abs(z) / m_options.enterScore, [&] {
            return QStringLiteral("%1 %2 %3 is %4 robust standard deviations %5 the median %6 %3 of its last %7 "
                                  "normal readings")
                .arg(verdict.name(), fmt(x, 2), verdict.unit(), fmt(std::abs(z)),
                     z > 0 ? QStringLiteral("above") : QStringLiteral("below"), fmt(med, 2))
                .arg(count);
        });
    return true;
}

// Inside a deviation event: hysteresis keeps it until the reading is back within exitScore of the
// frozen level (or, without a window, within the same fraction of a spike of the last normal value).
bool AnomalyDetector::continueEvent(Series &s, Verdict &verdict, double z, double step)
{
    const double x = verdict.x;
    const qint64 eventMs = verdict.r.timestampMs - s.eventStartMs;
    const double zf = s.frozenHasWindow ? (x - s.frozenMedian) / s.frozenScale : 0.0;
    const double frozenStep = std::abs(step) / (m_options.spikeScore * s.frozenStepScale);
    const bool still = s.frozenHasWindow ? std::abs(zf) > m_options.exitScore
                                         : frozenStep > m_options.exitScore / m_options.enterScore;
    if (eventMs > m_options.maxEventMs) {
        // A shift that lasts this long is the new normal: relearn from here.
        s.inEvent = false;
        s.baseline.clear();
        s.steps.clear();
        s.hasLast = false;
        return false;
    }
    if (!still && std::abs(z) <= m_options.enterScore) {
        s.inEvent = false;
        return false;
    }
    const double level = s.frozenHasWindow ? s.frozenMedian : s.lastNormal;
    const double score = s.frozenHasWindow ? std::abs(zf) / m_options.enterScore : frozenStep;
    verdict.consider(AnomalyKind::WindowDeviation, std::max(score, 1.0), [&] {
        return QStringLiteral("%1 %2 %3 is still %4 %3 %5 the level of %6 %3 before the event began at %7")
            .arg(verdict.name(), fmt(x, 2), verdict.unit(), fmt(std::abs(x - level), 2),
                 x > level ? QStringLiteral("above") : QStringLiteral("below"), fmt(level, 2),
                 timeutil::toIsoUtc(s.eventStartMs));
    });
    return true;
}

// Only normal values teach the baseline what normal is. Only the statistical variables read the
// windows, so the others keep none.
void AnomalyDetector::learn(Series &s, qint64 timeMs, double x, bool normal, bool windows)
{
    s.lastWasNormal = normal;
    if (normal) {
        if (s.hasLast) {
            if (windows)
                s.steps.push(x - s.lastNormal);
            s.hasPrev = true;
            s.prevNormal = s.lastNormal;
            s.prevNormalMs = s.lastNormalMs;
        }
        if (windows)
            s.baseline.push(x, timeMs);
        s.hasLast = true;
        s.lastNormal = x;
        s.lastNormalMs = timeMs;
    }
    if (!s.hasLast) {
        s.hasLast = true;
        s.lastNormal = x;
        s.lastNormalMs = timeMs;
    }
}

void AnomalyDetector::expect(const QString &stationId, Variable variable, qint64 targetMs, double expected,
                             double lower, double upper, double coverage)
{
    StationState *st = stationState(stationId);
    auto &q = st->series[static_cast<size_t>(index(variable))].expectations;
    const Series::Expectation e{targetMs, expected, lower, upper, coverage};
    q.insert(std::upper_bound(q.begin(), q.end(), e, [](const auto &a, const auto &b) { return a.targetMs < b.targetMs; }), e);
    if (q.size() > 48) // bounded: 24 hourly horizons, twice
        q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(q.size() - 48));
}

std::optional<Anomaly> AnomalyDetector::residualAnomaly(const Reading &reading, Variable variable, double expected,
                                                        double lower, double upper, double coverage,
                                                        double thresholdSigmas)
{
    if (!reading.has(variable) || !(upper >= lower) || coverage <= 0 || coverage >= 1)
        return std::nullopt;
    const double x = reading.value(variable);
    // Half-width of a central interval of this coverage in standard deviations (inverse normal CDF).
    const double zHalf = std::sqrt(2.0) * [](double p) {
        // erfinv by Giles' approximation (single precision, ample for a threshold)
        double w = -std::log((1.0 - p) * (1.0 + p)), r;
        if (w < 5.0) {
            w -= 2.5;
            r = 2.81022636e-08;
            for (double c : {3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                             -0.00417768164, 0.246640727, 1.50140941})
                r = c + r * w;
        } else {
            w = std::sqrt(w) - 3.0;
            r = -0.000200214257;
            for (double c : {0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                             0.00943887047, 1.00167406, 2.83297682})
                r = c + r * w;
        }
        return r * p;
    }(coverage);
    const double halfWidth = x >= expected ? upper - expected : expected - lower;
    if (!(halfWidth > 0))
        return std::nullopt;
    const double sigmas = std::abs(x - expected) / halfWidth * zHalf;
    if (sigmas < thresholdSigmas)
        return std::nullopt;
    Anomaly a;
    a.stationId = reading.stationId;
    a.timestampMs = reading.timestampMs;
    a.variable = variable;
    a.kind = AnomalyKind::ForecastResidual;
    a.value = x;
    a.score = sigmas / thresholdSigmas;
    a.severity = severityFor(a.score);
    a.reason = QStringLiteral("%1 %2 %3 is %4 %3 from the forecast %5 %3 (interval %6 … %7 %3, %8 standard deviations)")
                   .arg(variableKey(variable), fmt(x, 2), unitSymbol(variable), fmt(std::abs(x - expected), 2),
                        fmt(expected, 2), fmt(lower, 2), fmt(upper, 2), fmt(sigmas));
    return a;
}

QList<Anomaly> AnomalyDetector::checkSilence(qint64 nowMs)
{
    QList<Anomaly> out;
    for (StationState *st : std::as_const(m_stations)) {
        if (!st->seen || st->silenceReported)
            continue;
        const qint64 usual = st->usualIntervalMs();
        if (usual <= 0)
            continue;
        const qint64 limit = std::max<qint64>(static_cast<qint64>(m_options.dropoutFactor * static_cast<double>(usual)),
                                              m_options.dropoutMinMs);
        const qint64 gap = nowMs - st->lastMs;
        if (gap <= limit || scheduledMs(*st, st->lastMs, nowMs) <= limit)
            continue; // (a part-time station closed for the night is not silent)
        st->silenceReported = true;
        Anomaly a;
        a.stationId = st->id;
        a.timestampMs = nowMs;
        a.kind = AnomalyKind::Dropout;
        a.value = std::numeric_limits<double>::quiet_NaN();
        a.score = static_cast<double>(gap) / static_cast<double>(limit);
        a.severity = a.score >= 4 ? Severity::Critical : Severity::Warning;
        a.reason = QStringLiteral("station %1 has sent nothing for %2 (last reading %3), its usual interval is %4")
                       .arg(st->id, duration(gap), timeutil::toIsoUtc(st->lastMs), duration(usual));
        out.append(a);
    }
    return out;
}

} // namespace stratus
