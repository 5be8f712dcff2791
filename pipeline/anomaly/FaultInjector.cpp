#include "FaultInjector.h"

#include "TimeUtil.h"

#include <QHash>

#include <algorithm>
#include <random>
#include <vector>

namespace stratus {

namespace {
constexpr qint64 kHour = timeutil::kMsPerHour;

struct StationIndex
{
    std::vector<qsizetype> rows; // indices into the base stream, in time order
    qint64 usualMs = kHour;
    qint64 longestSessionMs = 0; // longest stretch without a gap over 3 usual intervals
    std::vector<std::pair<qint64, qint64>> occupied;
};

bool overlaps(const StationIndex &s, qint64 a, qint64 b)
{
    for (const auto &[x, y] : s.occupied) {
        if (a <= y && x <= b)
            return true;
    }
    return false;
}
} // namespace

QString FaultInjector::kindKey(Kind kind)
{
    switch (kind) {
    case Kind::Spike: return QStringLiteral("spike");
    case Kind::Stuck: return QStringLiteral("stuck");
    case Kind::Drift: return QStringLiteral("drift");
    case Kind::Dropout: return QStringLiteral("dropout");
    }
    return {};
}

std::optional<FaultInjector::Kind> FaultInjector::kindFromKey(QStringView key)
{
    for (Kind k : kAllKinds) {
        if (key == kindKey(k))
            return k;
    }
    return std::nullopt;
}

FaultInjector::Injection FaultInjector::inject(const QList<Reading> &base, Kind kind, const Options &options)
{
    Injection out;
    QHash<QString, StationIndex> stations;
    for (qsizetype i = 0; i < base.size(); ++i)
        stations[base[i].stationId].rows.push_back(i);
    QStringList ids;
    for (auto it = stations.begin(); it != stations.end(); ++it) {
        auto &rows = it->rows;
        std::vector<qint64> gaps;
        for (size_t k = 1; k < rows.size(); ++k)
            gaps.push_back(base[rows[k]].timestampMs - base[rows[k - 1]].timestampMs);
        if (!gaps.empty()) {
            std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
            it->usualMs = std::max<qint64>(gaps[gaps.size() / 2], 1000);
        }
        qint64 sessionStart = rows.empty() ? 0 : base[rows.front()].timestampMs;
        for (size_t k = 1; k < rows.size(); ++k) {
            if (base[rows[k]].timestampMs - base[rows[k - 1]].timestampMs > 3 * it->usualMs)
                sessionStart = base[rows[k]].timestampMs;
            it->longestSessionMs = std::max(it->longestSessionMs, base[rows[k]].timestampMs - sessionStart);
        }
        if (rows.size() >= 24)
            ids << it.key();
    }
    ids.sort(); // QHash order is not stable across runs; the seed must reproduce the same faults
    out.readings = base;
    if (ids.isEmpty())
        return out;

    std::mt19937 rng(options.seed);
    const auto uniform = [&rng](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
    const auto pick = [&rng](qsizetype n) { return std::uniform_int_distribution<qsizetype>(0, n - 1)(rng); };
    std::vector<bool> removed(static_cast<size_t>(base.size()), false);

    for (int attempt = 0; attempt < options.count * 60 && out.faults.size() < options.count; ++attempt) {
        const QString id = ids[pick(ids.size())];
        StationIndex &st = stations[id];
        const qsizetype n = static_cast<qsizetype>(st.rows.size());
        // Short streams (a day of hourly reports) get a shorter warm-up: a third of their readings.
        const qsizetype warmup = std::min<qsizetype>(options.warmupReadings, n / 3);
        const qsizetype k = warmup + pick(n - warmup - 6);
        const Reading &at = base[st.rows[static_cast<size_t>(k)]];
        // Streams recorded in sessions of a day or less (the NWS recording, the METAR day) get
        // faults lasting hours; multi-year series get faults lasting days.
        const bool shortStream = st.longestSessionMs < 3 * timeutil::kMsPerDay;
        // Faults on one station stay apart so the detector has recovered before the next one.
        const qint64 margin = shortStream ? 6 * kHour : 48 * kHour;

        Fault f;
        f.stationId = id;
        f.kind = kind;
        f.startMs = at.timestampMs;
        switch (kind) {
        case Kind::Spike: {
            std::vector<Variable> vars;
            for (Variable v : {Variable::Temperature, Variable::Humidity, Variable::Pressure}) {
                if (at.has(v))
                    vars.push_back(v);
            }
            if (vars.empty())
                continue;
            f.variable = vars[static_cast<size_t>(pick(static_cast<qsizetype>(vars.size())))];
            const double x = at.value(f.variable);
            double m = 0;
            if (f.variable == Variable::Temperature)
                m = uniform(6, 15);
            else if (f.variable == Variable::Pressure)
                m = uniform(8, 20);
            else
                m = uniform(30, 60);
            if (uniform(0, 1) < 0.5)
                m = -m;
            if (f.variable == Variable::Humidity && (x + m > 100 || x + m < 0))
                m = -m;
            if (f.variable == Variable::Humidity && (x + m > 100 || x + m < 0))
                continue;
            f.magnitude = m;
            f.endMs = f.startMs;
            if (overlaps(st, f.startMs - margin, f.endMs + margin))
                continue;
            out.readings[st.rows[static_cast<size_t>(k)]].set(f.variable, x + m);
            break;
        }
        case Kind::Stuck:
        case Kind::Drift: {
            f.variable = kind == Kind::Drift || !at.has(Variable::Pressure) || uniform(0, 1) < 0.5
                ? Variable::Temperature
                : Variable::Pressure;
            if (!at.has(f.variable))
                continue;
            const double hours = kind == Kind::Stuck ? (shortStream ? uniform(8, 14) : uniform(12, 36))
                                                     : (shortStream ? uniform(8, 16) : uniform(48, 96));
            const qint64 d = static_cast<qint64>(hours * static_cast<double>(kHour));
            f.endMs = f.startMs + d;
            if (f.endMs > base[st.rows.back()].timestampMs || overlaps(st, f.startMs - margin, f.endMs + margin))
                continue;
            // The fault must lie inside one recording session, or it would hide in a gap.
            bool gap = false;
            for (qsizetype j = k + 1; j < n && base[st.rows[static_cast<size_t>(j - 1)]].timestampMs <= f.endMs; ++j) {
                if (base[st.rows[static_cast<size_t>(j)]].timestampMs - base[st.rows[static_cast<size_t>(j - 1)]].timestampMs
                    > std::max<qint64>(3 * st.usualMs, kHour))
                    gap = true;
            }
            if (gap)
                continue;
            const double x0 = at.value(f.variable);
            f.magnitude = kind == Kind::Stuck ? x0 : (uniform(0, 1) < 0.5 ? -1 : 1) * uniform(3, 6);
            qint64 last = f.startMs;
            for (qsizetype j = k; j < n; ++j) {
                Reading &r = out.readings[st.rows[static_cast<size_t>(j)]];
                if (r.timestampMs > f.endMs)
                    break;
                last = r.timestampMs;
                if (kind == Kind::Stuck) {
                    r.set(f.variable, x0);
                } else if (r.has(f.variable)) {
                    const double frac = static_cast<double>(r.timestampMs - f.startMs) / static_cast<double>(d);
                    r.set(f.variable, r.value(f.variable) + f.magnitude * frac);
                }
            }
            f.endMs = last;
            break;
        }
        case Kind::Dropout: {
            // Silences of 6 to 12 usual intervals, at least 2 h: long enough to be a dropout.
            const double lo = std::max(6.0 * static_cast<double>(st.usualMs), 2.0 * kHour);
            const qint64 d = static_cast<qint64>(uniform(lo, 2 * lo));
            qsizetype j = k + 1;
            bool naturalGap = false;
            while (j < n && base[st.rows[static_cast<size_t>(j)]].timestampMs <= f.startMs + d) {
                if (base[st.rows[static_cast<size_t>(j)]].timestampMs - base[st.rows[static_cast<size_t>(j - 1)]].timestampMs
                    > 3 * st.usualMs)
                    naturalGap = true;
                ++j;
            }
            if (j >= n || j == k + 1 || naturalGap)
                continue;
            const qint64 after = base[st.rows[static_cast<size_t>(j)]].timestampMs;
            if (after - base[st.rows[static_cast<size_t>(j - 1)]].timestampMs > 3 * st.usualMs)
                continue; // the silence would merge with a gap the recording already has
            f.endMs = after;
            if (overlaps(st, f.startMs - margin, f.endMs + margin))
                continue;
            f.magnitude = static_cast<double>(after - f.startMs) / kHour;
            for (qsizetype r = k + 1; r < j; ++r)
                removed[static_cast<size_t>(st.rows[static_cast<size_t>(r)])] = true;
            break;
        }
        }
        st.occupied.emplace_back(f.startMs - margin, f.endMs + margin);
        out.faults.append(f);
    }

    if (kind == Kind::Dropout) {
        QList<Reading> kept;
        kept.reserve(out.readings.size());
        for (qsizetype i = 0; i < out.readings.size(); ++i) {
            if (!removed[static_cast<size_t>(i)])
                kept.append(out.readings[i]);
        }
        out.readings = std::move(kept);
    }
    std::sort(out.faults.begin(), out.faults.end(),
              [](const Fault &a, const Fault &b) { return a.startMs < b.startMs; });
    return out;
}

} // namespace stratus
