#pragma once

#include "ForecastModel.h"
#include "GroupMeans.h"

#include <QHash>

namespace stratus {

struct TrainOptions
{
    qint64 fromMs = std::numeric_limits<qint64>::min(); // training span [fromMs, toMs)
    qint64 toMs = std::numeric_limits<qint64>::max();
    int folds = 4; // contiguous time blocks of the span for cross-validating lambda and the intervals
    bool crossStation = true;
    // Hourly, several stations: each station's temperature, changes and upwind terms as features.
    bool neighbours = true;
    // Shift each regression's bias by its out-of-fold median residual (MAE-optimal constant).
    bool medianShift = true;
    // Hourly: partitions of the issue hours, each block with its own regressions; several partitions
    // make an ensemble whose forecast is their mean.
    std::vector<ForecastModel::RegimeSpec> members{ForecastModel::RegimeSpec{3, 0}, ForecastModel::RegimeSpec{3, 4}};
    QString version;
    // Hourly: gradient-boosted trees on the ridge's temperature residuals, per horizon; the tree
    // count is chosen on the last fold of the training span (never on data after it). Off by
    // default: on Beijing it gains < 0.01 °C for minutes of training (see RESULTS.md).
    bool boost = false;
    BoostParams boostParams;
};

// Fits one ridge regression per (variable, horizon, issue-hour regime) on the change from the issue
// slot, sharing one Gram matrix across all targets of a regime (so 96 hourly models cost little more
// than one). Lambda is chosen per target by blocked cross-validation in time inside the training
// span, the out-of-fold residuals give the 10–90 % interval, and the final weights are refitted on
// the whole span.
class ForecastTrainer
{
public:
    static Result<std::shared_ptr<ForecastModel>> train(const ForecastDataset &ds, const TrainOptions &options,
                                                         QStringList *log = nullptr);
    // Mean temperature per day of year (366 values, smoothed over ±15 days) from slots in [from, to).
    static std::vector<double> climatology(const ForecastDataset &ds, qint64 fromMs, qint64 toMs);
    // The value of a channel at slot t, bridged from the last 3 slots when missing.
    static double currentValue(const StationSeries &s, Channel c, int t);
    // Forecast variables: temperature, humidity, pressure, wind speed — those the data has.
    static std::vector<Channel> targetVariables(const std::array<bool, kChannelCount> &channels);
};

} // namespace stratus
