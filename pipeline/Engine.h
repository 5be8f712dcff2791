#pragma once

#include "EngineOptions.h"
#include "LatencyHistogram.h"
#include "LiveState.h"
#include "alerts/AlertManager.h"
#include "stages/NeighbourTable.h"
#include "stages/PartitionTask.h"
#include "stages/ValidateStage.h"

#include <QObject>

#include <memory>
#include <vector>

class QTimer;

namespace stratus {

class Bus;
class NearStationSelection;
class HistoryStore;
class Source;
class ModelRegistry;
class RetrainCoordinator;

// The one facade that wires sources → validate → the partitions' stages (aggregate → detect →
// forecast → rules, see PartitionTask) → the bus, and keeps LiveState current. The GUI and the
// server only talk to this. The stages are the ones a Kafka worker runs; this engine splits its
// stations into the same partitions (EngineOptions::partitions) and runs them on its thread.
//
// Back-pressure: the engine works synchronously from the source's batch to the bus, so the only
// queue that can grow is the history store's; above its high-water mark the sources are paused
// until it drains below half of it (LiveState::backPressure() says so for /health).
class Engine : public QObject
{
    Q_OBJECT
public:
    explicit Engine(EngineOptions options, QObject *parent = nullptr);
    ~Engine() override;

    void start();
    void stop();
    // A source made elsewhere (the options' own source is added by the constructor); the engine
    // takes it over (its QObject parent may be set by the caller).
    void addSource(Source *source);

    LiveState &state() { return m_state; }
    const LiveState &state() const { return m_state; }
    Bus &bus() { return *m_bus; }
    const EngineOptions &options() const { return m_options; }
    // The user's alert rules and silences (config + API/GUI, persisted), thread-safe: the API and
    // GUI threads use this; the rules are evaluated on every accepted reading.
    AlertManager &alerts() { return m_alerts; }
    // The rule engine inside alerts(), unlocked: only on the engine's thread (tests).
    AlertRuleEngine &alertRules() { return m_alerts.engineUnlocked(); }
    // Dropouts are looked for as event time passes (a replay) rather than on a wall-clock timer.
    bool dropoutsOnEventTime() const { return m_alerts.clock() == AlertManager::Clock::EventTime; }
    // Forecast model versions, A/B split and live accuracy (null without EngineOptions::modelDir).
    ModelRegistry *models() const { return m_models; }
    // Retraining and model drift alerts (null without EngineOptions::modelDir).
    RetrainCoordinator *retrain() const { return m_retrain; }
    // The history store, or nullptr when none was asked for or it failed to open (see storeError()).
    HistoryStore *store() const { return m_store.get(); }
    QString storeError() const { return m_storeError; }
    const LatencyHistogram &windowLatency() const { return m_windowLatency; }
    const LatencyHistogram &inferLatency() const { return m_inferLatency; }
    const NeighbourTable &table() const { return m_table; }
    // Deferred work waiting for other partitions, over all tasks.
    qsizetype pendingWork() const;

signals:
    void sourceFinished(const QString &name);

private:
    void connectStateToBus();
    void openStore();
    void loadCatalogue();
    void setUpTasks();
    void setUpModels(const QStringList &servedStations);
    void setUpAlerts();
    void ingest(Source *source, const QList<Reading> &readings);
    void process(const QList<Reading> &accepted);
    void finishStreams();
    void publish(const StageOutput &out);
    void reportStages();
    void checkSilence();
    void checkPressure();
    void setPaused(bool paused, const QString &why);
    void publishSourceStatus(Source *source);
    QList<Station> selectStations(const QList<Station> &stations);
    void upsertStations(const QList<Station> &stations);

    EngineOptions m_options;
    LiveState m_state;
    Bus *m_bus = nullptr;
    std::vector<Source *> m_sources;
    ValidateStage m_validate;
    NeighbourTable m_table;
    std::vector<std::unique_ptr<PartitionTask>> m_tasks;
    std::vector<QList<Reading>> m_byPartition; // scratch: one batch split by partition
    PartitionTask::StageTimes m_reportedTimes;
    std::unique_ptr<NearStationSelection> m_near; // --near
    AlertManager m_alerts;
    QTimer *m_silenceTimer = nullptr; // live: wall-clock dropout checks
    QTimer *m_pressureTimer = nullptr;
    bool m_paused = false;
    ModelRegistry *m_models = nullptr;
    RetrainCoordinator *m_retrain = nullptr;
    std::unique_ptr<HistoryStore> m_store;
    QString m_storeError;
    qint64 m_resumeFromMs = 0; // replayed readings older than this are already in the store
    qint64 m_resumeSkipped = 0;
    LatencyHistogram m_windowLatency;
    LatencyHistogram m_inferLatency;
};

} // namespace stratus
