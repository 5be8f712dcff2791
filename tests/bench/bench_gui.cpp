// stratus-bench gui: responsiveness of the desktop window while the engine replays at full speed.
//
// Phase 1 replays the real METAR day (sao_19950318/observations.csv, 38,304 reports, ~1,440 located
// stations) as fast as the engine can go, with the main window shown, the map's interpolated layer on
// and a simulated user zooming, panning and selecting stations. Phase 2 does the same with a stress
// set of 10,000 stations: positions are the real METAR positions jittered by up to ±0.6° (a fixed
// seed), and each stress station replays the real reports of the station it was copied from (so the
// values are real, the stations are not). The worst event-loop stall is the largest gap between two
// ticks of a 2 ms precise timer on the GUI thread, minus the interval.
#include "BenchRegistry.h"

#include "EngineThread.h"
#include "LiveState.h"
#include "MainWindow.h"
#include "sources/RecordedDataReader.h"
#include "StationMapView.h"
#include "TimeUtil.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QMetaEnum>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QTimer>

#include <map>
#include <random>

#include <time.h>

namespace {

QString shared(const char *relative)
{
    return QStringLiteral(STRATUS_SHARED_DIR "/") + QString::fromUtf8(relative);
}

// Resident set size now and at its peak, from /proc (MB).
std::pair<double, double> rssMb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    double now = 0, peak = 0;
    if (f.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : f.readAll().split('\n')) {
            const auto kb = [&] { return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0; };
            if (line.startsWith("VmRSS:"))
                now = kb();
            else if (line.startsWith("VmHWM:"))
                peak = kb();
        }
    }
    return {now, peak};
}

// CPU time of the calling thread (ms): separates the GUI thread's own work from waiting for a core.
double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    return f.open(QIODevice::ReadOnly) ? f.readAll().split(' ').value(0).toDouble() : -1;
}

// Which GUI-thread event handlers take the time: every event the application delivers is timed
// (thread CPU and wall), keyed by event type and receiver (a timer's owner, not the QTimer). Nested
// deliveries (a paint inside an update request) are keyed on their own, so the same CPU can show up
// under an outer and an inner key; the point is to name the longest single handler.
class TimedApplication : public QApplication
{
public:
    using QApplication::QApplication;

    struct Cost
    {
        double maxCpuMs = 0;
        double maxWallMs = 0;
        double totalCpuMs = 0;
        qint64 count = 0;
    };

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!m_enabled || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        const double cpu0 = threadCpuMs();
        QElapsedTimer wall;
        wall.start();
        const QEvent::Type type = event->type();
        const QByteArray key = keyOf(receiver, type); // before delivery: the receiver may be deleted by it
        const bool handled = QApplication::notify(receiver, event);
        const double cpu = threadCpuMs() - cpu0;
        if (cpu >= 1.0) {
            Cost &c = m_costs[key];
            c.maxCpuMs = std::max(c.maxCpuMs, cpu);
            c.maxWallMs = std::max(c.maxWallMs, wall.nsecsElapsed() / 1e6);
            c.totalCpuMs += cpu;
            ++c.count;
        }
        return handled;
    }

    void setEnabled(bool on) { m_enabled = on; }
    std::map<QByteArray, Cost> take() { return std::exchange(m_costs, {}); }

private:
    static QByteArray keyOf(QObject *receiver, QEvent::Type type)
    {
        QObject *owner = receiver;
        if (qobject_cast<QTimer *>(receiver) && receiver->parent())
            owner = receiver->parent();
        QByteArray key = owner->metaObject()->className();
        if (!owner->objectName().isEmpty())
            key += '#' + owner->objectName().toUtf8();
        const char *name = QMetaEnum::fromType<QEvent::Type>().valueToKey(type);
        return key + ' ' + (name ? QByteArray(name) : QByteArray::number(int(type)));
    }

    bool m_enabled = false;
    std::map<QByteArray, Cost> m_costs;
};

TimedApplication *timedApp()
{
    return dynamic_cast<TimedApplication *>(QCoreApplication::instance());
}

struct PhaseResult
{
    double worstStallMs = 0;
    double worstStallCpuMs = 0; // GUI-thread CPU time spent inside the worst stall
    double maxCpuStallMs = 0;   // largest GUI-thread CPU time between two probe ticks
    int stallsOver50 = 0;
    double seconds = 0;
    int stations = 0;
    qint64 readings = 0;
    double lastMapRenderMs = 0;
    double rssMb = 0; // with the window and the engine still up, at the end of the phase
    std::map<QByteArray, TimedApplication::Cost> costs; // GUI-thread event handlers, see TimedApplication
};

// Runs one replay with the window up and a simulated user; returns the worst stall.
PhaseResult runPhase(const QString &file, double maxSeconds)
{
    PhaseResult result;
    stratus::EngineOptions options;
    options.replayFile = file;
    options.replaySpeed = 0; // as fast as possible
    stratus::EngineThread engine(options);
    stratus::MainWindow window(engine.state());
    window.resize(1600, 1000);
    window.show();
    window.mapView()->setInterpolation(true);

    bool finished = false;
    QObject::connect(&engine, &stratus::EngineThread::sourceFinished, &window, [&] { finished = true; });

    QElapsedTimer clock;
    clock.start();
    qint64 lastTick = -1;
    double lastCpu = 0;
    constexpr int kInterval = 2;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, &window, [&] {
        const qint64 now = clock.nsecsElapsed();
        const double cpu = threadCpuMs();
        if (lastTick >= 0) {
            const double stall = (now - lastTick) / 1e6 - kInterval;
            if (stall > result.worstStallMs) {
                result.worstStallMs = stall;
                result.worstStallCpuMs = cpu - lastCpu;
            }
            result.maxCpuStallMs = std::max(result.maxCpuStallMs, cpu - lastCpu);
            result.stallsOver50 += stall > 50;
        }
        lastTick = now;
        lastCpu = cpu;
    });

    // A user who keeps zooming, panning and clicking stations while data pours in.
    std::mt19937 rng(7);
    int step = 0;
    QTimer user;
    QObject::connect(&user, &QTimer::timeout, &window, [&] {
        stratus::StationMapView *map = window.mapView();
        std::uniform_real_distribution<double> x(0.2 * map->width(), 0.8 * map->width());
        std::uniform_real_distribution<double> y(0.2 * map->height(), 0.8 * map->height());
        switch (step++ % 4) {
        case 0: map->zoomAt(QPointF(x(rng), y(rng)), 1.6); break;
        case 1: map->zoomAt(QPointF(x(rng), y(rng)), 1 / 1.6); break;
        case 2: {
            const QStringList ids = engine.state().latestReadings().keys();
            if (!ids.isEmpty()) {
                std::uniform_int_distribution<qsizetype> pick(0, ids.size() - 1);
                window.selectStation(ids[pick(rng)]);
            }
            break;
        }
        default: map->fitToStations(); break;
        }
    });

    if (TimedApplication *app = timedApp()) {
        app->take();
        app->setEnabled(true);
    }
    probe.setObjectName(QStringLiteral("stallProbe"));
    user.setObjectName(QStringLiteral("simulatedUser"));
    probe.start(kInterval);
    user.start(250);
    engine.start();
    // Keep going a few seconds after the replay ends: the views catch up then.
    qint64 finishedAt = -1;
    while (clock.elapsed() < maxSeconds * 1000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        if (finished && finishedAt < 0)
            finishedAt = clock.elapsed();
        if (finishedAt >= 0 && clock.elapsed() - finishedAt > 3000)
            break;
    }
    probe.stop();
    user.stop();
    if (TimedApplication *app = timedApp()) {
        app->setEnabled(false);
        result.costs = app->take();
    }
    result.seconds = clock.elapsed() / 1000.0;
    result.stations = window.mapView()->stationCount();
    result.readings = engine.state().counters().readingsIn;
    result.lastMapRenderMs = window.mapView()->lastRenderMs();
    result.rssMb = rssMb().first;
    window.close();
    return result;
}

// The stress set: 10,000 stations at jittered real positions, each replaying its parent's real reports.
QString writeStressSet(const QTemporaryDir &dir, int stationCount, qint64 untilMs, QString *error)
{
    const auto data = stratus::RecordedDataReader::read(shared("data/sao_19950318/observations.csv"));
    if (!data) {
        *error = data.errorMessage();
        return {};
    }
    QList<stratus::Station> located;
    for (const stratus::Station &s : data->stations) {
        if (s.hasLocation() && std::abs(s.longitude) <= 180 && std::abs(s.latitude) <= 90)
            located.append(s);
    }
    QHash<QString, QList<const stratus::Reading *>> byStation;
    for (const stratus::Reading &r : data->readings) {
        if (r.timestampMs <= untilMs)
            byStation[r.stationId].append(&r);
    }
    const QString path = dir.filePath(QStringLiteral("stress.csv"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return {};
    }
    QTextStream out(&file);
    out << "station_id,lat,lon,time_utc,temperature_c,dewpoint_c,wind_dir_deg,wind_speed_ms,wind_gust_ms,"
           "sea_level_pressure_hpa,visibility_km\n";
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> jitter(-0.6, 0.6);
    const auto num = [](const stratus::Reading *r, stratus::Variable v) {
        return r->has(v) ? QString::number(r->value(v), 'g', 8) : QString();
    };
    for (int i = 0; i < stationCount; ++i) {
        const stratus::Station &parent = located[i % located.size()];
        const QString id = QStringLiteral("%1_%2").arg(parent.id).arg(i / located.size());
        const double lat = std::clamp(parent.latitude + jitter(rng), -89.9, 89.9);
        const double lon = std::clamp(parent.longitude + jitter(rng), -179.9, 179.9);
        for (const stratus::Reading *r : byStation.value(parent.id)) {
            out << id << ',' << QString::number(lat, 'f', 4) << ',' << QString::number(lon, 'f', 4) << ','
                << stratus::timeutil::toIsoUtc(r->timestampMs) << ',' << num(r, stratus::Variable::Temperature) << ','
                << num(r, stratus::Variable::Dewpoint) << ',' << num(r, stratus::Variable::WindDirection) << ','
                << num(r, stratus::Variable::WindSpeed) << ',' << num(r, stratus::Variable::WindGust) << ','
                << num(r, stratus::Variable::Pressure) << ',' << num(r, stratus::Variable::Visibility) << '\n';
        }
    }
    return path;
}

QJsonObject benchGui(const BenchContext &ctx)
{
    QTextStream out(stdout);
    QTemporaryDir dir;
    // Smoke: the first 3 hours of the day for the stress set; full: the whole day.
    const qint64 until = ctx.smoke ? *stratus::timeutil::parseIsoUtc(QStringView(u"1995-03-18T02:59:00Z"))
                                   : std::numeric_limits<qint64>::max();
    QString error;
    const QString stress = writeStressSet(dir, 10'000, until, &error);
    if (stress.isEmpty())
        return {{QStringLiteral("error"), error}};

    // Each repeat is a full replay of both phases; three are enough to see the spread on a shared VM.
    const int repeats = std::min(ctx.repeats, 3);
    std::vector<double> metarStalls, stressStalls, metarCpu, stressCpu;
    PhaseResult metar, stressed;
    const double loadBefore = loadAverage();
    for (int i = 0; i < repeats; ++i) {
        metar = runPhase(shared("data/sao_19950318/observations.csv"), ctx.smoke ? 60 : 180);
        stressed = runPhase(stress, ctx.smoke ? 60 : 300);
        metarStalls.push_back(metar.worstStallMs);
        stressStalls.push_back(stressed.worstStallMs);
        metarCpu.push_back(metar.maxCpuStallMs);
        stressCpu.push_back(stressed.maxCpuStallMs);
    }
    const double loadAfter = loadAverage();
    const auto [rss, peak] = rssMb();
    const double worst = std::max(median(metarStalls), median(stressStalls));
    if (!ctx.json) {
        out << "gui: worst GUI event-loop stall while replaying at full speed (median of " << repeats << ")\n";
        out << QStringLiteral("  METAR day     %1 stations, %2 readings in %3 s: worst stall %4 ms, %5 stalls > 50 ms\n")
                   .arg(metar.stations).arg(metar.readings).arg(metar.seconds, 0, 'f', 1)
                   .arg(median(metarStalls), 0, 'f', 1).arg(metar.stallsOver50);
        out << QStringLiteral("  stress 10k    %1 stations, %2 readings in %3 s: worst stall %4 ms, %5 stalls > 50 ms\n")
                   .arg(stressed.stations).arg(stressed.readings).arg(stressed.seconds, 0, 'f', 1)
                   .arg(median(stressStalls), 0, 'f', 1).arg(stressed.stallsOver50);
        out << QStringLiteral("  GUI-thread CPU in the busiest gap: METAR %1 ms, stress %2 ms (the rest of a stall is waiting for a core)\n")
                   .arg(median(metarCpu), 0, 'f', 1).arg(median(stressCpu), 0, 'f', 1);
        out << QStringLiteral("  load average %1 before, %2 after (2 cores)\n").arg(loadBefore).arg(loadAfter);
        out << QStringLiteral("  map background (outline + IDW field, worker thread): %1 ms at 10k stations\n")
                   .arg(stressed.lastMapRenderMs, 0, 'f', 0);
        out << QStringLiteral("  RSS with the window up: METAR %1 MB, stress %2 MB; %3 MB after both closed, %4 MB peak (platform: %5)\n")
                   .arg(metar.rssMb, 0, 'f', 0).arg(stressed.rssMb, 0, 'f', 0)
                   .arg(rss, 0, 'f', 0).arg(peak, 0, 'f', 0).arg(QGuiApplication::platformName());
        // The GUI-thread handlers that cost the most in one go (last repeat), to know what to fix next.
        for (const auto &[label, phase] : {std::pair{"METAR", &metar}, std::pair{"stress", &stressed}}) {
            std::vector<std::pair<QByteArray, TimedApplication::Cost>> costs(phase->costs.begin(), phase->costs.end());
            std::sort(costs.begin(), costs.end(), [](const auto &a, const auto &b) { return a.second.maxCpuMs > b.second.maxCpuMs; });
            out << "  slowest GUI-thread handlers, " << label << " (max CPU / max wall / total CPU ms, calls >= 1 ms):\n";
            for (size_t i = 0; i < std::min<size_t>(costs.size(), 10); ++i) {
                const auto &[key, c] = costs[i];
                out << QStringLiteral("    %1 / %2 / %3 ms ×%4  %5\n")
                           .arg(c.maxCpuMs, 5, 'f', 1).arg(c.maxWallMs, 5, 'f', 1).arg(c.totalCpuMs, 6, 'f', 0)
                           .arg(c.count).arg(QString::fromUtf8(key));
            }
        }
    }
    return {
        {QStringLiteral("worst_stall_ms"), worst},
        {QStringLiteral("rss_mb"), stressed.rssMb}, // the window up with 10,000 stations
        {QStringLiteral("rss_after_mb"), rss},
        {QStringLiteral("metar_rss_mb"), metar.rssMb},
        {QStringLiteral("peak_rss_mb"), peak},
        {QStringLiteral("metar_worst_stall_ms"), median(metarStalls)},
        {QStringLiteral("stress_worst_stall_ms"), median(stressStalls)},
        {QStringLiteral("metar_stations"), metar.stations},
        {QStringLiteral("stress_stations"), stressed.stations},
        {QStringLiteral("stress_readings"), static_cast<double>(stressed.readings)},
        {QStringLiteral("map_render_ms"), stressed.lastMapRenderMs},
        {QStringLiteral("metar_gui_cpu_max_ms"), median(metarCpu)},
        {QStringLiteral("stress_gui_cpu_max_ms"), median(stressCpu)},
        {QStringLiteral("load_average"), loadBefore},
    };
}

std::unique_ptr<QCoreApplication> makeGuiApp(int &argc, char **argv)
{
    // Without a display (CI), draw offscreen: the widgets still lay out and paint.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    auto app = std::make_unique<TimedApplication>(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("StratusBench")); // not the user's settings
    stratus::MainWindow::applyTheme(stratus::MainWindow::Theme::Light);
    return app;
}

BenchAppRegistration appReg{QStringLiteral("gui"), makeGuiApp};
BenchRegistration reg{{QStringLiteral("gui"),
                       QStringLiteral("worst GUI stall replaying the METAR day, then 10,000 stations (--json: worst_stall_ms, rss_mb)"),
                       benchGui}};

} // namespace
