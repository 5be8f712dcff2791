#include "Engine.h"

#include "JsonCodec.h"
#include "TimeUtil.h"
#include "bus/LocalBus.h"
#include "cluster/ClusterStatusConverter.h"
#include "geo/NearStationSelection.h"
#include "sources/Source.h"
#include "sources/SourceFactory.h"
#include "anomaly/DropoutWatch.h"
#include "models/ModelRegistry.h"
#include "models/RetrainCoordinator.h"
#include "notify/NotificationService.h"
#include "store/HistoryStore.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QFutureWatcher>
#include <QTimer>
#include <QtConcurrent>

// Resources live in this static library; the linker keeps them only if something references them.
static void initResources()
{
    Q_INIT_RESOURCE(stratus);
}

namespace stratus {

Q_LOGGING_CATEGORY(lcEngine, "stratus.engine")

EngineOptions EngineOptions::demo()
{
    EngineOptions o;
    o.replayFile = QStringLiteral(":/demo/nws_recorded.jsonl");
    o.stationsCsv = QStringLiteral(":/demo/stations.csv");
    o.replaySpeed = 60.0;
    o.replayShiftToNow = true;
    o.replayMaxGapMs = 5 * 60'000;
    o.replayLoop = true;
    return o;
}

Engine::Engine(EngineOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_aggregator(m_options.windows),
      m_alerts(!m_options.replayFile.isEmpty() && m_options.sourceKind == QLatin1String("replay") && !m_options.replayShiftToNow
                   ? AlertManager::Clock::EventTime
                   : AlertManager::Clock::WallClock)
{
    initResources();
    m_bus = m_options.busFactory ? m_options.busFactory(this) : new LocalBus(this);
    m_state.setBusKind(m_bus->kind(), m_bus->problem());
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
            if (watcher->isRunning())
                return;
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
        m_forecasts.observe(r);
        if (m_options.computeInProcess)
            aggregate(r);
        if (m_options.spatialCheck) {
            if (const QList<Anomaly> spatial = m_spatial.check(r); !spatial.isEmpty())
                m_bus->publishAnomalies(spatial);
        }
        detect(r);
        if (m_retrain)
            m_retrain->observe(r);
    });
    connect(m_bus, &Bus::features, this, [this](const QList<WindowStats> &w) {
        m_state.recordWindows(w);
        if (m_options.computeInProcess)
            infer(w);
    });
    connect(m_bus, &Bus::forecasts, this, [this](const QList<Forecast> &f) { m_state.recordForecasts(f); });
    connect(m_bus, &Bus::anomalies, this, [this](const QList<Anomaly> &a) { m_state.recordAnomalies(a); });
    connect(m_bus, &Bus::deadLetter, this, [this](const DeadLetter &) {
        LiveState::Counters d;
        d.deadLettered = 1;
        m_state.addCounters(d);
    });

    if (!m_options.store.path.isEmpty()) {
        m_store = std::make_unique<HistoryStore>(m_options.store);
        if (const auto opened = m_store->open(); opened) {
            HistoryStore *store = m_store.get();
            connect(m_bus, &Bus::readings, store, &HistoryStore::addReadings);
            connect(m_bus, &Bus::features, store, &HistoryStore::addFeatures);
            connect(m_bus, &Bus::forecasts, store, &HistoryStore::addForecasts);
            connect(m_bus, &Bus::anomalies, store, &HistoryStore::addAnomalies);
            // A non-shifted replay is deterministic, so after a crash it resumes at the store's
            // acknowledged mark (the tail of the last batch is re-sent and upserted, never lost).
            // Live sources and time-shifted replays are not: their readings are never skipped.
            // The mark is one per store file, so a store should hold one replay's history.
            if (m_options.sourceKind == QLatin1String("replay") && !m_options.replayFile.isEmpty()
                && !m_options.replayShiftToNow && !m_options.replayLoop)
                m_resumeFromMs = m_store->resumeMarkMs();
        } else {
            m_storeError = opened.errorMessage();
            qCWarning(lcEngine).noquote() << m_storeError;
            m_store.reset();
        }
    }
    if (m_options.near)
        m_near = std::make_unique<NearStationSelection>(*m_options.near);
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
        m_detector.setStations(catalogue.stations());
        for (const Station &s : catalogue.stations())
            catalogued << s.id;
    }
    if (!m_options.modelDir.isEmpty())
        setUpModels(catalogued);
    setUpAlerts();
    new NotificationService(m_options.notify, m_state, *m_bus, this); // anomalies → Alertmanager, webhook, /metrics
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

void Engine::setUpModels(const QStringList &servedStations)
{
    m_models = new ModelRegistry(m_options.modelDir, this);
    m_models->setServedStations(servedStations);
    const auto active = m_models->activateNewest();
    if (!active)
        qCWarning(lcEngine).noquote() << "forecasts: persistence until a model is dropped in:" << active.errorMessage();
    m_models->watch();
    m_forecasts.setRegistry(m_models);
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
    m_dropoutWatch = new DropoutWatch(m_alerts.clock() == AlertManager::Clock::EventTime ? DropoutWatch::Clock::EventTime
                                                                                         : DropoutWatch::Clock::WallClock,
                                      m_options.dropoutCheckMs, [this](qint64 nowMs) { checkDropouts(nowMs); }, this);
}

void Engine::checkDropouts(qint64 nowMs)
{
    QList<Anomaly> silent = m_detector.checkSilence(nowMs);
    // A silenced station (maintenance) raises no dropout notices, as it raises no rule notices.
    silent.removeIf([this](const Anomaly &a) { return m_alerts.isSilenced(a.stationId, a.timestampMs); });
    if (!silent.isEmpty())
        m_bus->publishAnomalies(silent);
}

void Engine::addSource(Source *source)
{
    m_sources.push_back(source);
    connect(source, &Source::stationsDiscovered, this, [this](const QList<Station> &s) {
        m_state.upsertStations(selectStations(s));
        // The merged catalogue: a replay names its stations without positions, the catalogue CSV
        // gave them, and drift peers must be chosen by distance where it is known.
        m_detector.setStations(m_state.catalogue().stations());
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
        // End of a finite replay: close the windows still open so nothing accepted is left unreported.
        const QList<WindowStats> rest = m_aggregator.flush();
        if (!rest.isEmpty() && m_options.computeInProcess)
            m_bus->publishFeatures(rest);
        publishSourceStatus(source);
        emit sourceFinished(source->name());
    });
    publishSourceStatus(source);
}

void Engine::start()
{
    m_dropoutWatch->start();
    for (Source *s : m_sources)
        s->start();
}

void Engine::stop()
{
    m_dropoutWatch->stop();
    for (Source *s : m_sources)
        s->stop();
    if (m_store)
        m_store->flush();
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
    m_spatial.upsertStations(selected);
    return selected;
}

void Engine::ingest(Source *source, const QList<Reading> &all)
{
    // --near: readings of stations outside the selection are not part of this run.
    const QList<Reading> &readings = m_near ? m_near->filter(all) : all;
    QElapsedTimer stageClock; // per-stage latency for the cluster-health view
    stageClock.start();
    QList<Reading> accepted;
    QList<Anomaly> outOfRange;
    accepted.reserve(readings.size());
    LiveState::Counters delta;
    for (const Reading &r : readings) {
        if (r.timestampMs < m_resumeFromMs) {
            // Already stored before a restart (see HistoryStore): said once, so a different, older
            // file replayed into the same --db is not skipped silently.
            if (m_resumeSkipped++ == 0)
                qCInfo(lcEngine).noquote() << "resuming after" << timeutil::toIsoUtc(m_resumeFromMs)
                                           << "(the history store has everything older); older readings are skipped";
            continue;
        }
        const Validation v = m_validator.validate(r);
        if (v.clean()) {
            accepted.append(r);
            continue;
        }
        DeadLetter d;
        d.origin = source->name();
        d.key = r.stationId.toUtf8();
        d.payload = JsonCodec::compact(JsonCodec::toJson(r));
        d.reason = v.problems.join(QStringLiteral("; "));
        d.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
        m_bus->publishDeadLetter(d);
        if (v.fatal) {
            ++delta.readingsRejected;
            continue;
        }
        delta.valuesRejected += static_cast<qint64>(v.invalidValues.count());
        for (Variable var : kAllVariables) {
            if (!v.invalidValues.test(index(var)))
                continue;
            // An impossible value is itself an alert: the sensor or its decoder is broken.
            Anomaly a;
            a.stationId = r.stationId;
            a.timestampMs = r.timestampMs;
            a.variable = var;
            a.kind = AnomalyKind::OutOfRange;
            a.severity = Severity::Critical;
            a.score = 1.0;
            a.value = r.value(var);
            a.reason = m_validator.describe(r, var);
            outOfRange.append(a);
        }
        const Reading clean = m_validator.sanitized(r, v);
        if (!clean.isEmpty())
            accepted.append(clean);
    }
    delta.readingsIn = accepted.size();
    m_state.addCounters(delta);
    if (!accepted.isEmpty())
        m_bus->publishReadings(accepted);
    if (!outOfRange.isEmpty())
        m_bus->publishAnomalies(outOfRange);
    publishSourceStatus(source);
    // LocalBus delivers synchronously, so this includes the downstream stages; they report their own.
    m_state.recordStage(QStringLiteral("ingest"), readings.size(), stageClock.nsecsElapsed() / 1e6, readings.size());
}

void Engine::aggregate(const QList<Reading> &readings)
{
    QElapsedTimer timer;
    timer.start();
    const QList<WindowStats> closed = m_aggregator.add(readings);
    m_windowLatency.observeNs(timer.nsecsElapsed());
    m_state.setLateDropped(m_aggregator.lateDropped());
    m_state.recordStage(QStringLiteral("aggregate"), readings.size(), timer.nsecsElapsed() / 1e6, readings.size());
    if (!closed.isEmpty())
        m_bus->publishFeatures(closed);
}

void Engine::detect(const QList<Reading> &readings)
{
    // Accepted readings only: impossible values were already turned into out_of_range in ingest().
    // One reading at a time, so a replay's event-time dropout check runs at the same instants
    // whatever the batching (replay speed).
    QList<Anomaly> found;
    for (const Reading &r : readings) {
        m_watermarkMs = std::max(m_watermarkMs, r.timestampMs);
        m_dropoutWatch->observe(m_watermarkMs);
        found += m_detector.process(r);
    }
    found.removeIf([this](const Anomaly &a) {
        return a.kind == AnomalyKind::Dropout && m_alerts.isSilenced(a.stationId, a.timestampMs);
    });
    found += m_alerts.process(readings);
    if (!found.isEmpty())
        m_bus->publishAnomalies(found);
}

void Engine::infer(const QList<WindowStats> &windows)
{
    QElapsedTimer timer;
    timer.start();
    const QList<Forecast> forecasts = m_forecasts.forecast(windows);
    m_inferLatency.observeNs(timer.nsecsElapsed());
    m_state.recordStage(QStringLiteral("infer"), windows.size(), timer.nsecsElapsed() / 1e6, windows.size());
    if (!forecasts.isEmpty())
        m_bus->publishForecasts(forecasts);
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
