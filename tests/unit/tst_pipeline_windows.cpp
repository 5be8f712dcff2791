// SlidingWindowAggregator on the real recorded streams: the NWS recording (5 stations, 7 days) and
// the METAR day (≈2,000 stations). Every emitted window is checked against the brute-force oracle
// (WindowOracle.h); order-independence, lateness, partitions and snapshots are checked on the same
// real readings.

#include "TestData.h"
#include "WindowOracle.h"
#include "aggregate/SlidingWindowAggregator.h"
#include "sources/RecordedDataReader.h"

#include <QDateTime>
#include <QTest>

#include <map>
#include <random>

using namespace stratus;

namespace {

QList<Reading> load(const char *relative)
{
    const auto data = RecordedDataReader::read(testdata::shared(relative));
    if (!data) {
        qWarning().noquote() << data.errorMessage();
        return {};
    }
    return data->readings;
}

std::vector<oracle::Arrival> arrivalsOf(const QList<Reading> &readings, const QString &partition = QString())
{
    std::vector<oracle::Arrival> out;
    out.reserve(size_t(readings.size()));
    for (const Reading &r : readings)
        out.push_back({r, partition});
    return out;
}

bool lessByKey(const WindowStats &a, const WindowStats &b)
{
    return std::tie(a.stationId, a.variable, a.endMs, a.revision) < std::tie(b.stationId, b.variable, b.endMs, b.revision);
}

// Arrival order in which each reading is at most `lateness` behind the largest time seen before it.
QList<Reading> shuffledWithin(const QList<Reading> &sorted, qint64 lateness, quint64 seed)
{
    std::mt19937_64 gen(seed);
    std::vector<std::pair<qint64, qsizetype>> keys;
    for (qsizetype i = 0; i < sorted.size(); ++i)
        keys.push_back({sorted[i].timestampMs + std::uniform_int_distribution<qint64>(0, lateness)(gen), i});
    std::sort(keys.begin(), keys.end());
    QList<Reading> out;
    for (const auto &k : keys)
        out.append(sorted[k.second]);
    return out;
}

QList<WindowStats> runAll(SlidingWindowAggregator &agg, const QList<Reading> &in, qsizetype batch = 100)
{
    QList<WindowStats> out;
    for (qsizetype i = 0; i < in.size(); i += batch)
        out += agg.add(in.mid(i, batch));
    out += agg.flush();
    return out;
}

// Feeds one reading at a time and checks every emission against the oracle over what was accepted
// up to that reading. Returns the number of windows checked (0 on failure, with a QTest failure).
qint64 checkAgainstOracle(const std::vector<oracle::Arrival> &arr, const WindowOptions &o, qint64 *revisions = nullptr)
{
    const oracle::Replay rp = oracle::replay(arr, o);
    std::map<QString, std::vector<size_t>> byStation;
    for (size_t i = 0; i < arr.size(); ++i)
        byStation[arr[i].reading.stationId].push_back(i);
    SlidingWindowAggregator agg(o);
    qint64 checked = 0;
    auto check = [&](const QList<WindowStats> &out, size_t at) {
        for (const WindowStats &w : out) {
            const WindowStats want = oracle::compute(arr, rp, byStation[w.stationId], at, QString(), w.stationId, w.variable, w.endMs, o);
            const QString why = oracle::difference(w, want);
            if (!why.isEmpty()) {
                QTest::qFail(qPrintable(QStringLiteral("%1 %2 end %3 rev %4:%5").arg(w.stationId, variableKey(w.variable)).arg(w.endMs).arg(w.revision).arg(why)), __FILE__, __LINE__);
                return false;
            }
            if (revisions && w.revision > 0)
                ++*revisions;
            ++checked;
        }
        return true;
    };
    for (size_t i = 0; i < arr.size(); ++i) {
        if (!check(agg.add(QList<Reading>{arr[i].reading}), i))
            return 0;
    }
    if (!check(agg.flush(), arr.size()))
        return 0;
    if (agg.lateDropped() != rp.dropped) {
        QTest::qFail("late-dropped count differs from the oracle", __FILE__, __LINE__);
        return 0;
    }
    return checked;
}

} // namespace

class TestPipelineWindows : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void realStreamsMatchOracle_data();
    void realStreamsMatchOracle();
    void shuffledWithinLatenessEqualsSorted_data();
    void shuffledWithinLatenessEqualsSorted();
    void windowBorders_data();
    void windowBorders();
    void windDirectionAveragesAsVector();
    void missingValuesAreExcluded();
    void lateReadingsAreRevisedOrDropped();
    void partitionsHaveTheirOwnWatermark();
    void snapshotRestoreMidStream();
    void flushThenMoreReadingsRevises();
    void corruptSnapshotIsRejected();
    void invalidOptionsFallBackToDefaults();

private:
    QList<Reading> m_nws;
    QList<Reading> m_metar;
};

void TestPipelineWindows::initTestCase()
{
    m_nws = load("data/nws_recorded/nws_recorded.jsonl");
    m_metar = load("data/sao_19950318/observations.csv");
    QCOMPARE(m_nws.size(), 524);
    QVERIFY2(m_metar.size() > 38000, qPrintable(QString::number(m_metar.size())));
}

void TestPipelineWindows::realStreamsMatchOracle_data()
{
    QTest::addColumn<QString>("set");
    QTest::addColumn<qint64>("lengthMs");
    QTest::addColumn<qint64>("slideMs");
    QTest::addRow("nws 5min/1min") << "nws" << qint64(5 * 60'000) << qint64(60'000);
    QTest::addRow("nws 1h/10min") << "nws" << qint64(3'600'000) << qint64(600'000);
    QTest::addRow("nws 7min/3min") << "nws" << qint64(7 * 60'000) << qint64(3 * 60'000);
    QTest::addRow("metar 5min/1min") << "metar" << qint64(5 * 60'000) << qint64(60'000);
    QTest::addRow("metar 2h/15min") << "metar" << qint64(2 * 3'600'000) << qint64(15 * 60'000);
}

void TestPipelineWindows::realStreamsMatchOracle()
{
    QFETCH(QString, set);
    QFETCH(qint64, lengthMs);
    QFETCH(qint64, slideMs);
    WindowOptions o;
    o.lengthMs = lengthMs;
    o.slideMs = slideMs;
    const QList<Reading> &in = set == QLatin1String("nws") ? m_nws : m_metar;
    const qint64 checked = checkAgainstOracle(arrivalsOf(in), o);
    QVERIFY(checked > in.size());
}

void TestPipelineWindows::shuffledWithinLatenessEqualsSorted_data()
{
    QTest::addColumn<QString>("set");
    QTest::addColumn<qint64>("latenessMs");
    QTest::addColumn<quint64>("seed");
    for (quint64 seed : {1, 2, 3, 4, 5}) {
        QTest::addRow("nws lateness 2min seed %llu", seed) << "nws" << qint64(120'000) << seed;
        QTest::addRow("nws lateness 30min seed %llu", seed) << "nws" << qint64(1'800'000) << seed;
    }
    // ≈1.1 M windows per run: one seed each keeps the test quick.
    QTest::addRow("metar lateness 2min") << "metar" << qint64(120'000) << quint64(1);
    QTest::addRow("metar lateness 45min") << "metar" << qint64(2'700'000) << quint64(2);
}

void TestPipelineWindows::shuffledWithinLatenessEqualsSorted()
{
    QFETCH(QString, set);
    QFETCH(qint64, latenessMs);
    QFETCH(quint64, seed);
    const QList<Reading> &sorted0 = set == QLatin1String("nws") ? m_nws : m_metar;
    const QList<Reading> shuffled = shuffledWithin(sorted0, latenessMs, seed);
    qsizetype moved = 0;
    for (qsizetype i = 0; i < shuffled.size(); ++i)
        moved += shuffled[i].timestampMs != sorted0[i].timestampMs || shuffled[i].stationId != sorted0[i].stationId;
    QVERIFY2(moved > sorted0.size() / 10, "the shuffle hardly moved anything");
    // The reference: the same readings sorted by time, ties kept in arrival order.
    QList<Reading> sorted = shuffled;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Reading &a, const Reading &b) { return a.timestampMs < b.timestampMs; });
    WindowOptions o;
    o.allowedLatenessMs = latenessMs;
    SlidingWindowAggregator a(o), b(o);
    QList<WindowStats> wa = runAll(a, shuffled, 37), wb = runAll(b, sorted, 500);
    QCOMPARE(a.lateDropped(), 0);
    QCOMPARE(a.lateAccepted(), 0);
    std::sort(wa.begin(), wa.end(), lessByKey);
    std::sort(wb.begin(), wb.end(), lessByKey);
    QCOMPARE(wa.size(), wb.size());
    QVERIFY(wa.size() > sorted.size());
    for (qsizetype i = 0; i < wa.size(); ++i) {
        QCOMPARE(wa[i].revision, 0);
        QVERIFY2(oracle::identical(wa[i], wb[i]), qPrintable(QStringLiteral("%1 %2 end %3 differs").arg(wa[i].stationId, variableKey(wa[i].variable)).arg(wa[i].endMs)));
    }
}

void TestPipelineWindows::windowBorders_data()
{
    QTest::addColumn<qint64>("lengthMs");
    QTest::addColumn<qint64>("slideMs");
    QTest::addColumn<QList<qint64>>("endsAfterReading"); // window ends (ms after the reading) that hold it
    // The first NWS reading, KDSM at 09:35:00 exactly, sits on a minute border.
    QTest::addRow("5min/1min") << qint64(300'000) << qint64(60'000) << QList<qint64>{60'000, 120'000, 180'000, 240'000, 300'000};
    QTest::addRow("1min/1min tumbling") << qint64(60'000) << qint64(60'000) << QList<qint64>{60'000};
    QTest::addRow("10min/5min: 09:40 and 09:45") << qint64(600'000) << qint64(300'000) << QList<qint64>{300'000, 600'000};
    QTest::addRow("7min/2min: 09:36 .. 09:42") << qint64(420'000) << qint64(120'000) << QList<qint64>{60'000, 180'000, 300'000, 420'000};
}

void TestPipelineWindows::windowBorders()
{
    QFETCH(qint64, lengthMs);
    QFETCH(qint64, slideMs);
    QFETCH(QList<qint64>, endsAfterReading);
    const Reading first = m_nws.first();
    QCOMPARE(first.stationId, QStringLiteral("KDSM"));
    WindowOptions o;
    o.lengthMs = lengthMs;
    o.slideMs = slideMs;
    SlidingWindowAggregator agg(o);
    QList<WindowStats> out = agg.add({first});
    QVERIFY(out.isEmpty()); // nothing is final before the watermark passes
    out += agg.flush();
    QList<qint64> ends;
    for (const WindowStats &w : out) {
        if (w.variable == Variable::Temperature) {
            ends.append(w.endMs - first.timestampMs);
            QCOMPARE(w.startMs, w.endMs - lengthMs);
            QVERIFY(w.startMs <= first.timestampMs && first.timestampMs < w.endMs);
            QCOMPARE(w.count, 1);
            QVERIFY(w.mean == first.value(Variable::Temperature)); // exact, not 21.2999999…
            QCOMPARE(w.stddev, 0.0);
        }
    }
    QCOMPARE(ends, endsAfterReading);
}

void TestPipelineWindows::windDirectionAveragesAsVector()
{
    // METAR DET (Detroit City): 350° at 11:45, 10° at 12:45. A 75-min window ending 13:00 holds both.
    QList<Reading> det;
    for (const Reading &r : std::as_const(m_metar)) {
        if (r.stationId == QLatin1String("DET"))
            det.append(r);
    }
    QVERIFY(det.size() > 10);
    WindowOptions o;
    o.lengthMs = 75 * 60'000;
    o.slideMs = 15 * 60'000;
    SlidingWindowAggregator agg(o);
    QList<WindowStats> out = runAll(agg, det);
    const qint64 end = QDateTime::fromString(QStringLiteral("1995-03-18T13:00:00Z"), Qt::ISODate).toMSecsSinceEpoch();
    const auto it = std::find_if(out.cbegin(), out.cend(), [&](const WindowStats &w) { return w.variable == Variable::WindDirection && w.endMs == end; });
    QVERIFY(it != out.cend());
    QCOMPARE(it->count, 2);
    QCOMPARE(it->first, 350.0);
    QCOMPARE(it->last, 10.0);
    QVERIFY2(oracle::angleDiff(it->mean, 0.0) < 1e-9, qPrintable(QString::number(it->mean, 'g', 17))); // not 180
    QVERIFY(qAbs(it->resultantLength - std::cos(10.0 * std::numbers::pi / 180.0)) < 1e-12);
    QVERIFY(it->stddev > 9.9 && it->stddev < 10.2); // circular std of ±10°
}

void TestPipelineWindows::missingValuesAreExcluded()
{
    // Each reading lies in length/slide windows; with missing values excluded the counts over all
    // windows add up to (non-missing values) × length/slide, not (readings) × length/slide.
    WindowOptions o; // 5 min / 1 min: every reading in exactly 5 windows
    for (const QList<Reading> *set : {&m_nws, &m_metar}) {
        SlidingWindowAggregator agg(o);
        const QList<WindowStats> out = runAll(agg, *set);
        for (Variable v : kAllVariables) {
            qint64 present = 0, counted = 0;
            for (const Reading &r : *set)
                present += r.has(v) && std::fabs(r.value(v)) < ExactSums::kMaxMagnitude;
            for (const WindowStats &w : out) {
                if (w.variable == v) {
                    counted += w.count;
                    QVERIFY(w.count > 0);
                    QVERIFY(!std::isnan(w.min) && !std::isnan(w.first) && !std::isnan(w.last));
                }
            }
            QCOMPARE(counted, present * 5);
        }
    }
    // A concrete case: NWS has readings without humidity; their windows still report temperature.
    const auto noHumidity = std::find_if(m_nws.cbegin(), m_nws.cend(), [](const Reading &r) { return !r.has(Variable::Humidity) && r.has(Variable::Temperature); });
    QVERIFY(noHumidity != m_nws.cend());
    SlidingWindowAggregator agg(o);
    const QList<WindowStats> out = runAll(agg, m_nws);
    qint64 temp = 0, hum = 0;
    for (const WindowStats &w : out) {
        if (w.stationId != noHumidity->stationId || w.startMs > noHumidity->timestampMs || w.endMs <= noHumidity->timestampMs)
            continue;
        temp += w.variable == Variable::Temperature ? w.count : 0;
        hum += w.variable == Variable::Humidity ? w.count : 0;
    }
    QVERIFY(temp > hum);
}

void TestPipelineWindows::lateReadingsAreRevisedOrDropped()
{
    // Real NWS readings, every 4th one delivered after the next 3 of the stream: 5–45 min late at
    // the recording's cadence, so with no lateness and 20 min grace some revise, some are dropped.
    QList<Reading> delayed;
    QList<Reading> held;
    for (qsizetype i = 0; i < m_nws.size(); ++i) {
        if (i % 4 == 0)
            held.append(m_nws[i]);
        else
            delayed.append(m_nws[i]);
        if (i % 4 == 3) {
            delayed += held;
            held.clear();
        }
    }
    delayed += held;
    WindowOptions o;
    o.allowedLatenessMs = 0;
    o.lateGraceMs = 20 * 60'000;
    qint64 revisions = 0;
    const qint64 checked = checkAgainstOracle(arrivalsOf(delayed), o, &revisions);
    QVERIFY(checked > 0);
    QVERIFY2(revisions > 0, "no window was revised");
    SlidingWindowAggregator agg(o);
    runAll(agg, delayed, 1);
    QVERIFY(agg.lateAccepted() > 0);
    QVERIFY(agg.lateDropped() > 0);
    qInfo("%lld windows checked, %lld revisions, %lld late accepted, %lld dropped", checked, revisions, agg.lateAccepted(), agg.lateDropped());
}

void TestPipelineWindows::partitionsHaveTheirOwnWatermark()
{
    // Two sources: one delivers the Wisconsin stations, the other the rest, one after the other.
    const QStringList wisconsin{QStringLiteral("KMSN"), QStringLiteral("KMKE")};
    QList<Reading> a, b;
    for (const Reading &r : std::as_const(m_nws))
        (wisconsin.contains(r.stationId) ? a : b).append(r);
    SlidingWindowAggregator partitioned;
    QList<WindowStats> out = partitioned.add(a, QStringLiteral("wi"));
    out += partitioned.add(b, QStringLiteral("other"));
    out += partitioned.flush();
    QCOMPARE(partitioned.lateDropped(), 0); // b is weeks behind a, but a's watermark is not b's
    QVERIFY(partitioned.watermarkMs(QStringLiteral("wi")).has_value());
    QCOMPARE(partitioned.watermarkMs(), std::min(*partitioned.watermarkMs(QStringLiteral("wi")), *partitioned.watermarkMs(QStringLiteral("other"))));

    SlidingWindowAggregator single;
    QList<WindowStats> ref = runAll(single, m_nws, 1000);
    std::sort(out.begin(), out.end(), lessByKey);
    std::sort(ref.begin(), ref.end(), lessByKey);
    QCOMPARE(out.size(), ref.size());
    for (qsizetype i = 0; i < out.size(); ++i)
        QVERIFY(oracle::identical(out[i], ref[i]));

    // One partition for both: the second source is behind the first one's watermark and dropped.
    SlidingWindowAggregator shared;
    shared.add(a);
    shared.add(b);
    QVERIFY(shared.lateDropped() > b.size() / 2);
}

void TestPipelineWindows::snapshotRestoreMidStream()
{
    WindowOptions o;
    o.allowedLatenessMs = 10 * 60'000;
    const QList<Reading> in = shuffledWithin(m_metar, o.allowedLatenessMs, 7);
    SlidingWindowAggregator whole(o);
    const QList<WindowStats> ref = runAll(whole, in, 1000);

    for (qsizetype cut : {qsizetype(1), in.size() / 2 + 17, in.size() - 1}) {
        SlidingWindowAggregator first(o);
        QList<WindowStats> out = first.add(in.mid(0, cut));
        const QByteArray snap = first.snapshot();
        SlidingWindowAggregator second(o);
        const auto error = second.restore(snap);
        QVERIFY2(!error, qPrintable(error ? error->message : QString()));
        QCOMPARE(second.snapshot(), snap); // the restored state is the same state
        QCOMPARE(second.stationCount(), first.stationCount());
        out += second.add(in.mid(cut));
        out += second.flush();
        QCOMPARE(out.size(), ref.size());
        for (qsizetype i = 0; i < out.size(); ++i)
            QVERIFY2(oracle::identical(out[i], ref[i]), qPrintable(QStringLiteral("cut %1 window %2").arg(cut).arg(i)));
    }
}

void TestPipelineWindows::flushThenMoreReadingsRevises()
{
    // flush() closes windows early (the Engine does it when a finite replay ends); readings that
    // come afterwards and fall into those windows revise them, so the latest revision of every
    // window equals the window computed from the whole stream in one go.
    const qsizetype cut = 301;
    WindowOptions o; // 1 h windows: a station's next report (5–15 min later) lands in flushed ones
    o.lengthMs = 3'600'000;
    o.slideMs = 600'000;
    SlidingWindowAggregator split(o);
    QList<WindowStats> out = split.add(m_nws.mid(0, cut));
    out += split.flush();
    out += split.add(m_nws.mid(cut));
    out += split.flush();
    SlidingWindowAggregator whole(o);
    const QList<WindowStats> ref = runAll(whole, m_nws, 1000);

    std::map<std::tuple<QString, int, qint64>, WindowStats> latest;
    int revisions = 0;
    for (const WindowStats &w : std::as_const(out)) {
        auto &slot = latest[{w.stationId, index(w.variable), w.endMs}];
        if (slot.stationId.isEmpty() || w.revision > slot.revision)
            slot = w;
        revisions += w.revision > 0;
    }
    QVERIFY(revisions > 0);
    QCOMPARE(latest.size(), size_t(ref.size()));
    for (WindowStats w : ref) {
        const WindowStats &got = latest[{w.stationId, index(w.variable), w.endMs}];
        w.revision = got.revision;
        QVERIFY2(oracle::identical(got, w), qPrintable(QStringLiteral("%1 %2 end %3").arg(w.stationId, variableKey(w.variable)).arg(w.endMs)));
    }
}

void TestPipelineWindows::corruptSnapshotIsRejected()
{
    SlidingWindowAggregator agg;
    agg.add(m_nws.mid(0, 300));
    const QByteArray good = agg.snapshot();
    QVERIFY(good.size() > 1000);

    SlidingWindowAggregator target;
    target.add(m_nws.mid(0, 10));
    const QByteArray before = target.snapshot();

    auto expectError = [&](const QByteArray &bad, const char *needle) {
        const auto error = target.restore(bad);
        QVERIFY2(error.has_value(), needle);
        QVERIFY2(error->message.contains(QLatin1String(needle)), qPrintable(error->message));
        QCOMPARE(target.snapshot(), before); // unchanged
    };
    QByteArray flipped = good;
    flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 0x40);
    expectError(flipped, "checksum");
    expectError(good.left(good.size() - 5), "truncated");
    expectError(QByteArray(), "not a window snapshot");
    expectError(QByteArrayLiteral("{\"json\": true}"), "not a window snapshot");
    QByteArray future = good;
    future[5] = char(9); // version field
    expectError(future, "unsupported version");
    WindowOptions other;
    other.lengthMs = 10 * 60'000;
    SlidingWindowAggregator differentOptions(other);
    const auto error = differentOptions.restore(good);
    QVERIFY(error.has_value());
    QVERIFY2(error->message.contains(QLatin1String("600000")), qPrintable(error->message));
}

void TestPipelineWindows::invalidOptionsFallBackToDefaults()
{
    WindowOptions bad;
    bad.slideMs = 0;
    QVERIFY(!bad.problem().isEmpty());
    WindowOptions hopping;
    hopping.slideMs = 2 * hopping.lengthMs;
    QVERIFY(hopping.problem().contains(QLatin1String("exceed")));
    WindowOptions tooManyWindows;
    tooManyWindows.lengthMs = 24 * 3'600'000;
    tooManyWindows.slideMs = 1'000; // 86,400 windows per reading
    QVERIFY(tooManyWindows.problem().contains(QLatin1String("10,000")));
    SlidingWindowAggregator agg(bad);
    QCOMPARE(agg.options(), WindowOptions{});
    QVERIFY(!runAll(agg, m_nws).isEmpty());

    // Injected fault: real readings with impossible event times are dropped and counted, not
    // allowed to overflow window arithmetic.
    Reading farFuture = m_nws.first(), farPast = m_nws.last();
    farFuture.timestampMs = std::numeric_limits<qint64>::max();
    farPast.timestampMs = std::numeric_limits<qint64>::min();
    SlidingWindowAggregator guarded;
    QList<WindowStats> out = guarded.add({farFuture, farPast});
    out += runAll(guarded, m_nws);
    QCOMPARE(guarded.timesRejected(), 2);
    SlidingWindowAggregator plain;
    QCOMPARE(out.size(), runAll(plain, m_nws).size());
}

QTEST_APPLESS_MAIN(TestPipelineWindows)
#include "tst_pipeline_windows.moc"
