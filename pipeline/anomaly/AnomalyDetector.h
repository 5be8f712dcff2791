#pragma once

#include "Anomaly.h"
#include "Reading.h"
#include "Station.h"
#include "PeerDriftDetector.h"

#include <QHash>
#include <QList>
#include <QString>

#include <array>
#include <memory>
#include <vector>

namespace stratus {

class RollingWindow;

// Streaming anomaly detector: one call per reading, state per station and variable, memory bounded
// by the window size, cost per reading O(log window) for the robust statistics (RollingWindow) and
// no allocation unless it reports something.
//
// Per variable it scores, in this order of precedence:
//  - out_of_range: outside the physical limits (the Engine's validator already turns these into
//    anomalies; the detector checks too so it is complete when used on its own),
//  - spike: a jump from the last normal value far beyond the station's usual step-to-step change,
//    or (one reading later) a reading that stood off both its neighbours while they agree,
//  - window_deviation: robust z-score against the median/MAD of the recent NORMAL readings. While a
//    reading is anomalous the baseline is frozen (anomalous values never teach the baseline what
//    normal is), and the event lasts until a reading is back within one scale unit of the frozen
//    level (hysteresis: enter at `enterScore`, leave at `exitScore`),
//  - forecast_residual: distance from a value the forecaster expected (see expect()),
//  - stuck: the same value repeated for many readings over hours,
//  - dropout: the station was silent far longer than its usual reporting interval,
//  - spatial: a slow drift against the station's neighbours (PeerDriftDetector).
// The scale of every z-score has a floor per variable (roughly the accuracy of a good station
// sensor), so a station whose readings barely move does not raise alarms for changes nobody could
// measure.
class AnomalyDetector
{
public:
    struct Options
    {
        int windowSize = 60;      // normal readings in the robust baseline, at most ...
        qint64 windowSpanMs = 2 * 3600'000LL; // ... and no older than this
        int minHistory = 10;      // readings before the statistical checks speak
        double enterScore = 3.0;  // robust z above which a reading deviates from its window
        double exitScore = 1.0;   // an event ends when the reading is back within this z of the frozen level
        double spikeScore = 5.0;  // step from the last normal value, in robust scales of the usual step
        double twoSidedSpikeScore = 4.0; // a reading off both agreeing neighbours (one reading later)
        qint64 maxEventMs = 6 * 3600'000LL; // a shift lasting longer becomes the new normal
        int stuckMinReadings = 6; // identical readings in a row ...
        qint64 stuckMinMs = 5 * 3600'000LL; // ... spanning at least this long ...
        double stuckChance = 1e-3;  // ... and that unlikely given the station's share of unchanged steps
        double dropoutFactor = 4.0;           // silent for this many usual intervals ...
        qint64 dropoutMinMs = 30 * 60'000LL;  // ... and at least this long
        double residualSigmas = 3.5;          // forecast residual threshold, in standard deviations
        bool peerDrift = true;                // run the neighbour drift check (needs stations())
        std::array<double, kVariableCount> scaleFloor = defaultScaleFloors();
        // Recompute every median and MAD from a copy of the window by partial sorting instead of
        // reading the sorted windows: slow, the oracle the tests hold the fast path to.
        bool referenceStatistics = false;
        // Flag values outside the physical limits of their variable. Off for series whose values
        // are not in the variable's unit (a NAB machine temperature in °F).
        bool physicalLimits = true;
        // Learn each station's reporting schedule: a silence counts only for the hours in which the
        // station usually reports (after a day, the UTC hours it has reported in; before that, a
        // located station not yet seen reporting at local night is taken to close at night, 22-06
        // local solar time). Part-time stations silent at night are not dropouts.
        bool learnSchedule = true;

        static std::array<double, kVariableCount> defaultScaleFloors();
    };

    AnomalyDetector();
    explicit AnomalyDetector(Options options);
    ~AnomalyDetector();
    AnomalyDetector(const AnomalyDetector &) = delete;
    AnomalyDetector &operator=(const AnomalyDetector &) = delete;

    // Station positions let the drift check pick the nearest neighbours; stations without a
    // position are treated as one local network (all peers of each other).
    void setStations(const QList<Station> &stations);

    // Scores one reading (readings of a station must come in event-time order; an out-of-order
    // reading is scored only against physical limits). Returns one anomaly per flagged variable.
    QList<Anomaly> process(const Reading &reading);
    QList<Anomaly> process(const QList<Reading> &readings);

    // The forecaster's expectation for `variable` of `stationId` at `targetMs`, with its interval
    // [lower, upper] of central coverage `coverage` (0.8 for a 10–90 % interval). A reading within
    // half the station's usual interval of targetMs is then scored for forecast_residual.
    void expect(const QString &stationId, Variable variable, qint64 targetMs, double expected, double lower,
                double upper, double coverage = 0.8);
    // The same check on its own, for callers that hold the forecast themselves.
    static std::optional<Anomaly> residualAnomaly(const Reading &reading, Variable variable, double expected,
                                                  double lower, double upper, double coverage,
                                                  double thresholdSigmas);

    // Stations silent for longer than their dropout limit at wall/event time `nowMs` (one anomaly
    // per silence; the next reading re-arms it). For a timer in live mode.
    QList<Anomaly> checkSilence(qint64 nowMs);

    // Variables the statistical checks look at (continuous, roughly symmetric quantities).
    static bool isStatistical(Variable v);
    const Options &options() const { return m_options; }
    void reset();

private:
    struct Series;
    struct StationState;
    struct Verdict;
    StationState *stationState(const QString &id); // created on first use
    void checkGap(StationState &st, const Reading &r, QList<Anomaly> &out);
    // Of the time from `fromMs` to `toMs`, how much falls in hours the station usually reports in.
    qint64 scheduledMs(const StationState &st, qint64 fromMs, qint64 toMs) const;
    void noteSchedule(StationState &st, qint64 timeMs) const;
    void scoreVariable(StationState &st, Series &s, const Reading &r, Variable v, QList<Anomaly> &out);
    std::pair<double, double> medianMad(const RollingWindow &w) const;
    void checkResidual(const StationState &st, Series &s, Verdict &verdict) const;
    bool checkStuck(Series &s, Verdict &verdict) const;
    std::optional<Anomaly> twoSidedSpike(Series &s, const Verdict &verdict, std::pair<double, double> stepStats,
                                         double floor) const;
    bool checkWindow(Series &s, Verdict &verdict, std::pair<double, double> stepStats, double floor);
    bool continueEvent(Series &s, Verdict &verdict, double z, double step);
    static void learn(Series &s, qint64 timeMs, double x, bool normal, bool windows);

    Options m_options;
    QHash<QString, StationState *> m_stations;
    QHash<QString, double> m_longitudes; // for local solar time before a station's schedule is learned
    std::vector<std::unique_ptr<StationState>> m_owned;
    PeerDriftDetector m_peers;
};

} // namespace stratus
