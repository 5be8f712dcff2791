#include "ModelDriftMonitor.h"

#include "forecast/ForecastModel.h"
#include "LiveAccuracy.h"
#include "TimeUtil.h"

#include <QJsonArray>

#include <cmath>
#include <optional>

namespace stratus {

namespace {
constexpr qint64 kHour = timeutil::kMsPerHour;
}

double ModelDriftMonitor::offlineMae(const ForecastModel &model, int h)
{
    for (const QJsonValue &v : model.metrics.value(QStringLiteral("holdout")).toObject().value(QStringLiteral("horizons")).toArray()) {
        const QJsonObject o = v.toObject();
        if (o.value(QStringLiteral("h")).toInt() == h && o.value(QStringLiteral("model")).toObject().value(QStringLiteral("mae")).isDouble())
            return o.value(QStringLiteral("model")).toObject().value(QStringLiteral("mae")).toDouble();
    }
    double sum = 0;
    int n = 0;
    for (const ModelTarget &t : model.targets) {
        if (t.variable == Channel::Temperature && t.horizon == h && t.validationMae > 0) {
            sum += t.validationMae;
            ++n;
        }
    }
    return n ? sum / n : std::numeric_limits<double>::quiet_NaN();
}

double ModelDriftMonitor::psiThreshold(const QJsonObject &featureReference, int n) const
{
    // The configured floor plus the small-sample bias of PSI ((bins − 1) / n, present even when
    // nothing moved), or the station's own calibration, whichever is higher.
    const double floor = m_options.psiThreshold + (FeatureStabilityIndex::kBins - 1.0) / static_cast<double>(std::max(n, 1));
    const double calibrated = kNullMargin * FeatureStabilityIndex::nullPsi(featureReference, n);
    return std::isnan(calibrated) ? floor : std::max(floor, calibrated);
}

void ModelDriftMonitor::setModel(std::shared_ptr<const ForecastModel> model)
{
    m_model = std::move(model);
    m_offline.clear();
    m_reference = {};
    if (m_model) {
        for (int h : kHorizons)
            m_offline[h] = offlineMae(*m_model, h);
        m_reference = m_model->metrics.value(QStringLiteral("input_reference")).toObject();
    }
    for (StationState &s : m_st) {
        s.snaps.clear();
        s.ratio.clear();
        s.errorAlerted = false;
        s.psiAlerted = {};
        s.recentPsi = {}; // scored against the new model's reference from scratch
        s.servedVersion.clear(); // offline errors re-read at the next hour
    }
}

QList<Anomaly> ModelDriftMonitor::observe(const QList<Reading> &readings, const LiveAccuracy *live)
{
    QList<Anomaly> out;
    std::optional<QJsonObject> liveJson; // built once per batch, when an hour completes
    for (const Reading &r : readings) {
        const qint64 slot = r.timestampMs - ((r.timestampMs % kHour) + kHour) % kHour;
        if (m_lastHour == 0)
            m_lastHour = slot;
        if (slot > m_lastHour) {
            // The hours before this reading's are complete (a replay may deliver days in one batch).
            if (!liveJson)
                liveJson = live && m_model ? live->toJson() : QJsonObject();
            for (qint64 h = std::max(m_lastHour, slot - 48 * kHour); h < slot; h += kHour)
                out += tick(h, *liveJson);
            m_lastHour = slot;
            for (StationState &s : m_st) {
                while (!s.hours.empty() && s.hours.begin()->first < slot - 6 * kHour)
                    s.hours.erase(s.hours.begin());
            }
        }
        StationState &s = m_st[r.stationId];
        auto &[t, p] = s.hours.try_emplace(slot, kMissing, kMissing).first->second;
        if (r.has(Variable::Temperature))
            t = r.value(Variable::Temperature);
        if (r.has(Variable::Pressure))
            p = r.value(Variable::Pressure);
    }
    return out;
}

QList<Anomaly> ModelDriftMonitor::tick(qint64 slotMs, const QJsonObject &live)
{
    QList<Anomaly> out;
    if (!m_model)
        return out;
    auto value = [](const StationState &s, qint64 ms, bool temperature) {
        const auto it = s.hours.find(ms);
        if (it == s.hours.end())
            return kMissing;
        return temperature ? it->second.first : it->second.second;
    };
    const qint64 window = std::max(1, m_options.psiWindowHours);
    for (auto it = m_st.begin(); it != m_st.end(); ++it) {
        StationState &s = it.value();
        const QString &id = it.key();
        std::shared_ptr<const ForecastModel> served = m_lookup ? m_lookup(id) : nullptr;
        if (!served)
            served = m_model;
        const QString version = served->version;
        if (s.servedVersion != version) {
            // Another model now serves this station: judge it from scratch by that model's numbers.
            s.servedVersion = version;
            s.snaps.clear();
            s.ratio.clear();
            s.recent.clear();
            s.recentPsi = {};
            s.psiAlerted = {};
            s.errorAlerted = false;
            s.offline.clear();
            for (int h : kHorizons)
                s.offline[h] = served == m_model ? m_offline[h] : offlineMae(*served, h);
        }
        // Input drift.
        std::vector<double> others;
        for (auto o = m_st.cbegin(); o != m_st.cend(); ++o) {
            if (o.key() == id)
                continue;
            const double v = value(o.value(), slotMs, true);
            if (!std::isnan(v))
                others.push_back(v);
        }
        const auto f = FeatureStabilityIndex::features(value(s, slotMs, true), value(s, slotMs - kHour, true),
                                                       FeatureStabilityIndex::median(others), value(s, slotMs, false),
                                                       value(s, slotMs - 3 * kHour, false));
        const QJsonObject ref = served == m_model ? m_reference.value(id).toObject()
                                                  : served->metrics.value(QStringLiteral("input_reference")).toObject().value(id).toObject();
        for (int k = 0; k < FeatureStabilityIndex::kFeatures; ++k) {
            auto &w = s.window[static_cast<size_t>(k)];
            if (!std::isnan(f[static_cast<size_t>(k)]))
                w.push_back(f[static_cast<size_t>(k)]);
            while (static_cast<qint64>(w.size()) > window)
                w.pop_front();
            const QJsonObject fr = ref.value(QLatin1String(FeatureStabilityIndex::kNames[static_cast<size_t>(k)])).toObject();
            // A full window only: PSI of a small sample is biased upwards by about (bins − 1) / n even
            // when nothing moved, so that bias is added to the threshold too.
            if (fr.isEmpty() || static_cast<qint64>(w.size()) < window)
                continue;
            auto &recent = s.recentPsi[static_cast<size_t>(k)];
            recent.push_back(FeatureStabilityIndex::psi(fr, std::vector<double>(w.begin(), w.end())));
            while (recent.size() > static_cast<size_t>(FeatureStabilityIndex::kPersistHours))
                recent.pop_front();
            if (recent.size() < static_cast<size_t>(FeatureStabilityIndex::kPersistHours))
                continue;
            const double psi = *std::min_element(recent.begin(), recent.end());
            s.psi[static_cast<size_t>(k)] = psi;
            const double threshold = psiThreshold(fr, static_cast<int>(w.size()));
            s.threshold[static_cast<size_t>(k)] = threshold;
            bool &alerted = s.psiAlerted[static_cast<size_t>(k)];
            if (!FeatureStabilityIndex::kAlerting[static_cast<size_t>(k)])
                continue; // reported in status(), never alerted on: it moves with the season
            if (psi > threshold && !alerted) {
                alerted = true;
                Anomaly a;
                a.stationId = id;
                a.timestampMs = slotMs + kHour;
                a.variable = k == 2 ? Variable::Pressure : Variable::Temperature;
                a.kind = AnomalyKind::Model;
                a.severity = Severity::Warning;
                a.score = psi / m_options.psiThreshold;
                a.value = psi;
                a.reason = QStringLiteral("input drift for model %1: %2 has a population stability index of at least %3 "
                                          "over each %4 h window of the last %5 h against its training data (threshold "
                                          "%6, calibrated on this station's training span)")
                               .arg(version, QLatin1String(FeatureStabilityIndex::kNames[static_cast<size_t>(k)]))
                               .arg(psi, 0, 'f', 2)
                               .arg(w.size())
                               .arg(FeatureStabilityIndex::kPersistHours)
                               .arg(threshold, 0, 'f', 2);
                out.append(a);
            } else if (alerted && psi < 0.5 * threshold) {
                alerted = false;
            }
        }

        // Error drift, first pass: live MAE over the last drift_minutes against the offline MAE.
        const QJsonObject byH = live.value(QStringLiteral("stations")).toObject().value(id).toObject().value(version).toObject().value(
            QStringLiteral("temperature")).toObject();
        const qint64 span = static_cast<qint64>(std::max(1, m_options.driftMinutes)) * 60'000;
        const double minN = std::max(3.0, m_options.driftMinutes / 120.0);
        for (int h : kHorizons) {
            const QJsonObject c = byH.value(QString::number(h)).toObject();
            const double cn = c.value(QStringLiteral("n")).toDouble();
            Snap now{slotMs + kHour, cn, cn * c.value(QStringLiteral("mae")).toDouble()};
            auto &snaps = s.snaps[h];
            snaps.push_back(now);
            // Keep the newest snapshot at least `span` old as the base of the window.
            while (snaps.size() > 2 && snaps[1].ms <= now.ms - span)
                snaps.pop_front();
            const Snap &base = snaps.front();
            const double dn = now.n - base.n;
            const double offline = s.offline[h];
            if (base.ms > now.ms - span || dn < minN || !(offline > 0)) {
                s.ratio.erase(h);
                s.recent.erase(h);
                continue;
            }
            const double recent = (now.sum - base.sum) / dn;
            s.ratio[h] = recent / offline;
            s.recent[h] = recent;
        }
    }

    // Error drift, second pass: against the other stations' ratios at the same horizon over the same
    // hours. A hard day (a front, a windy spring afternoon) raises every station's error above its
    // offline average — on Beijing's March a day's MAE at 2.5 × the held-back average is routine at a
    // healthy station at 12 … 24 h — so the alert counts only what is left after dividing by the
    // median of the peers' ratios (with at least kMinPeers peers; alone, the raw ratio).
    for (auto it = m_st.begin(); it != m_st.end(); ++it) {
        StationState &s = it.value();
        const QString &id = it.key();
        QStringList above;
        double worst = 0, worstLive = 0;
        s.adjusted.clear();
        for (const auto &[h, raw] : s.ratio) {
            std::vector<double> peers;
            for (auto o = m_st.cbegin(); o != m_st.cend(); ++o) {
                if (o.key() == id)
                    continue;
                if (const auto r = o->ratio.find(h); r != o->ratio.end())
                    peers.push_back(r->second);
            }
            const double peer = static_cast<int>(peers.size()) >= kMinPeers ? FeatureStabilityIndex::median(peers) : 1.0;
            const double ratio = peer > 0 ? raw / peer : raw;
            s.adjusted[h] = ratio;
            if (ratio > m_options.driftFactor) {
                const double recent = s.recent[h];
                above << QStringLiteral("%1 h: %2 °C vs %3 °C offline, %4 × the other stations' ratio")
                             .arg(h)
                             .arg(recent, 0, 'f', 2)
                             .arg(s.offline[h], 0, 'f', 2)
                             .arg(ratio, 0, 'f', 2);
                if (ratio > worst) {
                    worst = ratio;
                    worstLive = recent;
                }
            }
        }
        if (!above.isEmpty() && !s.errorAlerted) {
            s.errorAlerted = true;
            Anomaly a;
            a.stationId = id;
            a.timestampMs = slotMs + kHour;
            a.variable = Variable::Temperature;
            a.kind = AnomalyKind::Model;
            a.severity = worst > 2 * m_options.driftFactor ? Severity::Critical : Severity::Warning;
            a.score = worst / m_options.driftFactor;
            a.value = worstLive;
            a.reason = QStringLiteral("model %1 drifted: live temperature MAE over the last %2 min above %3 × its offline "
                                      "MAE, relative to the other stations' (%4)")
                           .arg(s.servedVersion)
                           .arg(m_options.driftMinutes)
                           .arg(m_options.driftFactor)
                           .arg(above.join(QStringLiteral("; ")));
            out.append(a);
        } else if (above.isEmpty() && !s.ratio.empty()) {
            s.errorAlerted = false;
        }
    }
    return out;
}

QJsonObject ModelDriftMonitor::status() const
{
    QJsonObject stations;
    for (auto it = m_st.cbegin(); it != m_st.cend(); ++it) {
        QJsonObject psi, thresholds, ratio;
        for (int k = 0; k < FeatureStabilityIndex::kFeatures; ++k) {
            if (it->psi[static_cast<size_t>(k)] > 0) {
                psi[QLatin1String(FeatureStabilityIndex::kNames[static_cast<size_t>(k)])] =
                    std::round(it->psi[static_cast<size_t>(k)] * 1000) / 1000;
                thresholds[QLatin1String(FeatureStabilityIndex::kNames[static_cast<size_t>(k)])] =
                    std::round(it->threshold[static_cast<size_t>(k)] * 1000) / 1000;
            }
        }
        QJsonObject adjusted;
        for (const auto &[h, r] : it->ratio)
            ratio[QString::number(h)] = std::round(r * 1000) / 1000;
        for (const auto &[h, r] : it->adjusted)
            adjusted[QString::number(h)] = std::round(r * 1000) / 1000;
        stations[it.key()] = QJsonObject{{QStringLiteral("psi"), psi}, {QStringLiteral("psi_threshold"), thresholds},
                                        {QStringLiteral("live_vs_offline_mae"), ratio},
                                        {QStringLiteral("live_vs_offline_mae_vs_peers"), adjusted}};
    }
    return QJsonObject{{QStringLiteral("model"), m_model ? m_model->version : QString()},
                       {QStringLiteral("stations"), stations}};
}

} // namespace stratus
