#pragma once

#include "AnomalyDetector.h"
#include "Result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <vector>

namespace stratus {

// The Numenta Anomaly Benchmark's corpus format and its scoring, so the detector can be scored on
// labelled real failures: a series file `timestamp,value` (times "YYYY-MM-DD HH:MM:SS", UTC) and a
// labels file of anomaly windows, either NAB's combined_windows.json (an object from data file
// names to lists of [start, end]; the entry whose name ends with the series' file name is used) or
// a plain list of [start, end] pairs.
//
// Scoring follows NAB's "standard" application profile (weights TP 1.0, FP 0.11, FN 1.0): the first
// detection inside a window earns the scaled sigmoid of its position there (1 at the window's
// start, falling towards its end), a detection outside every window costs 0.11 × the sigmoid of how
// far past the last window it is (the full 0.11 before the first window or far after one), a window
// with no detection costs 1; the sum is normalised so that detecting nothing scores 0 and detecting
// every window at its start with no false positive scores 100. Detections in the probationary
// period (the first 15 % of the series, at most 750 points) are not counted, as in NAB.
class NabCorpus
{
public:
    struct Series
    {
        QString name;                   // file name
        std::vector<qint64> timesMs;
        std::vector<double> values;
        std::vector<std::pair<qint64, qint64>> windows; // [start, end] inclusive, ms
    };
    static Result<Series> read(const QString &seriesCsv, const QString &labelsJson);

    struct Score
    {
        double nab = 0;              // standard profile, normalised: 0 = null detector, 100 = perfect
        double raw = 0;
        int windows = 0, windowsDetected = 0, falsePositives = 0; // detections outside windows (after probation)
        qint64 tp = 0, fp = 0, fn = 0;  // per point: a point inside a window is labelled anomalous
        double precision() const { return tp + fp ? double(tp) / double(tp + fp) : 0; }
        double recall() const { return tp + fn ? double(tp) / double(tp + fn) : 0; }
        double f1() const
        {
            const double p = precision(), r = recall();
            return p + r > 0 ? 2 * p * r / (p + r) : 0;
        }
        QJsonObject toJson() const;
        QString toText() const;
    };
    // `detected[i]`: the detector flagged point i.
    static Score score(const Series &series, const std::vector<bool> &detected);
    // Runs the statistical detector over the series (one station, the values as a temperature-like
    // quantity without physical limits) and scores it.
    static Score evaluate(const Series &series, AnomalyDetector::Options options = AnomalyDetector::Options());
    static int probationaryPoints(size_t n);
    // NAB's scaled sigmoid: 2 / (1 + e^(5y)) − 1, −1 beyond 3 window lengths past a window.
    static double scaledSigmoid(double y);

private:
    static size_t firstDetection(std::pair<size_t, size_t> window, const std::vector<bool> &detected, size_t probation);
};

} // namespace stratus
