#pragma once

#include "BoostedTrees.h"
#include "ForecastFeatures.h"
#include "ForecastDataLoader.h"
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
    // 2: boosted-tree correction stage (hourly); 3: neighbour terms; 4: feature means and covariance
    static constexpr int kFormatVersion = 4;
    static constexpr const char *kMetadataFile = "model.json";
    static constexpr const char *kWeightsFile = "weights.json";

    QString version;
    qint64 trainedAtMs = 0;
    qint64 dataFromMs = 0; // training span (inclusive)
    qint64 dataToMs = 0;
    bool daily = false;
    bool crossStation = false;
    // Hourly multi-station models: every station's own terms (not only the group mean), see ForecastFeatures.
    bool neighbourTerms = false;
    // Hourly models keep one set of regressions per block of issue hours (as MOS keeps one equation per
    // forecast cycle): how the next hours unfold depends on the time of day in every feature at once.
    // Several partitions (members) may be kept; the forecast is their mean.
    struct RegimeSpec
    {
        int blocks = 1;  // equal blocks of the 24 UTC hours
        int offsetH = 0; // the first block starts at this UTC hour
    };
    std::vector<RegimeSpec> members{RegimeSpec{}};
    static constexpr int kMaxMembers = 8;
    QStringList stations;               // stations it was trained on
    std::array<bool, kChannelCount> channels{};
    QStringList featureNames;
    std::vector<double> climatology;    // daily models: mean temperature by day of year
    std::vector<ModelTarget> targets;
    // The training rows' feature means and covariance: a feature whose input is missing at forecast
    // time (a station without wind, a gap in the lags, a silent neighbour) is imputed by its mean
    // given the features that are there, which for a linear model is the reduced model fitted without
    // it, and the interval widens by the variance the imputation leaves. Empty: such forecasts fail.
    Eigen::VectorXd featureMean;
    Eigen::MatrixXd featureCov;
    // How wide the 10-90 % interval is at a station and season, relative to the pooled residuals it
    // was fitted on: per (variable, horizon), a factor per model station and a two-harmonic curve over
    // the day of year, so the interval holds ~80 % at each station and in each season, not only overall.
    struct IntervalScale
    {
        Channel variable = Channel::Temperature;
        int horizon = 1;
        std::vector<double> station;               // per model station, 1 = the pooled spread
        std::array<double, 5> season{1, 0, 0, 0, 0}; // 1, sin d, cos d, sin 2d, cos 2d (d: day-of-year angle)
    };
    std::vector<IntervalScale> intervalScales;
    // The factor for one forecast; `station` is the index in `stations` (-1: none), 1 when unscaled.
    double intervalScale(Channel variable, int horizon, int station, double doyAngle) const;
    void indexIntervalScales();
    QString trainedOn;                  // data description
    QJsonObject metrics;                // offline metrics (held-out evaluation, validation)

    // Hourly models: gradient-boosted trees that correct the ridge forecast of temperature per
    // horizon (the non-linear part a linear model misses: how cloud, wind and season bend the
    // diurnal cycle). The trees fit the ridge's residual from the ridge features named in
    // boostInputs and the UTC hour; their correction is weighted by a factor chosen on validation,
    // and the 10-90 % interval is rescaled by how much it narrowed the validation residuals.
    // Empty: ridge only.
    struct BoostStage
    {
        int horizon = 0;
        BoostedTrees trees;
        double intervalScale = 1.0;
        double blend = 1.0; // forecast = ridge + blend × trees
    };
    QStringList boostInputs;
    static constexpr int kMaxBoostInputs = 256;
    std::vector<BoostStage> boost;
    // Fills the trees' input row (boostInputs values, hour; then the ridge change, which the trees
    // do not read) into out; returns its size.
    int boostRow(const double *x, qint64 issuedAtMs, double ridgeDelta, double *out) const;
    const BoostStage *boostStage(int horizon) const;

    int maxHorizon() const;
    std::vector<Channel> variables() const;
    const ModelTarget *target(Channel variable, int horizon, int regime = 0) const;
    int regimeCount() const;
    // Global regime index of each member for an issue time; returns how many were written.
    int regimesOf(qint64 issuedAtMs, int *out) const;
    struct PointForecast
    {
        double value = 0, lower = 0, upper = 0;
    };
    // The model's forecast (mean over members) with its 10–90 % interval; false if a regression is missing.
    // `station`: index in `stations` for the station's interval width (-1: the pooled width).
    bool forecast(Channel variable, int horizon, qint64 issuedAtMs, const double *x, double current,
                  PointForecast &out, int station = -1) const;
    // Every variable and horizon of one issue time at once, the engine's path: one pass over the
    // features with the members' mean weights for the issue hour (zero features skipped: the station
    // one-hot terms are mostly zero). Reuse one Grid: it keeps its buffers, so a forecast allocates nothing.
    struct Grid
    {
        int horizons = 0;
        std::array<bool, kChannelCount> served{}; // variables forecast (those with a current value)
        std::vector<PointForecast> points;        // [channel][horizon - 1]
        int imputed = 0;                          // features that were missing and imputed
        Eigen::VectorXd scratch, filled, widen;
        const PointForecast &at(Channel c, int h) const
        {
            return points[static_cast<size_t>(ch(c) * horizons + h - 1)];
        }
    };
    // `current`: each variable's value at the issue slot, NaN where it is not to be forecast.
    // False when the model has no regressions for the issue time.
    bool forecastAll(const double *x, qint64 issuedAtMs, const std::array<double, kChannelCount> &current,
                     Grid &out, int station = -1) const;
    // Rebuilds the (regime, variable, horizon) → target lookup; call after filling `targets`.
    void index();
    // The feature builder of this model, built once by index() (building one formats every
    // feature name, far too slow for each forecast).
    const ForecastFeatures &featureBuilder() const { return *m_features; }
    // A fresh feature builder with this model's settings.
    ForecastFeatures features() const
    {
        bool hourTerms = false;
        for (const RegimeSpec &m : members)
            hourTerms = hourTerms || m.blocks <= 1;
        return ForecastFeatures(daily, channels, crossStation, stations, hourTerms, neighbourTerms);
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
    void applyBoost(int horizon, const double *x, qint64 issuedAtMs, double current, PointForecast &out) const;
    void buildCombined();
    struct Imputer;
    struct ImputerCache;
    // The imputation for one pattern of missing features, computed on first use and kept.
    std::shared_ptr<const Imputer> imputer(const double *x) const;
    std::shared_ptr<ImputerCache> m_imputers;

    // Per distinct combination of member regimes (the issue hour decides it): the members' mean
    // weights of every (variable, horizon) as the columns of one matrix, and their bias and interval.
    struct Combined
    {
        Eigen::MatrixXd weights; // targets × features, column-major: one column per feature
        Eigen::VectorXd bias, q10, q90;
    };
    std::vector<Combined> m_combined;
    std::array<int, 24> m_combinedByHour{};
    std::vector<std::pair<Channel, int>> m_combinedTargets; // row → (variable, horizon)
    std::vector<int> m_lookup;
    std::vector<int> m_scaleLookup; // (channel, horizon) -> index into intervalScales, -1 none
    std::vector<int> m_boostIdx;   // feature index of each boost input
    std::vector<int> m_boostByH;   // horizon -> index into boost, -1 none
    int m_lookupH = 0;
    std::shared_ptr<const ForecastFeatures> m_features;
};

} // namespace stratus
