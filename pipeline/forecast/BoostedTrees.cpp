#include "BoostedTrees.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>

namespace stratus {

namespace {

struct Hist
{
    std::vector<double> g; // sum of residuals per (feature, bin)
    std::vector<int> n;    // rows per (feature, bin)
    void init(size_t size)
    {
        g.assign(size, 0.0);
        n.assign(size, 0);
    }
};

} // namespace

BoostedTrees::Binned BoostedTrees::binInputs(const std::vector<float> &x, int F, const std::vector<int> &sampleRows,
                                              int bins, quint32 seed)
{
    Binned d;
    d.features = F;
    d.rows = F > 0 ? x.size() / static_cast<size_t>(F) : 0;
    const int B = std::clamp(bins, 4, 256);
    std::mt19937 rng(seed);
    // Quantile bin edges per feature from a sample of the rows.
    d.edges.resize(static_cast<size_t>(F));
    std::vector<int> sample = sampleRows;
    std::shuffle(sample.begin(), sample.end(), rng);
    sample.resize(std::min<size_t>(sample.size(), 20000));
    std::vector<float> v(sample.size());
    for (int j = 0; j < F && !sample.empty(); ++j) {
        for (size_t i = 0; i < sample.size(); ++i)
            v[i] = x[static_cast<size_t>(sample[i]) * F + j];
        std::sort(v.begin(), v.end());
        auto &e = d.edges[static_cast<size_t>(j)];
        for (int k = 1; k < B; ++k) {
            const float q = v[std::min(v.size() - 1, v.size() * static_cast<size_t>(k) / static_cast<size_t>(B))];
            if (e.empty() || q > e.back())
                e.push_back(q);
        }
        // The last edge must leave rows on its right, else it is no split at all.
        if (!e.empty() && e.back() >= v.back())
            e.pop_back();
    }
    d.bin.resize(d.rows * static_cast<size_t>(F));
    for (size_t r = 0; r < d.rows; ++r) {
        for (int j = 0; j < F; ++j) {
            const auto &e = d.edges[static_cast<size_t>(j)];
            d.bin[r * F + j] = static_cast<quint8>(std::lower_bound(e.begin(), e.end(), x[r * F + j]) - e.begin());
        }
    }
    return d;
}

BoostedTrees BoostedTrees::fit(const std::vector<float> &x, int F, const std::vector<float> &y,
                               const std::vector<int> &trainRows, const std::vector<int> &validRows,
                               const BoostParams &params, QString *log)
{
    return fit(binInputs(x, F, trainRows, params.bins, params.seed), y, trainRows, validRows, params, log);
}

BoostedTrees BoostedTrees::fit(const Binned &data, const std::vector<float> &y, const std::vector<int> &trainRows,
                               const std::vector<int> &validRows, const BoostParams &params, QString *log)
{
    BoostedTrees out;
    const int F = data.features;
    out.m_features = F;
    const size_t N = y.size();
    if (trainRows.empty() || F <= 0 || N != data.rows)
        return out;
    const int B = std::clamp(params.bins, 4, 256);
    std::mt19937 rng(params.seed);
    const auto &edges = data.edges;
    const auto &bin = data.bin;

    double base = 0;
    for (int r : trainRows)
        base += y[static_cast<size_t>(r)];
    base /= static_cast<double>(trainRows.size());
    out.m_base = base;
    std::vector<double> pred(N, base);
    auto validMse = [&] {
        double s = 0;
        for (int r : validRows) {
            const double e = y[static_cast<size_t>(r)] - pred[static_cast<size_t>(r)];
            s += e * e;
        }
        return validRows.empty() ? 0.0 : s / static_cast<double>(validRows.size());
    };
    out.validationMseBase = validMse();
    double best = out.validationMseBase;
    int bestTrees = 0;

    const size_t HS = static_cast<size_t>(F) * static_cast<size_t>(B);
    std::vector<double> grad(N, 0.0);
    std::vector<int> binThreshold; // per node, the split bin (training-time walk)
    std::bernoulli_distribution take(std::clamp(params.rowSample, 0.05, 1.0));

    auto build = [&](const std::vector<int> &rows, Hist &h) {
        h.init(HS);
        for (int r : rows) {
            const std::uint8_t *b = &bin[static_cast<size_t>(r) * F];
            const double g = grad[static_cast<size_t>(r)];
            for (int j = 0; j < F; ++j) {
                const size_t k = static_cast<size_t>(j) * B + b[j];
                h.g[k] += g;
                ++h.n[k];
            }
        }
    };

    // Grows the subtree of `rows` (whose histogram is h) and returns its node index.
    std::function<int(std::vector<int> &, Hist &, int, double, int)> grow =
        [&](std::vector<int> &rows, Hist &h, int depth, double G, int n) -> int {
        const int me = static_cast<int>(out.m_nodes.size());
        out.m_nodes.push_back(Node{});
        binThreshold.push_back(-1);
        int bestF = -1, bestB = -1;
        double bestGain = 1e-9;
        if (depth < params.maxDepth && n >= 2 * params.minLeaf) {
            const double parent = G * G / (n + params.l2);
            for (int j = 0; j < F; ++j) {
                const int nb = static_cast<int>(edges[static_cast<size_t>(j)].size());
                double gl = 0;
                int nl = 0;
                for (int b = 0; b < nb; ++b) {
                    const size_t k = static_cast<size_t>(j) * B + b;
                    gl += h.g[k];
                    nl += h.n[k];
                    if (nl < params.minLeaf)
                        continue;
                    const int nr = n - nl;
                    if (nr < params.minLeaf)
                        break;
                    const double gr = G - gl;
                    const double gain = gl * gl / (nl + params.l2) + gr * gr / (nr + params.l2) - parent;
                    if (gain > bestGain) {
                        bestGain = gain;
                        bestF = j;
                        bestB = b;
                    }
                }
            }
        }
        if (bestF < 0) {
            out.m_nodes[static_cast<size_t>(me)].value = static_cast<float>(params.learningRate * G / (n + params.l2));
            return me;
        }
        std::vector<int> left, right;
        left.reserve(rows.size());
        right.reserve(rows.size());
        double gl = 0;
        for (int r : rows) {
            if (bin[static_cast<size_t>(r) * F + bestF] <= bestB) {
                left.push_back(r);
                gl += grad[static_cast<size_t>(r)];
            } else {
                right.push_back(r);
            }
        }
        std::vector<int>().swap(rows);
        const double gr = G - gl;
        // Histogram subtraction: build the smaller child, the larger is the parent minus it.
        Hist small, &large = h;
        const bool leftSmall = left.size() <= right.size();
        build(leftSmall ? left : right, small);
        for (size_t k = 0; k < HS; ++k) {
            large.g[k] -= small.g[k];
            large.n[k] -= small.n[k];
        }
        Hist &hl = leftSmall ? small : large;
        Hist &hr = leftSmall ? large : small;
        const int nl = static_cast<int>(left.size()), nr = static_cast<int>(right.size());
        const int l = grow(left, hl, depth + 1, gl, nl);
        const int rr = grow(right, hr, depth + 1, gr, nr);
        Node &node = out.m_nodes[static_cast<size_t>(me)];
        node.feature = bestF;
        node.threshold = edges[static_cast<size_t>(bestF)][static_cast<size_t>(bestB)];
        node.left = l;
        node.right = rr;
        binThreshold[static_cast<size_t>(me)] = bestB;
        return me;
    };

    int sinceBest = 0;
    for (int m = 0; m < params.maxTrees; ++m) {
        std::vector<int> rows;
        rows.reserve(trainRows.size());
        double G = 0;
        for (int r : trainRows) {
            if (params.rowSample < 1.0 && !take(rng))
                continue;
            grad[static_cast<size_t>(r)] = y[static_cast<size_t>(r)] - pred[static_cast<size_t>(r)];
            G += grad[static_cast<size_t>(r)];
            rows.push_back(r);
        }
        if (rows.size() < static_cast<size_t>(2 * params.minLeaf))
            break;
        const int n = static_cast<int>(rows.size());
        Hist h;
        build(rows, h);
        const int root = grow(rows, h, 0, G, n);
        out.m_roots.push_back(root);
        // Advance every row's prediction by the new tree (walked on bins: the same decisions).
        for (size_t r = 0; r < N; ++r) {
            int k = root;
            while (out.m_nodes[static_cast<size_t>(k)].feature >= 0) {
                const Node &nd = out.m_nodes[static_cast<size_t>(k)];
                k = bin[r * F + nd.feature] <= binThreshold[static_cast<size_t>(k)] ? nd.left : nd.right;
            }
            pred[r] += out.m_nodes[static_cast<size_t>(k)].value;
        }
        if (validRows.empty()) {
            bestTrees = m + 1;
            continue;
        }
        const double mse = validMse();
        if (mse < best - 1e-12) {
            best = mse;
            bestTrees = m + 1;
            sinceBest = 0;
        } else if (++sinceBest >= params.earlyStopRounds) {
            break;
        }
    }
    // Keep the trees up to the best validation score (nodes of later trees are simply unreachable,
    // so drop them by truncating: trees are stored in order).
    if (bestTrees < static_cast<int>(out.m_roots.size())) {
        const int cut = bestTrees < static_cast<int>(out.m_roots.size()) ? out.m_roots[static_cast<size_t>(bestTrees)]
                                                                          : static_cast<int>(out.m_nodes.size());
        out.m_roots.resize(static_cast<size_t>(bestTrees));
        out.m_nodes.resize(static_cast<size_t>(cut));
    }
    out.validationMse = validRows.empty() ? 0.0 : best;
    if (log)
        *log = QStringLiteral("%1 trees, %2 nodes; validation MSE %3 -> %4")
                   .arg(out.trees())
                   .arg(out.m_nodes.size())
                   .arg(out.validationMseBase, 0, 'f', 4)
                   .arg(out.validationMse, 0, 'f', 4);
    return out;
}

template <typename T>
double BoostedTrees::walk(const T *x) const
{
    double s = m_base;
    const Node *nodes = m_nodes.data();
    for (int root : m_roots) {
        int k = root;
        while (nodes[k].feature >= 0)
            k = static_cast<float>(x[nodes[k].feature]) <= nodes[k].threshold ? nodes[k].left : nodes[k].right;
        s += nodes[k].value;
    }
    return s;
}

double BoostedTrees::predict(const double *x) const
{
    return walk(x);
}

double BoostedTrees::predict(const float *x) const
{
    return walk(x);
}

QJsonObject BoostedTrees::toJson() const
{
    // Flat arrays keep the file small: per node feature, threshold, left, right, value.
    QJsonArray f, t, l, r, v, roots;
    for (const Node &n : m_nodes) {
        f.append(n.feature);
        t.append(static_cast<double>(n.threshold));
        l.append(n.left);
        r.append(n.right);
        v.append(static_cast<double>(n.value));
    }
    for (int root : m_roots)
        roots.append(root);
    QJsonObject o;
    o[QStringLiteral("base")] = m_base;
    o[QStringLiteral("roots")] = roots;
    o[QStringLiteral("feature")] = f;
    o[QStringLiteral("threshold")] = t;
    o[QStringLiteral("left")] = l;
    o[QStringLiteral("right")] = r;
    o[QStringLiteral("value")] = v;
    return o;
}

Result<BoostedTrees> BoostedTrees::fromJson(const QJsonObject &o, int features)
{
    BoostedTrees b;
    b.m_features = features;
    b.m_base = o.value(QStringLiteral("base")).toDouble(std::numeric_limits<double>::quiet_NaN());
    const QJsonArray f = o.value(QStringLiteral("feature")).toArray(), t = o.value(QStringLiteral("threshold")).toArray(),
                     l = o.value(QStringLiteral("left")).toArray(), r = o.value(QStringLiteral("right")).toArray(),
                     v = o.value(QStringLiteral("value")).toArray(), roots = o.value(QStringLiteral("roots")).toArray();
    const qsizetype n = f.size();
    if (!std::isfinite(b.m_base) || t.size() != n || l.size() != n || r.size() != n || v.size() != n)
        return makeError(QStringLiteral("boosted trees: node arrays of different lengths or no base"));
    b.m_nodes.resize(static_cast<size_t>(n));
    for (qsizetype i = 0; i < n; ++i) {
        Node &nd = b.m_nodes[static_cast<size_t>(i)];
        nd.feature = f[i].toInt(-2);
        nd.threshold = static_cast<float>(t[i].toDouble());
        nd.left = l[i].toInt(-2);
        nd.right = r[i].toInt(-2);
        nd.value = static_cast<float>(v[i].toDouble());
        // Children must point forward (trees are written parent first), so a walk always ends.
        if (nd.feature >= features || nd.feature < -1
            || (nd.feature >= 0 && (nd.left <= i || nd.right <= i || nd.left >= n || nd.right >= n))
            || !std::isfinite(nd.value))
            return makeError(QStringLiteral("boosted trees: node %1 is malformed").arg(i));
    }
    for (const auto &rv : roots) {
        const int root = rv.toInt(-1);
        if (root < 0 || root >= n)
            return makeError(QStringLiteral("boosted trees: a root points outside the nodes"));
        b.m_roots.push_back(root);
    }
    return b;
}

} // namespace stratus
