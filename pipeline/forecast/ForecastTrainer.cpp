#include "ForecastTrainer.h"

#include "TimeUtil.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTimeZone>

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <optional>
#include <functional>

namespace stratus {

double ForecastTrainer::currentValue(const StationSeries &s, Channel c, int t)
{
    for (int k = 0; k <= 3; ++k) {
        const double v = s.at(c, t - k);
        if (!std::isnan(v))
            return v;
    }
    return kMissing;
}

std::vector<Channel> ForecastTrainer::targetVariables(const std::array<bool, kChannelCount> &channels)
{
    std::vector<Channel> out;
    for (Channel c : {Channel::Temperature, Channel::Humidity, Channel::Pressure, Channel::WindSpeed}) {
        if (channels[ch(c)])
            out.push_back(c);
    }
    return out;
}

std::vector<double> ForecastTrainer::climatology(const ForecastDataset &ds, qint64 fromMs, qint64 toMs)
{
    std::vector<double> sum(366, 0.0), cnt(366, 0.0);
    for (const auto &s : ds.stations) {
        for (int i = 0; i < s.size(); ++i) {
            const qint64 ms = s.timeOf(i);
            const double v = s.at(Channel::Temperature, i);
            if (ms < fromMs || ms >= toMs || std::isnan(v))
                continue;
            const int d = ForecastFeatures::dayOfYear(ms);
            sum[static_cast<size_t>(d)] += v;
            cnt[static_cast<size_t>(d)] += 1;
        }
    }
    std::vector<double> out(366, kMissing);
    for (int d = 0; d < 366; ++d) {
        double s = 0, c = 0;
        for (int k = -15; k <= 15; ++k) {
            const auto j = static_cast<size_t>((d + k + 366) % 366);
            s += sum[j];
            c += cnt[j];
        }
        out[static_cast<size_t>(d)] = c > 0 ? s / c : kMissing;
    }
    return out;
}

namespace {

// Sums over rows of [x, y] that make the normal equations; kept raw so rows can stream through in
// blocks and the two parts (fit, validation) can be added for the final refit.
struct Gram
{
    Eigen::MatrixXd xx, xy;
    Eigen::VectorXd sx, sy, syy;
    double n = 0;
    void init(int p, int q)
    {
        xx.setZero(p, p);
        xy.setZero(p, q);
        sx.setZero(p);
        sy.setZero(q);
        syy.setZero(q);
    }
    void add(const Eigen::MatrixXd &x, const Eigen::MatrixXd &y, int rows)
    {
        const auto xb = x.topRows(rows);
        const auto yb = y.topRows(rows);
        xx.selfadjointView<Eigen::Lower>().rankUpdate(xb.transpose());
        xy.noalias() += xb.transpose() * yb;
        sx += xb.colwise().sum().transpose();
        sy += yb.colwise().sum().transpose();
        syy += yb.colwise().squaredNorm().transpose();
        n += rows;
    }
    Gram &operator+=(const Gram &o)
    {
        xx += o.xx;
        xy += o.xy;
        sx += o.sx;
        sy += o.sy;
        syy += o.syy;
        n += o.n;
        return *this;
    }
    Eigen::MatrixXd full() const { return xx.selfadjointView<Eigen::Lower>(); }
};

// Ridge on standardised features, solved for many lambdas through one eigendecomposition.
struct RidgeSolver
{
    Eigen::VectorXd mu, sd, my;
    Eigen::MatrixXd vecs, cxyRot;
    Eigen::VectorXd vals;
    // `left`: features this solve must not use (weight 0), as if they were constant.
    explicit RidgeSolver(const Gram &g, const std::vector<bool> &left = {})
    {
        mu = g.sx / g.n;
        my = g.sy / g.n;
        Eigen::MatrixXd cov = g.full() / g.n - mu * mu.transpose();
        sd = cov.diagonal().cwiseMax(0).cwiseSqrt();
        for (Eigen::Index i = 0; i < sd.size(); ++i) {
            if (sd[i] < 1e-9)
                sd[i] = std::numeric_limits<double>::infinity(); // a constant feature gets weight 0
            if (static_cast<size_t>(i) < left.size() && left[static_cast<size_t>(i)])
                sd[i] = std::numeric_limits<double>::infinity();
        }
        const Eigen::VectorXd inv = sd.cwiseInverse();
        const Eigen::MatrixXd corr = inv.asDiagonal() * cov * inv.asDiagonal();
        const Eigen::MatrixXd cxy = inv.asDiagonal() * (g.xy / g.n - mu * my.transpose());
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(corr);
        vecs = es.eigenvectors();
        vals = es.eigenvalues().cwiseMax(0);
        cxyRot = vecs.transpose() * cxy;
    }
    // Raw-space weights (p × q) and biases (q) for one lambda.
    void solve(double lambda, Eigen::MatrixXd &w, Eigen::VectorXd &b) const
    {
        const Eigen::VectorXd d = (vals.array() + lambda).inverse().matrix();
        w = sd.cwiseInverse().asDiagonal() * (vecs * (d.asDiagonal() * cxyRot));
        b = my - w.transpose() * mu;
    }
};

// Sum of squared errors of predictions w, b on the rows summarised by g, per target.
Eigen::VectorXd sse(const Gram &g, const Eigen::MatrixXd &w, const Eigen::VectorXd &b)
{
    const Eigen::MatrixXd xxw = g.full() * w;
    Eigen::VectorXd out(w.cols());
    for (Eigen::Index j = 0; j < w.cols(); ++j) {
        const auto wj = w.col(j);
        out[j] = g.syy[j] - 2 * wj.dot(g.xy.col(j)) - 2 * b[j] * g.sy[j] + wj.dot(xxw.col(j))
                 + 2 * b[j] * wj.dot(g.sx) + g.n * b[j] * b[j];
    }
    return out;
}

double quantile(std::vector<double> &v, double q)
{
    if (v.empty())
        return kMissing;
    const auto k = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}


// Ridge features the boosted trees read: the plain state (levels, changes, moisture, wind, pressure,
// rain, season, neighbours, station) without the hour interactions the trees build themselves.
QStringList boostInputsOf(const QStringList &names)
{
    static const QStringList lags = {QStringLiteral("t_d1"),  QStringLiteral("t_d2"),  QStringLiteral("t_d3"),
                                     QStringLiteral("t_d6"),  QStringLiteral("t_d12"), QStringLiteral("t_d24"),
                                     QStringLiteral("t_d48")};
    QStringList out;
    for (const QString &n : names) {
        // Station one-hots and the second seasonal harmonic are left to the ridge (which already
        // fits each station's offset and diurnal shape): fewer inputs, faster histograms.
        if (n.contains(QLatin1String("_x_")) || n.startsWith(QLatin1String("hour")) || n.startsWith(QLatin1String("st_"))
            || (n.endsWith(QLatin1String("2")) && n.startsWith(QLatin1String("doy_"))))
            continue;
        if (n.startsWith(QLatin1String("t_d")) && !lags.contains(n))
            continue;
        out << n;
    }
    return out;
}

// Fits the per-horizon boosted-tree correction of the temperature forecast on the rows of the
// training span: trees grow on folds 0..K-2 and their count is chosen on fold K-1, the latest part
// of the span. Returns false (model left ridge-only) when there is too little data.
bool trainBoost(ForecastModel &model, const ForecastDataset &ds, const GroupMeans &group, qint64 first, qint64 last,
                const std::function<int(qint64)> &foldOf, int K, const BoostParams &params, QStringList *log)
{
    const int H = 24;
    const qint64 step = ds.stations.front().stepMs;
    const ForecastFeatures &features = model.featureBuilder();
    model.boostInputs = boostInputsOf(features.names());
    model.boost.clear();
    model.index();
    const int nIn = static_cast<int>(model.boostInputs.size());
    const int F = nIn + 2;
    if (F > ForecastModel::kMaxBoostInputs)
        return false;
    std::vector<double> x(static_cast<size_t>(features.size()));
    std::vector<double> row(static_cast<size_t>(F));
    std::vector<float> base;                   // rows × nIn+1 (inputs and hour)
    std::vector<float> ridgeDelta, actualDelta; // rows × H
    std::vector<int> fold;
    const FeatureContext ctx = group.context(&model.climatology);
    for (size_t si = 0; si < ds.stations.size(); ++si) {
        const StationSeries &s = ds.stations[si];
        for (int t = 0; t < s.size(); ++t) {
            const qint64 ms = s.timeOf(t);
            if (ms < first || ms + H * step > last)
                continue;
            const double cur = ForecastTrainer::currentValue(s, Channel::Temperature, t);
            if (std::isnan(cur) || !features.build(s, t, ctx, x.data()))
                continue;
            model.boostRow(x.data(), ms, 0.0, row.data());
            for (int i = 0; i <= nIn; ++i)
                base.push_back(static_cast<float>(row[static_cast<size_t>(i)]));
            for (int h = 1; h <= H; ++h) {
                ForecastModel::PointForecast pf;
                // The ridge alone: the stages are not attached yet.
                model.forecast(Channel::Temperature, h, ms, x.data(), cur, pf);
                ridgeDelta.push_back(static_cast<float>(pf.value - cur));
                const double a = s.at(Channel::Temperature, t + h);
                actualDelta.push_back(static_cast<float>(std::isnan(a) ? kMissing : a - cur));
            }
            fold.push_back(foldOf(ms));
        }
    }
    const size_t N = fold.size();
    if (N < 2000)
        return false;
    // The trees fit the ridge's residual from the inputs and the hour; one binning serves every
    // horizon. (Trees forecasting the change on their own and blended with the ridge were tried:
    // alone they were far worse than the ridge on validation and the blend gained < 0.01 °C.)
    const int T = nIn + 1;
    std::vector<int> all(N);
    for (size_t r = 0; r < N; ++r)
        all[r] = static_cast<int>(r);
    const BoostedTrees::Binned binned = BoostedTrees::binInputs(base, T, all, params.bins, params.seed);
    std::vector<ForecastModel::BoostStage> stages;
    std::vector<float> ys(N);
    std::vector<int> trainRows, validRows;
    QString fitLog;
    for (int h = 1; h <= H; ++h) {
        trainRows.clear();
        validRows.clear();
        for (size_t r = 0; r < N; ++r) {
            const float a = actualDelta[r * H + static_cast<size_t>(h - 1)];
            ys[r] = std::isnan(a) ? 0.0f : a - ridgeDelta[r * H + static_cast<size_t>(h - 1)];
            if (!std::isnan(a))
                (fold[r] == K - 1 ? validRows : trainRows).push_back(static_cast<int>(r));
        }
        ForecastModel::BoostStage st;
        st.horizon = h;
        st.trees = BoostedTrees::fit(binned, ys, trainRows, validRows, params, &fitLog);
        if (st.trees.empty())
            continue;
        // Weight w of the correction (forecast = ridge + w · trees) by least squares on the validation
        // fold, and the interval rescaled by how much the blend narrowed the 10-90 % spread there.
        double num = 0, den = 0;
        std::vector<double> ridgeRes, trees(validRows.size());
        for (size_t i = 0; i < validRows.size(); ++i) {
            const size_t r = static_cast<size_t>(validRows[i]);
            trees[i] = st.trees.predict(&base[r * T]);
            num += ys[r] * trees[i];
            den += trees[i] * trees[i];
            ridgeRes.push_back(ys[r]);
        }
        st.blend = den > 0 ? std::clamp(num / den, 0.0, 1.0) : 0.0;
        std::vector<double> blendRes;
        double maeRidge = 0, maeBlend = 0;
        for (size_t i = 0; i < validRows.size(); ++i) {
            const size_t r = static_cast<size_t>(validRows[i]);
            const double e = ys[r] - st.blend * trees[i];
            blendRes.push_back(e);
            maeRidge += std::abs(ridgeRes[i]);
            maeBlend += std::abs(e);
        }
        const double q10b = quantile(ridgeRes, 0.1), q90b = quantile(ridgeRes, 0.9);
        const double q10a = quantile(blendRes, 0.1), q90a = quantile(blendRes, 0.9);
        st.intervalScale = q90b > q10b ? std::clamp((q90a - q10a) / (q90b - q10b), 0.5, 1.5) : 1.0;
        if (log && (h == 1 || h == 6 || h == 24))
            *log << QStringLiteral("boosted trees +%1 h: %2 (rows %3 fit, %4 validation); blend %5, validation MAE "
                                   "ridge %6 -> blend %7, interval x%8")
                        .arg(h)
                        .arg(fitLog)
                        .arg(trainRows.size())
                        .arg(validRows.size())
                        .arg(st.blend, 0, 'f', 3)
                        .arg(maeRidge / std::max<size_t>(1, validRows.size()), 0, 'f', 4)
                        .arg(maeBlend / std::max<size_t>(1, validRows.size()), 0, 'f', 4)
                        .arg(st.intervalScale, 0, 'f', 3);
        stages.push_back(std::move(st));
    }
    model.boost = std::move(stages);
    model.index();
    return !model.boost.empty();
}


// The per-neighbour terms serve temperature and humidity, the advected quantities they describe;
// pressure and wind keep the group-mean terms only (with the neighbour terms their held-out error
// grew, e.g. pressure at 1 h 0.30 -> 0.36 hPa, while cross-validation inside the training years saw
// no difference: the training years' barometers are noisier). Solves with and without that block.
struct Solvers
{
    RidgeSolver full;
    std::optional<RidgeSolver> masked;
    const std::vector<bool> &targetsMasked;
    Solvers(const Gram &g, const std::vector<bool> &mask, const std::vector<bool> &targets)
        : full(g), targetsMasked(targets)
    {
        if (std::find(mask.begin(), mask.end(), true) != mask.end())
            masked.emplace(g, mask);
    }
    void solve(double lambda, Eigen::MatrixXd &w, Eigen::VectorXd &b) const
    {
        full.solve(lambda, w, b);
        if (!masked)
            return;
        Eigen::MatrixXd wm;
        Eigen::VectorXd bm;
        masked->solve(lambda, wm, bm);
        for (Eigen::Index j = 0; j < w.cols(); ++j) {
            if (targetsMasked[static_cast<size_t>(j)]) {
                w.col(j) = wm.col(j);
                b[j] = bm[j];
            }
        }
    }
};

const std::vector<double> kLambdas = {1e-6, 1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0};

// One training of one model: the span, the Gram matrices per (regime, fold), the cross-validated
// choice of lambda per target, the final weights, and the out-of-fold residuals that give the
// intervals. Split into steps so each can be read on its own.
class TrainingRun
{
public:
    TrainingRun(const ForecastDataset &ds, const TrainOptions &options, ForecastModel &model)
        : ds(ds), options(options), model(model), features(model.features()),
          vars(ForecastTrainer::targetVariables(model.channels)), H(ds.daily ? 1 : 24), p(features.size()),
          q(static_cast<int>(vars.size()) * H), group(ds), x(static_cast<size_t>(p)), y(static_cast<size_t>(q))
    {
    }

    // The actual span of usable data inside the requested window; false when there is none.
    bool findSpan();
    void accumulateGrams();
    // Rows per regime, or the reason there are too few.
    Result<double> countRows() const;
    void solveRegime(int r);
    void residualPass();
    void featureMoments();
    QJsonObject validationMetrics(double totalRows) const;

    const ForecastDataset &ds;
    const TrainOptions &options;
    ForecastModel &model;
    const ForecastFeatures features;
    const std::vector<Channel> vars;
    const int H, p, q;
    const GroupMeans group;
    qint64 first = std::numeric_limits<qint64>::max(), last = std::numeric_limits<qint64>::min();
    int K = 4;
    qint64 foldLength = 1;

    int foldOf(qint64 ms) const { return static_cast<int>(std::clamp<qint64>((ms - first) / foldLength, 0, K - 1)); }

private:
    size_t gi(int r, int k) const { return static_cast<size_t>(r * K + k); }
    template <typename Fn> void forEachRow(Fn &&fn);
    void fitIntervalScale(Channel v, int h, const std::vector<std::vector<double>> &residuals);
    void chooseLambdas(int r, const Gram &all, std::vector<size_t> &bestIdx);
    void finalWeights(int r, const Gram &all, const std::vector<size_t> &bestIdx);

    std::vector<Gram> grams;
    std::vector<bool> nbMask, nbTargets;
    // Out-of-fold weights at the chosen lambda, per (regime, fold), for the residual pass.
    std::vector<Eigen::MatrixXd> oofW;
    std::vector<Eigen::VectorXd> oofB;
    std::vector<double> x, y;
    // Per regime, the station index and day-of-year angle of each residual-pass row.
    std::vector<std::vector<int>> rowStation;
    std::vector<std::vector<float>> rowDoy;
};

bool TrainingRun::findSpan()
{
    for (const auto &s : ds.stations) {
        for (int i = 0; i < s.size(); ++i) {
            const qint64 ms = s.timeOf(i);
            if (ms >= options.fromMs && ms < options.toMs && !std::isnan(s.at(Channel::Temperature, i))) {
                first = std::min(first, ms);
                last = std::max(last, ms);
            }
        }
    }
    if (first > last)
        return false;
    // Lambda is chosen by blocked cross-validation inside the training span: K contiguous folds in
    // time, each scored by a fit on the others (Gram matrices add, so each fold costs one solve).
    K = std::clamp(options.folds, 2, 10);
    foldLength = (last - first) / K + 1;
    return true;
}

// Visits every usable training row: issue slot t with features and all targets known, and the
// target slots still inside the span (a row never learns from past the span's end); x and y hold
// the row when fn(regime, fold) is called.
template <typename Fn> void TrainingRun::forEachRow(Fn &&fn)
{
    const qint64 step = ds.stations.front().stepMs;
    const FeatureContext ctx = group.context(&model.climatology);
    for (size_t si = 0; si < ds.stations.size(); ++si) {
        const StationSeries &s = ds.stations[si];
        for (int t = 0; t < s.size(); ++t) {
            const qint64 ms = s.timeOf(t);
            if (ms < first || ms + H * step > last)
                continue;
            bool ok = true;
            for (size_t vi = 0; vi < vars.size() && ok; ++vi) {
                const double cur = ForecastTrainer::currentValue(s, vars[vi], t);
                for (int h = 1; h <= H && ok; ++h) {
                    const double target = s.at(vars[vi], t + h);
                    ok = !std::isnan(cur) && !std::isnan(target);
                    y[vi * H + static_cast<size_t>(h - 1)] = target - cur;
                }
            }
            if (!ok || !features.build(s, t, ctx, x.data()))
                continue;
            int g[ForecastModel::kMaxMembers];
            const int ng = model.regimesOf(ms, g);
            for (int i = 0; i < ng; ++i)
                fn(g[i], foldOf(ms), static_cast<int>(si), ms);
        }
    }
}

void TrainingRun::accumulateGrams()
{
    const int R = model.regimeCount();
    grams.assign(static_cast<size_t>(R * K), Gram());
    for (auto &g : grams)
        g.init(p, q);
    constexpr int kBlock = 256;
    // One row buffer per (regime, fold) so rows stream into their Gram matrices in blocks.
    std::vector<Eigen::MatrixXd> xb(grams.size(), Eigen::MatrixXd(kBlock, p));
    std::vector<Eigen::MatrixXd> yb(grams.size(), Eigen::MatrixXd(kBlock, q));
    std::vector<int> rows(grams.size(), 0);
    auto flush = [&](size_t b) {
        if (rows[b] > 0)
            grams[b].add(xb[b], yb[b], rows[b]);
        rows[b] = 0;
    };
    forEachRow([&](int r, int k, int, qint64) {
        const size_t b = gi(r, k);
        xb[b].row(rows[b]) = Eigen::Map<const Eigen::RowVectorXd>(x.data(), p);
        yb[b].row(rows[b]) = Eigen::Map<const Eigen::RowVectorXd>(y.data(), q);
        if (++rows[b] == kBlock)
            flush(b);
    });
    for (size_t b = 0; b < grams.size(); ++b)
        flush(b);
    nbMask.assign(static_cast<size_t>(p), false);
    for (int i = 0; i < p; ++i)
        nbMask[static_cast<size_t>(i)] = features.names().at(i).startsWith(QLatin1String("nb_"));
    nbTargets.assign(static_cast<size_t>(q), false); // targets solved without them
    for (size_t vi = 0; vi < vars.size(); ++vi) {
        for (int h = 1; h <= H; ++h)
            nbTargets[vi * H + static_cast<size_t>(h - 1)] = vars[vi] == Channel::Pressure || vars[vi] == Channel::WindSpeed;
    }
    oofW.assign(grams.size(), Eigen::MatrixXd());
    oofB.assign(grams.size(), Eigen::VectorXd());
}

Result<double> TrainingRun::countRows() const
{
    const int R = model.regimeCount();
    double totalRows = 0;
    for (int r = 0; r < R; ++r) {
        double n = 0;
        for (int k = 0; k < K; ++k)
            n += grams[gi(r, k)].n;
        totalRows += n;
        if (n < 5.0 * p)
            return makeError(QStringLiteral("too little complete data to train: %1 rows for %2 features (regime %3 of %4)")
                                 .arg(n)
                                 .arg(p)
                                 .arg(r)
                                 .arg(R));
    }
    return totalRows;
}

// Cross-validated SSE per lambda and target: each fold is scored by the fit on the others. Keeps
// the out-of-fold weights at each target's chosen lambda for the residual pass.
void TrainingRun::chooseLambdas(int r, const Gram &all, std::vector<size_t> &bestIdx)
{
    const auto L = kLambdas.size();
    Eigen::MatrixXd cvSse = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(L), q);
    std::vector<std::vector<Eigen::MatrixXd>> ws(static_cast<size_t>(K));
    std::vector<std::vector<Eigen::VectorXd>> bs(static_cast<size_t>(K));
    for (int k = 0; k < K; ++k) {
        const Gram &held = grams[gi(r, k)];
        if (held.n < 1)
            continue;
        Gram train = all;
        train.xx -= held.xx;
        train.xy -= held.xy;
        train.sx -= held.sx;
        train.sy -= held.sy;
        train.syy -= held.syy;
        train.n -= held.n;
        const Solvers solver(train, nbMask, nbTargets);
        for (size_t li = 0; li < L; ++li) {
            Eigen::MatrixXd w;
            Eigen::VectorXd b;
            solver.solve(kLambdas[li], w, b);
            for (Eigen::Index i = 0; i < w.size(); ++i) {
                if (!std::isfinite(w.data()[i]))
                    w.data()[i] = 0; // a feature constant in this part contributes nothing
            }
            cvSse.row(static_cast<Eigen::Index>(li)) += sse(held, w, b).transpose();
            ws[static_cast<size_t>(k)].push_back(std::move(w));
            bs[static_cast<size_t>(k)].push_back(std::move(b));
        }
    }
    bestIdx.assign(static_cast<size_t>(q), 0);
    for (int j = 0; j < q; ++j) {
        Eigen::Index li;
        cvSse.col(j).minCoeff(&li);
        bestIdx[static_cast<size_t>(j)] = static_cast<size_t>(li);
    }
    for (int k = 0; k < K; ++k) {
        if (ws[static_cast<size_t>(k)].empty())
            continue;
        Eigen::MatrixXd w(p, q);
        Eigen::VectorXd b(q);
        for (int j = 0; j < q; ++j) {
            w.col(j) = ws[static_cast<size_t>(k)][bestIdx[static_cast<size_t>(j)]].col(j);
            b[j] = bs[static_cast<size_t>(k)][bestIdx[static_cast<size_t>(j)]][j];
        }
        oofW[gi(r, k)] = std::move(w);
        oofB[gi(r, k)] = std::move(b);
    }
}

// Final weights: refit on the whole span with each target's lambda.
void TrainingRun::finalWeights(int r, const Gram &all, const std::vector<size_t> &bestIdx)
{
    const Solvers solver(all, nbMask, nbTargets);
    std::vector<size_t> distinct = bestIdx;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    Eigen::MatrixXd finalW(p, q);
    Eigen::VectorXd finalB(q);
    for (size_t li : distinct) {
        Eigen::MatrixXd w;
        Eigen::VectorXd b;
        solver.solve(kLambdas[li], w, b);
        for (int j = 0; j < q; ++j) {
            if (bestIdx[static_cast<size_t>(j)] == li) {
                finalW.col(j) = w.col(j);
                finalB[j] = b[j];
            }
        }
    }
    for (size_t vi = 0; vi < vars.size(); ++vi) {
        for (int h = 1; h <= H; ++h) {
            const int j = static_cast<int>(vi) * H + h - 1;
            ModelTarget t;
            t.variable = vars[vi];
            t.horizon = h;
            t.regime = r;
            t.weights = finalW.col(j);
            // A constant feature (infinite sd) must contribute nothing, not NaN.
            for (Eigen::Index i = 0; i < t.weights.size(); ++i) {
                if (!std::isfinite(t.weights[i]))
                    t.weights[i] = 0;
            }
            t.bias = finalB[j];
            t.lambda = kLambdas[bestIdx[static_cast<size_t>(j)]];
            model.targets.push_back(std::move(t));
        }
    }
}

void TrainingRun::solveRegime(int r)
{
    Gram all;
    all.init(p, q);
    for (int k = 0; k < K; ++k)
        all += grams[gi(r, k)];
    std::vector<size_t> bestIdx;
    chooseLambdas(r, all, bestIdx);
    finalWeights(r, all, bestIdx);
}

// Mean and covariance of the features over the training rows, for imputing missing inputs.
void TrainingRun::featureMoments()
{
    Gram all;
    all.init(p, q);
    for (const Gram &g : grams)
        all += g;
    model.featureMean = all.sx / all.n;
    model.featureCov = all.full() / all.n - model.featureMean * model.featureMean.transpose();
}

// Out-of-fold residuals (each row predicted by the fit that did not see its fold) give the 10–90 %
// interval and the validation MAE. The interval's width follows the station and the season (a
// rural site and a spring day are harder than a town in summer): the residuals are divided by that
// scale before their quantiles are taken, and a forecast multiplies it back.
void TrainingRun::residualPass()
{
    const int R = model.regimeCount();
    std::vector<std::vector<double>> residuals(static_cast<size_t>(R * q));
    rowStation.assign(static_cast<size_t>(R), {});
    rowDoy.assign(static_cast<size_t>(R), {});
    forEachRow([&](int r, int k, int station, qint64 ms) {
        const Eigen::MatrixXd &w = oofW[gi(r, k)];
        if (w.size() == 0)
            return;
        const Eigen::VectorXd pred = oofB[gi(r, k)] + w.transpose() * Eigen::Map<const Eigen::VectorXd>(x.data(), p);
        for (int j = 0; j < q; ++j)
            residuals[static_cast<size_t>(r * q + j)].push_back(y[static_cast<size_t>(j)] - pred[j]);
        rowStation[static_cast<size_t>(r)].push_back(station);
        rowDoy[static_cast<size_t>(r)].push_back(static_cast<float>(2 * M_PI * ForecastFeatures::dayOfYearFraction(ms)));
    });
    const auto resOf = [&](const ModelTarget &t) -> std::vector<double> & {
        const size_t vi = static_cast<size_t>(std::find(vars.begin(), vars.end(), t.variable) - vars.begin());
        return residuals[static_cast<size_t>(t.regime * q) + vi * static_cast<size_t>(H) + static_cast<size_t>(t.horizon - 1)];
    };
    for (ModelTarget &t : model.targets) {
        auto &res = resOf(t);
        if (options.medianShift && !res.empty()) {
            // Forecasts are scored by absolute error, whose best constant is the median, not the
            // mean least squares fits: the day-ahead change has a long cold tail (cold surges), so
            // the bias moves by the out-of-fold median residual.
            std::vector<double> copy = res;
            const double m = quantile(copy, 0.5);
            for (double &e : res)
                e -= m;
            t.bias += m;
        }
        double mae = 0;
        for (double e : res)
            mae += std::abs(e);
        t.validationMae = res.empty() ? kMissing : mae / static_cast<double>(res.size());
    }
    model.intervalScales.clear();
    for (Channel v : vars)
        for (int h = 1; h <= H; ++h)
            fitIntervalScale(v, h, residuals);
    model.indexIntervalScales();
    for (ModelTarget &t : model.targets) {
        std::vector<double> z = resOf(t);
        for (size_t i = 0; i < z.size(); ++i)
            z[i] /= model.intervalScale(t.variable, t.horizon, rowStation[static_cast<size_t>(t.regime)][i],
                                        rowDoy[static_cast<size_t>(t.regime)][i]);
        t.residualQ10 = quantile(z, 0.1);
        t.residualQ90 = quantile(z, 0.9);
    }
}

// The spread of one (variable, horizon)'s out-of-fold residuals by station (mean |residual| there
// against everywhere) and by season (a two-harmonic fit of |residual| over the day of year), pooled
// over the issue-hour regimes.
void TrainingRun::fitIntervalScale(Channel v, int h, const std::vector<std::vector<double>> &residuals)
{
    const size_t vi = static_cast<size_t>(std::find(vars.begin(), vars.end(), v) - vars.begin());
    const size_t nStations = ds.stations.size();
    std::vector<double> absSum(nStations, 0.0), count(nStations, 0.0);
    double total = 0, n = 0;
    for (int r = 0; r < model.regimeCount(); ++r) {
        const auto &res = residuals[static_cast<size_t>(r * q) + vi * static_cast<size_t>(H) + static_cast<size_t>(h - 1)];
        for (size_t i = 0; i < res.size(); ++i) {
            const auto st = static_cast<size_t>(rowStation[static_cast<size_t>(r)][i]);
            absSum[st] += std::abs(res[i]);
            count[st] += 1;
            total += std::abs(res[i]);
            n += 1;
        }
    }
    ForecastModel::IntervalScale scale;
    scale.variable = v;
    scale.horizon = h;
    scale.station.assign(nStations, 1.0);
    const double mean = n > 0 ? total / n : 0;
    for (size_t st = 0; st < nStations && mean > 0; ++st) {
        if (count[st] >= 50) // too few rows say nothing about a station's spread
            scale.station[st] = std::clamp(absSum[st] / count[st] / mean, 0.5, 2.0);
    }
    Eigen::Matrix<double, 5, 5> a = Eigen::Matrix<double, 5, 5>::Zero();
    Eigen::Matrix<double, 5, 1> b = Eigen::Matrix<double, 5, 1>::Zero();
    for (int r = 0; r < model.regimeCount(); ++r) {
        const auto &res = residuals[static_cast<size_t>(r * q) + vi * static_cast<size_t>(H) + static_cast<size_t>(h - 1)];
        for (size_t i = 0; i < res.size(); ++i) {
            const double d = rowDoy[static_cast<size_t>(r)][i];
            const Eigen::Matrix<double, 5, 1> f(1.0, std::sin(d), std::cos(d), std::sin(2 * d), std::cos(2 * d));
            a += f * f.transpose();
            b += f * (std::abs(res[i]) / scale.station[static_cast<size_t>(rowStation[static_cast<size_t>(r)][i])]);
        }
    }
    if (n >= 365 && b[0] > 0) {
        const Eigen::Matrix<double, 5, 1> c = a.ldlt().solve(b);
        for (int k = 0; k < 5; ++k)
            scale.season[static_cast<size_t>(k)] = c[k] / c[0];
    }
    model.intervalScales.push_back(scale);
}

QJsonObject TrainingRun::validationMetrics(double totalRows) const
{
    QJsonObject valMetrics;
    valMetrics[QStringLiteral("rows")] = totalRows;
    valMetrics[QStringLiteral("cross_validation_folds")] = K;
    valMetrics[QStringLiteral("note")] = QStringLiteral("out-of-fold MAE: blocked cross-validation in time inside the "
                                                        "training span");
    QJsonObject maeByVar;
    for (Channel v : vars) {
        QJsonObject byH;
        for (int h : {1, 3, 6, 12, 24}) {
            // Mean over the issue-hour regimes.
            double sum = 0;
            int n = 0;
            for (int r = 0; r < model.regimeCount(); ++r) {
                if (const ModelTarget *t = model.target(v, ds.daily ? 1 : h, r); t && !std::isnan(t->validationMae)) {
                    sum += t->validationMae;
                    ++n;
                }
            }
            if (n && (!ds.daily || h == 24))
                byH[QString::number(h)] = sum / n;
        }
        maeByVar[channelKey(v)] = byH;
    }
    valMetrics[QStringLiteral("mae_by_variable_and_horizon_h")] = maeByVar;
    return valMetrics;
}

// The model's settings from the data and the options, before any fitting.
Result<std::shared_ptr<ForecastModel>> newModel(const ForecastDataset &ds, const TrainOptions &options)
{
    if (ds.stations.empty())
        return makeError(QStringLiteral("no stations to train on"));
    auto model = std::make_shared<ForecastModel>();
    model->daily = ds.daily;
    model->channels = ds.presentChannels();
    if (!model->channels[ch(Channel::Temperature)])
        return makeError(QStringLiteral("the data has no temperature: nothing to forecast"));
    model->crossStation = options.crossStation && !ds.daily && ds.stations.size() > 1;
    model->neighbourTerms = model->crossStation && options.neighbours;
    if (!ds.daily) {
        if (options.members.empty() || static_cast<int>(options.members.size()) > ForecastModel::kMaxMembers)
            return makeError(QStringLiteral("1 … %1 regime members are needed").arg(ForecastModel::kMaxMembers));
        model->members = options.members;
    } else {
        model->members = {ForecastModel::RegimeSpec{}};
    }
    for (const auto &s : ds.stations)
        model->stations << s.stationId;
    return model;
}

} // namespace

Result<std::shared_ptr<ForecastModel>> ForecastTrainer::train(const ForecastDataset &ds, const TrainOptions &options,
                                                               QStringList *log)
{
    auto created = newModel(ds, options);
    if (!created)
        return created.error();
    ForecastModel &model = **created;
    TrainingRun run(ds, options, model);
    if (!run.findSpan())
        return makeError(QStringLiteral("no temperature readings inside the training period"));
    model.climatology = ds.daily ? climatology(ds, run.first, run.last + 1) : std::vector<double>();
    run.accumulateGrams();
    const auto totalRows = run.countRows();
    if (!totalRows)
        return totalRows.error();
    model.targets.clear();
    for (int r = 0; r < model.regimeCount(); ++r)
        run.solveRegime(r);
    run.residualPass();
    run.featureMoments();
    model.index();
    model.featureNames = run.features.names();
    if (!ds.daily && options.boost && model.maxHorizon() >= 24) {
        QElapsedTimer bt;
        bt.start();
        const auto foldOf = [&run](qint64 ms) { return run.foldOf(ms); };
        if (trainBoost(model, ds, run.group, run.first, run.last, foldOf, run.K, options.boostParams, log) && log)
            *log << QStringLiteral("boosted-tree stage trained in %1 s").arg(bt.elapsed() / 1000.0, 0, 'f', 1);
    }
    model.dataFromMs = run.first;
    model.dataToMs = run.last;
    model.trainedAtMs = QDateTime::currentMSecsSinceEpoch();
    model.version = options.version.isEmpty() ? QDateTime::fromMSecsSinceEpoch(model.trainedAtMs, Qt::UTC)
                                                    .toString(QStringLiteral("'v'yyyyMMdd-HHmmss"))
                                              : options.version;
    model.trainedOn = ds.description;
    model.metrics[QStringLiteral("validation")] = run.validationMetrics(*totalRows);
    if (log) {
        *log << QStringLiteral("trained %1 ridge regressions (%2 variables x %3 horizons x %4 issue-hour regimes) on %5 "
                               "features, %6 rows (counted once per member); lambda by %7-fold blocked cross-validation")
                    .arg(run.q * model.regimeCount())
                    .arg(run.vars.size())
                    .arg(run.H)
                    .arg(model.regimeCount())
                    .arg(run.p)
                    .arg(*totalRows)
                    .arg(run.K);
    }
    return created;
}

} // namespace stratus
