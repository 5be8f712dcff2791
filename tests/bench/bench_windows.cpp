// stratus-bench windows: the sliding-window kernel against a naive recompute-the-window baseline,
// end-to-end readings/s through LocalBus → aggregator → features, and memory per station.
//
// Inputs: event times are generated (one reading per station per second, stations round-robin),
// values are the real METAR day's temperatures (and its other columns for full readings), cycled.
// The end-to-end figures also replay the real METAR day itself.

#include "BenchRegistry.h"

#include "aggregate/SlidingWindowAggregator.h"
#include "bus/LocalBus.h"
#include "sources/RecordedDataReader.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QTextStream>

#include <cmath>
#include <ctime>
#include <deque>

using namespace stratus;

namespace {

// Per-core figures: the machine is shared, so time is this thread's CPU time, not wall time.
class CpuTimer
{
public:
    void start() { m_start = now(); }
    qint64 nsecsElapsed() const { return now() - m_start; }

private:
    static qint64 now()
    {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    }
    qint64 m_start = 0;
};

using Values = SlidingWindowAggregator::Values;

// The naive baseline: keep every reading of the open windows, recompute each window from them
// when the watermark closes it (what the foundation's aggregator did), with the same interned
// stations and the same watermark rule, so only the algorithm differs. It recomputes only the
// variables a station reports (a temperature-only station costs one pass, not nine).
class NaiveRecompute
{
public:
    explicit NaiveRecompute(WindowOptions o) : m_o(o) {}

    int intern() // stations are 0..n-1 in order
    {
        m_stations.emplace_back();
        return int(m_stations.size()) - 1;
    }

    void add(int h, qint64 t, const Values &v, qint64 &windowsOut)
    {
        if (t < m_watermark) {
            ++m_dropped;
            return;
        }
        Station &s = m_stations[size_t(h)];
        auto pos = s.readings.end();
        while (pos != s.readings.begin() && std::prev(pos)->t > t)
            --pos;
        s.readings.insert(pos, Item{t, v});
        for (int var = 0; var < kVariableCount; ++var) {
            if (!std::isnan(v[size_t(var)]))
                s.present |= 1u << var;
        }
        const qint64 firstEnd = (floorDiv(t, m_o.slideMs) + 1) * m_o.slideMs;
        if (s.nextEnd == 0 || firstEnd < s.nextEnd)
            s.nextEnd = firstEnd;
        if (t > m_maxEvent) {
            m_maxEvent = t;
            const qint64 w = t - m_o.allowedLatenessMs;
            if (w >= m_nextClose) {
                m_watermark = w;
                m_nextClose = (floorDiv(w, m_o.slideMs) + 1) * m_o.slideMs;
                for (Station &st : m_stations)
                    close(st, w, windowsOut);
            }
        }
    }

private:
    struct Item
    {
        qint64 t;
        Values v;
    };
    struct Station
    {
        std::deque<Item> readings;
        qint64 nextEnd = 0;
        unsigned present = 0; // variables this station has ever reported: the only ones recomputed
    };
    static qint64 floorDiv(qint64 a, qint64 b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

    void close(Station &s, qint64 w, qint64 &windowsOut)
    {
        while (s.nextEnd != 0 && s.nextEnd <= w && !s.readings.empty()) {
            const qint64 start = s.nextEnd - m_o.lengthMs;
            for (int var = 0; var < kVariableCount; ++var) {
                if (!(s.present & (1u << var)))
                    continue; // a fair baseline touches only the values a station has
                double sum = 0, sumSq = 0, mn = INFINITY, mx = -INFINITY, first = NAN, last = NAN;
                qint64 n = 0;
                for (const Item &it : s.readings) {
                    if (it.t < start)
                        continue;
                    if (it.t >= s.nextEnd)
                        break;
                    const double x = it.v[size_t(var)];
                    if (std::isnan(x))
                        continue;
                    if (n == 0)
                        first = x;
                    last = x;
                    mn = std::min(mn, x);
                    mx = std::max(mx, x);
                    sum += x;
                    sumSq += x * x;
                    ++n;
                }
                if (n > 0) {
                    m_sink += sum / double(n) + std::sqrt(std::max(0.0, sumSq / double(n) - (sum / double(n)) * (sum / double(n)))) + mn + mx + first + last;
                    ++windowsOut;
                }
            }
            s.nextEnd += m_o.slideMs;
            while (!s.readings.empty() && s.readings.front().t < s.nextEnd - m_o.lengthMs)
                s.readings.pop_front();
        }
    }

    WindowOptions m_o;
    std::vector<Station> m_stations;
    qint64 m_maxEvent = std::numeric_limits<qint64>::min();
    qint64 m_watermark = std::numeric_limits<qint64>::min();
    qint64 m_nextClose = std::numeric_limits<qint64>::min();
    qint64 m_dropped = 0;

public:
    double m_sink = 0; // keeps the compiler from dropping the arithmetic
};

struct RealColumns
{
    QList<Reading> readings; // the METAR day, as recorded
    std::vector<double> temperatures;
};

RealColumns loadReal()
{
    RealColumns c;
    const QString path = QStringLiteral(STRATUS_SHARED_DIR "/data/sao_19950318/observations.csv");
    auto data = RecordedDataReader::read(path);
    if (!data)
        return c;
    c.readings = data->readings;
    for (const Reading &r : std::as_const(c.readings)) {
        if (r.has(Variable::Temperature) && std::fabs(r.value(Variable::Temperature)) < 60)
            c.temperatures.push_back(r.value(Variable::Temperature));
    }
    return c;
}

constexpr qint64 kT0 = 1'700'000'000'000; // 2023-11-14, an arbitrary real-looking epoch

// Values of reading i: temperature only, or every variable of a real METAR row.
inline void fillValues(Values &v, const RealColumns &real, qint64 i, bool full)
{
    if (!full) {
        v[0] = real.temperatures[size_t(i) % real.temperatures.size()];
        return;
    }
    v = real.readings[qsizetype(size_t(i) % size_t(real.readings.size()))].values;
}

struct KernelFigures
{
    double updatesPerS = 0; // value updates (reading × variable present)
    double readingsPerS = 0;
    qint64 windows = 0;
};

// Stations round-robin, each one reading per second of event time, in order.
template <typename Add>
KernelFigures runKernel(qint64 stations, qint64 readings, const RealColumns &real, bool full, Add add)
{
    Values v = Reading::missingValues();
    qint64 updates = 0;
    for (qint64 i = 0; i < std::min<qint64>(readings, 100'000); ++i) { // count the value updates once
        fillValues(v, real, i, full);
        for (double x : v)
            updates += !std::isnan(x);
    }
    const double updatesPerReading = double(updates) / double(std::min<qint64>(readings, 100'000));
    CpuTimer timer;
    qint64 windows = 0;
    // The values sit in memory beforehand, as they would in a batch of readings (writing them just
    // before the call would measure a store-forwarding stall of the harness instead).
    std::vector<Values> ring(4096, Reading::missingValues());
    for (size_t j = 0; j < ring.size(); ++j)
        fillValues(ring[j], real, qint64(j), full);
    // Counters instead of i % n and i / n: a division per reading would be a third of the budget.
    size_t k = 0;
    int station = 0;
    qint64 t = kT0;
    timer.start();
    for (qint64 i = 0; i < readings; ++i) {
        add(station, t, ring[k], windows);
        k = (k + 1) & 4095;
        if (++station == stations) {
            station = 0;
            t += 1000;
        }
    }
    const double s = double(timer.nsecsElapsed()) / 1e9;
    KernelFigures f;
    f.readingsPerS = double(readings) / s;
    f.updatesPerS = f.readingsPerS * updatesPerReading;
    f.windows = windows;
    return f;
}

KernelFigures kernelFast(qint64 stations, qint64 readings, const RealColumns &real, bool full, WindowOptions o = {})
{
    SlidingWindowAggregator agg(o);
    for (qint64 s = 0; s < stations; ++s)
        agg.intern(QStringLiteral("ST%1").arg(s));
    QList<WindowStats> out;
    return runKernel(stations, readings, real, full, [&](int h, qint64 t, const Values &v, qint64 &windows) {
        agg.add(h, t, v, out);
        if (out.size() > 4096) {
            windows += out.size();
            out.clear();
        }
    });
}

KernelFigures kernelNaive(qint64 stations, qint64 readings, const RealColumns &real, bool full, WindowOptions o = {})
{
    NaiveRecompute naive(o);
    for (qint64 s = 0; s < stations; ++s)
        naive.intern();
    return runKernel(stations, readings, real, full, [&](int h, qint64 t, const Values &v, qint64 &windows) { naive.add(h, t, v, windows); });
}

// In-memory replay: prebuilt batches published on a LocalBus; the aggregator subscribes to the
// readings topic and publishes what it closes on the features topic; a subscriber counts them.
struct E2E
{
    double readingsPerS = 0;
    double windowsPerS = 0;
};

E2E endToEnd(const QList<QList<Reading>> &batches, qint64 readings)
{
    LocalBus bus;
    SlidingWindowAggregator agg;
    qint64 windows = 0;
    QObject ctx;
    QObject::connect(&bus, &Bus::readings, &ctx, [&](const QList<Reading> &r) {
        const QList<WindowStats> closed = agg.add(r);
        if (!closed.isEmpty())
            bus.publishFeatures(closed);
    });
    QObject::connect(&bus, &Bus::features, &ctx, [&](const QList<WindowStats> &w) { windows += w.size(); });
    CpuTimer timer;
    timer.start();
    for (const QList<Reading> &b : batches)
        bus.publishReadings(b);
    const QList<WindowStats> rest = agg.flush();
    bus.publishFeatures(rest);
    const double s = double(timer.nsecsElapsed()) / 1e9;
    return {double(readings) / s, double(windows) / s};
}

// Only the aggregator's QList<Reading> entry point, same batches: tells whether the bus matters.
double listPathOnly(const QList<QList<Reading>> &batches, qint64 readings)
{
    SlidingWindowAggregator agg;
    qint64 windows = 0;
    CpuTimer timer;
    timer.start();
    for (const QList<Reading> &b : batches)
        windows += agg.add(b).size();
    windows += agg.flush().size();
    const double s = double(timer.nsecsElapsed()) / 1e9;
    return windows >= 0 ? double(readings) / s : 0;
}

// The METAR day looped `copies` times, each copy one day later (so time keeps moving).
QList<QList<Reading>> metarReplay(const RealColumns &real, int copies, qsizetype batch, qint64 &total)
{
    QList<QList<Reading>> batches;
    QList<Reading> cur;
    total = 0;
    for (int c = 0; c < copies; ++c) {
        for (Reading r : real.readings) {
            r.timestampMs += qint64(c) * 86'400'000;
            cur.append(std::move(r));
            if (cur.size() == batch) {
                batches.append(std::move(cur));
                cur = {};
            }
        }
        total += real.readings.size();
    }
    if (!cur.isEmpty())
        batches.append(cur);
    return batches;
}

// Dense: `stations` stations at 1 Hz, rows of the METAR day as values, in event-time order.
QList<QList<Reading>> denseReplay(const RealColumns &real, int stations, qint64 readings, qsizetype batch)
{
    QStringList ids;
    for (int s = 0; s < stations; ++s)
        ids.append(QStringLiteral("ST%1").arg(s));
    QList<QList<Reading>> batches;
    QList<Reading> cur;
    cur.reserve(batch);
    for (qint64 i = 0; i < readings; ++i) {
        Reading r;
        r.stationId = ids[int(i % stations)];
        r.timestampMs = kT0 + (i / stations) * 1000;
        r.values = real.readings[qsizetype(size_t(i) % size_t(real.readings.size()))].values;
        cur.append(std::move(r));
        if (cur.size() == batch) {
            batches.append(std::move(cur));
            cur = {};
            cur.reserve(batch);
        }
    }
    if (!cur.isEmpty())
        batches.append(cur);
    return batches;
}

// Steady-state state size per station (dense 1 Hz stream, all variables) for a window length.
double bytesPerStation(qint64 stations, qint64 lengthMs, const RealColumns &real, qint64 seconds)
{
    WindowOptions o;
    o.lengthMs = lengthMs;
    SlidingWindowAggregator agg(o);
    for (qint64 s = 0; s < stations; ++s)
        agg.intern(QStringLiteral("ST%1").arg(s));
    QList<WindowStats> out;
    Values v = Reading::missingValues();
    for (qint64 i = 0; i < stations * seconds; ++i) {
        fillValues(v, real, i, true);
        agg.add(int(i % stations), kT0 + (i / stations) * 1000, v, out);
        if (out.size() > 4096)
            out.clear();
    }
    return double(agg.memoryBytes()) / double(stations);
}

long rssKb()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> parts = f.readAll().split(' ');
    return parts.size() > 1 ? parts[1].toLong() * 4 : 0;
}

QJsonObject run(const BenchContext &ctx)
{
    QTextStream out(stdout);
    const RealColumns real = loadReal();
    if (real.readings.isEmpty() || real.temperatures.empty())
        return {{QStringLiteral("error"), QStringLiteral("cannot read data/sao_19950318/observations.csv")}};
    const int repeats = std::max(1, ctx.repeats);
    // Enough readings for every station to pass many windows (steady state), the same for both.
    const qint64 baseReadings = ctx.smoke ? 300'000 : 10'000'000;
    const qint64 bigFleet = ctx.smoke ? 1'000 : 10'000;
    auto readingsFor = [&](qint64 stations) { return std::max(baseReadings, stations * (ctx.smoke ? 600 : 1200)); };
    QJsonObject json;
    QJsonArray kernelRows;
    auto say = [&](const QString &line) {
        if (!ctx.json) {
            out << line << '\n';
            out.flush();
        }
    };

    say(QStringLiteral("windows: 5 min / 1 min, lateness 2 min, grace 5 min; %1 repeat(s), medians").arg(repeats));
    say(QStringLiteral("kernel (one reading per station per second, interned stations):"));
    say(QStringLiteral("  %1 %2 %3 %4 %5").arg(QStringLiteral("stations"), 8).arg(QStringLiteral("values"), 7)
            .arg(QStringLiteral("fast upd/s"), 14).arg(QStringLiteral("naive upd/s"), 14).arg(QStringLiteral("speed-up"), 9));
    double kernel1 = 0, naive1 = 0;
    // --kernel-only: the 1-station rows alone, for repeating the headline figure on a busy machine.
    const bool kernelOnly = ctx.args.contains(QStringLiteral("--kernel-only"));
    const std::vector<qint64> fleets = kernelOnly ? std::vector<qint64>{1} : std::vector<qint64>{1, 100, bigFleet};
    for (qint64 stations : fleets) {
        for (bool full : {false, true}) {
            std::vector<double> fast, naive;
            for (int r = 0; r < repeats; ++r) {
                fast.push_back(kernelFast(stations, readingsFor(stations), real, full).updatesPerS);
                naive.push_back(kernelNaive(stations, readingsFor(stations), real, full).updatesPerS);
            }
            const double f = median(fast), n = median(naive);
            if (stations == 1 && !full) {
                kernel1 = f;
                naive1 = n;
            }
            kernelRows.append(QJsonObject{{QStringLiteral("stations"), stations},
                                          {QStringLiteral("values_per_reading"), full ? QStringLiteral("all (METAR row)") : QStringLiteral("temperature")},
                                          {QStringLiteral("updates_per_s"), f},
                                          {QStringLiteral("naive_updates_per_s"), n}});
            say(QStringLiteral("  %1 %2 %3 %4 %5x").arg(stations, 8).arg(full ? QStringLiteral("row") : QStringLiteral("temp"), 7)
                    .arg(f, 14, 'e', 3).arg(n, 14, 'e', 3).arg(f / n, 8, 'f', 1));
        }
    }

    if (kernelOnly) {
        json.insert(QStringLiteral("kernel_updates_per_s"), kernel1);
        json.insert(QStringLiteral("naive_updates_per_s"), naive1);
        json.insert(QStringLiteral("kernel"), kernelRows);
        json.insert(QStringLiteral("repeats"), repeats);
        return json;
    }

    // Window length: the fast kernel stays flat, the naive one falls with the readings per window.
    QJsonArray lengthRows;
    say(QStringLiteral("kernel vs window length (10 stations, temperature, slide 1 min):"));
    for (qint64 minutes : {5, 60, 360}) {
        if (ctx.smoke && minutes > 60)
            continue;
        WindowOptions o;
        o.lengthMs = minutes * 60'000;
        std::vector<double> fast, naive;
        for (int r = 0; r < repeats; ++r) {
            const qint64 n = std::max<qint64>(ctx.smoke ? 100'000 : 1'000'000, 10 * minutes * 90);
            fast.push_back(kernelFast(10, n, real, false, o).updatesPerS);
            naive.push_back(kernelNaive(10, n, real, false, o).updatesPerS);
        }
        lengthRows.append(QJsonObject{{QStringLiteral("length_min"), minutes}, {QStringLiteral("updates_per_s"), median(fast)},
                                      {QStringLiteral("naive_updates_per_s"), median(naive)}});
        say(QStringLiteral("  %1 min: fast %2 upd/s, naive %3 upd/s").arg(minutes, 4).arg(median(fast), 0, 'e', 3).arg(median(naive), 0, 'e', 3));
    }

    // End to end.
    const qint64 denseReadings = ctx.smoke ? 200'000 : 4'000'000;
    const QList<QList<Reading>> dense = denseReplay(real, 1000, denseReadings, 10'000);
    qint64 metarTotal = 0;
    const QList<QList<Reading>> metar = metarReplay(real, ctx.smoke ? 1 : 10, 10'000, metarTotal);
    std::vector<double> eDense, eDenseW, eList, eMetar, eMetarW;
    for (int r = 0; r < repeats; ++r) {
        const E2E d = endToEnd(dense, denseReadings);
        eDense.push_back(d.readingsPerS);
        eDenseW.push_back(d.windowsPerS);
        eList.push_back(listPathOnly(dense, denseReadings));
        const E2E m = endToEnd(metar, metarTotal);
        eMetar.push_back(m.readingsPerS);
        eMetarW.push_back(m.windowsPerS);
    }
    say(QStringLiteral("end to end, in-memory replay → LocalBus → aggregator → features (batches of 10,000):"));
    say(QStringLiteral("  dense 1,000 stations × 1 Hz, all METAR columns: %1 readings/s (%2 windows/s); aggregator add(QList) alone %3 readings/s")
            .arg(median(eDense), 0, 'e', 3).arg(median(eDenseW), 0, 'e', 3).arg(median(eList), 0, 'e', 3));
    say(QStringLiteral("  METAR day (%1 real reports, ≈2,000 stations, hourly) looped: %2 readings/s (%3 windows/s)")
            .arg(real.readings.size()).arg(median(eMetar), 0, 'e', 3).arg(median(eMetarW), 0, 'e', 3));

    // Memory.
    QJsonArray memRows;
    const qint64 memSeconds = ctx.smoke ? 600 : 3 * 3600;
    say(QStringLiteral("state per station (dense 1 Hz, all variables, steady state after %1 s):").arg(memSeconds));
    double bytes5 = 0;
    for (qint64 minutes : {5, 15, 60, 360}) {
        if (ctx.smoke && minutes > 15)
            continue;
        const double b = bytesPerStation(20, minutes * 60'000, real, std::max<qint64>(memSeconds, minutes * 60 * 2));
        if (minutes == 5)
            bytes5 = b;
        memRows.append(QJsonObject{{QStringLiteral("length_min"), minutes}, {QStringLiteral("bytes_per_station"), b}});
        say(QStringLiteral("  window %1 min: %2 bytes/station").arg(minutes, 4).arg(b, 0, 'f', 0));
    }
    // 10,000 stations: the estimate and the process's resident-set growth.
    {
        const long before = rssKb();
        WindowOptions o;
        SlidingWindowAggregator agg(o);
        for (int s = 0; s < 10'000; ++s)
            agg.intern(QStringLiteral("ST%1").arg(s));
        QList<WindowStats> sink;
        Values v = Reading::missingValues();
        const qint64 n = 10'000LL * (ctx.smoke ? 60 : 600);
        for (qint64 i = 0; i < n; ++i) {
            fillValues(v, real, i, true);
            agg.add(int(i % 10'000), kT0 + (i / 10'000) * 1000, v, sink);
            if (sink.size() > 4096)
                sink.clear();
        }
        sink.clear();
        sink.squeeze();
        const long after = rssKb();
        const double est = double(agg.memoryBytes()) / 10'000.0;
        const double rss = double(after - before) * 1024.0 / 10'000.0;
        json.insert(QStringLiteral("bytes_per_station_10k_rss"), rss);
        say(QStringLiteral("  10,000 stations, 5 min: %1 bytes/station counted, %2 bytes/station resident-set growth").arg(est, 0, 'f', 0).arg(rss, 0, 'f', 0));
    }

    // Real sparse stations: the METAR day (hourly reports) fed once, state per station at its end.
    {
        SlidingWindowAggregator agg;
        agg.add(real.readings);
        const double perStation = double(agg.memoryBytes()) / double(std::max<qsizetype>(1, agg.stationCount()));
        json.insert(QStringLiteral("bytes_per_station_metar"), perStation);
        say(QStringLiteral("  METAR day (%1 stations, hourly reports), 5 min: %2 bytes/station, %3 panes held in all")
                .arg(agg.stationCount()).arg(perStation, 0, 'f', 0).arg(agg.retainedPanes()));
    }

    json.insert(QStringLiteral("kernel_updates_per_s"), kernel1);
    json.insert(QStringLiteral("naive_updates_per_s"), naive1);
    json.insert(QStringLiteral("e2e_readings_per_s"), median(eDense));
    json.insert(QStringLiteral("e2e_windows_per_s"), median(eDenseW));
    json.insert(QStringLiteral("e2e_list_path_readings_per_s"), median(eList));
    json.insert(QStringLiteral("e2e_metar_readings_per_s"), median(eMetar));
    json.insert(QStringLiteral("e2e_metar_windows_per_s"), median(eMetarW));
    json.insert(QStringLiteral("bytes_per_station"), bytes5);
    json.insert(QStringLiteral("kernel"), kernelRows);
    json.insert(QStringLiteral("kernel_vs_length"), lengthRows);
    json.insert(QStringLiteral("memory_vs_length"), memRows);
    json.insert(QStringLiteral("repeats"), repeats);
    return json;
}

static BenchRegistration reg{{QStringLiteral("windows"),
                              QStringLiteral("sliding-window kernel vs naive recompute, end-to-end readings/s, bytes per station"),
                              run}};

} // namespace
