#include "AlertRuleEngine.h"

#include "TimeUtil.h"

namespace stratus {

QString AlertRuleEngine::stateKey(State s)
{
    switch (s) {
    case State::Inactive: return QStringLiteral("inactive");
    case State::Pending: return QStringLiteral("pending");
    case State::Firing: return QStringLiteral("firing");
    }
    return {};
}

Result<QString> AlertRuleEngine::addRule(const QString &text)
{
    auto parsed = AlertRule::parse(text);
    if (!parsed)
        return parsed.error();
    return addRule(std::move(parsed).value());
}

Result<QString> AlertRuleEngine::addRule(AlertRule rule)
{
    rule.id = QStringLiteral("r%1").arg(m_nextId++);
    m_rules.append(rule);
    return rule.id;
}

bool AlertRuleEngine::removeRule(const QString &id)
{
    for (qsizetype i = 0; i < m_rules.size(); ++i) {
        if (m_rules[i].id == id) {
            m_rules.removeAt(i);
            for (auto it = m_tracks.begin(); it != m_tracks.end();) {
                if (it.key().rule == id)
                    it = m_tracks.erase(it);
                else
                    ++it;
            }
            return true;
        }
    }
    return false;
}

QList<AlertRule> AlertRuleEngine::rules() const { return m_rules; }

std::optional<AlertRule> AlertRuleEngine::rule(const QString &id) const
{
    for (const AlertRule &r : m_rules) {
        if (r.id == id)
            return r;
    }
    return std::nullopt;
}

Result<int> AlertRuleEngine::loadRules(const QStringList &lines)
{
    QList<AlertRule> parsed;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QString line = lines[i];
        // A # inside name="..." is text, not a comment.
        bool quoted = false;
        for (qsizetype c = 0; c < line.size(); ++c) {
            if (line[c] == u'"')
                quoted = !quoted;
            else if (line[c] == u'#' && !quoted) {
                line.truncate(c);
                break;
            }
        }
        if (line.trimmed().isEmpty())
            continue;
        auto r = AlertRule::parse(line);
        if (!r)
            return makeError(QStringLiteral("line %1: %2").arg(i + 1).arg(r.errorMessage()));
        parsed.append(*r);
    }
    for (AlertRule &r : parsed)
        addRule(r);
    return static_cast<int>(parsed.size());
}

void AlertRuleEngine::silence(const QString &stationId, qint64 untilMs, const QString &comment)
{
    m_silences.insert(stationId, Silence{stationId, untilMs, comment});
}

bool AlertRuleEngine::unsilence(const QString &stationId) { return m_silences.remove(stationId) > 0; }

QList<AlertRuleEngine::Silence> AlertRuleEngine::silences() const { return m_silences.values(); }

bool AlertRuleEngine::isSilenced(const QString &stationId, qint64 atMs) const
{
    for (const QString &key : {stationId, QStringLiteral("*")}) {
        const auto it = m_silences.constFind(key);
        if (it != m_silences.cend() && atMs < it->untilMs)
            return true;
    }
    return false;
}

QList<Anomaly> AlertRuleEngine::process(const QList<Reading> &readings)
{
    QList<Anomaly> out;
    for (const Reading &r : readings)
        out += process(r);
    return out;
}

QList<Anomaly> AlertRuleEngine::process(const Reading &reading)
{
    QList<Anomaly> out;
    for (const AlertRule &rule : std::as_const(m_rules)) {
        if (!rule.stationId.isEmpty() && rule.stationId != reading.stationId)
            continue;
        if (!reading.has(rule.variable))
            continue; // no data: the state waits for the next value, as Grafana's "keep last state"
        const double x = reading.value(rule.variable);
        const qint64 t = reading.timestampMs;
        Track &tr = m_tracks[Key{rule.id, reading.stationId}];
        if (tr.state != State::Inactive && t < tr.sinceMs)
            continue; // older than the condition's start: event time went backwards, ignore
        tr.value = x;
        const bool silenced = isSilenced(reading.stationId, t);
        if (rule.holds(x)) {
            if (tr.state == State::Inactive) {
                tr.state = State::Pending;
                tr.sinceMs = t;
                tr.announced = false;
            }
            if (tr.state == State::Pending && t - tr.sinceMs >= rule.forMs) {
                tr.state = State::Firing;
                if (!silenced) {
                    tr.announced = true;
                    out.append(notice(rule, reading.stationId, tr, t, true));
                }
            }
        } else {
            if (tr.state == State::Firing && tr.announced && !silenced)
                out.append(notice(rule, reading.stationId, tr, t, false));
            tr = Track{};
            tr.value = x;
        }
    }
    return out;
}

Anomaly AlertRuleEngine::notice(const AlertRule &rule, const QString &station, const Track &t, qint64 atMs,
                                bool firing) const
{
    Anomaly a;
    a.stationId = station;
    a.timestampMs = atMs;
    a.variable = rule.variable;
    a.kind = AnomalyKind::Rule;
    a.value = t.value;
    a.severity = firing ? rule.severity : Severity::Info;
    // Score: how far past the threshold, relative to the threshold's size (≥ 1 while firing).
    a.score = firing ? 1.0 + std::abs(t.value - rule.threshold) / std::max(1.0, std::abs(rule.threshold)) : 0.0;
    const QString label = rule.name.isEmpty() ? rule.id : QStringLiteral("%1 (%2)").arg(rule.id, rule.name);
    const QString unit = unitSymbol(rule.variable);
    const qint64 heldMs = atMs - t.sinceMs;
    if (firing)
        a.reason = QStringLiteral("firing: rule %1 \"%2\" at %3: %4 %5 %6 since %7 (%8 min)")
                       .arg(label, rule.toText(), station, variableKey(rule.variable), QString::number(t.value, 'f', 1),
                            unit, timeutil::toIsoUtc(t.sinceMs))
                       .arg(heldMs / 60'000);
    else
        a.reason = QStringLiteral("resolved: rule %1 \"%2\" at %3: %4 now %5 %6 (held from %7 for %8 min)")
                       .arg(label, rule.toText(), station, variableKey(rule.variable), QString::number(t.value, 'f', 1),
                            unit, timeutil::toIsoUtc(t.sinceMs))
                       .arg(heldMs / 60'000);
    return a;
}

QList<AlertRuleEngine::Status> AlertRuleEngine::active() const
{
    QList<Status> out;
    for (auto it = m_tracks.cbegin(); it != m_tracks.cend(); ++it) {
        if (it->state == State::Inactive)
            continue;
        out.append(Status{it.key().rule, it.key().station, it->state, it->sinceMs, it->value,
                          isSilenced(it.key().station, it->sinceMs)});
    }
    std::sort(out.begin(), out.end(), [](const Status &a, const Status &b) {
        return a.ruleId != b.ruleId ? a.ruleId < b.ruleId : a.stationId < b.stationId;
    });
    return out;
}

} // namespace stratus
