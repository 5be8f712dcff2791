#pragma once

#include "ForecastFeatures.h"
#include "ForecastSeries.h"
#include "Result.h"

#include <QJsonObject>
#include <QStringList>

#include <Eigen/Dense>

#include <memory>
#include <optional>

namespace stratus {

// One direct regression: the change of `variable` from the issue slot to `horizon` slots later.
struct ModelTarget
{
    Channel variable = Channel::Temperature;
    int horizon = 1;           // slots (hours for hourly models, days for daily ones)
    int regime = 0;            // issue-hour block this regression serves (0 for single-regime models)
    Eigen::VectorXd weights;   // on the raw features (standardisation folded in)
    double bias = 0;
    double lambda = 0;         // ridge penalty chosen on the validation slice (correlation scale)
    double residualQ10 = 0;    // quantiles of held-out residuals: the 10–90 % interval
    double residualQ90 = 0;
    double validationMae = 0;
};

// A trained direct multi-horizon ridge forecaster and everything needed to trust it: version,
// training span, feature names, offline metrics. Stored as a directory with model.json (metadata)
// and weights.json (the numbers), whose SHA-256 model.json records so a damaged file is refused.
class ForecastModel
{
public:
    // Bump when the files' layout or meaning changes; a model of another format is refused.
    static constexpr int kFormatVersion = 1;
    static constexpr const char *kMetadataFile = "model.json";
    static constexpr const char *kWeightsFile = "weights.json";

    QString version;
    qint64 trainedAtMs = 0;
    qint64 dataFromMs = 0; // training span (inclusive)
    qint64 dataToMs = 0;
    bool daily = false;
    bool crossStation = false;
    // Hourly models keep one set of regressions per block of issue hours (as MOS keeps one equation per
    // forecast cycle): how the next hours unfold depends on the time of day in every feature at once.
    int regimes = 1;
    // ... and, with 2, separately for the warm (April–September) and cold half of the year.
    int seasons = 1;
    QStringList stations;               // stations it was trained on
    std::array<bool, kChannelCount> channels{};
    QStringList featureNames;
    std::vector<double> climatology;    // daily models: mean temperature by day of year
    std::vector<ModelTarget> targets;
    QString trainedOn;                  // data description
    QJsonObject metrics;                // offline metrics (held-out evaluation, validation)

    int maxHorizon() const;
    std::vector<Channel> variables() const;
    const ModelTarget *target(Channel variable, int horizon, int regime = 0) const;
    int regimeCount() const { return daily ? 1 : std::max(regimes, 1) * std::max(seasons, 1); }
    int regimeOf(qint64 issuedAtMs) const
    {
        if (daily)
            return 0;
        const int block = static_cast<int>((issuedAtMs / 3'600'000) % 24) * std::max(regimes, 1) / 24;
        if (seasons <= 1)
            return block;
        // Day-of-year fraction 0.247 … 0.747 is April … September.
        const double f = ForecastFeatures::dayOfYearFraction(issuedAtMs);
        return block + std::max(regimes, 1) * (f >= 0.247 && f < 0.747 ? 1 : 0);
    }
    // Rebuilds the (regime, variable, horizon) → target lookup; call after filling `targets`.
    void index();
    // The feature builder of this model, built once by index() (building one formats every
    // feature name, far too slow for each forecast).
    const ForecastFeatures &featureBuilder() const { return *m_features; }
    // A fresh feature builder with this model's settings.
    ForecastFeatures features() const
    {
        return ForecastFeatures(daily, channels, crossStation, stations, regimes <= 1);
    }
    bool knowsStation(const QString &id) const { return stations.contains(id); }

    // Central forecast for `variable` `horizon` slots after the issue slot whose features are x and
    // whose current value is `current`.
    double predict(const ModelTarget &t, const double *x, double current) const
    {
        return current + t.bias + Eigen::Map<const Eigen::VectorXd>(x, t.weights.size()).dot(t.weights);
    }

    QJsonObject metadataJson() const;
    Result<QString> save(const QString &dir) const;
    // Refuses (with the reason) a directory whose files are missing, unparsable, of another format
    // version, altered after writing (checksum), or whose features this build cannot compute.
    static Result<std::shared_ptr<const ForecastModel>> load(const QString &dir);

private:
    std::vector<int> m_lookup;
    int m_lookupH = 0;
    std::shared_ptr<const ForecastFeatures> m_features;
};

} // namespace stratus
