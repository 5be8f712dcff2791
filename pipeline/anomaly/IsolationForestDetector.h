#pragma once

#include "Anomaly.h"
#include "Reading.h"
#include "IsolationForest.h"

#include <QHash>
#include <QList>

#include <array>
#include <optional>
#include <vector>

namespace stratus {

// The ML anomaly detector: an Isolation Forest over per-station window features, trained from a
// station history without labels. Features per watched variable (temperature, humidity, pressure):
// robust z against the median/MAD of the station's last `window` readings, the step from the
// previous reading (in sensor-accuracy units), and how long the value has not changed. The alarm
// threshold is a quantile of the training scores, i.e. a false-alarm budget on ordinary history.
class IsolationForestDetector
{
public:
    struct Options
    {
        int window = 30;
        double quantile = 0.995; // alarm budget: 0.5 % of ordinary readings
        IsolationForest::Options forest;
    };
    static constexpr std::array<Variable, 3> kVariables = {Variable::Temperature, Variable::Humidity,
                                                           Variable::Pressure};
    static constexpr int kDims = 3 * static_cast<int>(kVariables.size());

    IsolationForestDetector();
    explicit IsolationForestDetector(Options options);

    // Trains on `history` (sorted by time); returns false when it holds too little to learn from.
    bool train(const QList<Reading> &history);
    bool trained() const { return m_forest.trained(); }
    double threshold() const { return m_threshold; }
    // Scores one reading (updating the station's window) and returns an anomaly above threshold.
    std::optional<Anomaly> process(const Reading &reading);
    double lastScore() const { return m_lastScore; }
    void resetState() { m_state.clear(); }

private:
    struct VarState
    {
        std::vector<double> window; // ring
        size_t head = 0;
        double prev = 0;
        bool hasPrev = false;
        double runValue = 0;
        int run = 0;
    };
    using StationState = std::array<VarState, kVariables.size()>;
    std::array<double, kDims> features(const Reading &reading);

    Options m_options;
    IsolationForest m_forest;
    double m_threshold = 1.0;
    double m_lastScore = 0;
    QHash<QString, StationState> m_state;
};

} // namespace stratus
