#include "IsolationForestDetector.h"

#include "AnomalyDetector.h"

#include <algorithm>
#include <cmath>

namespace stratus {

IsolationForestDetector::IsolationForestDetector() : IsolationForestDetector(Options()) {}
IsolationForestDetector::IsolationForestDetector(Options options) : m_options(options), m_forest(options.forest) {}

std::array<double, IsolationForestDetector::kDims> IsolationForestDetector::features(const Reading &r)
{
    static const auto floors = AnomalyDetector::Options::defaultScaleFloors();
    std::array<double, kDims> f{};
    StationState &st = m_state[r.stationId];
    thread_local std::vector<double> scratch;
    for (size_t k = 0; k < kVariables.size(); ++k) {
        const Variable v = kVariables[k];
        VarState &s = st[k];
        if (!r.has(v))
            continue; // missing: neutral features (0), the forest never sees a fabricated value
        const double x = r.value(v);
        const double floor = floors[static_cast<size_t>(index(v))];
        double z = 0;
        if (s.window.size() >= 5) {
            scratch = s.window;
            const size_t mid = scratch.size() / 2;
            std::nth_element(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(mid), scratch.end());
            const double med = scratch[mid];
            for (double &y : scratch)
                y = std::abs(y - med);
            std::nth_element(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(mid), scratch.end());
            z = (x - med) / std::max(1.4826 * scratch[mid], floor);
        }
        const double step = s.hasPrev ? (x - s.prev) / floor : 0;
        if (s.hasPrev && x == s.runValue)
            ++s.run;
        else
            s.run = 0;
        s.runValue = x;
        f[3 * k] = std::clamp(z, -50.0, 50.0);
        f[3 * k + 1] = std::clamp(step, -50.0, 50.0);
        f[3 * k + 2] = std::log1p(s.run);
        s.prev = x;
        s.hasPrev = true;
        if (static_cast<int>(s.window.size()) < m_options.window) {
            s.window.push_back(x);
        } else {
            s.window[s.head] = x;
            s.head = (s.head + 1) % s.window.size();
        }
    }
    return f;
}

bool IsolationForestDetector::train(const QList<Reading> &history)
{
    m_state.clear();
    std::vector<double> rows;
    rows.reserve(static_cast<size_t>(history.size()) * kDims);
    for (const Reading &r : history) {
        const auto f = features(r);
        rows.insert(rows.end(), f.begin(), f.end());
    }
    m_state.clear();
    if (!m_forest.train(rows, kDims))
        return false;
    std::vector<double> scores;
    const size_t n = rows.size() / kDims;
    scores.reserve(n);
    for (size_t i = 0; i < n; ++i)
        scores.push_back(m_forest.score(rows.data() + i * kDims));
    const size_t q = std::min(n - 1, static_cast<size_t>(m_options.quantile * static_cast<double>(n)));
    std::nth_element(scores.begin(), scores.begin() + static_cast<std::ptrdiff_t>(q), scores.end());
    m_threshold = scores[q];
    return true;
}

std::optional<Anomaly> IsolationForestDetector::process(const Reading &r)
{
    const auto f = features(r);
    if (!m_forest.trained())
        return std::nullopt;
    m_lastScore = m_forest.score(f.data());
    if (m_lastScore <= m_threshold)
        return std::nullopt;
    // Name the feature that stands out most, so the operator learns what the forest saw.
    size_t top = 0;
    for (size_t i = 1; i < f.size(); ++i) {
        if (std::abs(f[i]) > std::abs(f[top]))
            top = i;
    }
    const Variable v = kVariables[top / 3];
    Anomaly a;
    a.stationId = r.stationId;
    a.timestampMs = r.timestampMs;
    a.variable = v;
    a.value = r.value(v);
    a.kind = top % 3 == 1 ? AnomalyKind::Spike : top % 3 == 2 ? AnomalyKind::Stuck : AnomalyKind::WindowDeviation;
    a.score = (m_lastScore - 0.5) / std::max(m_threshold - 0.5, 1e-6);
    a.severity = a.score >= 2 ? Severity::Critical : Severity::Warning;
    static const char *const kWhat[] = {"robust deviation from its recent window", "step from the previous reading",
                                        "time without change"};
    a.reason = QStringLiteral("isolation forest score %1 above its threshold %2 (a %3 of ordinary history); "
                              "%4 stands out by its %5")
                   .arg(QString::number(m_lastScore, 'f', 3), QString::number(m_threshold, 'f', 3),
                        QStringLiteral("%1 % quantile").arg(m_options.quantile * 100), variableKey(v),
                        QString::fromLatin1(kWhat[top % 3]));
    return a;
}

} // namespace stratus
