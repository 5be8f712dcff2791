#include "SystemController.h"

#include "ApiKeys.h"
#include "TimeUtil.h"
#include "models/ModelRegistry.h"

#include <algorithm>

#include <QDateTime>
#include <QJsonArray>
#include <QFile>

namespace stratus {

namespace {
QJsonObject storeJson(ApiContext &ctx, bool *down)
{
    QJsonObject o;
    HistoryStore *store = ctx.store();
    if (!store) {
        o.insert(ApiKeys::state, QStringLiteral("disabled"));
        return o;
    }
    const QString problem = store->problem();
    const StoreCounters &c = store->counters();
    o.insert(ApiKeys::state, problem.isEmpty() ? QStringLiteral("ok") : QStringLiteral("down"));
    if (!problem.isEmpty())
        o.insert(ApiKeys::lastError, problem);
    o.insert(ApiKeys::pendingRows, store->backlogRows());
    o.insert(ApiKeys::rows, c.readingsAcked.load());
    o.insert(ApiKeys::retentionDays, store->options().retentionDays);
    if (c.ackedReadingMs.load() > 0)
        o.insert(ApiKeys::ackedUntil, timeutil::toIsoUtc(c.ackedReadingMs.load()));
    if (c.lastCommitMs.load() > 0)
        o.insert(ApiKeys::lastCommit, timeutil::toIsoUtc(c.lastCommitMs.load()));
    *down = !problem.isEmpty();
    return o;
}

// The engine's bounded queues and whether it is holding its sources back.
QJsonObject pipelineJson(const LiveState &state)
{
    const LiveState::BackPressure bp = state.backPressure();
    QJsonObject pressure{{QLatin1String("on"), bp.on}, {QLatin1String("episodes"), bp.episodes},
                         {QLatin1String("paused_s"), (bp.pausedMs + (bp.on ? QDateTime::currentMSecsSinceEpoch() - bp.sinceMs : 0)) / 1000.0}};
    if (bp.on)
        pressure.insert(QLatin1String("reason"), bp.reason);
    QJsonArray queues;
    for (const LiveState::Queue &q : state.queues())
        queues.append(QJsonObject{{ApiKeys::name, q.name}, {QLatin1String("depth"), q.depth}, {QLatin1String("capacity"), q.capacity}});
    for (const LiveState::StageStats &s : state.stages()) {
        if (s.queueDepth > 0 || s.name == QLatin1String("deferred"))
            queues.append(QJsonObject{{ApiKeys::name, s.name}, {QLatin1String("depth"), s.queueDepth}, {QLatin1String("capacity"), 0}});
    }
    return QJsonObject{{QLatin1String("back_pressure"), pressure}, {QLatin1String("queues"), queues}};
}

} // namespace

ApiReply SystemController::health(ApiRequest &)
{
    const LiveState &state = m_ctx.state();
    const auto sources = state.sources();
    QJsonArray sourceList;
    int down = 0, degraded = 0;
    for (const auto &s : sources) {
        QJsonObject o;
        o.insert(ApiKeys::name, s.name);
        o.insert(ApiKeys::state, s.state);
        if (!s.lastError.isEmpty())
            o.insert(ApiKeys::lastError, s.lastError);
        o.insert(ApiKeys::readings, s.readings);
        if (s.progressTotal > 0) {
            // Back-fill progress (Open-Meteo history on first start).
            QJsonObject p;
            p.insert(QLatin1String("done"), s.progressDone);
            p.insert(QLatin1String("total"), s.progressTotal);
            o.insert(QLatin1String("progress"), p);
        }
        if (s.lastSuccessMs)
            o.insert(ApiKeys::lastSuccess, timeutil::toIsoUtc(s.lastSuccessMs));
        sourceList.append(o);
        down += s.state == QLatin1String("down");
        degraded += s.state == QLatin1String("degraded");
    }
    const QString busProblem = state.busProblem();
    QJsonObject bus;
    bus.insert(ApiKeys::kind, state.busKind());
    bus.insert(ApiKeys::state, busProblem.isEmpty() ? QStringLiteral("ok") : QStringLiteral("down"));
    if (!busProblem.isEmpty())
        bus.insert(ApiKeys::lastError, busProblem);

    bool storeDown = false;
    const QJsonObject store = storeJson(m_ctx, &storeDown);

    // Models: the built-in persistence baseline always serves; registered versions come from the store.
    QJsonObject models;
    QString active = QStringLiteral("persistence");
    int registered = 0;
    if (HistoryReader *reader = m_ctx.reader()) {
        if (const auto rows = reader->modelVersions()) {
            registered = rows->size();
            for (const auto &m : *rows) {
                if (m.active)
                    active = m.version;
            }
        }
    }
    // The registry knows what really serves (a version installed or dropped in since the store last
    // recorded one, such as the shipped model); /models reads the same.
    if (m_ctx.models) {
        if (const auto served = m_ctx.models->active()) {
            active = served->version;
            registered = std::max(registered, 1);
        }
    }
    const auto c = state.counters();
    models.insert(ApiKeys::state, QStringLiteral("ok"));
    models.insert(ApiKeys::active, active);
    models.insert(ApiKeys::count, registered + 1);
    models.insert(QLatin1String("forecasts_out"), c.forecastsOut);

    const NotifyStatus notify = state.notifyStatus(); // a receiver that is down degrades, never downs, the node
    QString status = QStringLiteral("ok");
    if (m_ctx.shuttingDown || !busProblem.isEmpty() || storeDown || (!sources.isEmpty() && down == sources.size()))
        status = QStringLiteral("down");
    else if (down > 0 || degraded > 0 || notify.anyDown())
        status = QStringLiteral("degraded");

    QJsonObject counters;
    counters.insert(QLatin1String("readings_in"), c.readingsIn);
    counters.insert(QLatin1String("readings_rejected"), c.readingsRejected);
    counters.insert(QLatin1String("values_rejected"), c.valuesRejected);
    counters.insert(QLatin1String("late_dropped"), c.lateDropped);
    counters.insert(QLatin1String("dead_lettered"), c.deadLettered);
    counters.insert(QLatin1String("windows_out"), c.windowsOut);
    counters.insert(QLatin1String("forecasts_out"), c.forecastsOut);
    counters.insert(QLatin1String("anomalies_out"), c.anomaliesOut);

    QJsonObject o;
    o.insert(ApiKeys::status, status);
    o.insert(ApiKeys::version, QStringLiteral(STRATUS_VERSION));
    o.insert(ApiKeys::apiVersion, kApiVersion);
    o.insert(ApiKeys::mode, state.mode());
    o.insert(ApiKeys::uptime, (QDateTime::currentMSecsSinceEpoch() - m_ctx.startedMs) / 1000.0);
    o.insert(ApiKeys::stations, state.catalogue().size());
    o.insert(ApiKeys::sources, sourceList);
    o.insert(ApiKeys::bus, bus);
    o.insert(ApiKeys::store, store);
    o.insert(ApiKeys::models, models);
    o.insert(ApiKeys::counters, counters);
    o.insert(QLatin1String("notify"), notify.toJson());
    o.insert(QLatin1String("pipeline"), pipelineJson(state));
    // A load balancer takes a node out only when it cannot serve at all.
    return ApiReply::json(o, status == QLatin1String("down") ? httpStatus(ApiError::Unavailable) : 200);
}

ApiReply SystemController::cluster(ApiRequest &)
{
    const LiveState &state = m_ctx.state();
    const auto c = state.counters();
    auto stage = [](const char *name, const QString &st, qint64 in, qint64 out) {
        QJsonObject o;
        o.insert(ApiKeys::name, QLatin1String(name));
        o.insert(ApiKeys::state, st);
        o.insert(ApiKeys::in, in);
        o.insert(ApiKeys::out, out);
        return o;
    };
    qint64 emitted = 0;
    QString collectState = QStringLiteral("ok");
    for (const auto &s : state.sources()) {
        emitted += s.readings;
        if (s.state != QLatin1String("ok") && s.state != QLatin1String("finished"))
            collectState = s.state;
    }
    QJsonArray stages;
    stages.append(stage("collect", collectState, emitted, c.readingsIn));
    stages.append(stage("aggregate", QStringLiteral("ok"), c.readingsIn, c.windowsOut));
    stages.append(stage("infer", QStringLiteral("ok"), c.windowsOut, c.forecastsOut + c.anomaliesOut));
    if (HistoryStore *store = m_ctx.store()) {
        const StoreCounters &sc = store->counters();
        stages.append(stage("store", store->problem().isEmpty() ? QStringLiteral("ok") : QStringLiteral("down"),
                            sc.readingsAcked.load() + sc.pendingRows.load(), sc.readingsAcked.load()));
    }
    QJsonObject bus;
    bus.insert(ApiKeys::kind, state.busKind());
    bus.insert(ApiKeys::state, state.busProblem().isEmpty() ? QStringLiteral("ok") : QStringLiteral("down"));
    QJsonObject o;
    o.insert(ApiKeys::mode, state.mode());
    o.insert(ApiKeys::bus, bus);
    o.insert(ApiKeys::stages, stages);
    // Connected to a Kafka cluster: brokers, topics/partitions with leader and ISR, group lag and
    // workers, as the ClusterMonitor last saw them.
    const QJsonObject cluster = state.cluster();
    for (auto it = cluster.begin(); it != cluster.end(); ++it) {
        if (!o.contains(it.key()))
            o.insert(it.key(), it.value());
    }
    return ApiReply::json(o);
}

QByteArray SystemController::openApiDocument()
{
    QFile f(QStringLiteral(":/api/openapi.json"));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

ApiReply SystemController::openapi(ApiRequest &)
{
    if (m_openapi.isEmpty())
        m_openapi = openApiDocument();
    if (m_openapi.isEmpty())
        return ApiReply::error(ApiError::Internal, QStringLiteral("the OpenAPI document is not bundled"));
    return ApiReply::text(m_openapi, "application/json");
}

} // namespace stratus
