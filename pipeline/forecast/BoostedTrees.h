#pragma once

#include "Result.h"

#include <QJsonObject>

#include <vector>

namespace stratus {

// Settings of one gradient-boosted tree ensemble (least squares, histogram splits).
struct BoostParams
{
    int maxTrees = 400;
    int maxDepth = 6;
    int minLeaf = 100;        // rows a leaf needs at least
    double learningRate = 0.1;
    double l2 = 10.0;         // ridge on leaf values (in rows)
    int bins = 64;            // quantile bins per feature (<= 256)
    int earlyStopRounds = 30; // stop when validation has not improved for this many trees
    double rowSample = 0.3;   // share of rows each tree sees (stochastic boosting: faster, less overfit)
    quint32 seed = 7;
};

// A small gradient-boosted regression tree ensemble for the residuals of the ridge forecaster:
// depth-limited trees grown on quantile histograms (as LightGBM does), so training costs a pass over
// the rows per tree level, and prediction walks one root-to-leaf path per tree (a few µs).
class BoostedTrees
{
public:
    // Rows are row-major in `x` (rows × features). Trees are grown on `trainRows` and the tree count
    // is chosen on `validRows` (early stopping); with empty validRows all maxTrees are kept.
    // `log` (optional) receives one line.
    static BoostedTrees fit(const std::vector<float> &x, int features, const std::vector<float> &y,
                            const std::vector<int> &trainRows, const std::vector<int> &validRows,
                            const BoostParams &params, QString *log = nullptr);

    // The inputs cut into quantile bins once, for several fits on the same rows (one per horizon).
    struct Binned
    {
        int features = 0;
        size_t rows = 0;
        std::vector<std::vector<float>> edges; // per feature: bin b holds edges[b-1] < x <= edges[b]
        std::vector<quint8> bin;               // rows × features
    };
    static Binned binInputs(const std::vector<float> &x, int features, const std::vector<int> &sampleRows, int bins,
                            quint32 seed);
    static BoostedTrees fit(const Binned &data, const std::vector<float> &y, const std::vector<int> &trainRows,
                            const std::vector<int> &validRows, const BoostParams &params, QString *log = nullptr);

    bool empty() const { return m_roots.empty(); }
    int trees() const { return static_cast<int>(m_roots.size()); }
    int features() const { return m_features; }
    // Sum of the trees for one row of `features()` values.
    double predict(const double *x) const;
    double predict(const float *x) const;
    // Validation MSE before boosting (base only) and after, as measured by fit().
    double validationMseBase = 0, validationMse = 0;

    QJsonObject toJson() const;
    static Result<BoostedTrees> fromJson(const QJsonObject &o, int features);

private:
    struct Node
    {
        int feature = -1;     // -1: leaf
        float threshold = 0;  // go left when x <= threshold
        int left = -1, right = -1;
        float value = 0;      // leaf value
    };
    template <typename T>
    double walk(const T *x) const;

    int m_features = 0;
    double m_base = 0;
    std::vector<Node> m_nodes;
    std::vector<int> m_roots;
};

} // namespace stratus
