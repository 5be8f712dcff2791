#include "FeatureStabilityIndex.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>

namespace stratus {

namespace {

constexpr double kFloor = 1e-4; // an empty bin counts as this share, so ln() stays finite

int binOf(const std::vector<double> &edges, double x)
{
    return static_cast<int>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin());
}

double psiOfCounts(const std::vector<double> &counts, double total, const std::vector<double> &ref)
{
    double psi = 0;
    for (size_t b = 0; b < counts.size(); ++b) {
        const double live = std::max(counts[b] / total, kFloor);
        const double r = std::max(ref[b], kFloor);
        psi += (live - r) * std::log(live / r);
    }
    return psi;
}

} // namespace

double FeatureStabilityIndex::median(std::vector<double> v)
{
    if (v.empty())
        return kMissing;
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    if (v.size() % 2)
        return *mid;
    return 0.5 * (*mid + *std::max_element(v.begin(), mid));
}

std::array<double, FeatureStabilityIndex::kFeatures> FeatureStabilityIndex::features(double tNow, double tPrev1h,
                                                                                     double othersMean, double pNow,
                                                                                     double pPrev3h)
{
    return {tNow - othersMean, tNow - tPrev1h, pNow - pPrev3h}; // NaN propagates where an input is missing
}

QJsonObject FeatureStabilityIndex::reference(const ForecastDataset &ds, qint64 fromMs, qint64 toMs)
{
    QJsonObject out;
    for (const StationSeries &s : ds.stations) {
        std::array<std::vector<double>, kFeatures> values;
        for (int i = 0; i < s.size(); ++i) {
            const qint64 ms = s.timeOf(i);
            if (ms < fromMs || ms >= toMs)
                continue;
            std::vector<double> others;
            for (const StationSeries &o : ds.stations) {
                if (&o == &s)
                    continue;
                const double v = o.at(Channel::Temperature, o.slotOf(ms));
                if (!std::isnan(v))
                    others.push_back(v);
            }
            const auto f = features(s.at(Channel::Temperature, i), s.at(Channel::Temperature, i - 1),
                                    median(others), s.at(Channel::Pressure, i), s.at(Channel::Pressure, i - 3));
            for (int k = 0; k < kFeatures; ++k) {
                if (!std::isnan(f[static_cast<size_t>(k)]))
                    values[static_cast<size_t>(k)].push_back(f[static_cast<size_t>(k)]);
            }
        }
        QJsonObject st;
        for (int k = 0; k < kFeatures; ++k) {
            std::vector<double> &v = values[static_cast<size_t>(k)];
            if (v.size() < 100)
                continue; // too few to say what normal is
            const std::vector<double> inTimeOrder = v;
            std::sort(v.begin(), v.end());
            std::vector<double> edges;
            for (int b = 1; b < kBins; ++b)
                edges.push_back(v[v.size() * static_cast<size_t>(b) / kBins]);
            edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
            std::vector<double> counts(edges.size() + 1, 0.0);
            for (double x : v)
                counts[static_cast<size_t>(binOf(edges, x))] += 1;
            QJsonArray e, p;
            std::vector<double> shares;
            for (double x : edges)
                e.append(x);
            for (double c : counts) {
                shares.push_back(c / static_cast<double>(v.size()));
                p.append(shares.back());
            }
            // The null distribution of windowed PSI over the span, from running bin counts (O(bins)
            // per window).
            const size_t bins = counts.size();
            std::vector<std::vector<double>> prefix(inTimeOrder.size() + 1, std::vector<double>(bins, 0.0));
            for (size_t i = 0; i < inTimeOrder.size(); ++i) {
                prefix[i + 1] = prefix[i];
                prefix[i + 1][static_cast<size_t>(binOf(edges, inTimeOrder[i]))] += 1;
            }
            QJsonObject nulls;
            for (int w : kNullWindows) {
                if (static_cast<size_t>(w) * 4 > inTimeOrder.size())
                    continue; // too few windows for a quantile
                std::vector<double> each;
                std::vector<double> c(bins);
                for (size_t start = 0; start + static_cast<size_t>(w) <= inTimeOrder.size(); ++start) {
                    for (size_t b = 0; b < bins; ++b)
                        c[b] = prefix[start + static_cast<size_t>(w)][b] - prefix[start][b];
                    each.push_back(psiOfCounts(c, w, shares));
                }
                // The persistent PSI (the lowest of kPersistHours consecutive windows), as the live
                // monitor scores it.
                std::vector<double> psis;
                for (size_t i = 0; i + kPersistHours <= each.size(); i += kNullStepHours)
                    psis.push_back(*std::min_element(each.begin() + static_cast<std::ptrdiff_t>(i),
                                                     each.begin() + static_cast<std::ptrdiff_t>(i + kPersistHours)));
                if (psis.empty())
                    continue;
                const auto q = psis.begin() + static_cast<std::ptrdiff_t>(kNullQuantile * static_cast<double>(psis.size() - 1));
                std::nth_element(psis.begin(), q, psis.end());
                nulls[QString::number(w)] = std::round(*q * 10000) / 10000;
            }
            st[QLatin1String(kNames[static_cast<size_t>(k)])] =
                QJsonObject{{QStringLiteral("edges"), e}, {QStringLiteral("p"), p}, {QStringLiteral("n"), static_cast<qint64>(v.size())},
                            {QStringLiteral("null_psi"), nulls}};
        }
        if (!st.isEmpty())
            out[s.stationId] = st;
    }
    return out;
}

double FeatureStabilityIndex::nullPsi(const QJsonObject &featureReference, int windowHours)
{
    const QJsonObject nulls = featureReference.value(QStringLiteral("null_psi")).toObject();
    double below = std::numeric_limits<double>::quiet_NaN(), shortest = below;
    for (int w : kNullWindows) {
        const QJsonValue q = nulls.value(QString::number(w));
        if (!q.isDouble())
            continue;
        if (std::isnan(shortest))
            shortest = q.toDouble();
        if (w <= windowHours)
            below = q.toDouble();
    }
    return std::isnan(below) ? shortest : below;
}

double FeatureStabilityIndex::psi(const QJsonObject &featureReference, const std::vector<double> &values)
{
    std::vector<double> edges;
    for (const QJsonValue &v : featureReference.value(QStringLiteral("edges")).toArray())
        edges.push_back(v.toDouble());
    const QJsonArray p = featureReference.value(QStringLiteral("p")).toArray();
    if (values.empty() || p.size() != static_cast<qsizetype>(edges.size() + 1))
        return std::numeric_limits<double>::quiet_NaN();
    std::vector<double> counts(edges.size() + 1, 0.0);
    for (double x : values)
        counts[static_cast<size_t>(binOf(edges, x))] += 1;
    std::vector<double> shares;
    for (const QJsonValue &x : p)
        shares.push_back(x.toDouble());
    return psiOfCounts(counts, static_cast<double>(values.size()), shares);
}

} // namespace stratus
