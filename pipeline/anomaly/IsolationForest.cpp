#include "IsolationForest.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace stratus {

IsolationForest::IsolationForest() : IsolationForest(Options()) {}
IsolationForest::IsolationForest(Options options) : m_options(options) {}

double IsolationForest::averagePathLength(double n)
{
    // c(n): the average path length of an unsuccessful search in a binary search tree.
    if (n <= 1)
        return 0;
    if (n == 2)
        return 1;
    return 2.0 * (std::log(n - 1.0) + 0.5772156649) - 2.0 * (n - 1.0) / n;
}

bool IsolationForest::train(const std::vector<double> &rows, int dims)
{
    m_nodes.clear();
    m_roots.clear();
    m_dims = dims;
    if (dims <= 0 || rows.size() < static_cast<size_t>(dims) * 2)
        return false;
    const int n = static_cast<int>(rows.size() / static_cast<size_t>(dims));
    const int psi = std::min(m_options.sampleSize, n);
    m_psi = std::max(psi, 2);
    const int maxDepth = static_cast<int>(std::ceil(std::log2(std::max(psi, 2))));
    std::mt19937_64 rng(m_options.seed);
    std::vector<int> all(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i)
        all[static_cast<size_t>(i)] = i;
    for (int t = 0; t < m_options.trees; ++t) {
        // Subsample without replacement (partial Fisher–Yates).
        for (int i = 0; i < psi; ++i) {
            std::uniform_int_distribution<int> d(i, n - 1);
            std::swap(all[static_cast<size_t>(i)], all[static_cast<size_t>(d(rng))]);
        }
        std::vector<int> idx(all.begin(), all.begin() + psi);
        std::uint64_t state = rng();
        m_roots.push_back(grow(rows, idx, 0, psi, 0, maxDepth, state));
    }
    return true;
}

int IsolationForest::grow(const std::vector<double> &rows, std::vector<int> &idx, int begin, int end, int depth,
                          int maxDepth, std::uint64_t &state)
{
    const auto next = [&state]() { // splitmix64: cheap, seeded, reproducible
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    };
    const int node = static_cast<int>(m_nodes.size());
    m_nodes.push_back(Node{});
    const int size = end - begin;
    if (depth >= maxDepth || size <= 1) {
        m_nodes[static_cast<size_t>(node)].size = size;
        return node;
    }
    // Pick a feature that is not constant in this node (a few tries), then a uniform split.
    for (int attempt = 0; attempt < m_dims * 2; ++attempt) {
        const int f = static_cast<int>(next() % static_cast<std::uint64_t>(m_dims));
        double lo = INFINITY, hi = -INFINITY;
        for (int i = begin; i < end; ++i) {
            const double x = rows[static_cast<size_t>(idx[static_cast<size_t>(i)]) * static_cast<size_t>(m_dims) + static_cast<size_t>(f)];
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
        if (!(hi > lo))
            continue;
        const double u = static_cast<double>(next() >> 11) * 0x1.0p-53;
        const double split = lo + u * (hi - lo);
        const auto mid = std::partition(idx.begin() + begin, idx.begin() + end, [&](int r) {
            return rows[static_cast<size_t>(r) * static_cast<size_t>(m_dims) + static_cast<size_t>(f)] < split;
        });
        const int m = static_cast<int>(mid - idx.begin());
        if (m == begin || m == end)
            continue;
        const int left = grow(rows, idx, begin, m, depth + 1, maxDepth, state);
        const int right = grow(rows, idx, m, end, depth + 1, maxDepth, state);
        Node &nd = m_nodes[static_cast<size_t>(node)];
        nd.feature = f;
        nd.split = split;
        nd.left = left;
        nd.right = right;
        return node;
    }
    m_nodes[static_cast<size_t>(node)].size = size;
    return node;
}

double IsolationForest::score(const double *row) const
{
    if (m_roots.empty())
        return 0.5;
    double total = 0;
    for (int root : m_roots) {
        int node = root;
        int depth = 0;
        while (m_nodes[static_cast<size_t>(node)].feature >= 0) {
            const Node &nd = m_nodes[static_cast<size_t>(node)];
            node = row[nd.feature] < nd.split ? nd.left : nd.right;
            ++depth;
        }
        total += depth + averagePathLength(m_nodes[static_cast<size_t>(node)].size);
    }
    const double meanPath = total / static_cast<double>(m_roots.size());
    return std::pow(2.0, -meanPath / averagePathLength(m_psi));
}

} // namespace stratus
