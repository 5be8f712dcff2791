#include "RetrainOptions.h"

#include "Config.h"
#include "RetrainSchedule.h"

namespace stratus {

Result<RetrainOptions> RetrainOptions::fromConfig(const Config &config)
{
    RetrainOptions o;
    auto v = [&](const char *k) { return config.value(QStringLiteral("retrain/") + QLatin1String(k)); };
    o.schedule = v("schedule").trimmed();
    if (o.schedule.isEmpty())
        o.schedule = QStringLiteral("off");
    if (const auto s = RetrainSchedule::parse(o.schedule); !s)
        return s.error();
    o.margin = v("margin").toDouble();
    o.trainDays = v("train_days").toInt();
    o.heldBackDays = v("held_back_days").toInt();
    for (const QString &s : v("stations").split(u',', Qt::SkipEmptyParts))
        o.stations << s.trimmed();
    o.driftFactor = v("drift_factor").toDouble();
    o.driftMinutes = v("drift_minutes").toInt();
    o.psiThreshold = v("psi_threshold").toDouble();
    o.psiWindowHours = v("psi_window_hours").toInt();
    o.retrainOnDrift = config.boolValue(QStringLiteral("retrain/on_drift"));
    return o;
}

} // namespace stratus
