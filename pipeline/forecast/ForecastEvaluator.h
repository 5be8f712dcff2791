#pragma once

#include "ForecastModel.h"

#include <QHash>

#include <QJsonObject>
#include <QMap>

namespace stratus {

struct ErrorScore
{
    double mae = 0, rmse = 0, mape = 0; // MAPE in percent, over targets with |value| >= 1 unit
    qint64 n = 0;
    QJsonObject toJson() const;
};

// How often a 10–90 % interval held the value (0.8 when calibrated).
struct Coverage
{
    qint64 inside = 0, n = 0;
    double share() const { return n ? static_cast<double>(inside) / static_cast<double>(n) : kMissing; }
};

struct HorizonScores
{
    int hours = 0; // 24 for next day on daily data
    ErrorScore model, persistence, sameHourYesterday, climatology;
    // The paths forecasts took: every feature there, some imputed (a missing input), or none
    // possible and persistence served (e.g. a station the model does not know).
    qint64 complete = 0, imputed = 0, modelFallbacks = 0;
    // Share of the model's forecasts whose 10–90 % interval held the actual value (0.8 when calibrated);
    // NaN when none was scored.
    double intervalCoverage = std::numeric_limits<double>::quiet_NaN();
    // The same by station, by station group (when groups were given) and by meteorological season
    // of the target time (DJF, MAM, JJA, SON).
    QMap<QString, Coverage> coverageByStation, coverageByGroup, coverageBySeason;
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
    QStringList lackingChannels; // channels the model reads that the data never has (imputed throughout)
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
    // `groups`: station → group name, for the interval coverage by group.
    static Result<Evaluation> evaluate(const ForecastModel &model, const ForecastDataset &ds, qint64 fromMs,
                                       qint64 toMs, const QStringList &only = {},
                                       const QHash<QString, QString> &groups = {});
    // "north:A,B,C; south:D,E" (a group's "@days" suffix, as in [retrain] groups, is ignored).
    static Result<QHash<QString, QString>> parseGroups(const QString &spec);
    // Meteorological season of a UTC time: DJF, MAM, JJA or SON.
    static QString seasonOf(qint64 ms);
};

} // namespace stratus
