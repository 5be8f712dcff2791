#include "WorkerStatus.h"

#include "cluster/TransactionalStage.h"
#include "metrics/MetricsWriter.h"
#include "metrics/ProcessMetrics.h"

#include <QDateTime>
#include <QJsonArray>

namespace stratus {

WorkerStatus WorkerStatus::of(const QString &id, const QString &role, qint64 startedMs,
                              const std::vector<std::unique_ptr<TransactionalStage>> &stages, bool failed)
{
    WorkerStatus w{id, role, startedMs, failed ? QStringLiteral("a stage stopped with an error (see the log)") : QString(), {}};
    for (const auto &s : stages) {
        const TransactionalStage::Stats &x = s->stats();
        w.stages.append(Stage{s->stage(), s->assignedPartitions(), x.in.load(), x.out.load(), x.deadLettered.load(),
                              x.transactions.load(), x.replayed.load(), x.rebalances.load(),
                              x.deliveryFailures.load()});
    }
    return w;
}

WorkerStatus WorkerStatus::ofCollector(const QString &id, qint64 startedMs, const LiveState &state)
{
    Stage s;
    s.name = QStringLiteral("collect");
    for (const auto &source : state.sources())
        s.in += source.readings;
    const LiveState::Counters c = state.counters();
    s.out = c.readingsIn;
    s.deadLettered = c.deadLettered;
    const QString problem = state.busProblem();
    return WorkerStatus{id, QStringLiteral("collect"), startedMs, problem, {s}};
}

QByteArray WorkerStatus::metricsText() const
{
    using Type = MetricsWriter::Type;
    MetricsWriter w;
    w.family("stratus_worker_info", Type::Gauge, "Always 1; the worker's id and role as labels.");
    w.sample({{"worker", id}, {"role", role}}, 1);
    w.gauge("stratus_worker_up", "1 while every stage of the worker runs, 0 once one stopped with an error.",
            problem.isEmpty() ? 1 : 0);
    const auto perStage = [&](const char *name, Type type, const char *help, auto value) {
        w.family(name, type, help);
        for (const Stage &s : stages)
            w.sample({{"stage", s.name}}, static_cast<double>(value(s)));
    };
    perStage("stratus_worker_records_in_total", Type::Counter, "Records the stage consumed.", [](const Stage &s) { return s.in; });
    perStage("stratus_worker_records_out_total", Type::Counter, "Records the stage produced.", [](const Stage &s) { return s.out; });
    perStage("stratus_worker_dead_lettered_total", Type::Counter, "Records the stage sent to the dead-letter topic.",
             [](const Stage &s) { return s.deadLettered; });
    perStage("stratus_worker_transactions_total", Type::Counter,
             "Transactions committed (at least once: offset commits).", [](const Stage &s) { return s.transactions; });
    perStage("stratus_worker_replayed_records_total", Type::Counter,
             "Records replayed to rebuild state after partitions were assigned.", [](const Stage &s) { return s.replayed; });
    perStage("stratus_worker_rebalances_total", Type::Counter, "Partition assignments the stage went through.",
             [](const Stage &s) { return s.rebalances; });
    perStage("stratus_worker_delivery_failures_total", Type::Counter,
             "Outputs not delivered, then processed again (at least once delivery).",
             [](const Stage &s) { return s.deliveryFailures; });
    perStage("stratus_worker_assigned_partitions", Type::Gauge, "Input partitions the stage owns now.",
             [](const Stage &s) { return s.partitions.size(); });
    ProcessMetrics::write(w);
    w.gauge("stratus_uptime_seconds", "Seconds since the worker started.",
            static_cast<double>(QDateTime::currentMSecsSinceEpoch() - startedMs) / 1000.0);
    return w.text();
}

QJsonObject WorkerStatus::healthJson() const
{
    QJsonArray list;
    for (const Stage &s : stages) {
        QJsonArray parts;
        for (int p : s.partitions)
            parts.append(p);
        list.append(QJsonObject{{QLatin1String("name"), s.name},
                                {QLatin1String("partitions"), parts},
                                {QLatin1String("in"), s.in},
                                {QLatin1String("out"), s.out},
                                {QLatin1String("dead_lettered"), s.deadLettered},
                                {QLatin1String("transactions"), s.transactions},
                                {QLatin1String("rebalances"), s.rebalances}});
    }
    QJsonObject o{{QLatin1String("status"), problem.isEmpty() ? QLatin1String("ok") : QLatin1String("down")},
                  {QLatin1String("version"), QLatin1String(STRATUS_VERSION)},
                  {QLatin1String("mode"), QLatin1String("worker")},
                  {QLatin1String("worker"), id},
                  {QLatin1String("role"), role},
                  {QLatin1String("uptime_s"), static_cast<double>(QDateTime::currentMSecsSinceEpoch() - startedMs) / 1000.0},
                  {QLatin1String("stages"), list}};
    if (!problem.isEmpty())
        o.insert(QLatin1String("last_error"), problem);
    return o;
}

} // namespace stratus
