// Property test of SlidingWindowAggregator against the brute-force oracle (WindowOracle.h).
// The streams here are synthetic ON PURPOSE (random stations, gaps, duplicates, out-of-order,
// late and very late readings, missing and unusable values, negative epochs, odd window shapes):
// a property test needs inputs no recording covers. Seeds are fixed, so failures reproduce.

#include "WindowOracle.h"
#include "aggregate/SlidingWindowAggregator.h"

#include <QTest>

#include <map>
#include <random>
#include <set>
#include <tuple>

using namespace stratus;

namespace {

struct Scenario
{
    WindowOptions options;
    std::vector<oracle::Arrival> arrivals;
};

class Rng
{
public:
    explicit Rng(quint64 seed) : m_gen(seed) {}
    qint64 between(qint64 a, qint64 b) { return std::uniform_int_distribution<qint64>(a, b)(m_gen); }
    double real(double a, double b) { return std::uniform_real_distribution<double>(a, b)(m_gen); }
    bool chance(double p) { return real(0, 1) < p; }
    std::mt19937_64 &gen() { return m_gen; }

private:
    std::mt19937_64 m_gen;
};

double randomValue(Rng &rng, Variable v)
{
    if (rng.chance(0.01))
        return rng.chance(0.5) ? std::numeric_limits<double>::infinity() : 7.5e12; // refused, never aggregated
    if (isAngular(v)) {
        if (rng.chance(0.3))
            return rng.chance(0.5) ? 350.0 : 10.0;
        return rng.chance(0.6) ? double(rng.between(0, 360)) : rng.real(-20, 380);
    }
    if (rng.chance(0.02))
        return rng.real(-3e9, 3e9); // large but accepted
    if (rng.chance(0.02))
        return rng.real(-1e-6, 1e-6); // tiny
    const double base = v == Variable::Pressure ? 1013.0 : 0.0;
    return base + std::round(rng.real(-40, 40) * 10) / 10; // one decimal, like the real feeds
}

Scenario generate(quint64 seed)
{
    Rng rng(seed);
    Scenario sc;
    WindowOptions &o = sc.options;
    const qint64 unit = 1000;
    o.slideMs = unit * rng.between(1, 4);
    o.lengthMs = rng.chance(0.5) ? o.slideMs * rng.between(1, 6) : rng.between(o.slideMs, 12 * unit);
    o.allowedLatenessMs = rng.chance(0.2) ? 0 : rng.between(0, 8 * unit);
    o.lateGraceMs = rng.chance(0.2) ? 0 : rng.between(0, 10 * unit);
    const int stations = int(rng.between(1, 12));
    const int partitions = int(rng.between(1, 3));
    qint64 clock = rng.chance(0.3) ? -rng.between(0, 1'000'000'000) : rng.between(0, 2'000'000'000'000);
    const int n = int(rng.between(50, 500));
    for (int i = 0; i < n; ++i) {
        if (rng.chance(0.02))
            clock += o.lengthMs * rng.between(2, 50); // recording gap
        else
            clock += rng.between(0, 2 * unit);
        if (rng.chance(0.08) && !sc.arrivals.empty()) {
            // Duplicate: the same reading again, or the same instant with a corrected value.
            oracle::Arrival dup = sc.arrivals[size_t(rng.between(std::max<qint64>(0, qint64(sc.arrivals.size()) - 20), qint64(sc.arrivals.size()) - 1))];
            if (rng.chance(0.5))
                dup.reading.set(Variable::Temperature, randomValue(rng, Variable::Temperature));
            sc.arrivals.push_back(dup);
            continue;
        }
        const int s = int(rng.between(0, stations - 1));
        oracle::Arrival a;
        a.partition = QStringLiteral("p%1").arg(s % partitions);
        a.reading.stationId = QStringLiteral("S%1").arg(s);
        const double u = rng.real(0, 1);
        qint64 t;
        if (u < 0.7)
            t = clock - rng.between(0, o.allowedLatenessMs);
        else if (u < 0.85)
            t = clock - o.allowedLatenessMs - rng.between(0, o.lateGraceMs + unit);
        else
            t = clock - o.allowedLatenessMs - o.lateGraceMs - rng.between(0, 3 * o.lengthMs);
        a.reading.timestampMs = t;
        for (Variable v : kAllVariables) {
            if (!rng.chance(0.35))
                a.reading.set(v, randomValue(rng, v));
        }
        sc.arrivals.push_back(a);
    }
    return sc;
}

using Key = std::tuple<QString, int, qint64>; // station, variable, end

struct Emitted
{
    size_t at; // index of the arrival whose add() emitted it; arrivals.size() = flush()
    WindowStats w;
};

bool lessByKey(const WindowStats &a, const WindowStats &b)
{
    return std::tie(a.stationId, a.variable, a.endMs, a.revision) < std::tie(b.stationId, b.variable, b.endMs, b.revision);
}

} // namespace

class TestPipelineWindowsProperty : public QObject
{
    Q_OBJECT
private slots:
    void matchesOracle_data();
    void matchesOracle();
    void shuffledWithinLatenessEqualsSorted_data();
    void shuffledWithinLatenessEqualsSorted();
};

void TestPipelineWindowsProperty::matchesOracle_data()
{
    QTest::addColumn<quint64>("firstSeed");
    QTest::addColumn<int>("count");
    for (int block = 0; block < 6; ++block)
        QTest::addRow("seeds %d..%d", block * 40, block * 40 + 39) << quint64(block * 40) << 40;
}

void TestPipelineWindowsProperty::matchesOracle()
{
    QFETCH(quint64, firstSeed);
    QFETCH(int, count);
    qint64 readings = 0, windows = 0, revisions = 0, dropped = 0, late = 0, refused = 0;
    for (quint64 seed = firstSeed; seed < firstSeed + quint64(count); ++seed) {
        const Scenario sc = generate(seed);
        const WindowOptions &o = sc.options;
        const std::vector<oracle::Arrival> &arr = sc.arrivals;
        const oracle::Replay rp = oracle::replay(arr, o);
        const QString ctx = QStringLiteral("seed %1 (L=%2 S=%3 lateness=%4 grace=%5)")
                                .arg(seed).arg(o.lengthMs).arg(o.slideMs).arg(o.allowedLatenessMs).arg(o.lateGraceMs);

        // One reading per add(): tells which arrival emitted what.
        SlidingWindowAggregator agg(o);
        std::vector<Emitted> emitted;
        QList<WindowStats> concatenated;
        Rng rng(seed ^ 0x5eed);
        const size_t snapAt = size_t(rng.between(0, qint64(arr.size()) - 1));
        QByteArray snap;
        QList<WindowStats> beforeSnap;
        for (size_t i = 0; i < arr.size(); ++i) {
            const QList<WindowStats> out = agg.add(QList<Reading>{arr[i].reading}, arr[i].partition);
            for (const WindowStats &w : out)
                emitted.push_back({i, w});
            concatenated += out;
            if (i == snapAt) {
                snap = agg.snapshot();
                beforeSnap = concatenated;
            }
        }
        const QList<WindowStats> flushed = agg.flush();
        for (const WindowStats &w : flushed)
            emitted.push_back({arr.size(), w});
        concatenated += flushed;

        QVERIFY2(agg.lateDropped() == rp.dropped, qPrintable(ctx + QStringLiteral(": dropped %1 vs %2").arg(agg.lateDropped()).arg(rp.dropped)));
        QVERIFY2(agg.lateAccepted() == rp.lateAccepted, qPrintable(ctx + QStringLiteral(": late accepted")));

        // Same stream in random batches: the very same output, in the same order.
        {
            SlidingWindowAggregator batched(o);
            QList<WindowStats> out;
            size_t i = 0;
            while (i < arr.size()) {
                const QString part = arr[i].partition;
                QList<Reading> batch;
                const size_t len = size_t(rng.between(1, 64));
                while (i < arr.size() && batch.size() < qsizetype(len) && arr[i].partition == part)
                    batch.append(arr[i++].reading);
                out += batched.add(batch, part);
            }
            out += batched.flush();
            QCOMPARE(out.size(), concatenated.size());
            for (qsizetype k = 0; k < out.size(); ++k)
                QVERIFY2(oracle::identical(out[k], concatenated[k]), qPrintable(ctx + QStringLiteral(": batching changed window %1").arg(k)));
        }
        // Restored from the snapshot, the rest of the stream gives the very same output.
        {
            SlidingWindowAggregator restored(o);
            const auto error = restored.restore(snap);
            QVERIFY2(!error, qPrintable(ctx + QStringLiteral(": ") + (error ? error->message : QString())));
            QList<WindowStats> out = beforeSnap;
            for (size_t i = snapAt + 1; i < arr.size(); ++i)
                out += restored.add(QList<Reading>{arr[i].reading}, arr[i].partition);
            out += restored.flush();
            QCOMPARE(out.size(), concatenated.size());
            for (qsizetype k = 0; k < out.size(); ++k)
                QVERIFY2(oracle::identical(out[k], concatenated[k]), qPrintable(ctx + QStringLiteral(": restore changed window %1").arg(k)));
            QCOMPARE(restored.lateDropped(), agg.lateDropped());
        }

        // Every emission equals the brute-force window over the readings accepted so far.
        std::map<QString, QString> partitionOf;
        std::map<QString, std::vector<size_t>> byStation;
        for (size_t i = 0; i < arr.size(); ++i) {
            partitionOf[arr[i].reading.stationId] = arr[i].partition;
            byStation[arr[i].reading.stationId].push_back(i);
        }
        std::map<Key, std::vector<const Emitted *>> byKey;
        for (const Emitted &e : emitted) {
            const WindowStats &w = e.w;
            QVERIFY2(w.count > 0, qPrintable(ctx + QStringLiteral(": empty window emitted")));
            QCOMPARE(w.startMs, w.endMs - o.lengthMs);
            QVERIFY2(oracle::floorDiv(w.endMs, o.slideMs) * o.slideMs == w.endMs, qPrintable(ctx));
            const WindowStats want = oracle::compute(arr, rp, byStation[w.stationId], e.at, partitionOf[w.stationId],
                                                     w.stationId, w.variable, w.endMs, o);
            const QString why = oracle::difference(w, want);
            QVERIFY2(why.isEmpty(), qPrintable(ctx + QStringLiteral(": %1 %2 end %3 rev %4 at arrival %5:%6")
                                                        .arg(w.stationId, variableKey(w.variable)).arg(w.endMs).arg(w.revision).arg(e.at).arg(why)));
            byKey[{w.stationId, index(w.variable), w.endMs}].push_back(&e);
        }

        // Completeness and timing: each non-empty window is emitted first when the watermark passes
        // its end (or at flush), then once more for each accepted reading that joins it afterwards.
        std::set<Key> expectedKeys;
        for (size_t i = 0; i < arr.size(); ++i) {
            if (!rp.accepted[i])
                continue;
            const Reading &r = arr[i].reading;
            for (Variable v : kAllVariables) {
                if (!oracle::usable(r.value(v)))
                    continue;
                for (qint64 e = (oracle::floorDiv(r.timestampMs, o.slideMs) + 1) * o.slideMs; e - o.lengthMs <= r.timestampMs; e += o.slideMs)
                    expectedKeys.insert({r.stationId, index(v), e});
            }
        }
        QVERIFY2(expectedKeys.size() == byKey.size(), qPrintable(ctx + QStringLiteral(": %1 windows expected, %2 emitted").arg(expectedKeys.size()).arg(byKey.size())));
        for (const Key &k : expectedKeys) {
            const auto it = byKey.find(k);
            QVERIFY2(it != byKey.end(), qPrintable(ctx + QStringLiteral(": window missing")));
            const auto &[station, var, end] = k;
            std::vector<size_t> contributors;
            for (size_t i : byStation[station]) {
                const Reading &r = arr[i].reading;
                if (rp.accepted[i] && r.timestampMs >= end - o.lengthMs && r.timestampMs < end && oracle::usable(r.values[var]))
                    contributors.push_back(i);
            }
            size_t first = arr.size();
            for (size_t i = contributors.front(); i < arr.size(); ++i) {
                if (arr[i].partition == partitionOf[station] && rp.watermarkAfter[i] >= end) {
                    first = i;
                    break;
                }
            }
            std::vector<size_t> expectedAt{first};
            for (size_t i : contributors) {
                if (i > first)
                    expectedAt.push_back(i);
            }
            const auto &got = it->second;
            QVERIFY2(got.size() == expectedAt.size(), qPrintable(ctx + QStringLiteral(": %1 %2 end %3 emitted %4 times, expected %5")
                                                                        .arg(station).arg(var).arg(end).arg(got.size()).arg(expectedAt.size())));
            for (size_t j = 0; j < got.size(); ++j) {
                QVERIFY2(got[j]->at == expectedAt[j], qPrintable(ctx + QStringLiteral(": %1 %2 end %3 emission %4 at arrival %5, expected %6")
                                                                        .arg(station).arg(var).arg(end).arg(j).arg(got[j]->at).arg(expectedAt[j])));
                QCOMPARE(got[j]->w.revision, int(j));
            }
        }
        readings += qint64(arr.size());
        windows += qint64(emitted.size());
        for (const Emitted &e : emitted)
            revisions += e.w.revision > 0;
        dropped += agg.lateDropped();
        late += agg.lateAccepted();
        refused += agg.valuesRejected();
    }
    // Proof that the streams exercise every path (a property test that never goes late proves little).
    qInfo("%lld readings, %lld windows checked (%lld revisions), %lld late accepted, %lld dropped, %lld values refused",
          readings, windows, revisions, late, dropped, refused);
    QVERIFY(revisions > 0 && dropped > 0 && late > 0 && refused > 0);
}

void TestPipelineWindowsProperty::shuffledWithinLatenessEqualsSorted_data()
{
    QTest::addColumn<quint64>("firstSeed");
    QTest::addColumn<int>("count");
    for (int block = 0; block < 4; ++block)
        QTest::addRow("seeds %d..%d", 1000 + block * 50, 1000 + block * 50 + 49) << quint64(1000 + block * 50) << 50;
}

void TestPipelineWindowsProperty::shuffledWithinLatenessEqualsSorted()
{
    QFETCH(quint64, firstSeed);
    QFETCH(int, count);
    for (quint64 seed = firstSeed; seed < firstSeed + quint64(count); ++seed) {
        Scenario sc = generate(seed);
        WindowOptions o = sc.options;
        if (o.allowedLatenessMs == 0)
            o.allowedLatenessMs = 3000;
        Rng rng(seed);
        // Arrival order: sort by t + jitter with jitter in [0, lateness], so that every reading
        // arrives no later than `lateness` behind the largest time seen before it.
        std::vector<std::pair<qint64, size_t>> keys;
        for (size_t i = 0; i < sc.arrivals.size(); ++i)
            keys.push_back({sc.arrivals[i].reading.timestampMs + rng.between(0, o.allowedLatenessMs), i});
        std::sort(keys.begin(), keys.end());
        QList<Reading> shuffled;
        for (const auto &k : keys)
            shuffled.append(sc.arrivals[k.second].reading);
        QList<Reading> sorted = shuffled;
        std::stable_sort(sorted.begin(), sorted.end(), [](const Reading &a, const Reading &b) { return a.timestampMs < b.timestampMs; });

        auto run = [&](const QList<Reading> &in) {
            SlidingWindowAggregator agg(o);
            QList<WindowStats> out;
            for (qsizetype i = 0; i < in.size(); i += 7)
                out += agg.add(in.mid(i, 7));
            out += agg.flush();
            [&] { QCOMPARE(agg.lateDropped(), 0); QCOMPARE(agg.lateAccepted(), 0); }();
            std::sort(out.begin(), out.end(), lessByKey);
            return out;
        };
        const QList<WindowStats> a = run(shuffled), b = run(sorted);
        QVERIFY2(a.size() == b.size(), qPrintable(QStringLiteral("seed %1").arg(seed)));
        for (qsizetype k = 0; k < a.size(); ++k) {
            QVERIFY2(a[k].revision == 0, qPrintable(QStringLiteral("seed %1: revision in an in-lateness stream").arg(seed)));
            QVERIFY2(oracle::identical(a[k], b[k]), qPrintable(QStringLiteral("seed %1: window %2 differs bitwise").arg(seed).arg(k)));
        }
    }
}

QTEST_APPLESS_MAIN(TestPipelineWindowsProperty)
#include "tst_pipeline_windows_property.moc"
