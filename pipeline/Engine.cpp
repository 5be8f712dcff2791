#include "Engine.h"

#include "JsonCodec.h"
#include "bus/LocalBus.h"
#include "sources/ReplaySource.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QLoggingCategory>

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
    : QObject(parent), m_options(std::move(options)), m_aggregator(m_options.windows)
{
    initResources();
    m_bus = new LocalBus(this);
    m_state.setBusKind(m_bus->kind(), QString());

    connect(m_bus, &Bus::readings, this, [this](const QList<Reading> &r) {
        m_state.recordReadings(r);
        aggregate(r);
    });
    connect(m_bus, &Bus::features, this, [this](const QList<WindowStats> &w) {
        m_state.recordWindows(w);
        infer(w);
    });
    connect(m_bus, &Bus::forecasts, this, [this](const QList<Forecast> &f) { m_state.recordForecasts(f); });
    connect(m_bus, &Bus::anomalies, this, [this](const QList<Anomaly> &a) { m_state.recordAnomalies(a); });
    connect(m_bus, &Bus::deadLetter, this, [this](const DeadLetter &) {
        LiveState::Counters d;
        d.deadLettered = 1;
        m_state.addCounters(d);
    });

    if (!m_options.stationsCsv.isEmpty()) {
        StationCatalogue catalogue;
        QStringList skipped;
        const auto loaded = catalogue.loadCsv(m_options.stationsCsv, QStringLiteral("catalogue"), &skipped);
        if (!loaded)
            qCWarning(lcEngine).noquote() << loaded.errorMessage();
        for (const QString &s : std::as_const(skipped))
            qCWarning(lcEngine).noquote() << s;
        m_state.upsertStations(catalogue.stations());
    }
    if (!m_options.replayFile.isEmpty()) {
        ReplaySource::Options ro;
        ro.path = m_options.replayFile;
        ro.speed = m_options.replaySpeed;
        ro.shiftToNow = m_options.replayShiftToNow;
        ro.maxGapMs = m_options.replayMaxGapMs;
        ro.loop = m_options.replayLoop;
        addSource(new ReplaySource(ro, this));
    }
}

Engine::~Engine() = default;

void Engine::addSource(Source *source)
{
    m_sources.push_back(source);
    connect(source, &Source::stationsDiscovered, this, [this](const QList<Station> &s) { m_state.upsertStations(s); });
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
        if (!rest.isEmpty())
            m_bus->publishFeatures(rest);
        publishSourceStatus(source);
        emit sourceFinished(source->name());
    });
    publishSourceStatus(source);
}

void Engine::start()
{
    for (Source *s : m_sources)
        s->start();
}

void Engine::stop()
{
    for (Source *s : m_sources)
        s->stop();
}

void Engine::ingest(Source *source, const QList<Reading> &readings)
{
    QElapsedTimer stageClock; // per-stage latency for the cluster-health view
    stageClock.start();
    QList<Reading> accepted;
    QList<Anomaly> outOfRange;
    accepted.reserve(readings.size());
    LiveState::Counters delta;
    for (const Reading &r : readings) {
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
    QElapsedTimer stageClock;
    stageClock.start();
    const QList<WindowStats> closed = m_aggregator.add(readings);
    m_state.setLateDropped(m_aggregator.lateDropped());
    m_state.recordStage(QStringLiteral("aggregate"), readings.size(), stageClock.nsecsElapsed() / 1e6, readings.size());
    if (!closed.isEmpty())
        m_bus->publishFeatures(closed);
}

void Engine::infer(const QList<WindowStats> &windows)
{
    QElapsedTimer stageClock;
    stageClock.start();
    const QList<Forecast> forecasts = m_forecaster.forecast(windows);
    m_state.recordStage(QStringLiteral("infer"), windows.size(), stageClock.nsecsElapsed() / 1e6, windows.size());
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
    m_state.setSourceStatus(s);
}

} // namespace stratus
