#include "Engine.h"

#include "TimeUtil.h"
#include "bus/LocalBus.h"
#include "cluster/ClusterStatusConverter.h"
#include "geo/NearStationSelection.h"
#include "models/ModelRegistry.h"
#include "models/RetrainCoordinator.h"
#include "models/ShippedModel.h"
#include "notify/NotificationService.h"
#include "sources/Source.h"
#include "sources/SourceFactory.h"
#include "stages/Partitioner.h"
#include "store/HistoryStore.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLoggingCategory>
#include <QTimer>
#include <QtConcurrent>

// Resources live in this static library; the linker keeps them only if something references them.
static void initResources()
{
    Q_INIT_RESOURCE(stratus);
}

namespace stratus {

Q_LOGGING_CATEGORY(lcEngine, "stratus.engine")

namespace {

NeighbourTable::Options tableOptions(const EngineOptions &o)
{
    NeighbourTable::Options t;
    t.partitions = std::clamp(o.partitions, 1, 64);
    t.latenessMs = o.windows.allowedLatenessMs;
    return t;
}

AlertManager::Clock alertClock(const EngineOptions &o)
{
    // A replay of recorded data (not shifted to now) runs on its own event time.
    const bool replay = !o.replayFile.isEmpty() && o.sourceKind == QLatin1String("replay") && !o.replayShiftToNow;
    return replay ? AlertManager::Clock::EventTime : AlertManager::Clock::WallClock;
}

} // namespace

EngineOptions EngineOptions::demo()
{
    EngineOptions o;
    o.replayFile = QStringLiteral(":/demo/nws_recorded.jsonl");
    o.stationsCsv = QStringLiteral(":/demo/stations.csv");
    o.replaySpeed = 60.0;
    o.replayShiftToNow = true;
    o.replayMaxGapMs = 5 * 60'000;
    o.replayLoop = true;
    // Beside it, the last five weeks of Beijing's hourly weather: four weeks loaded at once as the
    // history the shipped model's features read, the fifth played on at the same pace.
    o.companionReplays = {QStringLiteral(":/demo/beijing_recent.csv")};
    o.companionHistoryMs = 28 * 24 * 3600'000LL;
    if (const auto root = ShippedModel::install(ShippedModel::defaultRoot()))
        o.modelDir = *root;
    else
        qCWarning(lcEngine).noquote() << "demo without the shipped model (forecasts are persistence):" << root.errorMessage();
    return o;
}

Engine::Engine(EngineOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_table(tableOptions(m_options)), m_alerts(alertClock(m_options))
{
    initResources();
    m_bus = m_options.busFactory ? m_options.busFactory(this) : new LocalBus(this);
    m_state.setBusKind(m_bus->kind(), m_bus->problem());
    connectStateToBus();
    openStore();
    if (m_options.near)
        m_near = std::make_unique<NearStationSelection>(*m_options.near);
    setUpAlerts();
    new NotificationService(m_options.notify, m_state, *m_bus, this); // anomalies → Alertmanager, webhook, /metrics
    if (m_options.computeInProcess)
        setUpTasks();
    loadCatalogue();
    // Companions first: they start first, so their history is in before the main source's first
    // live reading moves the partitions' watermarks to now (it would be late behind it).
    for (Source *companion : SourceFactory::createCompanions(m_options, this))
        addSource(companion);
    if (const auto source = SourceFactory::create(m_options, this); !source)
        qCWarning(lcEngine).noquote() << source.errorMessage();
    else if (*source)
        addSource(*source);
}

Engine::~Engine()
{
    // Commit what the bus already delivered before the bus goes away.
    if (m_store)
        m_store->close();
}

// LiveState follows the bus: what this engine computes (LocalBus) or what a cluster's topics carry
// (--connect), the same way.
void Engine::connectStateToBus()
{
    if (!m_options.computeInProcess) {
        m_state.setMode(QStringLiteral("connected"));
        // A remote cluster can go away: keep /health's bus problem current.
        auto *healthTimer = new QTimer(this);
        connect(healthTimer, &QTimer::timeout, this, [this] { m_state.setBusKind(m_bus->kind(), m_bus->problem()); });
        healthTimer->start(2000);
    }
    if (m_options.clusterSnapshot) {
        auto *clusterTimer = new QTimer(this);
        auto *watcher = new QFutureWatcher<QJsonObject>(this);
        connect(watcher, &QFutureWatcher<QJsonObject>::finished, this, [this, watcher] {
            // The GUI's cluster view reads the same snapshot, converted once here.
            const QJsonObject snapshot = watcher->result();
            m_state.setCluster(snapshot, ClusterStatusConverter::fromHealthJson(snapshot));
        });
        auto poll = [this, watcher] {
            if (!watcher->isRunning())
                watcher->setFuture(QtConcurrent::run(m_options.clusterSnapshot));
        };
        connect(clusterTimer, &QTimer::timeout, this, poll);
        clusterTimer->start(5000);
        QTimer::singleShot(0, this, poll);
    }
    connect(m_bus, &Bus::readings, this, [this](const QList<Reading> &r) {
        if (!m_options.computeInProcess && m_sources.empty()) {
            // --connect: the readings were accepted by a collector elsewhere; count them as they
            // arrive from the raw topic (a local source counts its own in ingest()).
            LiveState::Counters d;
            d.readingsIn = r.size();
            m_state.addCounters(d);
        }
        m_state.recordReadings(r);
    });
    connect(m_bus, &Bus::features, this, [this](const QList<WindowStats> &w) { m_state.recordWindows(w); });
    connect(m_bus, &Bus::forecasts, this, [this](const QList<Forecast> &f) { m_state.recordForecasts(f); });
    connect(m_bus, &Bus::anomalies, this, [this](const QList<Anomaly> &a) { m_state.recordAnomalies(a); });
    connect(m_bus, &Bus::deadLetter, this, [this](const DeadLetter &) {
        LiveState::Counters d;
        d.deadLettered = 1;
        m_state.addCounters(d);
    });
}

void Engine::openStore()
{
    if (m_options.store.path.isEmpty())
        return;
    m_store = std::make_unique<HistoryStore>(m_options.store);
    if (const auto opened = m_store->open(); !opened) {
        m_storeError = opened.errorMessage();
        qCWarning(lcEngine).noquote() << m_storeError;
        m_store.reset();
        return;
    }
    HistoryStore *store = m_store.get();
    connect(m_bus, &Bus::readings, store, &HistoryStore::addReadings);
    connect(m_bus, &Bus::forecasts, store, &HistoryStore::addForecasts);
    connect(m_bus, &Bus::anomalies, store, &HistoryStore::addAnomalies);
    // The store keeps one window per window length (tumbling), not every slide: the history of a
    // station's statistics without storing each reading five times over.
    const qint64 length = m_options.windows.lengthMs;
    connect(m_bus, &Bus::features, store, [store, length](const QList<WindowStats> &windows) {
        QList<WindowStats> tumbling;
        for (const WindowStats &w : windows) {
            if (length <= 0 || w.endMs % length == 0)
                tumbling.append(w);
        }
        if (!tumbling.isEmpty())
            store->addFeatures(tumbling);
    });
    // A non-shifted replay is deterministic, so after a crash it resumes at the store's
    // acknowledged mark (the tail of the last batch is re-sent and upserted, never lost).
    // Live sources and time-shifted replays are not: their readings are never skipped.
    // The mark is one per store file, so a store should hold one replay's history.
    if (m_options.sourceKind == QLatin1String("replay") && !m_options.replayFile.isEmpty() && !m_options.replayShiftToNow
        && !m_options.replayLoop)
        m_resumeFromMs = m_store->resumeMarkMs();
    m_pressureTimer = new QTimer(this);
    connect(m_pressureTimer, &QTimer::timeout, this, &Engine::checkPressure);
    m_pressureTimer->start(20);
}

void Engine::setUpTasks()
{
    PartitionTask::Options o;
    o.windows = m_options.windows;
    o.detect.spatialCheck = m_options.spatialCheck;
    o.detect.dropoutCheckMs = m_options.dropoutCheckMs;
    o.detect.eventTimeDropouts = dropoutsOnEventTime();
    const int partitions = m_table.options().partitions;
    m_byPartition.resize(static_cast<size_t>(partitions));
    for (int p = 0; p < partitions; ++p)
        m_tasks.push_back(std::make_unique<PartitionTask>(p, o, PartitionTask::Services{&m_table, m_models, &m_alerts, {}}));
    if (!dropoutsOnEventTime()) {
        m_silenceTimer = new QTimer(this);
        m_silenceTimer->setInterval(static_cast<int>(std::clamp<qint64>(m_options.dropoutCheckMs, 1, 24 * 3600'000LL)));
        connect(m_silenceTimer, &QTimer::timeout, this, &Engine::checkSilence);
    }
}

void Engine::loadCatalogue()
{
    QStringList catalogued; // stations this engine serves, when a catalogue says so
    if (!m_options.stationsCsv.isEmpty()) {
        StationCatalogue catalogue;
        QStringList skipped;
        const auto loaded = catalogue.loadCsv(m_options.stationsCsv, QStringLiteral("catalogue"), &skipped);
        if (!loaded)
            qCWarning(lcEngine).noquote() << loaded.errorMessage();
        for (const QString &s : std::as_const(skipped))
            qCWarning(lcEngine).noquote() << s;
        const QList<Station> selected = selectStations(catalogue.stations());
        if (!m_near) // with --near the selection is published once the sources' stations are known too
            m_state.upsertStations(selected);
        upsertStations(selected);
        for (const Station &s : catalogue.stations())
            catalogued << s.id;
    }
    if (!m_options.modelDir.isEmpty() && m_options.computeInProcess)
        setUpModels(catalogued);
}

void Engine::upsertStations(const QList<Station> &stations)
{
    for (auto &task : m_tasks)
        task->setStations(stations);
}

void Engine::setUpModels(const QStringList &servedStations)
{
    m_models = new ModelRegistry(m_options.modelDir, this);
    m_models->setServedStations(servedStations);
    const auto active = m_models->activateNewest();
    if (!active)
        qCWarning(lcEngine).noquote() << "forecasts: persistence until a model is dropped in:" << active.errorMessage();
    m_models->watch();
    for (auto &task : m_tasks)
        task->forecastStage().service().setRegistry(m_models);
    // Retraining reads the store on a pool thread; drift alerts join the weather alerts on the bus.
    m_retrain = new RetrainCoordinator(m_options.retrain, m_models, m_store ? m_store->path() : QString(), &m_state, this);
    connect(m_retrain, &RetrainCoordinator::alerts, this, [this](const QList<Anomaly> &a) { m_bus->publishAnomalies(a); });
    m_retrain->start();
}

void Engine::setUpAlerts()
{
    QStringList problems;
    m_alerts.loadConfigRules(m_options.alertRules, &problems);
    for (const QString &p : std::as_const(problems))
        qCWarning(lcEngine).noquote() << p;
    QString stateFile = m_options.alertsStateFile;
    if (stateFile.isEmpty() && !m_options.store.path.isEmpty()) {
        const QFileInfo db(m_options.store.path);
        stateFile = db.dir().filePath(db.completeBaseName() + QStringLiteral(".alerts.json"));
    }
    if (const auto loaded = m_alerts.setStateFile(stateFile); !loaded)
        qCWarning(lcEngine).noquote() << loaded.errorMessage();
    else if (*loaded > 0)
        qCInfo(lcEngine).noquote() << "alerts:" << *loaded << "rules and silences restored from" << stateFile;
}

void Engine::addSource(Source *source)
{
    m_sources.push_back(source);
    connect(source, &Source::stationsDiscovered, this, [this](const QList<Station> &s) {
        m_state.upsertStations(selectStations(s));
        // The merged catalogue: a replay names its stations without positions, the catalogue CSV
        // gave them, and drift peers must be chosen by distance where it is known.
        upsertStations(m_state.catalogue().stations());
    });
    connect(source, &Source::readingsReady, this, [this, source](const QList<Reading> &r) { ingest(source, r); });
    connect(source, &Source::rejected, this, [this](const DeadLetter &d) {
        LiveState::Counters c;
        c.readingsRejected = 1;
        m_state.addCounters(c);
        m_bus->publishDeadLetter(d);
    });
    connect(source, &Source::healthChanged, this, [this, source] { publishSourceStatus(source); });
    connect(source, &Source::finished, this, [this, source] {
        // End of a finite replay: close what is still open so nothing accepted is left unreported.
        finishStreams();
        publishSourceStatus(source);
        emit sourceFinished(source->name());
    });
    publishSourceStatus(source);
}

void Engine::start()
{
    if (m_silenceTimer)
        m_silenceTimer->start();
    for (Source *s : m_sources)
        s->start();
}

void Engine::stop()
{
    if (m_silenceTimer)
        m_silenceTimer->stop();
    for (Source *s : m_sources)
        s->stop();
    if (m_store)
        m_store->flush();
}

qsizetype Engine::pendingWork() const
{
    qsizetype n = 0;
    for (const auto &task : m_tasks)
        n += task->pending();
    return n;
}

QList<Station> Engine::selectStations(const QList<Station> &stations)
{
    QList<Station> selected = stations;
    if (m_near) {
        selected = m_near->addStations(stations);
        if (selected.isEmpty())
            qCWarning(lcEngine).noquote() << "--near:" << m_near->summary() << "- no station matches";
        else
            qCInfo(lcEngine).noquote() << "--near:" << m_near->summary();
    }
    return selected;
}

void Engine::ingest(Source *source, const QList<Reading> &all)
{
    // --near: readings of stations outside the selection are not part of this run.
    const QList<Reading> &readings = m_near ? m_near->filter(all) : all;
    QElapsedTimer clock;
    clock.start();
    StageOutput out;
    out.accepted.reserve(readings.size());
    const ValidateStage::Counters before = m_validate.counters();
    for (const Reading &r : readings) {
        if (r.timestampMs < m_resumeFromMs) {
            // Already stored before a restart (see HistoryStore): said once, so a different, older
            // file replayed into the same --db is not skipped silently.
            if (m_resumeSkipped++ == 0)
                qCInfo(lcEngine).noquote() << "resuming after" << timeutil::toIsoUtc(m_resumeFromMs)
                                           << "(the history store has everything older); older readings are skipped";
            continue;
        }
        m_validate.process(r, source->name(), out);
    }
    const ValidateStage::Counters &after = m_validate.counters();
    LiveState::Counters delta;
    delta.readingsIn = after.accepted - before.accepted;
    delta.readingsRejected = after.readingsRejected - before.readingsRejected;
    delta.valuesRejected = after.valuesRejected - before.valuesRejected;
    m_state.addCounters(delta);
    for (const DeadLetter &d : std::as_const(out.deadLetters))
        m_bus->publishDeadLetter(d);
    if (!out.accepted.isEmpty())
        m_bus->publishReadings(out.accepted);
    if (!out.anomalies.isEmpty())
        m_bus->publishAnomalies(out.anomalies);
    m_state.recordStage(QStringLiteral("validate"), readings.size(), clock.nsecsElapsed() / 1e6, 0);
    if (m_options.computeInProcess)
        process(out.accepted);
    if (m_retrain)
        m_retrain->observe(out.accepted);
    publishSourceStatus(source);
    checkPressure();
}

void Engine::process(const QList<Reading> &accepted)
{
    if (accepted.isEmpty())
        return;
    // The table first: a stage may read a reading of another partition of this batch, but never one
    // after the time it decides about (NeighbourTable).
    for (auto &part : m_byPartition)
        part.clear();
    // Decisions still to take are at or after the slowest partition's watermark: what they read
    // stays in the table while this batch is added (a 10,000-reading batch of an hourly replay
    // spans more than the history kept).
    qint64 floor = NeighbourTable::kForever;
    for (int p = 0; p < m_table.options().partitions; ++p) {
        if (const qint64 w = m_table.watermark(p); w != NeighbourTable::kNever)
            floor = std::min(floor, w);
    }
    m_table.setRetainFrom(floor == NeighbourTable::kForever ? NeighbourTable::kNever : floor);
    for (const Reading &r : accepted) {
        m_table.add(r);
        m_byPartition[static_cast<size_t>(m_table.partitionOf(r.stationId))].append(r);
    }
    StageOutput out;
    for (auto &task : m_tasks)
        task->process(m_byPartition[static_cast<size_t>(task->partition())], out);
    // This batch moved other partitions' watermarks: work waiting for them may be due now.
    for (auto &task : m_tasks)
        task->drain(out);
    publish(out);
    reportStages();
}

void Engine::finishStreams()
{
    if (!m_options.computeInProcess)
        return;
    m_table.finishAll();
    StageOutput out;
    for (auto &task : m_tasks)
        task->finish(out);
    publish(out);
    reportStages();
}

void Engine::publish(const StageOutput &out)
{
    if (!out.windows.isEmpty())
        m_bus->publishFeatures(out.windows);
    if (!out.forecasts.isEmpty())
        m_bus->publishForecasts(out.forecasts);
    if (!out.anomalies.isEmpty())
        m_bus->publishAnomalies(out.anomalies);
}

// Each stage's work since the last report, for the health views and /metrics.
void Engine::reportStages()
{
    PartitionTask::StageTimes now;
    qint64 late = 0;
    for (const auto &task : m_tasks) {
        for (int s = 0; s < PartitionTask::StageCount; ++s) {
            now.items[s] += task->times().items[s];
            now.ns[s] += task->times().ns[s];
        }
        late += task->lateDropped();
    }
    static const char *const names[PartitionTask::StageCount] = {"aggregate", "detect", "forecast", "rules", "deferred"};
    for (int s = 0; s < PartitionTask::StageCount; ++s) {
        const qint64 items = now.items[s] - m_reportedTimes.items[s];
        const qint64 ns = now.ns[s] - m_reportedTimes.ns[s];
        if (items == 0 && ns == 0)
            continue;
        const qint64 queue = s == PartitionTask::Deferred ? pendingWork() : 0;
        m_state.recordStage(QString::fromLatin1(names[s]), items, ns / 1e6, queue);
        if (s == PartitionTask::Aggregate)
            m_windowLatency.observeNs(ns);
        if (s == PartitionTask::Forecast)
            m_inferLatency.observeNs(ns);
    }
    m_reportedTimes = now;
    m_state.setLateDropped(late);
}

void Engine::checkSilence()
{
    StageOutput out;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (auto &task : m_tasks)
        task->checkSilence(now, out);
    publish(out);
}

// The store's backlog pauses the sources above the high-water mark and resumes them below half of
// it: a slow disk slows the replay instead of filling memory.
void Engine::checkPressure()
{
    if (!m_store)
        return;
    const qint64 backlog = m_store->backlogRows();
    const qint64 high = std::max<qint64>(1, m_options.storeHighWaterRows);
    if (!m_paused && backlog > high)
        setPaused(true, QStringLiteral("history store backlog %1 rows (high-water mark %2)").arg(backlog).arg(high));
    else if (m_paused && backlog < high / 2)
        setPaused(false, QString());
    m_state.setQueue(QStringLiteral("store"), backlog, high);
}

void Engine::setPaused(bool paused, const QString &why)
{
    m_paused = paused;
    for (Source *s : m_sources)
        s->setPaused(paused);
    m_state.setBackPressure(paused, why);
}

void Engine::publishSourceStatus(Source *source)
{
    const Source::Health h = source->health();
    LiveState::SourceStatus s;
    s.name = source->name();
    s.state = Source::stateKey(h.state);
    s.lastError = h.lastError;
    s.lastSuccessMs = h.lastSuccessMs;
    s.readings = h.readingsEmitted;
    s.progressDone = h.progressDone;
    s.progressTotal = h.progressTotal;
    m_state.setSourceStatus(s);
}

} // namespace stratus
