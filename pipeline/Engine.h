#pragma once

#include "EngineOptions.h"
#include "LiveState.h"
#include "ReadingValidator.h"
#include "aggregate/SlidingWindowAggregator.h"
#include "LatencyHistogram.h"
#include "alerts/AlertManager.h"
#include "alerts/AlertRuleEngine.h"
#include "anomaly/AnomalyDetector.h"
#include "forecast/ForecastService.h"
#include "anomaly/SpatialConsistencyCheck.h"

#include <QObject>

#include <memory>
#include <vector>

namespace stratus {

class Bus;
class NearStationSelection;
class HistoryStore;
class Source;
class ModelRegistry;
class RetrainCoordinator;

// The one facade that wires sources → raw → aggregate → features → infer → predictions and keeps
// LiveState current. The GUI and the server only talk to this.
class Engine : public QObject
{
    Q_OBJECT
public:
    explicit Engine(EngineOptions options, QObject *parent = nullptr);
    ~Engine() override;

    void start();
    void stop();

    LiveState &state() { return m_state; }
    const LiveState &state() const { return m_state; }
    Bus &bus() { return *m_bus; }
    const EngineOptions &options() const { return m_options; }
    // The user's alert rules and silences (config + API/GUI, persisted), thread-safe: the API and
    // GUI threads use this; the rules are evaluated on every accepted reading.
    AlertManager &alerts() { return m_alerts; }
    // The rule engine inside alerts(), unlocked: only on the engine's thread (tests).
    AlertRuleEngine &alertRules() { return m_alerts.engineUnlocked(); }
    // The periodic silent-station check (see DropoutWatch).
    class DropoutWatch *dropoutWatch() const { return m_dropoutWatch; }
    // The anomaly detector; the forecaster feeds it expectations (AnomalyDetector::expect).
    AnomalyDetector &anomalyDetector() { return m_detector; }
    // Forecast model versions, A/B split and live accuracy (null without EngineOptions::modelDir).
    ModelRegistry *models() const { return m_models; }
    ForecastService &forecasts() { return m_forecasts; }
    // Retraining and model drift alerts (null without EngineOptions::modelDir).
    RetrainCoordinator *retrain() const { return m_retrain; }
    // The history store, or nullptr when none was asked for or it failed to open (see storeError()).
    HistoryStore *store() const { return m_store.get(); }
    QString storeError() const { return m_storeError; }
    const LatencyHistogram &windowLatency() const { return m_windowLatency; }
    const LatencyHistogram &inferLatency() const { return m_inferLatency; }

signals:
    void sourceFinished(const QString &name);

private:
    void addSource(Source *source);
    void setUpModels(const QStringList &servedStations);
    void ingest(Source *source, const QList<Reading> &readings);
    void aggregate(const QList<Reading> &readings);
    void detect(const QList<Reading> &readings);
    void setUpAlerts();
    void checkDropouts(qint64 nowMs);
    void infer(const QList<WindowStats> &windows);
    void publishSourceStatus(Source *source);
    QList<Station> selectStations(const QList<Station> &stations);

    EngineOptions m_options;
    LiveState m_state;
    Bus *m_bus = nullptr;
    std::vector<Source *> m_sources;
    ReadingValidator m_validator;
    SlidingWindowAggregator m_aggregator;
    SpatialConsistencyCheck m_spatial;
    std::unique_ptr<NearStationSelection> m_near; // --near
    AnomalyDetector m_detector;
    AlertManager m_alerts;
    class DropoutWatch *m_dropoutWatch = nullptr;
    qint64 m_watermarkMs = 0;
    ModelRegistry *m_models = nullptr;
    RetrainCoordinator *m_retrain = nullptr;
    ForecastService m_forecasts;
    std::unique_ptr<HistoryStore> m_store;
    QString m_storeError;
    qint64 m_resumeFromMs = 0; // replayed readings older than this are already in the store
    qint64 m_resumeSkipped = 0;
    LatencyHistogram m_windowLatency;
    LatencyHistogram m_inferLatency;
};

} // namespace stratus
