#pragma once

#include "Anomaly.h"
#include "FeatureStabilityIndex.h"
#include "Reading.h"
#include "RetrainOptions.h"

#include <QHash>
#include <QJsonObject>
#include <QList>

#include <deque>
#include <map>
#include <memory>

namespace stratus {

class ForecastModel;
class LiveAccuracy;

// Watches the active model in service and raises alerts of kind `model` (same path as weather
// alerts: bus anomalies → API, GUI, tray):
//  - error drift: per station and horizon (1, 3, 6, 12, 24 h), the live temperature MAE over the
//    last drift_minutes exceeds drift_factor × the model's offline MAE at that horizon (its
//    held-back score, else its validation error);
//  - input drift: the PSI (FeatureStabilityIndex) of a station's temperature minus its neighbours'
//    median over the last psi_window_hours (a full window) against the model's training reference
//    exceeds psi_threshold plus the small-sample bias (bins − 1) / n. The other features' PSI is in
//    status() only (see FeatureStabilityIndex::kAlerting). A sensor offset also shifts the
//    neighbours' median a little, so a close neighbour may alert too, with a much smaller PSI.
// Time is data time (the readings' timestamps), checked once per completed hour, so a replay at any
// speed gives the same alerts. An alert is raised once and re-armed when the condition clears.
// Not thread-safe: the engine thread feeds it.
class ModelDriftMonitor
{
public:
    explicit ModelDriftMonitor(RetrainOptions options) : m_options(std::move(options)) {}

    void setModel(std::shared_ptr<const ForecastModel> model);
    // Accepted readings; returns the alerts raised at hour boundaries they crossed.
    QList<Anomaly> observe(const QList<Reading> &readings, const LiveAccuracy *live);
    // {"model": v, "stations": {"X": {"psi": {feature: value}, "live_vs_offline": {h: ratio}}}}
    QJsonObject status() const;
    // The model's offline temperature MAE at horizon h (NaN if it has none).
    static double offlineMae(const ForecastModel &model, int h);

    static constexpr int kHorizons[] = {1, 3, 6, 12, 24};

private:
    struct Snap
    {
        qint64 ms = 0;
        double n = 0, sum = 0;
    };
    struct StationState
    {
        std::map<qint64, std::pair<double, double>> hours; // hour → (temperature, pressure), last few hours
        std::array<std::deque<double>, FeatureStabilityIndex::kFeatures> window;
        std::array<bool, FeatureStabilityIndex::kFeatures> psiAlerted{};
        std::array<double, FeatureStabilityIndex::kFeatures> psi{};
        std::map<int, std::deque<Snap>> snaps; // horizon → cumulative live error snapshots
        std::map<int, double> ratio;           // horizon → live / offline over the last window
        bool errorAlerted = false;
    };
    QList<Anomaly> tick(qint64 slotMs, const QJsonObject &live);

    RetrainOptions m_options;
    std::shared_ptr<const ForecastModel> m_model;
    QJsonObject m_reference; // model metrics.input_reference
    std::map<int, double> m_offline;
    QHash<QString, StationState> m_st;
    qint64 m_lastHour = 0;
};

} // namespace stratus
