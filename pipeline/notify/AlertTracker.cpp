#include "AlertTracker.h"

#include "TimeUtil.h"

#include <QRegularExpression>

#include <cmath>

namespace stratus {

static_assert(static_cast<int>(AnomalyKind::Rule) == AlertTracker::kKinds - 1, "kKinds counts every AnomalyKind");
static_assert(static_cast<int>(Severity::Critical) == AlertTracker::kSeverities - 1);

namespace {
QString groupKeyOf(const QString &station, AnomalyKind kind)
{
    return station + u'|' + anomalyKindKey(kind);
}

QString valueText(const Anomaly &a)
{
    if (!std::isfinite(a.value))
        return QString();
    const QString number = QString::number(a.value, 'g', 6);
    // A model alert's value is a drift score or an error, not a reading: no unit of the variable.
    return a.kind == AnomalyKind::Model ? number : number + u' ' + unitSymbol(a.variable);
}
} // namespace

QString AlertTracker::alertName(AnomalyKind kind)
{
    switch (kind) {
    case AnomalyKind::OutOfRange: return QStringLiteral("StratusOutOfRange");
    case AnomalyKind::Spike: return QStringLiteral("StratusSpike");
    case AnomalyKind::WindowDeviation: return QStringLiteral("StratusWindowDeviation");
    case AnomalyKind::ForecastResidual: return QStringLiteral("StratusForecastResidual");
    case AnomalyKind::Stuck: return QStringLiteral("StratusStuckSensor");
    case AnomalyKind::Dropout: return QStringLiteral("StratusDropout");
    case AnomalyKind::Spatial: return QStringLiteral("StratusSpatialInconsistency");
    case AnomalyKind::Model: return QStringLiteral("StratusModelDrift");
    case AnomalyKind::Rule: return QStringLiteral("StratusRule");
    }
    return QStringLiteral("Stratus");
}

QString AlertTracker::fingerprintOf(const QMap<QString, QString> &labels)
{
    // Alertmanager's model.LabelSet.Fingerprint(): FNV-1a 64 over name, 0xff, value, 0xff of each
    // label in name order, printed as 16 hex digits; the webhook's fingerprints then match its own.
    quint64 h = 14695981039346656037ULL;
    const auto add = [&h](const QByteArray &bytes) {
        for (const char c : bytes) {
            h ^= static_cast<unsigned char>(c);
            h *= 1099511628211ULL;
        }
        h ^= 0xffU;
        h *= 1099511628211ULL;
    };
    for (auto it = labels.cbegin(); it != labels.cend(); ++it) {
        add(it.key().toUtf8());
        add(it.value().toUtf8());
    }
    return QStringLiteral("%1").arg(h, 16, 16, QLatin1Char('0'));
}

std::optional<AlertTracker::RuleNotice> AlertTracker::ruleNotice(const Anomaly &a)
{
    // The text AlertRuleEngine::notice() writes: "firing: rule r1 …" / "resolved: rule r1 …".
    static const QRegularExpression re(QStringLiteral("^(firing|resolved): rule (\\S+)"));
    if (a.kind != AnomalyKind::Rule)
        return std::nullopt;
    const auto m = re.match(a.reason);
    if (!m.hasMatch())
        return std::nullopt;
    return RuleNotice{m.captured(2), m.captured(1) == QLatin1String("firing")};
}

qint64 AlertTracker::holdMs(AnomalyKind kind) const
{
    switch (kind) {
    case AnomalyKind::Rule:
    case AnomalyKind::Dropout: return 0;
    case AnomalyKind::Model: return m_options.modelResolveAfterMs;
    default: return m_options.resolveAfterMs;
    }
}

QMap<QString, QString> AlertTracker::annotationsOf(const Anomaly &a) const
{
    QMap<QString, QString> out;
    const QString value = valueText(a);
    out.insert(QStringLiteral("summary"), QStringLiteral("%1 %2 at %3: %4%5")
                                              .arg(severityKey(a.severity), anomalyKindKey(a.kind), a.stationId,
                                                   variableKey(a.variable),
                                                   value.isEmpty() ? QString() : u' ' + value));
    out.insert(QStringLiteral("description"), a.reason);
    if (!value.isEmpty())
        out.insert(QStringLiteral("value"), value);
    out.insert(QStringLiteral("score"), QString::number(a.score, 'f', 2));
    out.insert(QStringLiteral("event_time"), timeutil::toIsoUtc(a.timestampMs));
    if (!m_options.linkBase.isEmpty())
        out.insert(QStringLiteral("station_url"),
                   m_options.linkBase + QStringLiteral("/stations/") + QString::fromUtf8(QUrl::toPercentEncoding(a.stationId)));
    return out;
}

void AlertTracker::fire(const Anomaly &a, const QString &identity, const QString &ruleId, qint64 nowMs,
                        QStringList *changed)
{
    if (const auto it = m_firing.constFind(identity); it != m_firing.cend()) {
        Alert &current = m_alerts[*it];
        current.lastSeenMs = nowMs;
        current.eventMs = std::max(current.eventMs, a.timestampMs);
        if (a.severity <= current.severity) {
            current.annotations = annotationsOf(a); // the latest reason travels with the next resend
            return;
        }
        resolve(current, nowMs, changed); // escalation: a new label set
    }
    QMap<QString, QString> labels{{QStringLiteral("alertname"), alertName(a.kind)},
                                  {QStringLiteral("station"), a.stationId},
                                  {QStringLiteral("variable"), variableKey(a.variable)},
                                  {QStringLiteral("kind"), anomalyKindKey(a.kind)},
                                  {QStringLiteral("severity"), severityKey(a.severity)}};
    if (!ruleId.isEmpty())
        labels.insert(QStringLiteral("rule"), ruleId);
    const QString fp = fingerprintOf(labels);
    Alert &n = m_alerts[fp]; // a resolved alert of the same labels fires again as a new episode
    n.fingerprint = fp;
    n.identity = identity;
    n.groupKey = groupKeyOf(a.stationId, a.kind);
    n.labels = labels;
    n.annotations = annotationsOf(a);
    n.generatorUrl = n.annotations.value(QStringLiteral("station_url"));
    n.stationId = a.stationId;
    n.kind = a.kind;
    n.severity = a.severity;
    n.startsAtMs = std::min(a.timestampMs, nowMs);
    n.lastSeenMs = nowMs;
    n.eventMs = a.timestampMs;
    n.resolvedAtMs = 0;
    m_firing.insert(identity, fp);
    m_groups[n.groupKey].insert(fp);
    if (a.kind == AnomalyKind::Dropout)
        m_dropouts[a.stationId].insert(fp);
    changed->append(fp);
}

void AlertTracker::resolve(Alert &alert, qint64 nowMs, QStringList *changed)
{
    alert.resolvedAtMs = std::max(nowMs, alert.startsAtMs + 1); // Alertmanager wants endsAt after startsAt
    if (m_firing.value(alert.identity) == alert.fingerprint)
        m_firing.remove(alert.identity);
    if (alert.kind == AnomalyKind::Dropout) {
        auto it = m_dropouts.find(alert.stationId);
        if (it != m_dropouts.end()) {
            it->remove(alert.fingerprint);
            if (it->isEmpty())
                m_dropouts.erase(it);
        }
    }
    changed->append(alert.fingerprint);
}

QStringList AlertTracker::observe(const QList<Anomaly> &anomalies, qint64 nowMs)
{
    QStringList changed;
    for (const Anomaly &a : anomalies) {
        const QString base = anomalyKindKey(a.kind) + u'|' + a.stationId + u'|' + variableKey(a.variable);
        if (a.kind != AnomalyKind::Rule) {
            if (a.severity >= m_options.minSeverity)
                fire(a, base, QString(), nowMs, &changed);
            continue;
        }
        const auto notice = ruleNotice(a);
        if (!notice)
            continue;
        const QString identity = base + u'|' + notice->ruleId;
        if (notice->firing) {
            if (a.severity >= m_options.minSeverity)
                fire(a, identity, notice->ruleId, nowMs, &changed);
        } else if (const auto it = m_firing.constFind(identity); it != m_firing.cend()) {
            resolve(m_alerts[*it], nowMs, &changed); // a resolve is info: never filtered by severity
        }
    }
    return changed;
}

QStringList AlertTracker::observeReadings(const QList<Reading> &readings, qint64 nowMs)
{
    QStringList changed;
    if (m_dropouts.isEmpty())
        return changed;
    for (const Reading &r : readings) {
        const auto it = m_dropouts.constFind(r.stationId);
        if (it == m_dropouts.cend())
            continue;
        const QSet<QString> fps = *it; // resolve() edits the index
        for (const QString &fp : fps) {
            Alert &alert = m_alerts[fp];
            if (r.timestampMs > alert.eventMs) // the reading that ended a gap is not news of a new one
                resolve(alert, nowMs, &changed);
        }
    }
    return changed;
}

QStringList AlertTracker::expire(qint64 nowMs)
{
    QStringList changed, gone;
    for (auto it = m_alerts.begin(); it != m_alerts.end(); ++it) {
        Alert &a = it.value();
        if (!a.firing()) {
            if (nowMs - a.resolvedAtMs > m_options.resolvedRetentionMs)
                gone.append(it.key());
            continue;
        }
        const qint64 hold = holdMs(a.kind);
        if (hold > 0 && nowMs - a.lastSeenMs >= hold)
            resolve(a, nowMs, &changed);
    }
    for (const QString &fp : std::as_const(gone))
        forget(fp);
    return changed;
}

void AlertTracker::forget(const QString &fingerprint)
{
    const auto it = m_alerts.constFind(fingerprint);
    if (it == m_alerts.cend())
        return;
    if (auto g = m_groups.find(it->groupKey); g != m_groups.end()) {
        g->remove(fingerprint);
        if (g->isEmpty())
            m_groups.erase(g);
    }
    m_alerts.erase(it);
}

const AlertTracker::Alert *AlertTracker::find(const QString &fingerprint) const
{
    const auto it = m_alerts.constFind(fingerprint);
    return it == m_alerts.cend() ? nullptr : &it.value();
}

QList<const AlertTracker::Alert *> AlertTracker::group(const QString &groupKey) const
{
    QList<const Alert *> out;
    for (const QString &fp : m_groups.value(groupKey)) {
        if (const Alert *a = find(fp))
            out.append(a);
    }
    std::sort(out.begin(), out.end(), [](const Alert *x, const Alert *y) {
        return x->startsAtMs != y->startsAtMs ? x->startsAtMs < y->startsAtMs : x->fingerprint < y->fingerprint;
    });
    return out;
}

AlertTracker::Counts AlertTracker::firingCounts() const
{
    Counts c{};
    for (const QString &fp : m_firing)
        if (const Alert *a = find(fp))
            ++c[static_cast<size_t>(a->kind)][static_cast<size_t>(a->severity)];
    return c;
}

} // namespace stratus
