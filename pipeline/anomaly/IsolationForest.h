#pragma once

#include <cstdint>
#include <vector>

namespace stratus {

// Isolation Forest (Liu, Ting & Zhou 2008): anomalies are the points that random axis-parallel
// splits isolate in few steps. Trees are grown on small random subsamples, so training costs
// O(trees × ψ log ψ) and scoring O(trees × log ψ) regardless of the history's size. Seeded: the
// same data and seed give the same forest.
class IsolationForest
{
public:
    struct Options
    {
        int trees = 100;
        int sampleSize = 256; // ψ in the paper; depth limit is ceil(log2 ψ)
        std::uint32_t seed = 1;
    };

    IsolationForest();
    explicit IsolationForest(Options options);

    // rows: n × dims, row-major. Returns false when there is nothing to learn from.
    bool train(const std::vector<double> &rows, int dims);
    // Anomaly score in (0, 1): ≈0.5 ordinary, → 1 isolated quickly (anomalous).
    double score(const double *row) const;
    bool trained() const { return !m_nodes.empty(); }
    int dims() const { return m_dims; }

private:
    struct Node
    {
        int feature = -1; // -1: leaf
        double split = 0;
        int left = -1, right = -1;
        int size = 0;     // leaf: training points that ended here
    };
    int grow(const std::vector<double> &rows, std::vector<int> &idx, int begin, int end, int depth, int maxDepth,
             std::uint64_t &state);
    static double averagePathLength(double n);

    Options m_options;
    int m_dims = 0;
    int m_psi = 2; // the subsample size actually used (normalises path lengths)
    std::vector<Node> m_nodes;
    std::vector<int> m_roots;
};

} // namespace stratus
