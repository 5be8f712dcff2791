#pragma once

#include "ExactSums.h"
#include "RecyclingAllocator.h"
#include "Reading.h"
#include "Result.h"
#include "WindowOptions.h"
#include "WindowStats.h"

#include <QByteArray>
#include <QHash>
#include <QList>

#include <array>
#include <bit>
#include <cmath>
#include <deque>
#include <limits>
#include <new>
#include <type_traits>
#include <optional>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace stratus {

// Event-time sliding windows per station and variable.
//
// WINDOWS. Window ends are the multiples of slideMs (epoch-aligned); the window ending at e covers
// [e − lengthMs, e). Each window reports count, mean, population std, min, max, first and last (by
// event time) of the non-missing values of one variable; NaN (missing) values are excluded, never
// zero-filled. Wind direction is averaged as a unit vector: mean = direction of the mean vector,
// resultantLength = its length (1 steady … 0 all over), stddev = circular standard deviation.
// Values with |x| ≥ 2^32 or ±inf are refused like missing ones and counted in valuesRejected().
// Readings at the same instant are ordered by arrival (a later one is the "later", so a correction
// supersedes) for first/last.
//
// WATERMARK. Each partition (a Kafka partition, a source; add()'s partition key, default one
// partition) has its own watermark W = (largest event time seen in that partition) − allowedLatenessMs,
// updated after every reading. A station's state lives in the partition its readings come with;
// readings of one station under two keys are aggregated as two independent streams.
// The window ending at e is emitted as soon as W ≥ e (only the watermark drives emission, no
// wall-clock timers); windows are emitted in order of end time per station, never empty.
//
// LATENESS. For a reading at event time t arriving when its partition's watermark is W:
//  - t ≥ W ("within lateness"): none of its windows has been emitted yet (unless flush() closed
//    them early, see below), so it is simply included.
//    A stream in which every reading is within lateness produces EXACTLY the same windows (bit for
//    bit, see ExactSums) as the same readings sorted by event time (stably, ties by arrival), and
//    the same whatever the batching of add() calls.
//  - W − lateGraceMs ≤ t < W ("late"): it is included; every already emitted window containing it
//    is emitted again with revision + 1 (a window it makes non-empty for the first time gets
//    revision 0), for each variable the reading carries. Counted in lateAccepted().
//  - t < W − lateGraceMs: dropped and counted in lateDropped().
// After flush() every window is treated as emitted: a later reading that falls in one re-emits it
// as a revision, exactly like a late reading. Counters (lateDropped, lateAccepted, valuesRejected)
// only grow.
// Panes older than W − lateGraceMs − lengthMs are discarded, so memory per station is bounded by
// (lengthMs + allowedLatenessMs + lateGraceMs + 2·slideMs) / pane and does not grow with time.
//
// ALGORITHM. Readings are folded into panes of gcd(length, slide) ms (one partial aggregate per pane
// per variable, only non-empty panes are stored). The panes of the current window form a FIFO:
// count/sums are kept by subtract-on-evict on exact integers (ExactSums), min/max/first/last by the
// two-stacks scheme, so a reading costs O(1) amortised whatever the window length, and an emitted
// window costs O(1) amortised too. A reading that falls in its station's newest pane, not behind
// the watermark (nearly all of a live stream), takes an inline fast path (add() at the end of this
// header): no pane lookup, no lateness bookkeeping. Late readings take a slower path (direct re-merge of the panes
// of the windows they revise). Station ids are interned to small integers; the QString appears
// only at the API boundary.
//
// SNAPSHOT. snapshot() serialises the complete state (versioned, checksummed); restore() puts it
// back, after which the output is identical to that of the aggregator that took the snapshot.
class SlidingWindowAggregator
{
public:
    using Options = WindowOptions;
    using StationHandle = int;
    using Values = std::array<double, kVariableCount>;

    // Invalid options (see WindowOptions::problem()) are replaced by the defaults with a warning.
    explicit SlidingWindowAggregator(Options options = {});

    // Adds readings (any order) and returns the windows the advancing watermark closed, plus any
    // revisions caused by late readings.
    QList<WindowStats> add(const QList<Reading> &readings, const QString &partition = QString());
    // Closes every open window of every partition (end of input). Windows later updated by readings
    // are re-emitted as revisions.
    QList<WindowStats> flush();

    // Fast path for callers that already hold interned stations (benchmarks, workers).
    StationHandle intern(const QString &stationId, const QString &partition = QString());
    void add(StationHandle station, qint64 timestampMs, const Values &values, QList<WindowStats> &out);

    // Smallest watermark over all partitions that have seen data (min qint64 if none).
    qint64 watermarkMs() const;
    std::optional<qint64> watermarkMs(const QString &partition) const;
    qint64 lateDropped() const { return m_lateDropped; }
    qint64 lateAccepted() const { return m_lateAccepted; }
    qint64 valuesRejected() const { return m_valuesRejected; }
    // Readings with an event time beyond ±kMaxAbsTimeMs (≈ ±285,000 years), dropped.
    qint64 timesRejected() const { return m_timesRejected; }
    static constexpr qint64 kMaxAbsTimeMs = qint64(1) << 53;
    const Options &options() const { return m_options; }
    qint64 paneMs() const { return m_paneMs; }

    qsizetype stationCount() const { return static_cast<qsizetype>(m_stations.size()); }
    // Panes currently held over all stations, and an estimate of the heap bytes of the state.
    qsizetype retainedPanes() const;
    qint64 memoryBytes() const;

    QByteArray snapshot() const;
    // On error the current state is left unchanged and the reason is returned.
    std::optional<Error> restore(const QByteArray &snapshot);

private:
    static constexpr qint64 kNone = std::numeric_limits<qint64>::min();
    static constexpr qint64 kNever = std::numeric_limits<qint64>::max();

    // min/max/first/last of one variable over consecutive panes; identity = empty.
    struct Extremes
    {
        double min = std::numeric_limits<double>::infinity();
        double max = -std::numeric_limits<double>::infinity();
        double first = std::numeric_limits<double>::quiet_NaN();
        double last = std::numeric_limits<double>::quiet_NaN();
        void mergeNewer(const Extremes &newer);
        bool operator==(const Extremes &o) const;
    };
    struct PaneVar // the fields a reading updates first, then the rarely used binary sums
    {
        Extremes ext;
        qint64 firstT = 0;
        qint64 lastT = 0;
        ExactSums sums;
    };
    // Storage for N objects that are not initialised when the array is made. Why: a pane is 1.7 kB
    // and one is made per station-minute; initialising every variable's fields cost more than the
    // pane's readings when one variable is reported. The objects are implicit-lifetime (aggregates
    // of numbers), so the byte array provides them; a variable's PaneVar is only read when its bit
    // is in the pane's mask (fold() writes it first), suffix[] only after flip() wrote it.
    template <typename T, int N>
    struct Uninitialised
    {
        static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
        alignas(T) unsigned char bytes[N * sizeof(T)];
        T &operator[](int i) { return std::launder(reinterpret_cast<T *>(bytes))[i]; }
        const T &operator[](int i) const { return std::launder(reinterpret_cast<const T *>(bytes))[i]; }
    };
    struct Pane
    {
        qint64 start = 0;
        quint32 mask = 0; // variables present
        Uninitialised<PaneVar, kVariableCount> vars;
        Uninitialised<Extremes, kVariableCount> suffix; // two-stacks: merge of this pane .. flip point
        Pane() {} // user-provided: value-initialisation (emplace_back()) must not zero the arrays
    };
    struct Revision
    {
        qint64 end;
        int variable;
        int revision;
    };
    // A cached pointer into a station's pane deque. Copies (a vector of stations reallocating
    // copies them, std::deque's move is not noexcept) and moves start empty: the slow path
    // re-establishes it at the station's next reading.
    struct HotPane
    {
        Pane *pane = nullptr;
        HotPane() = default;
        HotPane(const HotPane &) {}
        HotPane &operator=(const HotPane &)
        {
            pane = nullptr;
            return *this;
        }
    };
    struct Station
    {
        // Hot-path fields first (one cache line with the FIFO bounds): the newest pane, when a
        // reading inside it can be folded in without any further bookkeeping (it is the last pane,
        // no emitted window contains it). Deque references survive push_back and front erases;
        // every other change of the deque clears it.
        HotPane hot;
        qint64 hotStart = 0;
        qint64 scheduledEnd = kNever;   // next window end to emit (in the partition's heap)
        qint64 lastEmittedEnd = kNone;  // every non-empty window ending ≤ this has been emitted
        int partition = 0;
        QString id;
        std::deque<Pane, RecyclingAllocator<Pane>> panes; // non-empty panes, ascending start
        qsizetype winBegin = 0;         // panes[winBegin, winEnd) = the last emitted window (FIFO)
        qsizetype flipPos = 0;          // [winBegin, flipPos) front stack, [flipPos, winEnd) back
        qsizetype winEnd = 0;
        std::array<ExactSums, kVariableCount> winSums{};
        std::array<Extremes, kVariableCount> back{};
        std::vector<Revision> revisions; // latest revision > 0 of windows still within grace
    };
    struct HeapEntry
    {
        qint64 end;
        int station;
        bool operator>(const HeapEntry &o) const { return end != o.end ? end > o.end : station > o.station; }
    };
    struct Partition
    {
        QString key;
        qint64 maxEventMs = kNone;
        qint64 watermarkMs = kNone;
        qint64 nextDue = kNever;     // heap.front().end, or kNever: one load on the hot path
        std::vector<HeapEntry> heap; // min-heap of stations' scheduled window ends
        QHash<QString, int> stations;
    };

    quint32 usableMask(const Values &values);
    static void fold(Pane &pane, qint64 t, const Values &values, quint32 mask);
    static void foldAngle(ExactSums &sums, double degrees);
    void addSlow(StationHandle handle, qint64 t, const Values &values, QList<WindowStats> &out);
    void scheduleFor(StationHandle handle, qint64 t);
    int partitionIndex(const QString &key);
    static qint64 floorDiv(qint64 a, qint64 b);
    qint64 firstEndAfter(qint64 t) const; // smallest window end > t
    Pane &paneFor(Station &s, qint64 paneStart, bool &inserted, qsizetype &pos);
    void schedule(Partition &p, int h, qint64 end);
    void fire(Partition &p, qint64 watermark, QList<WindowStats> &out);
    void emitNext(int h, qint64 watermark, QList<WindowStats> &out);
    void pushPane(Station &s);
    void popPane(Station &s);
    void flip(Station &s);
    void rebuildWindow(Station &s);
    void evict(Station &s, qint64 watermark);
    void reemitLate(int h, qint64 t, quint32 mask, QList<WindowStats> &out);
    void appendStats(const Station &s, Variable v, qint64 end, const ExactSums &sums, const Extremes &ext,
                     int revision, QList<WindowStats> &out) const;
    static std::pair<double, double> sinCos(double degrees);

    Options m_options;
    qint64 m_paneMs = 60'000;
    std::vector<Station> m_stations;
    std::vector<Partition> m_partitions;
    QHash<QString, int> m_partitionIndex;
    qint64 m_lateDropped = 0;
    qint64 m_lateAccepted = 0;
    qint64 m_valuesRejected = 0;
    qint64 m_timesRejected = 0;
    // add(QList) cache: consecutive readings of one station skip the hash lookup.
    QString m_lastId;
    int m_lastPartition = -1;
    int m_lastHandle = -1;
};

// Hot path, defined here so that a caller's loop over readings holds it inline (no call, no
// register saves per reading); everything unusual goes to addSlow() in the .cpp.

// Bit v set when values[v] is present and usable; counts present-but-unusable ones (±inf, huge).
// Runs for every reading, so it is branch-free and, on x86-64, two values per instruction; the
// unusable-but-present values are only collected as one OR and counted when there are any.
Q_ALWAYS_INLINE quint32 SlidingWindowAggregator::usableMask(const Values &values)
{
    static_assert(kVariableCount == 9);
#if defined(__SSE2__)
    const __m128d absMask = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffLL));
    const __m128d limit = _mm_set1_pd(ExactSums::kMaxMagnitude);
    const double *x = values.data();
    const __m128d a0 = _mm_and_pd(_mm_loadu_pd(x), absMask), a1 = _mm_and_pd(_mm_loadu_pd(x + 2), absMask);
    const __m128d a2 = _mm_and_pd(_mm_loadu_pd(x + 4), absMask), a3 = _mm_and_pd(_mm_loadu_pd(x + 6), absMask);
    const __m128d a4 = _mm_and_pd(_mm_load_sd(x + 8), absMask); // (x8, 0)
    // |x| < limit is false for NaN: usable. Packed 2×2 lanes → 4 bits per movmskps.
    const auto lt = [&](__m128d a) { return _mm_castpd_ps(_mm_cmplt_pd(a, limit)); };
    const quint32 usable = quint32(_mm_movemask_ps(_mm_shuffle_ps(lt(a0), lt(a1), 0x88)))
        | (quint32(_mm_movemask_ps(_mm_shuffle_ps(lt(a2), lt(a3), 0x88))) << 4)
        | ((quint32(_mm_movemask_pd(_mm_cmplt_pd(a4, limit))) & 1) << 8);
    // |x| ≥ limit is false for NaN too (ordered compare): present but unusable.
    const __m128d big = _mm_or_pd(_mm_or_pd(_mm_cmpge_pd(a0, limit), _mm_cmpge_pd(a1, limit)),
                                  _mm_or_pd(_mm_or_pd(_mm_cmpge_pd(a2, limit), _mm_cmpge_pd(a3, limit)), _mm_cmpge_pd(a4, limit)));
    if (_mm_movemask_pd(big) != 0) [[unlikely]] {
        for (int v = 0; v < kVariableCount; ++v)
            m_valuesRejected += std::fabs(values[v]) >= ExactSums::kMaxMagnitude;
    }
    return usable;
#else
    quint32 usable = 0, present = 0;
    for (int v = 0; v < kVariableCount; ++v) {
        const double x = values[v];
        usable |= quint32(std::fabs(x) < ExactSums::kMaxMagnitude) << v; // false for NaN too
        present |= quint32(x == x) << v;
    }
    if (present != usable)
        m_valuesRejected += std::popcount(present & ~usable);
    return usable;
#endif
}

Q_ALWAYS_INLINE void SlidingWindowAggregator::fold(Pane &pane, qint64 t, const Values &values, quint32 mask)
{
    for (quint32 bits = mask; bits != 0; bits &= bits - 1) {
        const int v = std::countr_zero(bits);
        const double x = values[v];
        PaneVar &pv = pane.vars[v];
        if (!(pane.mask & (1u << v))) {
            pv.sums = ExactSums{};
            pv.ext.min = pv.ext.max = pv.ext.first = pv.ext.last = x;
            pv.firstT = pv.lastT = t;
        } else {
            pv.ext.min = std::min(pv.ext.min, x);
            pv.ext.max = std::max(pv.ext.max, x);
            if (t < pv.firstT) {
                pv.firstT = t;
                pv.ext.first = x;
            }
            if (t >= pv.lastT) { // ties: the later arrival is the later reading
                pv.lastT = t;
                pv.ext.last = x;
            }
        }
        if (isAngular(static_cast<Variable>(v))) [[unlikely]] {
            foldAngle(pv.sums, x);
        } else {
            pv.sums.addValue(x);
        }
    }
    pane.mask |= mask;
}

inline void SlidingWindowAggregator::add(StationHandle handle, qint64 t, const Values &values, QList<WindowStats> &out)
{
    Station &s = m_stations[handle];
    Partition &p = m_partitions[s.partition];
    // Fast path, almost every reading of a live stream: t falls in the station's newest pane, that
    // pane is in no emitted window, and t is not behind the watermark (so the reading is neither
    // late nor out of range: the hot pane's start is a valid time). Everything else: addSlow().
    if (s.hot.pane != nullptr && quint64(t) - quint64(s.hotStart) < quint64(m_paneMs) && t >= p.watermarkMs) [[likely]] {
        const quint32 mask = usableMask(values);
        fold(*s.hot.pane, t, values, mask);
        // Any window holding t ends after t, so a station already due at or before t needs nothing.
        if (s.scheduledEnd > t && mask != 0) [[unlikely]]
            scheduleFor(handle, t);
        if (t > p.maxEventMs) {
            p.maxEventMs = t;
            p.watermarkMs = std::max(p.watermarkMs, t - m_options.allowedLatenessMs);
        }
        if (p.nextDue <= p.watermarkMs) [[unlikely]]
            fire(p, p.watermarkMs, out);
        return;
    }
    addSlow(handle, t, values, out);
}

} // namespace stratus
