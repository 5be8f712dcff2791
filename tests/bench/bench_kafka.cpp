// stratus-bench kafka: the distributed pipeline on a real broker. Figures:
//  - readings_per_s_1_worker / _2_workers (+ _binary): a raw backlog pre-loaded into stratus.raw,
//    then N in-process workers (each the EngineStage `stratus --worker --role all` runs, exactly
//    once with transactions; --split: `--role aggregate` + `--role infer`) until the last
//    prediction is out (forecasts are issued once per station and hour, as in the engine); readings / elapsed, from the first record consumed. JSON and the binary
//    encoding side by side in each repeat (--smoke: JSON only).
//  - latency_p50_ms / latency_p99_ms (+ _binary): readings produced at a fixed 10 k/s; for every
//    prediction, the time from producing the reading whose event time closed its window (window
//    end + allowed lateness) until a read_committed consumer sees the prediction. Both delivery
//    modes side by side: _exactly_once (also the unsuffixed keys, the default) and _at_least_once
//    (the reader drops re-sent copies by their ids, as KafkaBus does).
//  - kafka_streams_readings_per_s, spark_readings_per_s: the same windowed aggregation as a Kafka
//    Streams application (exactly_once_v2, 2 threads) and as a Spark Structured Streaming job
//    (local[2]) over the same backlog on the same broker (tests/bench/peers/*/run.sh, fetched and
//    built on first use; full runs only; null with the reason on stderr when that fails).
// Options: --readings N, --repeats N, --only throughput|latency|peers|kafka-streams|spark, --latency-seconds S,
// --split, --verbose (commit statistics on stderr), --delivery exactly_once|at_least_once (of the
// throughput runs; default exactly_once; latency always measures both).
// Broker: STRATUS_KAFKA_BOOTSTRAP, or one started with scripts/kafka.sh in a temporary directory.
//
// The stream: real values from the METAR day (sao_19950318), 1,000 of its stations, re-timed so
// every station reports once per event-time second (the day has one report per station per hour,
// far too sparse for a throughput test). Values are real; the time grid is the benchmark's.
#include "BenchRegistry.h"

#include "aggregate/SlidingWindowAggregator.h"
#include "bus/DuplicateFilter.h"
#include "bus/KafkaBus.h"
#include "bus/KafkaCodec.h"
#include "bus/KafkaSettings.h"
#include "alerts/AlertManager.h"
#include "cluster/EngineServices.h"
#include "cluster/EngineStage.h"
#include "stages/NeighbourTable.h"
#include "stages/PartitionTask.h"
#include "sources/RecordedDataReader.h"

#include <librdkafka/rdkafka.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QUuid>

#include <atomic>
#include <cmath>
#include <map>
#include <memory>
#include <thread>

using namespace stratus;

namespace {

constexpr int kStations = 1000;
bool g_split = false;   // --split: aggregate and infer as two stages
bool g_verbose = false; // --verbose: commit statistics on stderr
bool g_atLeastOnce = false; // --delivery at_least_once: the throughput runs without transactions

// A file of the source tree (the bench runs from the build tree below it).
QString findSourceFile(const QString &relative)
{
    QDir d(QCoreApplication::applicationDirPath());
    for (int i = 0; i < 6; ++i) {
        if (QFileInfo::exists(d.filePath(relative)))
            return d.filePath(relative);
        if (!d.cdUp())
            break;
    }
    return QString();
}

QString findScript()
{
    return findSourceFile(QStringLiteral("scripts/kafka.sh"));
}

struct Broker
{
    QString bootstrap;
    QString error;
    std::unique_ptr<QTemporaryDir> state;
    QString script;

    void start()
    {
        bootstrap = qEnvironmentVariable("STRATUS_KAFKA_BOOTSTRAP");
        if (!bootstrap.isEmpty())
            return;
        script = findScript();
        if (script.isEmpty()) {
            error = QStringLiteral("scripts/kafka.sh not found; set STRATUS_KAFKA_BOOTSTRAP");
            return;
        }
        state = std::make_unique<QTemporaryDir>();
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("STRATUS_KAFKA_STATE"), state->path());
        p.setProcessEnvironment(env);
        p.start(QStringLiteral("bash"), {script, QStringLiteral("up")});
        if (!p.waitForFinished(300000) || p.exitCode() != 0) {
            error = QStringLiteral("kafka.sh up failed: ") + QString::fromUtf8(p.readAllStandardError());
            return;
        }
        bootstrap = QString::fromUtf8(p.readAllStandardOutput()).trimmed().split(QLatin1Char('\n')).last();
    }
    ~Broker()
    {
        if (!state)
            return;
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("STRATUS_KAFKA_STATE"), state->path());
        p.setProcessEnvironment(env);
        p.start(QStringLiteral("bash"), {script, QStringLiteral("down")});
        p.waitForFinished(120000);
    }
};

struct Stream
{
    QList<Reading> values; // real METAR readings to cycle through
    QStringList stations;
    qint64 t0 = 0;

    bool load()
    {
        const auto data = RecordedDataReader::read(QStringLiteral(STRATUS_SHARED_DIR "/data/sao_19950318/observations.csv"));
        if (!data)
            return false;
        for (const Reading &r : data->readings) {
            if (stations.size() < kStations && !stations.contains(r.stationId))
                stations << r.stationId;
            values.append(r);
        }
        t0 = data->readings.first().timestampMs;
        return stations.size() == kStations;
    }
    qint64 stepMs = 1000; // event time between a station's reports
    int stationCount = kStations;
    Reading at(qint64 i) const
    {
        Reading r = values[static_cast<qsizetype>(i % values.size())];
        r.stationId = stations[static_cast<qsizetype>(i % stationCount)];
        r.timestampMs = t0 + (i / stationCount) * stepMs;
        return r;
    }
};

// How many predictions the engine's stages make of the first n readings (with the end-of-stream
// flush), i.e. what the workers must produce. Persistence forecasts depend on a station's own
// windows only, so one task over every station counts what the workers' tasks produce together.
qint64 expectedForecasts(const Stream &s, qint64 n)
{
    NeighbourTable table;
    AlertManager alerts;
    PartitionTask::Options o;
    o.detectAnomalies = false;
    o.rules = false;
    PartitionTask task(0, o, PartitionTask::Services{&table, nullptr, &alerts, {}});
    StageOutput out;
    qint64 count = 0;
    QList<Reading> batch;
    for (qint64 i = 0; i < n; ++i) {
        batch.append(s.at(i));
        table.add(batch.back());
        if (batch.size() == 5000 || i + 1 == n) {
            out.clear();
            task.process(batch, out);
            count += out.forecasts.size();
            batch.clear();
        }
    }
    out.clear();
    table.finishAll();
    task.finish(out);
    return count + out.forecasts.size();
}

KafkaSettings settingsFor(const QString &bootstrap)
{
    KafkaSettings k;
    k.bootstrap = bootstrap;
    k.topicNamespace = QStringLiteral("bench") + QUuid::createUuid().toString(QUuid::Id128).left(8) + QLatin1Char('.');
    return k;
}

struct WorkerSet
{
    EngineServices services{EngineOptions()};
    std::vector<std::unique_ptr<TransactionalStage>> stages;
    std::vector<std::thread> threads;
    std::atomic<bool> stop{false};

    // split = the aggregate and infer steps as two stages (`--role aggregate` + `--role infer`),
    // else the fused stage `--role all` runs.
    void start(const KafkaSettings &k, int workers, bool split = g_split)
    {
        PartitionTask::Options task;
        task.detectAnomalies = false; // as expectedForecasts(): the windows → forecasts path only
        task.rules = false;
        for (int w = 0; w < workers; ++w) {
            const QString id = QStringLiteral("bench-w%1").arg(w);
            if (split) {
                stages.push_back(std::make_unique<EngineStage>(k, id, QStringLiteral("aggregate"), k.partitions, task, services));
                stages.push_back(std::make_unique<EngineStage>(k, id, QStringLiteral("infer"), k.partitions, task, services));
            } else {
                stages.push_back(std::make_unique<EngineStage>(k, id, QStringLiteral("all"), k.partitions, task, services));
            }
        }
        const int commitMs = qEnvironmentVariableIntValue("STRATUS_BENCH_COMMIT_MS");
        const QByteArray idleMs = qgetenv("STRATUS_BENCH_IDLE_COMMIT_MS");
        for (auto &s : stages) {
            if (commitMs > 0)
                s->commitIntervalMs = commitMs;
            if (!idleMs.isEmpty())
                s->idleCommitMs = idleMs.toInt();
        }
        for (auto &s : stages)
            threads.emplace_back([this, st = s.get()] { st->run(stop); });
    }
    qint64 consumed() const
    {
        qint64 n = 0;
        for (const auto &s : stages) {
            if (s->stage() == QLatin1String("aggregate"))
                n += s->stats().in.load();
        }
        return n;
    }
    qint64 predictions() const
    {
        qint64 n = 0;
        for (const auto &s : stages)
            n += s->stats().predictions.load();
        return n;
    }
    // Where the stage threads' time went: transactions and the time blocked committing them.
    QString commitSummary() const
    {
        QStringList parts;
        for (const auto &s : stages) {
            const auto &x = s->stats();
            const qint64 t = std::max<qint64>(1, x.transactions.load());
            parts << QStringLiteral("%1: %2 txns, commit mean %3 ms max %4 ms")
                         .arg(s->stage())
                         .arg(x.transactions.load())
                         .arg(x.commitUsTotal.load() / t / 1000.0, 0, 'f', 1)
                         .arg(x.commitUsMax.load() / 1000.0, 0, 'f', 1);
        }
        return parts.join(QStringLiteral("; "));
    }
    ~WorkerSet()
    {
        stop = true;
        for (auto &t : threads)
            t.join();
    }
};

// Writes the first n readings of the stream into k's raw topic (then the end-of-stream records).
bool preload(const KafkaSettings &k, const Stream &s, qint64 n, QString *error)
{
    {
        KafkaBus::Options bo;
        bo.kafka = k;
        KafkaBus bus(bo);
        if (const auto r = bus.start(); !r) {
            *error = r.errorMessage();
            return false;
        }
        QList<Reading> batch;
        for (qint64 i = 0; i < n; ++i) {
            batch.append(s.at(i));
            if (batch.size() == 10000 || i + 1 == n) {
                bus.publishReadings(batch);
                batch.clear();
            }
        }
        bus.publishEndOfStream();
        if (!bus.flush(120000)) {
            *error = QStringLiteral("pre-loading the backlog timed out");
            return false;
        }
    }
    return true;
}

// Throughput with `workers` workers over a backlog of n readings; readings/s or NaN. `binary`:
// every record (raw, features, predictions) in KafkaBinaryCodec's format instead of JSON.
double throughput(const QString &bootstrap, const Stream &s, qint64 n, qint64 expected, int workers, bool binary, QString *error)
{
    KafkaSettings k = settingsFor(bootstrap);
    k.binary = binary;
    k.atLeastOnce = g_atLeastOnce;
    if (!preload(k, s, n, error))
        return std::nan("");
    WorkerSet set;
    set.start(k, workers);
    QElapsedTimer wait;
    wait.start();
    while (set.consumed() == 0 && wait.elapsed() < 60000)
        QThread::usleep(500);
    QElapsedTimer clock;
    clock.start();
    while (set.predictions() < expected && clock.elapsed() < 600000)
        QThread::msleep(2);
    const double secs = clock.nsecsElapsed() / 1e9;
    if (set.predictions() < expected) {
        *error = QStringLiteral("only %1 of %2 predictions after %3 s").arg(set.predictions()).arg(expected).arg(secs);
        return std::nan("");
    }
    if (g_verbose)
        QTextStream(stderr) << "  throughput " << workers << " worker(s): " << n / secs << " readings/s; " << set.commitSummary() << '\n';
    return n / secs;
}

// Latency at a fixed rate; fills p50/p99 in ms. atLeastOnce: workers with [kafka] delivery =
// at_least_once, and the reader drops re-sent copies as KafkaBus does (the latency of the first copy).
bool latency(const QString &bootstrap, Stream s, double seconds, bool binary, bool atLeastOnce, double *p50, double *p99, QString *error)
{
    // 100 stations at 10 k/s = 100 reports per station per wall second; 36 s event steps make
    // event time run an hour per wall second, so each station's forecast (issued once per station
    // and hour, on the first window closing in the hour, 2 min lateness) comes out once per wall
    // second. (1,000 stations at this pace would be an output-bound test, not a latency one.)
    s.stationCount = 100;
    s.stepMs = 36000;
    constexpr double kRate = 10000;
    KafkaSettings k = settingsFor(bootstrap);
    k.binary = binary;
    k.atLeastOnce = atLeastOnce;
    KafkaBus::Options bo;
    bo.kafka = k;
    KafkaBus bus(bo);
    DuplicateFilter dedup;
    if (const auto r = bus.start(); !r) {
        *error = r.errorMessage();
        return false;
    }
    WorkerSet set;
    set.start(k, 1);
    // Consumer of the predictions, read_committed, in its own thread.
    auto consumer = kafka::makeConsumer(k, {{QStringLiteral("group.id"), k.group(QStringLiteral("bench-reader"))},
                                            {QStringLiteral("auto.offset.reset"), QStringLiteral("earliest")}});
    if (!consumer) {
        *error = consumer.errorMessage();
        return false;
    }
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, k.topic(Bus::Topic::Predictions).toUtf8().constData(), RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(consumer->get(), sub);
    rd_kafka_topic_partition_list_destroy(sub);

    // Wall time (ms since clock start) at which each event-time second was first produced.
    const qint64 ticks = static_cast<qint64>(seconds * kRate / s.stationCount) + 1;
    std::vector<std::atomic<qint64>> producedAt(static_cast<size_t>(ticks + 200));
    for (auto &x : producedAt)
        x = -1;
    QElapsedTimer clock;
    std::atomic<bool> stopReader{false}, readerReady{false}, clockStarted{false};
    std::vector<double> lat;
    std::thread reader([&] {
        while (!stopReader) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer->get(), 50);
            if (!readerReady) {
                rd_kafka_topic_partition_list_t *a = nullptr;
                if (rd_kafka_assignment(consumer->get(), &a) == RD_KAFKA_RESP_ERR_NO_ERROR && a) {
                    readerReady = a->cnt > 0;
                    rd_kafka_topic_partition_list_destroy(a);
                }
            }
            if (!m)
                continue;
            if (!clockStarted) {
                rd_kafka_message_destroy(m);
                continue;
            }
            if (!m->err && dedup.accept(k.topic(Bus::Topic::Predictions), m)) {
                const auto f = KafkaCodec::decodeForecast(QByteArrayView(static_cast<const char *>(m->payload), static_cast<qsizetype>(m->len)));
                if (f) {
                    // The window [.., issuedAt) closed when event time issuedAt + lateness was produced.
                    const qint64 tick = (f->issuedAtMs + WindowOptions{}.allowedLatenessMs - s.t0 + s.stepMs - 1) / s.stepMs;
                    if (tick >= 0 && tick < static_cast<qint64>(producedAt.size()) && producedAt[static_cast<size_t>(tick)] >= 0)
                        lat.push_back(static_cast<double>(clock.nsecsElapsed() / 1000) / 1000.0 - producedAt[static_cast<size_t>(tick)]);
                }
            }
            rd_kafka_message_destroy(m);
        }
    });
    // Wait until the stages own their partitions, then produce at the fixed rate.
    QElapsedTimer wait;
    wait.start();
    auto assigned = [&] {
        for (const auto &st : set.stages)
            if (st->assignedPartitions().isEmpty())
                return false;
        return true;
    };
    while ((!assigned() || !readerReady) && wait.elapsed() < 60000)
        QThread::msleep(10);
    clock.start();
    clockStarted = true;
    const qint64 total = static_cast<qint64>(seconds * kRate);
    for (qint64 i = 0; i < total; ++i) {
        const qint64 due = static_cast<qint64>(i / kRate * 1e6); // µs
        while (clock.nsecsElapsed() / 1000 < due)
            QThread::usleep(100);
        const qint64 tick = i / s.stationCount;
        if (producedAt[static_cast<size_t>(tick)] < 0)
            producedAt[static_cast<size_t>(tick)] = static_cast<qint64>(clock.nsecsElapsed() / 1000000);
        bus.publishReadings({s.at(i)});
    }
    bus.flush(30000);
    // The last windows close with the last readings; give them time to come out.
    QThread::msleep(3000);
    stopReader = true;
    reader.join();
    if (g_verbose)
        QTextStream(stderr) << "  latency run: " << set.commitSummary() << '\n';
    rd_kafka_consumer_close(consumer->get());
    if (lat.size() < 10) {
        *error = QStringLiteral("only %1 predictions seen").arg(lat.size());
        return false;
    }
    std::sort(lat.begin(), lat.end());
    *p50 = lat[lat.size() / 2];
    *p99 = lat[std::min(lat.size() - 1, static_cast<size_t>(lat.size() * 0.99))];
    return true;
}

// A peer implementation (tests/bench/peers/<name>/run.sh) over the same backlog of n JSON readings
// on the same broker; its readings/s, or null with the reason on stderr. The script fetches and
// builds the peer on first use (Maven Central, PyPI) into $STRATUS_CACHE.
QJsonValue peer(const QString &name, const QString &bootstrap, const Stream &s, qint64 n, const QStringList &extra)
{
    QTextStream err(stderr);
    const QString script = findSourceFile(QStringLiteral("tests/bench/peers/%1/run.sh").arg(name));
    if (script.isEmpty()) {
        err << "kafka bench: " << name << " peer: tests/bench/peers/" << name << "/run.sh not found\n";
        return QJsonValue();
    }
    const KafkaSettings k = settingsFor(bootstrap);
    QString error;
    if (!preload(k, s, n, &error)) {
        err << "kafka bench: " << name << " peer: " << error << '\n';
        return QJsonValue();
    }
    QProcess p;
    p.setProcessChannelMode(QProcess::SeparateChannels);
    p.start(QStringLiteral("bash"), QStringList{script, bootstrap, k.topic(Bus::Topic::Raw), k.topic(Bus::Topic::Features), QString::number(n)} + extra);
    const bool finished = p.waitForFinished(1200000);
    const QByteArray out = p.readAllStandardOutput();
    const QByteArray errors = p.readAllStandardError();
    if (!finished) {
        p.kill();
        p.waitForFinished(10000);
    }
    QJsonObject result;
    for (const QByteArray &line : out.split('\n')) {
        const QJsonDocument d = QJsonDocument::fromJson(line.trimmed());
        if (d.isObject() && d.object().contains(QLatin1String("readings_per_s")))
            result = d.object();
    }
    if (!finished || p.exitCode() != 0 || result.isEmpty()) {
        err << "kafka bench: " << name << " peer failed (" << (finished ? QStringLiteral("exit %1").arg(p.exitCode()) : QStringLiteral("timed out"))
            << "): " << QString::fromUtf8(errors.right(2000)) << '\n';
        return QJsonValue();
    }
    if (g_verbose)
        err << "  " << name << " peer: " << QString::fromUtf8(QJsonDocument(result).toJson(QJsonDocument::Compact)) << '\n';
    return result.value(QLatin1String("readings_per_s"));
}

QJsonObject run(const BenchContext &ctx)
{
    QTextStream out(stdout);
    QJsonObject o{{QStringLiteral("kafka_streams_readings_per_s"), QJsonValue::Null}, {QStringLiteral("spark_readings_per_s"), QJsonValue::Null}};
    Broker broker;
    broker.start();
    Stream s;
    if (!broker.error.isEmpty() || !s.load()) {
        o.insert(QStringLiteral("error"), broker.error.isEmpty() ? QStringLiteral("cannot read the METAR day") : broker.error);
        return o;
    }
    // Extra arguments: --readings N (backlog size), --repeats N (default 3; 1 with --smoke).
    qint64 n = ctx.smoke ? 50'000 : 1'000'000;
    int repeats = ctx.smoke ? 1 : std::max(1, std::min(ctx.repeats, 3));
    // --only throughput|latency (skip the other part), --latency-seconds S, --split, --verbose.
    QString only;
    double latencySeconds = ctx.smoke ? 4.0 : 30.0; // per delivery mode
    for (qsizetype i = 0; i < ctx.args.size(); ++i) {
        const QString next = i + 1 < ctx.args.size() ? ctx.args[i + 1] : QString();
        if (ctx.args[i] == QLatin1String("--readings"))
            n = std::max<qint64>(10'000, next.toLongLong());
        else if (ctx.args[i] == QLatin1String("--repeats"))
            repeats = std::max(1, next.toInt());
        else if (ctx.args[i] == QLatin1String("--only"))
            only = next;
        else if (ctx.args[i] == QLatin1String("--latency-seconds"))
            latencySeconds = std::max(3.0, next.toDouble());
        else if (ctx.args[i] == QLatin1String("--split"))
            g_split = true;
        else if (ctx.args[i] == QLatin1String("--verbose"))
            g_verbose = true;
        else if (ctx.args[i] == QLatin1String("--delivery"))
            g_atLeastOnce = next == QLatin1String("at_least_once");
    }
    const qint64 expected = expectedForecasts(s, n);
    QString error;
    // Both encodings side by side in each repeat (the machine's load drifts between repeats);
    // --smoke measures JSON only.
    const QList<bool> encodings = ctx.smoke ? QList<bool>{false} : QList<bool>{false, true};
    auto suffix = [](bool binary) { return binary ? QStringLiteral("_binary") : QString(); };
    if (only.isEmpty() || only == QLatin1String("throughput")) {
        std::map<std::pair<int, bool>, std::vector<double>> xs;
        for (int r = 0; r < repeats; ++r) {
            for (int workers : {1, 2}) {
                for (bool binary : encodings) {
                    const double x = throughput(broker.bootstrap, s, n, expected, workers, binary, &error);
                    if (!std::isnan(x))
                        xs[{workers, binary}].push_back(x);
                    else
                        QTextStream(stderr) << "kafka bench: throughput run failed: " << error << '\n';
                }
            }
        }
        for (int workers : {1, 2}) {
            for (bool binary : encodings) {
                const auto &v = xs[{workers, binary}];
                const QString key = (workers == 1 ? QStringLiteral("readings_per_s_1_worker") : QStringLiteral("readings_per_s_2_workers")) + suffix(binary);
                o.insert(key, v.empty() ? QJsonValue() : QJsonValue(std::round(median(v))));
                if (!ctx.json)
                    out << key << ": " << (v.empty() ? QStringLiteral("failed: ") + error : QString::number(median(v), 'f', 0)) << " ("
                        << n << " readings, " << expected << " predictions, median of " << v.size() << ")\n" << Qt::flush;
            }
        }
    }
    if (only.isEmpty() || only == QLatin1String("latency")) {
        // Both delivery modes side by side: exactly_once (the default; latency_p50_ms/_p99_ms and
        // the _exactly_once keys) and at_least_once (the _at_least_once keys). Every mode once per
        // repeat, interleaved, so a drift of the machine's load hits all modes alike; medians.
        std::map<std::pair<bool, bool>, std::vector<double>> p50s, p99s;
        std::map<std::pair<bool, bool>, QString> errors;
        for (int r = 0; r < repeats; ++r) {
            for (bool binary : encodings) {
                for (bool alo : {false, true}) {
                    double p50 = 0, p99 = 0;
                    QString latencyError;
                    if (latency(broker.bootstrap, s, latencySeconds, binary, alo, &p50, &p99, &latencyError)) {
                        p50s[{binary, alo}].push_back(p50);
                        p99s[{binary, alo}].push_back(p99);
                    } else {
                        errors[{binary, alo}] = latencyError;
                    }
                    if (!ctx.json && repeats > 1)
                        QTextStream(stderr) << "  latency repeat " << r + 1 << (binary ? " binary " : " json ") << (alo ? "at_least_once" : "exactly_once")
                                            << ": " << (latencyError.isEmpty() ? QStringLiteral("p50 %1 ms, p99 %2 ms").arg(p50, 0, 'f', 1).arg(p99, 0, 'f', 1) : latencyError)
                                            << '\n';
                }
            }
        }
        for (bool binary : encodings) {
            for (bool alo : {false, true}) {
                const auto &v50 = p50s[{binary, alo}];
                const auto &v99 = p99s[{binary, alo}];
                const bool ok = !v50.empty();
                const double p50 = ok ? median(v50) : 0, p99 = ok ? median(v99) : 0;
                const QString mode = alo ? QStringLiteral("_at_least_once") : QStringLiteral("_exactly_once");
                QStringList keys50{QStringLiteral("latency_p50_ms") + mode + suffix(binary)}, keys99{QStringLiteral("latency_p99_ms") + mode + suffix(binary)};
                if (!alo) {
                    keys50 << QStringLiteral("latency_p50_ms") + suffix(binary);
                    keys99 << QStringLiteral("latency_p99_ms") + suffix(binary);
                }
                for (const QString &key : keys50)
                    o.insert(key, ok ? QJsonValue(p50) : QJsonValue());
                for (const QString &key : keys99)
                    o.insert(key, ok ? QJsonValue(p99) : QJsonValue());
                if (!ok)
                    o.insert(QStringLiteral("latency_error") + mode + suffix(binary), errors[{binary, alo}]);
                if (!ctx.json)
                    out << "latency at 10k readings/s" << (binary ? " (binary, " : " (json, ") << (alo ? "at_least_once)" : "exactly_once)")
                        << ", produce → prediction visible: "
                        << (ok ? QStringLiteral("p50 %1 ms, p99 %2 ms (median of %3)").arg(p50, 0, 'f', 1).arg(p99, 0, 'f', 1).arg(v50.size())
                               : QStringLiteral("failed: ") + errors[{binary, alo}])
                        << '\n' << Qt::flush;
            }
        }
    }
    // The peers only in full runs: they are fetched and built on first use, which --smoke (CI)
    // must never do. Same backlog, same broker, one run each (they take minutes).
    const bool peers = only.isEmpty() || only == QLatin1String("peers");
    if (!ctx.smoke && (peers || only == QLatin1String("kafka-streams")))
        o.insert(QStringLiteral("kafka_streams_readings_per_s"),
                 peer(QStringLiteral("kafka-streams"), broker.bootstrap, s, n, {QStringLiteral("2"), QStringLiteral("exactly_once_v2")}));
    if (!ctx.smoke && (peers || only == QLatin1String("spark")))
        o.insert(QStringLiteral("spark_readings_per_s"), peer(QStringLiteral("spark"), broker.bootstrap, s, n, {}));
    if (!ctx.json) {
        auto show = [&](const char *key) {
            const QJsonValue v = o.value(QLatin1String(key));
            out << key << ": " << (v.isDouble() ? QString::number(v.toDouble(), 'f', 0) : QStringLiteral("null")) << '\n';
        };
        show("kafka_streams_readings_per_s");
        show("spark_readings_per_s");
    }
    return o;
}

BenchRegistration reg{{QStringLiteral("kafka"),
                       QStringLiteral("distributed pipeline on a real broker: readings/s with 1 and 2 workers, latency at 10k/s"), run}};

} // namespace
