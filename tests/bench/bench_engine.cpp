// stratus-bench engine: the whole engine, every stage on (validate → aggregate → detect → forecast
// → rules), on real replays, measured two ways:
//  1. as users run it: the `stratus --server --file F --speed max` binary, from start until every
//     reading is accepted and the history store has committed everything, with its peak RSS; beside
//     it in the same run the binary given by --baseline (e.g. the previous release), same data;
//  2. in-process, the Engine with and without the store: readings/s, each stage's share of the
//     engine's time, and produce → anomaly / produce → forecast latency at a paced 10 k readings/s.
// Replays: the METAR day (38,304 rows, ~2,000 stations) and the newest 150,000 rows of Beijing
// hourly (12 stations) served by a ridge model trained on the earlier years.
#include "BenchRegistry.h"

#include "Engine.h"
#include "TimeUtil.h"
#include "bus/Bus.h"
#include "forecast/ForecastDataLoader.h"
#include "forecast/ForecastTrainer.h"
#include "sources/RecordedDataReader.h"
#include "sources/Source.h"
#include "store/HistoryStore.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <vector>

using namespace stratus;

namespace {

// Emits prepared readings in batches, as fast as the engine takes them or paced to a rate.
class MemorySource final : public Source
{
public:
    MemorySource(QList<Reading> readings, QList<Station> stations, int batch, double perSecond)
        : m_readings(std::move(readings)), m_stations(std::move(stations)), m_batch(batch), m_perSecond(perSecond)
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] { tick(); });
    }
    QString name() const override { return QStringLiteral("bench"); }
    void start() override
    {
        emit stationsDiscovered(m_stations);
        setState(State::Ok);
        m_clock.start();
        m_timer.start(m_perSecond > 0 ? 5 : 0);
    }
    void stop() override { m_timer.stop(); }
    // Wall time (ns since start) and the newest event time of each batch handed over.
    std::vector<std::pair<qint64, qint64>> batches;

protected:
    void pauseChanged() override
    {
        if (isPaused())
            m_timer.stop();
        else
            m_timer.start(m_perSecond > 0 ? 5 : 0);
    }

private:
    void tick()
    {
        qsizetype n = m_batch;
        if (m_perSecond > 0) {
            const auto due = static_cast<qsizetype>(m_perSecond * static_cast<double>(m_clock.nsecsElapsed()) / 1e9);
            n = std::min<qsizetype>(due - m_next, m_batch);
        }
        n = std::min(n, m_readings.size() - m_next);
        if (n > 0) {
            const QList<Reading> batch = m_readings.mid(m_next, n);
            m_next += n;
            qint64 newest = batch.front().timestampMs;
            for (const Reading &r : batch)
                newest = std::max(newest, r.timestampMs);
            batches.emplace_back(m_clock.nsecsElapsed(), newest);
            countEmitted(n);
            emit readingsReady(batch);
        }
        if (m_next >= m_readings.size()) {
            m_timer.stop();
            setState(State::Finished);
            emit finished();
        }
    }

    QList<Reading> m_readings;
    QList<Station> m_stations;
    int m_batch;
    double m_perSecond;
    qsizetype m_next = 0;
    QTimer m_timer;
    QElapsedTimer m_clock;
};

struct Replay
{
    QString name;
    QString file;        // the CSV the binary replays
    QString stationsCsv; // optional catalogue
    QString modelDir;    // optional model registry
    QList<Reading> readings;
    QList<Station> stations;
};

// --- 1. the binary as users run it ------------------------------------------------------------

struct BinaryRun
{
    double acceptSeconds = 0; // until every reading was accepted (the source finished)
    double drainSeconds = 0;  // until the store had committed everything
    double peakRssMb = 0;
    qint64 readingsIn = 0;
    QString error;
};

double peakRssMb(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return 0;
}

QJsonObject getJson(QNetworkAccessManager &nam, const QString &url)
{
    QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(url)));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    loop.exec();
    const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    return o;
}

BinaryRun runBinary(const QString &binary, const Replay &replay, int timeoutS)
{
    BinaryRun run;
    QTemporaryDir dir;
    QStringList args{QStringLiteral("--server"), QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--db"),
                     dir.filePath(QStringLiteral("h.sqlite")), QStringLiteral("--file"), replay.file,
                     QStringLiteral("--speed"), QStringLiteral("max")};
    if (!replay.stationsCsv.isEmpty())
        args << QStringLiteral("--stations-csv") << replay.stationsCsv;
    if (!replay.modelDir.isEmpty())
        args << QStringLiteral("--models") << replay.modelDir;
    QProcess p;
    p.setProcessChannelMode(QProcess::SeparateChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
    p.setProcessEnvironment(env);
    QElapsedTimer clock;
    clock.start();
    p.start(binary, args);
    static const QRegularExpression serving(QStringLiteral("serving (http://[0-9.]+:[0-9]+)"));
    QString base;
    QByteArray stdoutText;
    while (base.isEmpty() && p.state() != QProcess::NotRunning && clock.elapsed() < 60000) {
        p.waitForReadyRead(100);
        stdoutText += p.readAllStandardOutput();
        if (const auto m = serving.match(QString::fromUtf8(stdoutText)); m.hasMatch())
            base = m.captured(1);
    }
    if (base.isEmpty()) {
        run.error = QStringLiteral("%1 did not start: %2").arg(binary, QString::fromUtf8(p.readAllStandardError().left(500)));
        return run;
    }
    QNetworkAccessManager nam;
    while (clock.elapsed() < timeoutS * 1000LL) {
        const QJsonObject h = getJson(nam, base + QStringLiteral("/health"));
        const QJsonArray sources = h.value(QStringLiteral("sources")).toArray();
        const bool finished = !sources.isEmpty() && sources.first().toObject().value(QStringLiteral("state")).toString() == QLatin1String("finished");
        if (finished && run.acceptSeconds == 0)
            run.acceptSeconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
        const qint64 pending = h.value(QStringLiteral("store")).toObject().value(QStringLiteral("pending_rows")).toInteger(-1);
        if (finished && pending == 0) {
            run.drainSeconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
            run.readingsIn = h.value(QStringLiteral("counters")).toObject().value(QStringLiteral("readings_in")).toInteger();
            break;
        }
        QEventLoop wait;
        QTimer::singleShot(25, &wait, &QEventLoop::quit);
        wait.exec();
    }
    run.peakRssMb = peakRssMb(p.processId());
    if (run.drainSeconds == 0)
        run.error = QStringLiteral("%1 had not finished %2 after %3 s").arg(binary, replay.name).arg(timeoutS);
    p.terminate();
    if (!p.waitForFinished(20000))
        p.kill();
    return run;
}

// --- 2. in-process --------------------------------------------------------------------------

struct InProcessRun
{
    double readingsPerS = 0;
    double drainSeconds = 0;
    QJsonObject stageShare; // stage → share of the engine's stage time
    double anomalyP50Ms = 0, anomalyP99Ms = 0, forecastP50Ms = 0, forecastP99Ms = 0;
    qint64 anomalies = 0, forecasts = 0, windows = 0;
    QString error;
};

double percentile(std::vector<double> v, double q)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

InProcessRun runInProcess(const Replay &replay, bool withStore, double perSecond)
{
    InProcessRun run;
    QTemporaryDir dir;
    EngineOptions o;
    o.modelDir = replay.modelDir;
    if (withStore)
        o.store.path = dir.filePath(QStringLiteral("h.sqlite"));
    Engine engine(o);
    auto *source = new MemorySource(replay.readings, replay.stations, 10000, perSecond);
    source->setParent(&engine);
    engine.addSource(source);
    std::vector<double> anomalyMs, forecastMs;
    QElapsedTimer clock;
    // The batch whose newest event time first reached `eventMs` produced what is about it.
    const auto latencyOf = [&](qint64 eventMs) -> double {
        const auto &b = source->batches;
        const auto it = std::lower_bound(b.begin(), b.end(), eventMs, [](const auto &x, qint64 t) { return x.second < t; });
        if (it == b.end())
            return -1;
        return static_cast<double>(clock.nsecsElapsed() - it->first) / 1e6;
    };
    QObject::connect(&engine.bus(), &Bus::anomalies, &engine, [&](const QList<Anomaly> &list) {
        run.anomalies += list.size();
        for (const Anomaly &a : list) {
            if (const double ms = latencyOf(a.timestampMs); ms >= 0)
                anomalyMs.push_back(ms);
        }
    });
    QObject::connect(&engine.bus(), &Bus::forecasts, &engine, [&](const QList<Forecast> &list) {
        run.forecasts += list.size();
        for (const Forecast &f : list) {
            // A forecast is due once its window closed: the watermark passed its issue time.
            if (const double ms = latencyOf(f.issuedAtMs + o.windows.allowedLatenessMs); ms >= 0)
                forecastMs.push_back(ms);
        }
    });
    QObject::connect(&engine.bus(), &Bus::features, &engine, [&](const QList<WindowStats> &w) { run.windows += w.size(); });
    bool finished = false;
    QObject::connect(&engine, &Engine::sourceFinished, &engine, [&] { finished = true; });
    clock.start();
    engine.start();
    while (!finished && clock.elapsed() < 600000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    const double acceptS = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    if (!finished) {
        run.error = QStringLiteral("%1 did not finish in 600 s").arg(replay.name);
        return run;
    }
    if (withStore) {
        while (engine.store() && engine.store()->backlogRows() > 0 && clock.elapsed() < 600000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    run.drainSeconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    run.readingsPerS = static_cast<double>(replay.readings.size()) / (withStore ? run.drainSeconds : acceptS);
    double total = 0;
    const auto stages = engine.state().stages();
    for (const auto &s : stages)
        total += s.busyMs;
    for (const auto &s : stages)
        run.stageShare.insert(s.name, total > 0 ? s.busyMs / total : 0.0);
    run.anomalyP50Ms = percentile(anomalyMs, 0.5);
    run.anomalyP99Ms = percentile(anomalyMs, 0.99);
    run.forecastP50Ms = percentile(forecastMs, 0.5);
    run.forecastP99Ms = percentile(forecastMs, 0.99);
    if (run.anomalies == 0 || run.forecasts == 0 || run.windows == 0)
        run.error = QStringLiteral("%1: the engine produced %2 windows, %3 forecasts, %4 anomalies")
                        .arg(replay.name).arg(run.windows).arg(run.forecasts).arg(run.anomalies);
    return run;
}

// --- data -----------------------------------------------------------------------------------

Result<Replay> metarDay(const QTemporaryDir &)
{
    Replay r;
    r.name = QStringLiteral("METAR day");
    r.file = QStringLiteral(STRATUS_SHARED_DIR "/data/sao_19950318/observations.csv");
    r.stationsCsv = QStringLiteral(STRATUS_SHARED_DIR "/data/sao_19950318/stations.csv");
    auto data = RecordedDataReader::read(r.file);
    if (!data)
        return data.error();
    r.readings = data->readings;
    r.stations = data->stations;
    return r;
}

// The newest `rows` rows of Beijing hourly in a file of their own, and a model trained on what
// comes before them (or the one given with --model).
Result<Replay> beijing(const QTemporaryDir &dir, qsizetype rows, const QString &givenModel, bool smoke)
{
    Replay r;
    r.name = QStringLiteral("Beijing hourly");
    const QString path = QStringLiteral(STRATUS_SHARED_DIR "/data/beijing_hourly/beijing_hourly_2013_2016.csv");
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly))
        return makeError(path + QStringLiteral(": ") + in.errorString());
    const QByteArray header = in.readLine();
    QList<QByteArray> lines;
    while (!in.atEnd())
        lines.append(in.readLine());
    if (lines.size() < rows)
        return makeError(QStringLiteral("%1 has only %2 rows").arg(path).arg(lines.size()));
    r.file = dir.filePath(QStringLiteral("beijing_newest.csv"));
    QFile out(r.file);
    if (!out.open(QIODevice::WriteOnly))
        return makeError(out.errorString());
    out.write(header);
    for (qsizetype i = lines.size() - rows; i < lines.size(); ++i)
        out.write(lines[i]);
    out.close();
    auto data = RecordedDataReader::read(r.file);
    if (!data)
        return data.error();
    r.readings = data->readings;
    r.stations = data->stations;
    if (!givenModel.isEmpty()) {
        r.modelDir = givenModel;
        return r;
    }
    auto all = ForecastDataLoader::load(path);
    if (!all)
        return all.error();
    TrainOptions t;
    t.toMs = r.readings.first().timestampMs;
    if (smoke) {
        t.fromMs = t.toMs - 120 * timeutil::kMsPerDay;
        t.folds = 2;
    }
    auto model = ForecastTrainer::train(*all, t);
    if (!model)
        return model.error();
    r.modelDir = dir.filePath(QStringLiteral("models"));
    if (const auto saved = (*model)->save(r.modelDir + QStringLiteral("/v1")); !saved)
        return saved.error();
    return r;
}

QString value(const QStringList &args, const QString &name)
{
    const qsizetype i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args[i + 1] : QString();
}

QJsonObject run(const BenchContext &ctx)
{
    QTextStream out(stdout);
    QTemporaryDir dir;
    const QString baseline = value(ctx.args, QStringLiteral("--baseline"));
    // --engine-only: only the in-process engine without the store (for profiling).
    const bool engineOnly = ctx.args.contains(QStringLiteral("--engine-only"));
    const qsizetype beijingRows = ctx.smoke ? 20000 : 150000;
    auto metar = metarDay(dir);
    const bool wantBeijing = !value(ctx.args, QStringLiteral("--replay")).startsWith(QLatin1String("metar"));
    auto bj = wantBeijing ? beijing(dir, beijingRows, value(ctx.args, QStringLiteral("--model")), ctx.smoke)
                          : Result<Replay>(Replay{});
    if (!metar || !bj)
        return {{QStringLiteral("error"), metar ? bj.errorMessage() : metar.errorMessage()}};
    const QString ours = QStringLiteral(STRATUS_BINARY);
    QJsonObject result;
    QStringList errors;
    const QString only = value(ctx.args, QStringLiteral("--replay")); // metar or beijing
    for (const Replay *replay : {&*metar, &*bj}) {
        if (!only.isEmpty() && !replay->name.startsWith(only, Qt::CaseInsensitive))
            continue;
        // 1. The binary, interleaved with the baseline in every repeat.
        std::vector<double> rate, drainRate, rss, baseRate, baseDrainRate, baseRss;
        for (int rep = 0; rep < ctx.repeats && !engineOnly; ++rep) {
            const BinaryRun a = runBinary(ours, *replay, ctx.smoke ? 120 : 900);
            if (!a.error.isEmpty())
                errors << a.error;
            rate.push_back(a.acceptSeconds > 0 ? replay->readings.size() / a.acceptSeconds : 0);
            drainRate.push_back(a.drainSeconds > 0 ? replay->readings.size() / a.drainSeconds : 0);
            rss.push_back(a.peakRssMb);
            if (!baseline.isEmpty()) {
                const BinaryRun b = runBinary(baseline, *replay, ctx.smoke ? 120 : 900);
                baseRate.push_back(b.acceptSeconds > 0 ? replay->readings.size() / b.acceptSeconds : 0);
                baseDrainRate.push_back(b.drainSeconds > 0 ? replay->readings.size() / b.drainSeconds : 0);
                baseRss.push_back(b.peakRssMb);
            }
        }
        // 2. In-process: full speed without and with the store, then paced for latency.
        std::vector<double> noStore, withStore, aP50, aP99, fP50, fP99;
        QJsonObject shares;
        for (int rep = 0; rep < ctx.repeats; ++rep) {
            const InProcessRun a = runInProcess(*replay, false, 0);
            const InProcessRun b = engineOnly ? a : runInProcess(*replay, true, 0);
            const InProcessRun c = engineOnly ? a : runInProcess(*replay, false, ctx.smoke ? 5000 : 10000);
            for (const InProcessRun *x : {&a, &b, &c}) {
                if (!x->error.isEmpty())
                    errors << x->error;
            }
            noStore.push_back(a.readingsPerS);
            withStore.push_back(b.readingsPerS);
            aP50.push_back(c.anomalyP50Ms);
            aP99.push_back(c.anomalyP99Ms);
            fP50.push_back(c.forecastP50Ms);
            fP99.push_back(c.forecastP99Ms);
            shares = a.stageShare;
        }
        QJsonObject r{{QStringLiteral("readings"), replay->readings.size()},
                      {QStringLiteral("binary_readings_per_s"), median(rate)},
                      {QStringLiteral("binary_drained_readings_per_s"), median(drainRate)},
                      {QStringLiteral("binary_peak_rss_mb"), median(rss)},
                      {QStringLiteral("engine_readings_per_s"), median(noStore)},
                      {QStringLiteral("engine_store_readings_per_s"), median(withStore)},
                      {QStringLiteral("anomaly_p50_ms"), median(aP50)},
                      {QStringLiteral("anomaly_p99_ms"), median(aP99)},
                      {QStringLiteral("forecast_p50_ms"), median(fP50)},
                      {QStringLiteral("forecast_p99_ms"), median(fP99)},
                      {QStringLiteral("stage_share"), shares}};
        if (!baseline.isEmpty()) {
            r.insert(QStringLiteral("baseline_readings_per_s"), median(baseRate));
            r.insert(QStringLiteral("baseline_drained_readings_per_s"), median(baseDrainRate));
            r.insert(QStringLiteral("baseline_peak_rss_mb"), median(baseRss));
        }
        result.insert(replay->name, r);
        if (!ctx.json) {
            out << "\n" << replay->name << " (" << replay->readings.size() << " readings"
                << (replay->modelDir.isEmpty() ? QString() : QStringLiteral(", ridge model")) << "), median of " << ctx.repeats << "\n";
            out << QStringLiteral("  %1 %2 %3\n").arg(QString(), -44).arg(QStringLiteral("ours"), 12).arg(baseline.isEmpty() ? QString() : QStringLiteral("baseline"), 12);
            const auto row = [&](const QString &what, double a, const std::vector<double> &b, int prec = 0) {
                out << QStringLiteral("  %1 %2 %3\n").arg(what, -44).arg(a, 12, 'f', prec).arg(b.empty() ? QString() : QString::number(median(b), 'f', prec), 12);
            };
            row(QStringLiteral("binary: readings/s accepted"), median(rate), baseRate);
            row(QStringLiteral("binary: readings/s until the store drained"), median(drainRate), baseDrainRate);
            row(QStringLiteral("binary: peak RSS MB"), median(rss), baseRss);
            row(QStringLiteral("engine, no store: readings/s"), median(noStore), {});
            row(QStringLiteral("engine, store: readings/s until drained"), median(withStore), {});
            row(QStringLiteral("produce → anomaly p50 / p99 ms (paced)"), median(aP50), {}, 1);
            out << QStringLiteral("  %1 %2\n").arg(QString(), -44).arg(median(aP99), 12, 'f', 1);
            row(QStringLiteral("produce → forecast p50 / p99 ms (paced)"), median(fP50), {}, 1);
            out << QStringLiteral("  %1 %2\n").arg(QString(), -44).arg(median(fP99), 12, 'f', 1);
            out << "  stage share of the engine's time:";
            for (auto it = shares.begin(); it != shares.end(); ++it)
                out << ' ' << it.key() << ' ' << QString::number(100 * it.value().toDouble(), 'f', 0) << '%';
            out << '\n';
        }
    }
    if (!errors.isEmpty())
        result.insert(QStringLiteral("error"), errors.join(QStringLiteral("; ")));
    return result;
}

const BenchRegistration registration{{QStringLiteral("engine"),
                                      QStringLiteral("the whole engine on real replays: binary and in-process, store, latency, RSS"),
                                      run}};

} // namespace
