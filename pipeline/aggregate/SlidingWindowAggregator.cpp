#include "SlidingWindowAggregator.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QIODevice>
#include <QLoggingCategory>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <numbers>
#include <numeric>


namespace stratus {

Q_LOGGING_CATEGORY(lcWindows, "stratus.windows")

namespace {
constexpr quint32 kSnapshotMagic = 0x53545257; // "STRW"
constexpr quint16 kSnapshotVersion = 2; // 2 adds the decimal sums; version 1 is still read

// Exact-sum limbs are written as quint64 whatever their declared type, so the format does not
// depend on the platform's integer widths.
template <typename Limbs>
void writeLimbs(QDataStream &ds, const Limbs &limbs)
{
    for (auto limb : limbs)
        ds << quint64(limb);
}

template <typename Limbs>
void readLimbs(QDataStream &ds, Limbs &limbs)
{
    for (auto &limb : limbs) {
        quint64 x = 0;
        ds >> x;
        limb = x;
    }
}

qint64 satSub(qint64 a, qint64 b) // a − b, saturating at the qint64 range (b ≥ 0)
{
    return a < std::numeric_limits<qint64>::min() + b ? std::numeric_limits<qint64>::min() : a - b;
}

SlidingWindowAggregator::Options checked(SlidingWindowAggregator::Options o)
{
    const QString problem = o.problem();
    if (!problem.isEmpty()) {
        qCWarning(lcWindows).noquote() << "window options rejected:" << problem << "- using the defaults";
        return {};
    }
    return o;
}
} // namespace

Q_ALWAYS_INLINE void SlidingWindowAggregator::Extremes::mergeNewer(const Extremes &newer)
{
    min = std::min(min, newer.min);
    max = std::max(max, newer.max);
    if (std::isnan(first))
        first = newer.first;
    if (!std::isnan(newer.last))
        last = newer.last;
}

bool SlidingWindowAggregator::Extremes::operator==(const Extremes &o) const
{
    auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
    return same(min, o.min) && same(max, o.max) && same(first, o.first) && same(last, o.last);
}

SlidingWindowAggregator::SlidingWindowAggregator(Options options)
    : m_options(checked(options)), m_paneMs(std::gcd(m_options.lengthMs, m_options.slideMs))
{
}

qint64 SlidingWindowAggregator::floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

qint64 SlidingWindowAggregator::firstEndAfter(qint64 t) const
{
    return (floorDiv(t, m_options.slideMs) + 1) * m_options.slideMs;
}

int SlidingWindowAggregator::partitionIndex(const QString &key)
{
    const auto it = m_partitionIndex.constFind(key);
    if (it != m_partitionIndex.cend())
        return *it;
    const int index = static_cast<int>(m_partitions.size());
    m_partitions.emplace_back();
    m_partitions.back().key = key;
    m_partitionIndex.insert(key, index);
    return index;
}

SlidingWindowAggregator::StationHandle SlidingWindowAggregator::intern(const QString &stationId, const QString &partition)
{
    const int p = partitionIndex(partition);
    QHash<QString, int> &map = m_partitions[p].stations;
    const auto it = map.constFind(stationId);
    if (it != map.cend())
        return *it;
    const int handle = static_cast<int>(m_stations.size());
    m_stations.emplace_back();
    Station &s = m_stations.back();
    s.id = stationId;
    s.partition = p;
    s.back.fill(Extremes{});
    map.insert(stationId, handle);
    return handle;
}

QList<WindowStats> SlidingWindowAggregator::add(const QList<Reading> &readings, const QString &partition)
{
    QList<WindowStats> out;
    const int p = partitionIndex(partition);
    for (const Reading &r : readings) {
        if (p != m_lastPartition || r.stationId != m_lastId) {
            m_lastHandle = intern(r.stationId, partition);
            m_lastId = r.stationId;
            m_lastPartition = p;
        }
        add(m_lastHandle, r.timestampMs, r.values, out);
    }
    return out;
}

std::pair<double, double> SlidingWindowAggregator::sinCos(double degrees)
{
    // Most directions are whole degrees: a table avoids sin/cos per reading. The table holds the
    // very values the formula below gives, so results do not depend on which path was taken.
    struct Table
    {
        std::array<std::pair<double, double>, 361> v;
        Table()
        {
            for (int d = 0; d <= 360; ++d) {
                const double rad = d * std::numbers::pi / 180.0;
                v[d] = {std::sin(rad), std::cos(rad)};
            }
        }
    };
    static const Table table;
    if (degrees >= 0 && degrees <= 360) {
        const int d = static_cast<int>(degrees);
        if (d == degrees)
            return table.v[d];
    }
    const double rad = degrees * std::numbers::pi / 180.0;
    return {std::sin(rad), std::cos(rad)};
}

Q_NEVER_INLINE SlidingWindowAggregator::Pane &SlidingWindowAggregator::paneFor(Station &s, qint64 paneStart, bool &inserted, qsizetype &pos)
{
    auto &d = s.panes;
    inserted = false;
    if (!d.empty() && d.back().start == paneStart) {
        pos = static_cast<qsizetype>(d.size()) - 1;
        return d.back();
    }
    Pane *pane = nullptr;
    if (d.empty() || d.back().start < paneStart) {
        pane = &d.emplace_back();
        pos = static_cast<qsizetype>(d.size()) - 1;
    } else {
        auto it = std::lower_bound(d.begin(), d.end(), paneStart, [](const Pane &p, qint64 v) { return p.start < v; });
        if (it != d.end() && it->start == paneStart) {
            pos = it - d.begin();
            return *it;
        }
        it = d.emplace(it);
        pos = it - d.begin();
        pane = &*it;
    }
    pane->start = paneStart;
    inserted = true;
    // Keep the FIFO indices pointing at the same panes.
    if (s.lastEmittedEnd != kNone) {
        if (paneStart < s.lastEmittedEnd - m_options.lengthMs) {
            ++s.winBegin;
            ++s.flipPos;
            ++s.winEnd;
        } else if (paneStart < s.lastEmittedEnd) {
            ++s.winEnd; // inside the FIFO: the caller rebuilds it
        }
    }
    return *pane;
}

void SlidingWindowAggregator::foldAngle(ExactSums &sums, double degrees)
{
    const auto [sn, cs] = sinCos(degrees);
    sums.addAngle(sn, cs);
}

Q_NEVER_INLINE void SlidingWindowAggregator::scheduleFor(StationHandle handle, qint64 t)
{
    Station &s = m_stations[handle];
    const qint64 e0 = firstEndAfter(t);
    const qint64 next = s.lastEmittedEnd == kNone ? e0 : std::max(e0, s.lastEmittedEnd + m_options.slideMs);
    if (next - m_options.lengthMs <= t && next < s.scheduledEnd)
        schedule(m_partitions[s.partition], handle, next);
}

Q_NEVER_INLINE void SlidingWindowAggregator::addSlow(StationHandle handle, qint64 t, const Values &values, QList<WindowStats> &out)
{
    if (t < -kMaxAbsTimeMs || t > kMaxAbsTimeMs) [[unlikely]] {
        ++m_timesRejected; // keeps every window computation far from qint64 overflow
        return;
    }
    Station &s = m_stations[handle];
    Partition &p = m_partitions[s.partition];
    const qint64 L = m_options.lengthMs;
    bool late = false;
    if (t < p.watermarkMs) {
        if (t < satSub(p.watermarkMs, m_options.lateGraceMs)) {
            ++m_lateDropped;
            return;
        }
        late = true;
    }

    const quint32 mask = usableMask(values);

    if (mask != 0) {
        // Most readings land in the newest pane: test that before dividing.
        Pane *panePtr;
        if (!s.panes.empty() && t >= s.panes.back().start && t - s.panes.back().start < m_paneMs) {
            panePtr = &s.panes.back();
        } else {
            bool inserted = false;
            qsizetype pos = 0;
            panePtr = &paneFor(s, floorDiv(t, m_paneMs) * m_paneMs, inserted, pos);
        }
        Pane &pane = *panePtr;
        const qint64 paneStart = pane.start;
        fold(pane, t, values, mask);

        if (s.lastEmittedEnd != kNone && paneStart < s.lastEmittedEnd) {
            // The reading lands in windows already emitted (late, or after flush()).
            if (paneStart >= s.lastEmittedEnd - L)
                rebuildWindow(s);
            reemitLate(handle, t, mask, out);
        }
        if (s.scheduledEnd > t)
            scheduleFor(handle, t);
        const bool newest = &pane == &s.panes.back() && (s.lastEmittedEnd == kNone || paneStart >= s.lastEmittedEnd);
        s.hot.pane = newest ? &pane : nullptr;
        s.hotStart = paneStart;
    }
    if (late)
        ++m_lateAccepted;

    if (t > p.maxEventMs) {
        p.maxEventMs = t;
        const qint64 w = satSub(t, m_options.allowedLatenessMs);
        if (w > p.watermarkMs)
            p.watermarkMs = w;
    }
    if (p.nextDue <= p.watermarkMs)
        fire(p, p.watermarkMs, out);
}

Q_NEVER_INLINE void SlidingWindowAggregator::schedule(Partition &p, int handle, qint64 end)
{
    m_stations[handle].scheduledEnd = end;
    p.heap.push_back({end, handle});
    std::push_heap(p.heap.begin(), p.heap.end(), std::greater<>());
    p.nextDue = p.heap.front().end;
}

Q_NEVER_INLINE void SlidingWindowAggregator::fire(Partition &p, qint64 watermark, QList<WindowStats> &out)
{
    while (!p.heap.empty() && p.heap.front().end <= watermark) {
        const HeapEntry top = p.heap.front();
        std::pop_heap(p.heap.begin(), p.heap.end(), std::greater<>());
        p.heap.pop_back();
        if (top.end != m_stations[top.station].scheduledEnd)
            continue; // superseded by an earlier schedule
        emitNext(top.station, p.watermarkMs, out);
    }
    p.nextDue = p.heap.empty() ? kNever : p.heap.front().end;
}

void SlidingWindowAggregator::pushPane(Station &s)
{
    const Pane &pn = s.panes[s.winEnd];
    for (quint32 bits = pn.mask; bits != 0; bits &= bits - 1) {
        const int v = std::countr_zero(bits);
        s.winSums[v].merge(pn.vars[v].sums);
        s.back[v].mergeNewer(pn.vars[v].ext);
    }
    ++s.winEnd;
}

void SlidingWindowAggregator::popPane(Station &s)
{
    if (s.winBegin == s.flipPos)
        flip(s);
    const Pane &pn = s.panes[s.winBegin];
    for (quint32 bits = pn.mask; bits != 0; bits &= bits - 1) {
        const int v = std::countr_zero(bits);
        s.winSums[v].remove(pn.vars[v].sums);
    }
    ++s.winBegin;
}

void SlidingWindowAggregator::flip(Station &s)
{
    // Two-stacks: the back stack's panes become the front stack, each holding the merge of itself
    // and every newer pane up to the flip point, so popping the oldest never needs a recompute.
    std::array<Extremes, kVariableCount> acc;
    acc.fill(Extremes{});
    for (qsizetype i = s.winEnd; i-- > s.winBegin;) {
        Pane &pn = s.panes[i];
        for (int v = 0; v < kVariableCount; ++v) {
            if (pn.mask & (1u << v)) {
                Extremes e = pn.vars[v].ext;
                e.mergeNewer(acc[v]);
                acc[v] = e;
            }
            pn.suffix[v] = acc[v];
        }
    }
    s.flipPos = s.winEnd;
    s.back.fill(Extremes{});
}

Q_NEVER_INLINE void SlidingWindowAggregator::rebuildWindow(Station &s)
{
    s.winSums.fill(ExactSums{});
    for (qsizetype i = s.winBegin; i < s.winEnd; ++i) {
        const Pane &pn = s.panes[i];
        for (quint32 bits = pn.mask; bits != 0; bits &= bits - 1) {
            const int v = std::countr_zero(bits);
            s.winSums[v].merge(pn.vars[v].sums);
        }
    }
    flip(s);
}

Q_NEVER_INLINE void SlidingWindowAggregator::emitNext(int handle, qint64 watermark, QList<WindowStats> &out)
{
    Station &s = m_stations[handle];
    const qint64 L = m_options.lengthMs, S = m_options.slideMs;
    const qint64 e = s.scheduledEnd;
    const auto size = static_cast<qsizetype>(s.panes.size());
    while (s.winBegin < s.winEnd && s.panes[s.winBegin].start < e - L)
        popPane(s);
    if (s.winBegin == s.winEnd) {
        // Jumped past a gap: the FIFO restarts at the first pane of the new window.
        while (s.winEnd < size && s.panes[s.winEnd].start < e - L)
            ++s.winEnd;
        s.winBegin = s.flipPos = s.winEnd;
        s.winSums.fill(ExactSums{});
        s.back.fill(Extremes{});
    }
    while (s.winEnd < size && s.panes[s.winEnd].start < e)
        pushPane(s);

    const bool hasFront = s.winBegin < s.flipPos;
    for (int v = 0; v < kVariableCount; ++v) {
        if (s.winSums[v].n == 0)
            continue;
        Extremes ext = hasFront ? s.panes[s.winBegin].suffix[v] : Extremes{};
        ext.mergeNewer(s.back[v]);
        appendStats(s, static_cast<Variable>(v), e, s.winSums[v], ext, 0, out);
    }
    s.lastEmittedEnd = e;
    s.scheduledEnd = kNever;
    if (s.hot.pane != nullptr && s.hotStart < e)
        s.hot.pane = nullptr;
    evict(s, watermark);

    // Next window holding data: the first pane still inside a later window decides.
    const qint64 eMin = e + S;
    qsizetype i = s.winBegin;
    const auto newSize = static_cast<qsizetype>(s.panes.size());
    while (i < newSize && s.panes[i].start < eMin - L)
        ++i;
    if (i < newSize) {
        const qint64 paneEnd = s.panes[i].start + m_paneMs;
        const qint64 end = -floorDiv(-paneEnd, S) * S; // first window end ≥ the pane's end
        schedule(m_partitions[s.partition], handle, std::max(eMin, end));
    }
}

void SlidingWindowAggregator::evict(Station &s, qint64 watermark)
{
    if (watermark == kNone)
        return;
    const qint64 horizon = satSub(watermark, m_options.lateGraceMs); // late readings older are dropped
    const qint64 cutoff = satSub(horizon, m_options.lengthMs);
    qsizetype n = 0;
    while (n < s.winBegin && s.panes[n].start <= cutoff)
        ++n;
    if (n > 0) {
        s.panes.erase(s.panes.begin(), s.panes.begin() + n);
        if (s.panes.empty())
            s.hot.pane = nullptr;
        s.winBegin -= n;
        s.flipPos -= n;
        s.winEnd -= n;
    }
    if (!s.revisions.empty())
        std::erase_if(s.revisions, [horizon](const Revision &r) { return r.end <= horizon; });
}

Q_NEVER_INLINE void SlidingWindowAggregator::reemitLate(int handle, qint64 t, quint32 mask, QList<WindowStats> &out)
{
    Station &s = m_stations[handle];
    const qint64 L = m_options.lengthMs, S = m_options.slideMs;
    const qint64 last = std::min(t + L, s.lastEmittedEnd);
    for (qint64 e = firstEndAfter(t); e <= last; e += S) {
        std::array<ExactSums, kVariableCount> sums{};
        std::array<Extremes, kVariableCount> ext;
        ext.fill(Extremes{});
        auto it = std::lower_bound(s.panes.begin(), s.panes.end(), e - L, [](const Pane &p, qint64 v) { return p.start < v; });
        for (; it != s.panes.end() && it->start < e; ++it) {
            for (quint32 bits = it->mask & mask; bits != 0; bits &= bits - 1) {
                const int v = std::countr_zero(bits);
                sums[v].merge(it->vars[v].sums);
                ext[v].mergeNewer(it->vars[v].ext);
            }
        }
        for (quint32 bits = mask; bits != 0; bits &= bits - 1) {
            const int v = std::countr_zero(bits);
            int revision = 0;
            if (sums[v].n > 1) { // it held data before this reading, so it was emitted already
                auto r = std::find_if(s.revisions.begin(), s.revisions.end(),
                                      [&](const Revision &x) { return x.end == e && x.variable == v; });
                if (r == s.revisions.end()) {
                    s.revisions.push_back({e, v, 1});
                    revision = 1;
                } else {
                    revision = ++r->revision;
                }
            }
            appendStats(s, static_cast<Variable>(v), e, sums[v], ext[v], revision, out);
        }
    }
}

void SlidingWindowAggregator::appendStats(const Station &s, Variable v, qint64 end, const ExactSums &sums,
                                          const Extremes &ext, int revision, QList<WindowStats> &out) const
{
    WindowStats w;
    w.stationId = s.id;
    w.variable = v;
    w.startMs = end - m_options.lengthMs;
    w.endMs = end;
    w.count = sums.n;
    w.min = ext.min;
    w.max = ext.max;
    w.first = ext.first;
    w.last = ext.last;
    w.revision = revision;
    if (isAngular(v)) {
        // Vector mean: 350° and 10° average to 0°, not 180°.
        const double n = static_cast<double>(sums.n);
        const double mx = sums.sinSum() / n, my = sums.cosSum() / n;
        w.resultantLength = std::min(1.0, std::hypot(mx, my));
        double deg = std::atan2(mx, my) * 180.0 / std::numbers::pi;
        if (deg < 0)
            deg += 360.0;
        if (deg >= 360.0)
            deg -= 360.0;
        w.mean = w.resultantLength > 1e-9 ? deg : std::numeric_limits<double>::quiet_NaN();
        // Circular standard deviation, in degrees.
        w.stddev = w.resultantLength > 1e-12 ? std::sqrt(-2.0 * std::log(w.resultantLength)) * 180.0 / std::numbers::pi
                                             : std::numeric_limits<double>::quiet_NaN();
    } else {
        w.mean = sums.mean();
        w.stddev = sums.stddev();
    }
    out.append(std::move(w));
}

QList<WindowStats> SlidingWindowAggregator::flush()
{
    QList<WindowStats> out;
    for (Partition &p : m_partitions)
        fire(p, kNever, out);
    return out;
}

qint64 SlidingWindowAggregator::watermarkMs() const
{
    qint64 w = kNever;
    bool any = false;
    for (const Partition &p : m_partitions) {
        if (p.maxEventMs == kNone)
            continue;
        w = std::min(w, p.watermarkMs);
        any = true;
    }
    return any ? w : kNone;
}

std::optional<qint64> SlidingWindowAggregator::watermarkMs(const QString &partition) const
{
    const auto it = m_partitionIndex.constFind(partition);
    if (it == m_partitionIndex.cend() || m_partitions[*it].maxEventMs == kNone)
        return std::nullopt;
    return m_partitions[*it].watermarkMs;
}

qsizetype SlidingWindowAggregator::retainedPanes() const
{
    qsizetype n = 0;
    for (const Station &s : m_stations)
        n += static_cast<qsizetype>(s.panes.size());
    return n;
}

qint64 SlidingWindowAggregator::memoryBytes() const
{
    // What the state holds, not allocator overhead: stations, panes, revisions, ids, heaps, hashes.
    qint64 bytes = static_cast<qint64>(m_stations.capacity() * sizeof(Station));
    for (const Station &s : m_stations) {
        bytes += static_cast<qint64>(s.panes.size() * sizeof(Pane));
        bytes += static_cast<qint64>(s.revisions.capacity() * sizeof(Revision));
        bytes += s.id.capacity() * 2 + 16;
    }
    for (const Partition &p : m_partitions) {
        bytes += static_cast<qint64>(p.heap.capacity() * sizeof(HeapEntry));
        bytes += p.stations.capacity() * static_cast<qint64>(sizeof(QString) + sizeof(int) + 8);
    }
    return bytes;
}

// Snapshot format (QDataStream, Qt 6.4 encoding, big endian):
//   quint32 magic "STRW", quint16 version, QByteArray payload, QByteArray SHA-256(payload)
// payload: options, counters, partitions (key, max event, watermark), stations (id, partition,
// lastEmittedEnd, scheduledEnd, FIFO bounds, panes with their per-variable exact sums and
// extremes, revisions). Two-stacks and heaps are derived data and are rebuilt on restore.
QByteArray SlidingWindowAggregator::snapshot() const
{
    QByteArray payload;
    {
        QDataStream ds(&payload, QIODevice::WriteOnly);
        ds.setVersion(QDataStream::Qt_6_4);
        ds << m_options.lengthMs << m_options.slideMs << m_options.allowedLatenessMs << m_options.lateGraceMs;
        ds << m_lateDropped << m_lateAccepted << m_valuesRejected << m_timesRejected;
        ds << quint32(m_partitions.size());
        for (const Partition &p : m_partitions)
            ds << p.key << p.maxEventMs << p.watermarkMs;
        ds << quint32(m_stations.size());
        for (const Station &s : m_stations) {
            ds << s.id << qint32(s.partition) << s.lastEmittedEnd << s.scheduledEnd << qint64(s.winBegin)
               << qint64(s.winEnd) << quint32(s.panes.size());
            for (const Pane &pn : s.panes) {
                ds << pn.start << pn.mask;
                for (quint32 bits = pn.mask; bits != 0; bits &= bits - 1) {
                    const PaneVar &pv = pn.vars[std::countr_zero(bits)];
                    ds << pv.sums.n;
                    writeLimbs(ds, pv.sums.s1);
                    writeLimbs(ds, pv.sums.s2);
                    writeLimbs(ds, pv.sums.d1);
                    writeLimbs(ds, pv.sums.d2);
                    ds << pv.ext.min << pv.ext.max << pv.ext.first << pv.ext.last << pv.firstT << pv.lastT;
                }
            }
            ds << quint32(s.revisions.size());
            for (const Revision &r : s.revisions)
                ds << r.end << qint32(r.variable) << qint32(r.revision);
        }
    }
    QByteArray out;
    QDataStream ds(&out, QIODevice::WriteOnly);
    ds.setVersion(QDataStream::Qt_6_4);
    ds << kSnapshotMagic << kSnapshotVersion << payload
       << QCryptographicHash::hash(payload, QCryptographicHash::Sha256);
    return out;
}

std::optional<Error> SlidingWindowAggregator::restore(const QByteArray &snapshot)
{
    auto fail = [](const QString &what) {
        return std::optional<Error>(makeError(QStringLiteral("window snapshot: ") + what));
    };
    QDataStream outer(snapshot);
    outer.setVersion(QDataStream::Qt_6_4);
    quint32 magic = 0;
    quint16 version = 0;
    QByteArray payload, digest;
    outer >> magic;
    if (outer.status() != QDataStream::Ok || magic != kSnapshotMagic)
        return fail(QStringLiteral("not a window snapshot (bad magic number, %1 bytes)").arg(snapshot.size()));
    outer >> version;
    if (version != kSnapshotVersion && version != 1)
        return fail(QStringLiteral("unsupported version %1 (this build reads versions 1 and %2)").arg(version).arg(kSnapshotVersion));
    outer >> payload >> digest;
    if (outer.status() != QDataStream::Ok || !outer.atEnd())
        return fail(QStringLiteral("truncated or trailing data"));
    if (digest != QCryptographicHash::hash(payload, QCryptographicHash::Sha256))
        return fail(QStringLiteral("checksum mismatch, the snapshot is corrupt"));

    QDataStream ds(payload);
    ds.setVersion(QDataStream::Qt_6_4);
    Options o;
    ds >> o.lengthMs >> o.slideMs >> o.allowedLatenessMs >> o.lateGraceMs;
    if (ds.status() != QDataStream::Ok)
        return fail(QStringLiteral("truncated options"));
    if (!(o == m_options))
        return fail(QStringLiteral("taken with window %1/%2 ms, lateness %3 ms, grace %4 ms; this aggregator uses %5/%6 ms, %7 ms, %8 ms")
                        .arg(o.lengthMs).arg(o.slideMs).arg(o.allowedLatenessMs).arg(o.lateGraceMs)
                        .arg(m_options.lengthMs).arg(m_options.slideMs).arg(m_options.allowedLatenessMs).arg(m_options.lateGraceMs));

    SlidingWindowAggregator r(m_options);
    ds >> r.m_lateDropped >> r.m_lateAccepted >> r.m_valuesRejected >> r.m_timesRejected;
    quint32 partitions = 0;
    ds >> partitions;
    if (ds.status() != QDataStream::Ok || partitions > quint32(payload.size()))
        return fail(QStringLiteral("bad partition count"));
    for (quint32 i = 0; i < partitions; ++i) {
        Partition p;
        ds >> p.key >> p.maxEventMs >> p.watermarkMs;
        if (ds.status() != QDataStream::Ok || r.m_partitionIndex.contains(p.key))
            return fail(QStringLiteral("bad partition %1").arg(i));
        r.m_partitionIndex.insert(p.key, int(i));
        r.m_partitions.push_back(std::move(p));
    }
    quint32 stations = 0;
    ds >> stations;
    if (ds.status() != QDataStream::Ok || stations > quint32(payload.size()))
        return fail(QStringLiteral("bad station count"));
    r.m_stations.reserve(stations);
    for (quint32 i = 0; i < stations; ++i) {
        Station s;
        qint32 partition = 0;
        qint64 winBegin = 0, winEnd = 0;
        quint32 panes = 0;
        ds >> s.id >> partition >> s.lastEmittedEnd >> s.scheduledEnd >> winBegin >> winEnd >> panes;
        const auto where = QStringLiteral("station %1 (%2)").arg(i).arg(s.id);
        if (ds.status() != QDataStream::Ok || partition < 0 || quint32(partition) >= partitions || panes > quint32(payload.size()))
            return fail(where + QStringLiteral(": bad header"));
        if (r.m_partitions[partition].stations.contains(s.id))
            return fail(where + QStringLiteral(": duplicate station"));
        s.partition = partition;
        for (quint32 k = 0; k < panes; ++k) {
            Pane &pn = s.panes.emplace_back();
            ds >> pn.start >> pn.mask;
            if (ds.status() != QDataStream::Ok || pn.mask == 0 || pn.mask >= (1u << kVariableCount)
                || pn.start % m_paneMs != 0 || (k > 0 && s.panes[k - 1].start >= pn.start))
                return fail(where + QStringLiteral(": bad pane %1").arg(k));
            for (quint32 bits = pn.mask; bits != 0; bits &= bits - 1) {
                PaneVar &pv = pn.vars[std::countr_zero(bits)];
                ds >> pv.sums.n;
                readLimbs(ds, pv.sums.s1);
                readLimbs(ds, pv.sums.s2);
                if (version >= 2) {
                    readLimbs(ds, pv.sums.d1);
                    readLimbs(ds, pv.sums.d2);
                }
                ds >> pv.ext.min >> pv.ext.max >> pv.ext.first >> pv.ext.last >> pv.firstT >> pv.lastT;
                if (ds.status() != QDataStream::Ok || pv.sums.n <= 0)
                    return fail(where + QStringLiteral(": bad pane %1").arg(k));
            }
        }
        if (winBegin < 0 || winBegin > winEnd || winEnd > qint64(panes))
            return fail(where + QStringLiteral(": bad window bounds"));
        s.winBegin = winBegin;
        s.winEnd = winEnd;
        quint32 revisions = 0;
        ds >> revisions;
        if (ds.status() != QDataStream::Ok || revisions > quint32(payload.size()))
            return fail(where + QStringLiteral(": bad revision count"));
        for (quint32 k = 0; k < revisions; ++k) {
            Revision rev{};
            qint32 var = 0, number = 0;
            ds >> rev.end >> var >> number;
            if (ds.status() != QDataStream::Ok || var < 0 || var >= kVariableCount || number < 1)
                return fail(where + QStringLiteral(": bad revision %1").arg(k));
            rev.variable = var;
            rev.revision = number;
            s.revisions.push_back(rev);
        }
        r.rebuildWindow(s);
        r.m_partitions[partition].stations.insert(s.id, int(i));
        r.m_stations.push_back(std::move(s));
        if (r.m_stations.back().scheduledEnd != kNever)
            r.schedule(r.m_partitions[partition], int(i), r.m_stations.back().scheduledEnd);
    }
    if (ds.status() != QDataStream::Ok || !ds.atEnd())
        return fail(QStringLiteral("trailing data after the last station"));

    m_stations = std::move(r.m_stations);
    m_partitions = std::move(r.m_partitions);
    m_partitionIndex = std::move(r.m_partitionIndex);
    m_lateDropped = r.m_lateDropped;
    m_lateAccepted = r.m_lateAccepted;
    m_valuesRejected = r.m_valuesRejected;
    m_timesRejected = r.m_timesRejected;
    m_lastId.clear();
    m_lastPartition = m_lastHandle = -1;
    return std::nullopt;
}

} // namespace stratus
