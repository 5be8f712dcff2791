#include "PromotionPolicy.h"

#include <QJsonArray>

#include <cmath>
#include <limits>

namespace stratus {

double PromotionPolicy::meanMae(const QJsonObject &evaluation, const QString &which)
{
    double sum = 0;
    int n = 0;
    for (const QJsonValue &h : evaluation.value(QStringLiteral("horizons")).toArray()) {
        const QJsonValue mae = h.toObject().value(which).toObject().value(QStringLiteral("mae"));
        if (mae.isDouble()) {
            sum += mae.toDouble();
            ++n;
        }
    }
    return n ? sum / n : std::numeric_limits<double>::quiet_NaN();
}

PromotionPolicy::Decision PromotionPolicy::decide(const QJsonObject &candidate, const QJsonObject &active, double margin)
{
    Decision d;
    d.candidateMae = meanMae(candidate, QStringLiteral("model"));
    d.persistenceMae = meanMae(candidate, QStringLiteral("persistence"));
    d.sameHourYesterdayMae = meanMae(candidate, QStringLiteral("same_hour_yesterday"));
    auto f = [](double x) { return QString::number(x, 'f', 3); };
    if (std::isnan(d.candidateMae)) {
        d.reason = QStringLiteral("the candidate could not be scored on the held-back span");
        return d;
    }
    const double bestBaseline = std::min(d.persistenceMae, d.sameHourYesterdayMae);
    if (!(d.candidateMae < bestBaseline)) {
        d.reason = QStringLiteral("the candidate (MAE %1 °C) does not beat the baselines (persistence %2, same hour "
                                  "yesterday %3)")
                       .arg(f(d.candidateMae), f(d.persistenceMae), f(d.sameHourYesterdayMae));
        return d;
    }
    const double activeMae = active.isEmpty() ? std::numeric_limits<double>::quiet_NaN()
                                              : meanMae(active, QStringLiteral("model"));
    const double reference = std::isnan(activeMae) ? bestBaseline : activeMae;
    const QString against = std::isnan(activeMae) ? QStringLiteral("the best baseline (no active model)")
                                                  : QStringLiteral("the active model");
    if (!std::isnan(activeMae))
        d.activeMae = activeMae;
    const double needed = (1.0 - margin) * reference;
    if (d.candidateMae <= needed) {
        d.promote = true;
        d.reason = QStringLiteral("the candidate's MAE %1 °C beats %2's %3 °C by %4 % (margin %5 %)")
                       .arg(f(d.candidateMae), against, f(reference))
                       .arg(100.0 * (reference - d.candidateMae) / reference, 0, 'f', 1)
                       .arg(100.0 * margin, 0, 'f', 1);
    } else {
        d.reason = QStringLiteral("the candidate's MAE %1 °C does not beat %2's %3 °C by the margin of %4 % (needs "
                                  "≤ %5 °C)")
                       .arg(f(d.candidateMae), against, f(reference))
                       .arg(100.0 * margin, 0, 'f', 1)
                       .arg(f(needed));
    }
    return d;
}

QJsonObject PromotionPolicy::Decision::toJson() const
{
    auto num = [](double x) { return std::isnan(x) || x < 0 ? QJsonValue() : QJsonValue(std::round(x * 10000) / 10000); };
    return QJsonObject{{QStringLiteral("promoted"), promote},
                       {QStringLiteral("reason"), reason},
                       {QStringLiteral("candidate_mae"), num(candidateMae)},
                       {QStringLiteral("active_mae"), num(activeMae)},
                       {QStringLiteral("persistence_mae"), num(persistenceMae)},
                       {QStringLiteral("same_hour_yesterday_mae"), num(sameHourYesterdayMae)}};
}

} // namespace stratus
