#include "Worker.h"

#include "Engine.h"
#include "EngineServices.h"
#include "EngineStage.h"
#include "api/StatusServer.h"
#include "bus/KafkaBus.h"

#include <librdkafka/rdkafka.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <QTimer>

#include <memory>
#include <thread>
#include <vector>

namespace stratus {

namespace {
// Set once the event loop has quit (the app's SignalHandler quits it on SIGTERM/SIGINT).
std::atomic<bool> g_stop{false};

int fail(const QString &message, int code = 1)
{
    QTextStream(stderr) << "stratus: " << message << '\n';
    return code;
}

int runCollector(Worker::Options &o)
{
    if (o.engine.replayFile.isEmpty())
        return fail(QStringLiteral("--role collect needs a source: --source replay --file F"), 2);
    KafkaBus *bus = nullptr;
    QString startError;
    o.engine.busFactory = [&](QObject *parent) -> Bus * {
        KafkaBus::Options bo;
        bo.kafka = o.kafka;
        bus = new KafkaBus(bo, parent);
        if (const auto s = bus->start(); !s)
            startError = s.errorMessage();
        return bus;
    };
    o.engine.computeInProcess = false;
    o.engine.notify = NotifyOptions(); // alerts are pushed by the process that serves them (--server, --connect)
    Engine engine(o.engine);
    if (!startError.isEmpty())
        return fail(startError);
    const qint64 startedMs = QDateTime::currentMSecsSinceEpoch();
    const auto status = StatusServer::serve(o.metricsBind, o.metricsPort, [&] { return WorkerStatus::ofCollector(o.id, startedMs, engine.state()); });
    if (!status)
        return fail(status.errorMessage());
    int code = 0;
    QObject::connect(&engine, &Engine::sourceFinished, &engine, [&] {
        // Readings are all handed to the producer by now; the marker follows them in every partition.
        bus->publishEndOfStream();
        // Every record is either delivered or reported failed within the producer's message timeout
        // (librdkafka retries through a broker restart until then), so waiting that long decides
        // each one: a shorter wait made a busy machine's slow broker restart look like a loss.
        const bool settled = bus->flush(KafkaBus::kMessageTimeoutMs + 15000);
        if (!settled || bus->deliveryFailures() > 0) {
            code = fail(QStringLiteral("collect: %1 record(s) not delivered, %2 still in flight: %3")
                            .arg(bus->deliveryFailures())
                            .arg(bus->inFlight())
                            .arg(bus->problem()));
        } else {
            const auto c = engine.state().counters();
            QTextStream(stdout) << "stratus: collected " << c.readingsIn << " readings into " << o.kafka.topic(Bus::Topic::Raw)
                                << " (" << c.readingsRejected << " rejected)\n"
                                << Qt::flush;
        }
        // Queued: a fast replay can finish before the event loop runs, and quit() before exec() is lost.
        QMetaObject::invokeMethod(QCoreApplication::instance(), &QCoreApplication::quit, Qt::QueuedConnection);
    });
    engine.start();
    QCoreApplication::exec();
    engine.stop();
    return code;
}
} // namespace

bool Worker::isRole(const QString &role)
{
    return role == QLatin1String("collect") || role == QLatin1String("aggregate") || role == QLatin1String("infer")
        || role == QLatin1String("all");
}

int Worker::run(Options o)
{
    if (!isRole(o.role))
        return fail(QStringLiteral("--role \"%1\": expected collect, aggregate, infer or all").arg(o.role), 2);
    if (o.kafka.bootstrap.isEmpty())
        return fail(QStringLiteral("--worker needs --bootstrap HOST:PORT"), 2);
    if (o.id.isEmpty())
        o.id = QStringLiteral("%1-%2").arg(QHostInfo::localHostName()).arg(QCoreApplication::applicationPid());
    if (o.role == QLatin1String("collect"))
        return runCollector(o);

    // Topics first, so every stage can subscribe; a clear error when the cluster is not there.
    auto admin = kafka::makeProducer(o.kafka, {});
    if (!admin)
        return fail(admin.errorMessage());
    if (const auto t = kafka::ensureTopics(admin->get(), o.kafka, o.kafka.allTopics()); !t)
        return fail(t.errorMessage());

    // The same stages the in-process engine runs (see EngineStage): one consume → process → produce
    // loop per worker, its outputs committed with its input offsets.
    EngineServices services(o.engine);
    if (const QString p = services.problem(); !p.isEmpty())
        QTextStream(stderr) << "stratus: worker " << o.id << ": " << p << '\n';
    PartitionTask::Options task;
    task.windows = o.engine.windows;
    task.detect.spatialCheck = o.engine.spatialCheck;
    task.detect.dropoutCheckMs = o.engine.dropoutCheckMs;
    const auto rawPartitions = kafka::partitionCount(admin->get(), o.kafka.topic(Bus::Topic::Raw));
    if (!rawPartitions)
        return fail(rawPartitions.errorMessage());
    if (*rawPartitions > 64)
        return fail(QStringLiteral("%1 has %2 partitions; a worker handles at most 64").arg(o.kafka.topic(Bus::Topic::Raw)).arg(*rawPartitions));
    std::vector<std::unique_ptr<TransactionalStage>> stages;
    stages.push_back(std::make_unique<EngineStage>(o.kafka, o.id, o.role, *rawPartitions, task, services));

    std::atomic<bool> stageFailed{false};
    const qint64 startedMs = QDateTime::currentMSecsSinceEpoch();
    const auto status = StatusServer::serve(o.metricsBind, o.metricsPort, [&] { return WorkerStatus::of(o.id, o.role, startedMs, stages, stageFailed); });
    if (!status)
        return fail(status.errorMessage());
    QStringList errors;
    QMutex errorsLock;
    std::vector<std::thread> threads;
    for (auto &s : stages) {
        threads.emplace_back([&, stage = s.get()] {
            const auto r = stage->run(g_stop);
            if (!r) {
                QMutexLocker lock(&errorsLock);
                errors << r.errorMessage();
                stageFailed = true;
            }
        });
    }
    QTextStream(stdout) << "stratus: worker " << o.id << " (" << o.role << ") on " << o.kafka.bootstrap << '\n' << Qt::flush;

    // Heartbeats: who is alive, what it owns, how fast it goes. Plain (non-transactional) records.
    const QByteArray hbTopic = o.kafka.heartbeatTopic().toUtf8();
    const QByteArray key = o.id.toUtf8();
    qint64 lastMs = startedMs;
    QHash<QString, qint64> lastIn, lastOut;
    auto beat = [&] {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const double dt = std::max<qint64>(1, now - lastMs) / 1000.0;
        QJsonArray st;
        for (auto &s : stages) {
            const auto &x = s->stats();
            QJsonArray parts;
            for (int p : s->assignedPartitions())
                parts.append(p);
            const qint64 in = x.in.load(), out = x.out.load();
            st.append(QJsonObject{{QStringLiteral("stage"), s->stage()},
                                  {QStringLiteral("partitions"), parts},
                                  {QStringLiteral("in"), static_cast<double>(in)},
                                  {QStringLiteral("out"), static_cast<double>(out)},
                                  {QStringLiteral("dead_lettered"), static_cast<double>(x.deadLettered.load())},
                                  {QStringLiteral("transactions"), static_cast<double>(x.transactions.load())},
                                  {QStringLiteral("replayed"), static_cast<double>(x.replayed.load())},
                                  {QStringLiteral("rebalances"), static_cast<double>(x.rebalances.load())},
                                  {QStringLiteral("in_per_s"), (in - lastIn.value(s->stage())) / dt},
                                  {QStringLiteral("out_per_s"), (out - lastOut.value(s->stage())) / dt}});
            lastIn[s->stage()] = in;
            lastOut[s->stage()] = out;
        }
        lastMs = now;
        const QByteArray value = QJsonDocument(QJsonObject{{QStringLiteral("worker"), o.id},
                                                           {QStringLiteral("role"), o.role},
                                                           {QStringLiteral("pid"), static_cast<double>(QCoreApplication::applicationPid())},
                                                           {QStringLiteral("ts"), static_cast<double>(now)},
                                                           {QStringLiteral("started"), static_cast<double>(startedMs)},
                                                           {QStringLiteral("stages"), st}})
                                     .toJson(QJsonDocument::Compact);
        rd_kafka_producev(admin->get(), RD_KAFKA_V_TOPIC(hbTopic.constData()), RD_KAFKA_V_KEY(key.constData(), static_cast<size_t>(key.size())),
                          RD_KAFKA_V_VALUE(const_cast<char *>(value.constData()), static_cast<size_t>(value.size())),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        rd_kafka_poll(admin->get(), 0);
    };
    beat();
    QTimer heartbeat;
    QObject::connect(&heartbeat, &QTimer::timeout, QCoreApplication::instance(), beat);
    heartbeat.start(o.heartbeatIntervalMs);
    QTimer stopCheck;
    QObject::connect(&stopCheck, &QTimer::timeout, QCoreApplication::instance(), [&] {
        if (stageFailed)
            QCoreApplication::quit();
    });
    stopCheck.start(100);
    QCoreApplication::exec();
    g_stop = true;
    for (auto &t : threads)
        t.join();
    beat();
    if (!errors.isEmpty())
        return fail(errors.join(QStringLiteral("; ")));
    return 0;
}

} // namespace stratus
