#include "ForecastModel.h"

#include "TimeUtil.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <map>
#include <mutex>

namespace stratus {

namespace {

QJsonArray toArray(const double *v, qsizetype n)
{
    QJsonArray a;
    for (qsizetype i = 0; i < n; ++i)
        a.append(v[i]);
    return a;
}

std::optional<Channel> channelFromKey(const QString &key)
{
    for (int c = 0; c < kChannelCount; ++c) {
        if (channelKey(static_cast<Channel>(c)) == key)
            return static_cast<Channel>(c);
    }
    return std::nullopt;
}

Result<QByteArray> readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    return f.readAll();
}

Result<QString> writeAtomically(const QString &path, const QByteArray &bytes)
{
    // Written to a temporary file and renamed, so a watcher never sees half a model.
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
        return makeError(QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
    return path;
}

} // namespace

// x_missing = c + A · x_observed, and the covariance the imputation leaves.
struct ForecastModel::Imputer
{
    std::vector<int> missing, observed;
    Eigen::MatrixXd a;
    Eigen::VectorXd c;
    Eigen::MatrixXd residualCov;
};

struct ForecastModel::ImputerCache
{
    std::mutex mutex;
    std::map<std::vector<bool>, std::shared_ptr<const Imputer>> byMask;
    static constexpr size_t kMax = 512; // patterns kept; a live station has a handful
};

std::shared_ptr<const ForecastModel::Imputer> ForecastModel::imputer(const double *x) const
{
    const auto p = static_cast<size_t>(featureMean.size());
    if (p == 0 || featureCov.rows() != featureMean.size() || !m_imputers)
        return nullptr;
    std::vector<bool> mask(p);
    for (size_t i = 0; i < p; ++i)
        mask[i] = std::isnan(x[i]);
    {
        std::lock_guard lock(m_imputers->mutex);
        if (auto it = m_imputers->byMask.find(mask); it != m_imputers->byMask.end())
            return it->second;
    }
    auto imp = std::make_shared<Imputer>();
    for (size_t i = 0; i < p; ++i)
        (mask[i] ? imp->missing : imp->observed).push_back(static_cast<int>(i));
    Eigen::MatrixXd soo = featureCov(imp->observed, imp->observed);
    // A little ridge keeps the solve stable: many features are near-collinear (lags, products).
    const double scale = soo.diagonal().mean() + 1e-12;
    soo.diagonal() += 1e-4 * soo.diagonal() + Eigen::VectorXd::Constant(soo.rows(), 1e-9 * scale);
    const Eigen::MatrixXd som = featureCov(imp->observed, imp->missing);
    imp->a = soo.ldlt().solve(som).transpose();
    imp->c = featureMean(imp->missing) - imp->a * featureMean(imp->observed);
    imp->residualCov = featureCov(imp->missing, imp->missing) - imp->a * som;
    std::lock_guard lock(m_imputers->mutex);
    if (m_imputers->byMask.size() >= ImputerCache::kMax)
        m_imputers->byMask.erase(m_imputers->byMask.begin());
    m_imputers->byMask.emplace(std::move(mask), imp);
    return imp;
}

int ForecastModel::maxHorizon() const
{
    int h = 0;
    for (const auto &t : targets)
        h = std::max(h, t.horizon);
    return h;
}

std::vector<Channel> ForecastModel::variables() const
{
    std::vector<Channel> out;
    for (const auto &t : targets) {
        if (std::find(out.begin(), out.end(), t.variable) == out.end())
            out.push_back(t.variable);
    }
    return out;
}

int ForecastModel::regimeCount() const
{
    if (daily)
        return 1;
    int n = 0;
    for (const RegimeSpec &m : members)
        n += std::max(m.blocks, 1);
    return std::max(n, 1);
}

int ForecastModel::regimesOf(qint64 issuedAtMs, int *out) const
{
    if (daily) {
        out[0] = 0;
        return 1;
    }
    const int hour = static_cast<int>((issuedAtMs / 3'600'000) % 24);
    int base = 0, n = 0;
    for (const RegimeSpec &m : members) {
        const int blocks = std::max(m.blocks, 1);
        out[n++] = base + ((hour - m.offsetH + 48) % 24) * blocks / 24;
        base += blocks;
    }
    return n;
}

void ForecastModel::indexIntervalScales()
{
    const int hs = std::max(maxHorizon(), 1) + 1;
    m_scaleLookup.assign(static_cast<size_t>(kChannelCount * hs), -1);
    for (size_t i = 0; i < intervalScales.size(); ++i) {
        const IntervalScale &sc = intervalScales[i];
        if (sc.horizon > 0 && sc.horizon < hs)
            m_scaleLookup[static_cast<size_t>(ch(sc.variable) * hs + sc.horizon)] = static_cast<int>(i);
    }
}

double ForecastModel::intervalScale(Channel variable, int horizon, int station, double doyAngle) const
{
    const int hs = static_cast<int>(m_scaleLookup.size()) / kChannelCount;
    if (horizon <= 0 || horizon >= hs)
        return 1.0;
    const int i = m_scaleLookup[static_cast<size_t>(ch(variable) * hs + horizon)];
    if (i < 0)
        return 1.0;
    const IntervalScale &sc = intervalScales[static_cast<size_t>(i)];
    const auto &c = sc.season;
    const double season = c[0] + c[1] * std::sin(doyAngle) + c[2] * std::cos(doyAngle) + c[3] * std::sin(2 * doyAngle)
        + c[4] * std::cos(2 * doyAngle);
    const double st = station >= 0 && station < static_cast<int>(sc.station.size()) ? sc.station[static_cast<size_t>(station)] : 1.0;
    return st * std::clamp(season, 0.5, 2.0);
}

bool ForecastModel::forecast(Channel variable, int horizon, qint64 issuedAtMs, const double *x, double current,
                             PointForecast &out, int station) const
{
    int g[kMaxMembers];
    const int n = regimesOf(issuedAtMs, g);
    out = PointForecast{};
    for (int i = 0; i < n; ++i) {
        const ModelTarget *t = target(variable, horizon, g[i]);
        if (!t)
            return false;
        const double v = predict(*t, x, current);
        out.value += v;
        out.lower += v + t->residualQ10;
        out.upper += v + t->residualQ90;
    }
    out.value /= n;
    const double scale = intervalScale(variable, horizon, station, 2 * M_PI * ForecastFeatures::dayOfYearFraction(issuedAtMs));
    out.lower = out.value + (out.lower / n - out.value) * scale;
    out.upper = out.value + (out.upper / n - out.value) * scale;
    if (variable == Channel::Temperature)
        applyBoost(horizon, x, issuedAtMs, current, out);
    return n > 0;
}

void ForecastModel::applyBoost(int horizon, const double *x, qint64 issuedAtMs, double current,
                               PointForecast &out) const
{
    const BoostStage *b = boostStage(horizon);
    if (!b)
        return;
    double row[kMaxBoostInputs];
    boostRow(x, issuedAtMs, out.value - current, row);
    const double lo = (out.lower - out.value) * b->intervalScale;
    const double hi = (out.upper - out.value) * b->intervalScale;
    out.value += b->blend * b->trees.predict(row);
    out.lower = out.value + lo;
    out.upper = out.value + hi;
}

bool ForecastModel::forecastAll(const double *x, qint64 issuedAtMs, const std::array<double, kChannelCount> &current,
                                Grid &out, int station) const
{
    if (m_combined.empty())
        return false;
    const int hour = daily ? 0 : static_cast<int>((issuedAtMs / 3'600'000) % 24);
    const Combined &c = m_combined[static_cast<size_t>(m_combinedByHour[static_cast<size_t>(hour)])];
    const Eigen::Index p = c.weights.cols();
    out.horizons = m_lookupH - 1;
    out.points.resize(static_cast<size_t>(kChannelCount * out.horizons));
    out.served.fill(false);
    out.imputed = 0;
    for (Eigen::Index i = 0; i < p; ++i)
        out.imputed += std::isnan(x[i]) ? 1 : 0;
    out.widen.setOnes(static_cast<Eigen::Index>(m_combinedTargets.size()));
    if (out.imputed > 0) {
        const auto imp = imputer(x);
        if (!imp)
            return false;
        out.filled = Eigen::Map<const Eigen::VectorXd>(x, p);
        const Eigen::VectorXd xo = out.filled(imp->observed);
        out.filled(imp->missing) = imp->c + imp->a * xo;
        x = out.filled.data();
        // The interval widens by what the imputation leaves unknown, w_m' C w_m per target, against
        // the residual variance the 10-90 % interval stands for (its width / 2.563 for a normal).
        const Eigen::MatrixXd wm = c.weights(Eigen::all, imp->missing);
        const Eigen::VectorXd extra = (wm * imp->residualCov).cwiseProduct(wm).rowwise().sum();
        for (Eigen::Index j = 0; j < extra.size(); ++j) {
            const double sd = (c.q90[j] - c.q10[j]) / 2.5631;
            if (sd > 0)
                out.widen[j] = std::sqrt(1.0 + std::max(0.0, extra[j]) / (sd * sd));
        }
    }
    out.scratch = c.bias;
    const double doyAngle = 2 * M_PI * ForecastFeatures::dayOfYearFraction(issuedAtMs);
    for (Eigen::Index i = 0; i < p; ++i) {
        if (x[i] != 0.0)
            out.scratch.noalias() += x[i] * c.weights.col(i);
    }
    for (size_t j = 0; j < m_combinedTargets.size(); ++j) {
        const auto [variable, h] = m_combinedTargets[j];
        const double cur = current[static_cast<size_t>(ch(variable))];
        if (std::isnan(cur))
            continue;
        out.served[static_cast<size_t>(ch(variable))] = true;
        PointForecast &pf = out.points[static_cast<size_t>(ch(variable) * out.horizons + h - 1)];
        pf.value = cur + out.scratch[static_cast<Eigen::Index>(j)];
        const double scale = out.widen[static_cast<Eigen::Index>(j)] * intervalScale(variable, h, station, doyAngle);
        pf.lower = pf.value + c.q10[static_cast<Eigen::Index>(j)] * scale;
        pf.upper = pf.value + c.q90[static_cast<Eigen::Index>(j)] * scale;
        if (variable == Channel::Temperature)
            applyBoost(h, x, issuedAtMs, cur, pf);
    }
    return true;
}

void ForecastModel::buildCombined()
{
    m_combined.clear();
    m_combinedTargets.clear();
    for (Channel v : variables()) {
        for (int h = 1; h < m_lookupH; ++h) {
            if (target(v, h, 0))
                m_combinedTargets.emplace_back(v, h);
        }
    }
    if (m_combinedTargets.empty() || targets.empty())
        return;
    const Eigen::Index p = targets.front().weights.size();
    const auto J = static_cast<Eigen::Index>(m_combinedTargets.size());
    std::vector<std::vector<int>> combos;
    for (int hour = 0; hour < 24; ++hour) {
        int g[kMaxMembers];
        const int n = regimesOf(static_cast<qint64>(hour) * 3'600'000, g);
        std::vector<int> combo(g, g + n);
        auto it = std::find(combos.begin(), combos.end(), combo);
        if (it == combos.end()) {
            Combined c{Eigen::MatrixXd::Zero(J, p), Eigen::VectorXd::Zero(J), Eigen::VectorXd::Zero(J),
                       Eigen::VectorXd::Zero(J)};
            for (Eigen::Index j = 0; j < J; ++j) {
                const auto [variable, h] = m_combinedTargets[static_cast<size_t>(j)];
                for (int r : combo) {
                    const ModelTarget *t = target(variable, h, r);
                    if (!t) {
                        m_combined.clear(); // a hole in the regressions: only the per-target path serves
                        return;
                    }
                    c.weights.row(j) += t->weights.transpose() / n;
                    c.bias[j] += t->bias / n;
                    c.q10[j] += t->residualQ10 / n;
                    c.q90[j] += t->residualQ90 / n;
                }
            }
            m_combined.push_back(std::move(c));
            combos.push_back(combo);
            it = combos.end() - 1;
        }
        m_combinedByHour[static_cast<size_t>(hour)] = static_cast<int>(it - combos.begin());
    }
}

int ForecastModel::boostRow(const double *x, qint64 issuedAtMs, double ridgeDelta, double *out) const
{
    int n = 0;
    for (int i : m_boostIdx)
        out[n++] = x[i];
    out[n++] = static_cast<double>((issuedAtMs / 3'600'000) % 24);
    out[n++] = ridgeDelta;
    return n;
}

const ForecastModel::BoostStage *ForecastModel::boostStage(int horizon) const
{
    if (horizon < 0 || horizon >= static_cast<int>(m_boostByH.size()))
        return nullptr;
    const int i = m_boostByH[static_cast<size_t>(horizon)];
    return i < 0 ? nullptr : &boost[static_cast<size_t>(i)];
}

void ForecastModel::index()
{
    m_imputers = std::make_shared<ImputerCache>();
    m_features = std::make_shared<const ForecastFeatures>(features());
    m_lookupH = maxHorizon() + 1;
    m_lookup.assign(static_cast<size_t>(regimeCount() * kChannelCount * m_lookupH), -1);
    for (size_t i = 0; i < targets.size(); ++i) {
        const auto &t = targets[i];
        if (t.regime >= 0 && t.regime < regimeCount())
            m_lookup[static_cast<size_t>((t.regime * kChannelCount + ch(t.variable)) * m_lookupH + t.horizon)] =
                static_cast<int>(i);
    }
    m_boostIdx.clear();
    for (const QString &name : std::as_const(boostInputs))
        m_boostIdx.push_back(static_cast<int>(featureNames.isEmpty() ? m_features->names().indexOf(name)
                                                                     : featureNames.indexOf(name)));
    m_boostByH.assign(static_cast<size_t>(m_lookupH), -1);
    for (size_t i = 0; i < boost.size(); ++i) {
        if (boost[i].horizon > 0 && boost[i].horizon < m_lookupH)
            m_boostByH[static_cast<size_t>(boost[i].horizon)] = static_cast<int>(i);
    }
    buildCombined();
    indexIntervalScales();
}

const ModelTarget *ForecastModel::target(Channel variable, int horizon, int regime) const
{
    if (horizon < 1 || horizon >= m_lookupH || regime < 0 || regime >= regimeCount())
        return nullptr;
    const int i = m_lookup[static_cast<size_t>((regime * kChannelCount + ch(variable)) * m_lookupH + horizon)];
    return i < 0 ? nullptr : &targets[static_cast<size_t>(i)];
}

QJsonObject ForecastModel::metadataJson() const
{
    QJsonObject o;
    o[QStringLiteral("format_version")] = kFormatVersion;
    o[QStringLiteral("feature_set_version")] = ForecastFeatures::kFeatureSetVersion;
    o[QStringLiteral("model")] = boost.empty() ? QStringLiteral("ridge_direct") : QStringLiteral("ridge_direct+boosted_trees");
    o[QStringLiteral("version")] = version;
    o[QStringLiteral("trained_at")] = timeutil::toIsoUtc(trainedAtMs);
    o[QStringLiteral("data_from")] = timeutil::toIsoUtc(dataFromMs);
    o[QStringLiteral("data_to")] = timeutil::toIsoUtc(dataToMs);
    o[QStringLiteral("resolution")] = daily ? QStringLiteral("daily") : QStringLiteral("hourly");
    o[QStringLiteral("cross_station")] = crossStation;
    o[QStringLiteral("neighbour_terms")] = neighbourTerms;
    QJsonArray ms;
    for (const RegimeSpec &m : members)
        ms.append(QJsonArray{m.blocks, m.offsetH});
    o[QStringLiteral("regime_members")] = ms;
    o[QStringLiteral("stations")] = QJsonArray::fromStringList(stations);
    QJsonArray chans;
    for (int c = 0; c < kChannelCount; ++c) {
        if (channels[c])
            chans.append(channelKey(static_cast<Channel>(c)));
    }
    o[QStringLiteral("channels")] = chans;
    QJsonArray vars;
    for (Channel v : variables())
        vars.append(channelKey(v));
    o[QStringLiteral("variables")] = vars;
    o[QStringLiteral("max_horizon")] = maxHorizon();
    o[QStringLiteral("horizon_unit")] = daily ? QStringLiteral("day") : QStringLiteral("hour");
    o[QStringLiteral("units")] = QStringLiteral("internal: °C, %, m/s, hPa, mm");
    o[QStringLiteral("trained_on")] = trainedOn;
    o[QStringLiteral("metrics")] = metrics;
    return o;
}

Result<QString> ForecastModel::save(const QString &dir) const
{
    if (!QDir().mkpath(dir))
        return makeError(QStringLiteral("cannot create model directory %1").arg(dir));
    QJsonObject w;
    w[QStringLiteral("features")] = QJsonArray::fromStringList(featureNames);
    if (!climatology.empty())
        w[QStringLiteral("climatology")] = toArray(climatology.data(), static_cast<qsizetype>(climatology.size()));
    QJsonArray ts;
    for (const auto &t : targets) {
        QJsonObject o;
        o[QStringLiteral("variable")] = channelKey(t.variable);
        o[QStringLiteral("horizon")] = t.horizon;
        o[QStringLiteral("regime")] = t.regime;
        o[QStringLiteral("bias")] = t.bias;
        o[QStringLiteral("lambda")] = t.lambda;
        o[QStringLiteral("q10")] = t.residualQ10;
        o[QStringLiteral("q90")] = t.residualQ90;
        o[QStringLiteral("validation_mae")] = t.validationMae;
        o[QStringLiteral("weights")] = toArray(t.weights.data(), t.weights.size());
        ts.append(o);
    }
    w[QStringLiteral("targets")] = ts;
    QJsonArray scales;
    for (const IntervalScale &sc : intervalScales) {
        scales.append(QJsonObject{{QStringLiteral("variable"), channelKey(sc.variable)},
                                  {QStringLiteral("horizon"), sc.horizon},
                                  {QStringLiteral("station"), toArray(sc.station.data(), static_cast<qsizetype>(sc.station.size()))},
                                  {QStringLiteral("season"), toArray(sc.season.data(), 5)}});
    }
    w[QStringLiteral("interval_scales")] = scales;
    if (featureMean.size() > 0) {
        w[QStringLiteral("feature_mean")] = toArray(featureMean.data(), featureMean.size());
        QJsonArray lower; // row by row, the lower triangle of the symmetric covariance
        for (Eigen::Index i = 0; i < featureCov.rows(); ++i)
            for (Eigen::Index k = 0; k <= i; ++k)
                lower.append(featureCov(i, k));
        w[QStringLiteral("feature_cov_lower")] = lower;
    }
    if (!boost.empty()) {
        QJsonObject b;
        b[QStringLiteral("inputs")] = QJsonArray::fromStringList(boostInputs);
        QJsonArray stages;
        for (const BoostStage &st : boost) {
            QJsonObject o;
            o[QStringLiteral("horizon")] = st.horizon;
            o[QStringLiteral("interval_scale")] = st.intervalScale;
            o[QStringLiteral("blend")] = st.blend;
            o[QStringLiteral("trees")] = st.trees.toJson();
            stages.append(o);
        }
        b[QStringLiteral("stages")] = stages;
        w[QStringLiteral("boost")] = b;
    }
    const QByteArray weights = QJsonDocument(w).toJson(QJsonDocument::Compact);
    QJsonObject meta = metadataJson();
    meta[QStringLiteral("weights_sha256")] =
        QString::fromLatin1(QCryptographicHash::hash(weights, QCryptographicHash::Sha256).toHex());
    // Weights first, metadata last: a watcher keys on model.json, which only appears once both exist.
    const auto ww = writeAtomically(QDir(dir).filePath(QLatin1String(kWeightsFile)), weights);
    if (!ww)
        return ww;
    const auto mw = writeAtomically(QDir(dir).filePath(QLatin1String(kMetadataFile)),
                                    QJsonDocument(meta).toJson(QJsonDocument::Indented));
    if (!mw)
        return mw;
    return dir;
}

Result<std::shared_ptr<const ForecastModel>> ForecastModel::load(const QString &dir)
{
    const QString metaPath = QDir(dir).filePath(QLatin1String(kMetadataFile));
    const QString weightsPath = QDir(dir).filePath(QLatin1String(kWeightsFile));
    const auto metaBytes = readAll(metaPath);
    if (!metaBytes)
        return metaBytes.error();
    QJsonParseError pe;
    const QJsonDocument metaDoc = QJsonDocument::fromJson(*metaBytes, &pe);
    if (!metaDoc.isObject())
        return makeError(QStringLiteral("%1 is corrupt: %2").arg(metaPath, pe.errorString()));
    const QJsonObject meta = metaDoc.object();
    const int format = meta.value(QStringLiteral("format_version")).toInt(-1);
    if (format != kFormatVersion)
        return makeError(QStringLiteral("%1 has model format version %2, this Stratus reads version %3 only "
                                        "(retrain it with stratus --train)")
                             .arg(metaPath)
                             .arg(format)
                             .arg(kFormatVersion));
    const int fset = meta.value(QStringLiteral("feature_set_version")).toInt(-1);
    if (fset != ForecastFeatures::kFeatureSetVersion)
        return makeError(QStringLiteral("%1 was trained with feature set %2, this Stratus computes feature set %3")
                             .arg(metaPath)
                             .arg(fset)
                             .arg(ForecastFeatures::kFeatureSetVersion));
    const auto weightBytes = readAll(weightsPath);
    if (!weightBytes)
        return weightBytes.error();
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(*weightBytes, QCryptographicHash::Sha256).toHex());
    if (sha != meta.value(QStringLiteral("weights_sha256")).toString())
        return makeError(QStringLiteral("%1 is corrupt: its SHA-256 does not match the one in %2")
                             .arg(weightsPath, metaPath));
    const QJsonDocument wDoc = QJsonDocument::fromJson(*weightBytes, &pe);
    if (!wDoc.isObject())
        return makeError(QStringLiteral("%1 is corrupt: %2").arg(weightsPath, pe.errorString()));
    const QJsonObject w = wDoc.object();

    auto m = std::make_shared<ForecastModel>();
    m->version = meta.value(QStringLiteral("version")).toString();
    if (m->version.isEmpty())
        return makeError(QStringLiteral("%1 has no version").arg(metaPath));
    m->trainedAtMs = timeutil::parseIsoUtc(QStringView(meta.value(QStringLiteral("trained_at")).toString())).value_or(0);
    m->dataFromMs = timeutil::parseIsoUtc(QStringView(meta.value(QStringLiteral("data_from")).toString())).value_or(0);
    m->dataToMs = timeutil::parseIsoUtc(QStringView(meta.value(QStringLiteral("data_to")).toString())).value_or(0);
    m->daily = meta.value(QStringLiteral("resolution")).toString() == QLatin1String("daily");
    m->crossStation = meta.value(QStringLiteral("cross_station")).toBool();
    m->neighbourTerms = meta.value(QStringLiteral("neighbour_terms")).toBool();
    m->members.clear();
    for (const auto &mv : meta.value(QStringLiteral("regime_members")).toArray()) {
        const QJsonArray a = mv.toArray();
        RegimeSpec spec{a.at(0).toInt(0), a.at(1).toInt(-1)};
        if (spec.blocks < 1 || spec.blocks > 24 || spec.offsetH < 0 || spec.offsetH > 23)
            return makeError(QStringLiteral("%1: a regime member needs 1 … 24 blocks and an offset 0 … 23").arg(metaPath));
        m->members.push_back(spec);
    }
    if (m->members.empty() || static_cast<int>(m->members.size()) > kMaxMembers)
        return makeError(QStringLiteral("%1: needs 1 … %2 regime members").arg(metaPath).arg(kMaxMembers));
    for (const auto &s : meta.value(QStringLiteral("stations")).toArray())
        m->stations << s.toString();
    if (m->stations.isEmpty())
        return makeError(QStringLiteral("%1 names no stations").arg(metaPath));
    for (const auto &c : meta.value(QStringLiteral("channels")).toArray()) {
        const auto chn = channelFromKey(c.toString());
        if (!chn)
            return makeError(QStringLiteral("%1: unknown channel \"%2\"").arg(metaPath, c.toString()));
        m->channels[ch(*chn)] = true;
    }
    m->trainedOn = meta.value(QStringLiteral("trained_on")).toString();
    m->metrics = meta.value(QStringLiteral("metrics")).toObject();
    for (const auto &f : w.value(QStringLiteral("features")).toArray())
        m->featureNames << f.toString();
    if (m->featureNames != m->features().names())
        return makeError(QStringLiteral("%1: its %2 features are not the ones this Stratus builds for its channels")
                             .arg(weightsPath)
                             .arg(m->featureNames.size()));
    for (const auto &c : w.value(QStringLiteral("climatology")).toArray())
        m->climatology.push_back(c.toDouble());
    if (m->daily && m->climatology.size() != 366)
        return makeError(QStringLiteral("%1: a daily model needs 366 climatology values").arg(weightsPath));
    const auto p = m->featureNames.size();
    for (const auto &tv : w.value(QStringLiteral("targets")).toArray()) {
        const QJsonObject o = tv.toObject();
        ModelTarget t;
        const auto chn = channelFromKey(o.value(QStringLiteral("variable")).toString());
        const QJsonArray ws = o.value(QStringLiteral("weights")).toArray();
        t.horizon = o.value(QStringLiteral("horizon")).toInt(0);
        t.regime = o.value(QStringLiteral("regime")).toInt(0);
        if (!chn || t.horizon < 1 || t.horizon > 24 * 366 || t.regime < 0 || t.regime >= m->regimeCount() || ws.size() != p)
            return makeError(QStringLiteral("%1 is corrupt: a target has an unknown variable, a bad horizon or %2 "
                                            "weights for %3 features")
                                 .arg(weightsPath)
                                 .arg(ws.size())
                                 .arg(p));
        t.variable = *chn;
        t.bias = o.value(QStringLiteral("bias")).toDouble();
        t.lambda = o.value(QStringLiteral("lambda")).toDouble();
        t.residualQ10 = o.value(QStringLiteral("q10")).toDouble();
        t.residualQ90 = o.value(QStringLiteral("q90")).toDouble();
        t.validationMae = o.value(QStringLiteral("validation_mae")).toDouble();
        t.weights.resize(p);
        for (qsizetype i = 0; i < p; ++i) {
            t.weights[i] = ws[i].toDouble(std::numeric_limits<double>::quiet_NaN());
            if (!std::isfinite(t.weights[i]))
                return makeError(QStringLiteral("%1 is corrupt: a weight is not a finite number").arg(weightsPath));
        }
        m->targets.push_back(std::move(t));
    }
    if (m->targets.empty())
        return makeError(QStringLiteral("%1 holds no regression targets").arg(weightsPath));
    for (const auto &sv : w.value(QStringLiteral("interval_scales")).toArray()) {
        const QJsonObject o = sv.toObject();
        IntervalScale sc;
        const auto chn = channelFromKey(o.value(QStringLiteral("variable")).toString());
        sc.horizon = o.value(QStringLiteral("horizon")).toInt(0);
        const QJsonArray st = o.value(QStringLiteral("station")).toArray();
        const QJsonArray se = o.value(QStringLiteral("season")).toArray();
        if (!chn || sc.horizon < 1 || st.size() != m->stations.size() || se.size() != 5)
            return makeError(QStringLiteral("%1 is corrupt: an interval scale has a bad variable, horizon or size")
                                 .arg(weightsPath));
        sc.variable = *chn;
        for (const auto &v : st)
            sc.station.push_back(v.toDouble(1.0));
        for (int k = 0; k < 5; ++k)
            sc.season[static_cast<size_t>(k)] = se[k].toDouble(k == 0 ? 1.0 : 0.0);
        m->intervalScales.push_back(std::move(sc));
    }
    const QJsonArray mean = w.value(QStringLiteral("feature_mean")).toArray();
    const QJsonArray lower = w.value(QStringLiteral("feature_cov_lower")).toArray();
    if (mean.size() != p || lower.size() != p * (p + 1) / 2)
        return makeError(QStringLiteral("%1 is corrupt: the feature means and covariance do not match its %2 features")
                             .arg(weightsPath)
                             .arg(p));
    m->featureMean.resize(p);
    m->featureCov.resize(p, p);
    for (qsizetype i = 0, k = 0; i < p; ++i) {
        m->featureMean[i] = mean[i].toDouble();
        for (qsizetype j = 0; j <= i; ++j, ++k)
            m->featureCov(i, j) = m->featureCov(j, i) = lower[k].toDouble();
    }
    const QJsonObject b = w.value(QStringLiteral("boost")).toObject();
    for (const auto &n : b.value(QStringLiteral("inputs")).toArray()) {
        if (!m->featureNames.contains(n.toString()))
            return makeError(QStringLiteral("%1 is corrupt: boosted-tree input \"%2\" is not a feature")
                                 .arg(weightsPath, n.toString()));
        m->boostInputs << n.toString();
    }
    if (m->boostInputs.size() + 2 > kMaxBoostInputs)
        return makeError(QStringLiteral("%1: too many boosted-tree inputs").arg(weightsPath));
    for (const auto &sv : b.value(QStringLiteral("stages")).toArray()) {
        const QJsonObject o = sv.toObject();
        BoostStage st;
        st.horizon = o.value(QStringLiteral("horizon")).toInt(0);
        st.intervalScale = o.value(QStringLiteral("interval_scale")).toDouble(1.0);
        st.blend = o.value(QStringLiteral("blend")).toDouble(-1);
        auto trees = BoostedTrees::fromJson(o.value(QStringLiteral("trees")).toObject(),
                                            static_cast<int>(m->boostInputs.size()) + 1);
        if (!trees)
            return makeError(QStringLiteral("%1 is corrupt: %2").arg(weightsPath, trees.errorMessage()));
        if (st.horizon < 1 || st.horizon > m->maxHorizon() || !(st.intervalScale > 0 && st.intervalScale < 10)
            || !(st.blend >= 0 && st.blend <= 1))
            return makeError(QStringLiteral("%1 is corrupt: a boosted-tree stage has a bad horizon or interval scale")
                                 .arg(weightsPath));
        st.trees = std::move(trees.value());
        m->boost.push_back(std::move(st));
    }
    m->index();
    return std::shared_ptr<const ForecastModel>(std::move(m));
}

} // namespace stratus
