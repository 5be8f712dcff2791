#pragma once

#include "ForecastModel.h"

#include <QJsonObject>

namespace stratus {

struct ErrorScore
{
    double mae = 0, rmse = 0, mape = 0; // MAPE in percent, over targets with |value| >= 1 unit
    qint64 n = 0;
    QJsonObject toJson() const;
};

struct HorizonScores
{
    int hours = 0; // 24 for next day on daily data
    ErrorScore model, persistence, sameHourYesterday, climatology;
    qint64 modelFallbacks = 0; // rows where features were missing and the model served persistence
    // Share of the model's forecasts whose 10–90 % interval held the actual value (0.8 when calibrated);
    // NaN when none was scored.
    double intervalCoverage = std::numeric_limits<double>::quiet_NaN();
};

struct VariableEvaluation
{
    Channel variable = Channel::Temperature;
    std::vector<HorizonScores> horizons;
};

struct Evaluation
{
    bool daily = false;
    qint64 fromMs = 0, toMs = 0;
    int stations = 0;
    std::vector<VariableEvaluation> variables; // temperature first
    // {"variable":"temperature","horizons":[{"h":6,"model":{…},"persistence":{…},…}],
    //  "other_variables":{"humidity":{"horizons":[…]},…}, "from":…, "to":…}
    QJsonObject toJson() const;
    QString toText() const;
};

// Scores a model and the baselines on the same (station, issue time) pairs: every issue slot in
// [from, to − h] whose current value, target and same-hour-yesterday value exist. Each forecast sees
// only slots up to its issue time. Baselines: persistence (the value at issue time),
// same-hour-yesterday (the value 24 h before the target), and for daily data climatology (the mean
// for the target's day of year over the file's days before `from`).
class ForecastEvaluator
{
public:
    // `only` (non-empty): score these stations alone; the others still give the cross-station context.
    static Result<Evaluation> evaluate(const ForecastModel &model, const ForecastDataset &ds, qint64 fromMs,
                                       qint64 toMs, const QStringList &only = {});
};

} // namespace stratus
