#include "RetrainOptions.h"

#include "Config.h"
#include "RetrainSchedule.h"

#include <algorithm>

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
    const auto groups = parseGroups(v("groups"));
    if (!groups)
        return groups.error();
    o.groups = *groups;
    o.driftFactor = v("drift_factor").toDouble();
    o.driftMinutes = v("drift_minutes").toInt();
    o.psiThreshold = v("psi_threshold").toDouble();
    o.psiWindowHours = v("psi_window_hours").toInt();
    o.retrainOnDrift = config.boolValue(QStringLiteral("retrain/on_drift"));
    return o;
}

Result<QList<RetrainOptions::Group>> RetrainOptions::parseGroups(const QString &text)
{
    QList<Group> out;
    QStringList seen;
    for (const QString &part : text.split(u';', Qt::SkipEmptyParts)) {
        if (part.trimmed().isEmpty())
            continue;
        const qsizetype colon = part.indexOf(u':');
        if (colon < 0)
            return makeError(QStringLiteral("retrain/groups: \"%1\" is not NAME:STATION,STATION").arg(part.trimmed()));
        Group g;
        QString name = part.left(colon).trimmed();
        if (const qsizetype at = name.indexOf(u'@'); at >= 0) {
            bool ok = false;
            g.trainDays = name.mid(at + 1).trimmed().toInt(&ok);
            if (!ok || g.trainDays < 1)
                return makeError(QStringLiteral("retrain/groups: \"%1\" has no whole number of training days after @").arg(name));
            name = name.left(at).trimmed();
        }
        if (name.isEmpty() || name.contains(u'/') || name.contains(u'.'))
            return makeError(QStringLiteral("retrain/groups: \"%1\" needs a name (no '/' or '.')").arg(part.trimmed()));
        if (std::any_of(out.cbegin(), out.cend(), [&](const Group &o) { return o.name == name; }))
            return makeError(QStringLiteral("retrain/groups: the group name %1 is used twice").arg(name));
        g.name = name;
        for (const QString &s : part.mid(colon + 1).split(u',', Qt::SkipEmptyParts)) {
            const QString id = s.trimmed();
            if (id.isEmpty())
                continue;
            if (seen.contains(id))
                return makeError(QStringLiteral("retrain/groups: station %1 is in two groups").arg(id));
            seen << id;
            g.stations << id;
        }
        if (g.stations.isEmpty())
            return makeError(QStringLiteral("retrain/groups: group %1 has no stations").arg(name));
        out << g;
    }
    return out;
}

} // namespace stratus
