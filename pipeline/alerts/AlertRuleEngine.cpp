#include "AlertRuleEngine.h"

#include "TimeUtil.h"

#include <algorithm>

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
    if (rule.id.isEmpty()) {
        // Skip numbers a restored rule already holds.
        do
            rule.id = QStringLiteral("r%1").arg(m_nextId++);
        while (this->rule(rule.id));
    } else if (this->rule(rule.id)) {
        return makeError(QStringLiteral("a rule with id \"%1\" exists already").arg(rule.id));
    }
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

QString AlertRuleEngine::silence(const QString &stationId, qint64 untilMs, const QString &comment)
{
    unsilence(stationId);
    Silence s;
    s.stationId = stationId;
    s.untilMs = untilMs;
    s.comment = comment;
    return addSilence(s);
}

QString AlertRuleEngine::addSilence(Silence silence)
{
    const auto taken = [this](const QString &id) {
        return std::any_of(m_silences.cbegin(), m_silences.cend(), [&](const Silence &s) { return s.id == id; });
    };
    if (silence.id.isEmpty() || taken(silence.id)) {
        do
            silence.id = QStringLiteral("s%1").arg(m_nextSilence++);
        while (taken(silence.id));
    }
    m_silences.append(silence);
    return silence.id;
}

bool AlertRuleEngine::removeSilence(const QString &id)
{
    return m_silences.removeIf([&](const Silence &s) { return s.id == id; }) > 0;
}

bool AlertRuleEngine::unsilence(const QString &stationId)
{
    return m_silences.removeIf([&](const Silence &s) { return s.stationId == stationId; }) > 0;
}

QList<AlertRuleEngine::Silence> AlertRuleEngine::silences() const { return m_silences; }

bool AlertRuleEngine::isSilenced(const QString &stationId, qint64 atMs) const
{
    return std::any_of(m_silences.cbegin(), m_silences.cend(),
                       [&](const Silence &s) { return s.covers(stationId, atMs); });
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
                tr.move(State::Pending, t, x);
                tr.sinceMs = t;
                tr.announced = false;
            }
            if (tr.state == State::Pending && t - tr.sinceMs >= rule.forMs) {
                tr.move(State::Firing, t, x);
                tr.firingSinceMs = t;
                if (!silenced) {
                    tr.announced = true;
                    out.append(notice(rule, reading.stationId, tr, t, true));
                }
            }
        } else if (tr.state != State::Inactive) {
            if (tr.state == State::Firing) {
                tr.lastResolvedMs = t;
                // An announced firing is always resolved, silenced or not: whatever heard the firing
                // (the alert panel, an Alertmanager) must not keep it firing forever.
                if (tr.announced)
                    out.append(notice(rule, reading.stationId, tr, t, false));
            }
            tr.move(State::Inactive, t, x);
            tr.sinceMs = 0;
            tr.firingSinceMs = 0;
            tr.announced = false;
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
        out.append(statusOf(it.key(), *it));
    }
    std::sort(out.begin(), out.end(), [](const Status &a, const Status &b) {
        return a.ruleId != b.ruleId ? a.ruleId < b.ruleId : a.stationId < b.stationId;
    });
    return out;
}

AlertRuleEngine::Status AlertRuleEngine::statusOf(const Key &key, const Track &t) const
{
    Status s;
    s.ruleId = key.rule;
    s.stationId = key.station;
    s.state = t.state;
    s.sinceMs = t.sinceMs;
    s.firingSinceMs = t.firingSinceMs;
    s.value = t.value;
    s.silenced = isSilenced(key.station, t.history.isEmpty() ? t.sinceMs : t.history.last().atMs);
    s.lastResolvedMs = t.lastResolvedMs;
    s.history = t.history;
    return s;
}

QList<AlertRuleEngine::Status> AlertRuleEngine::statuses(const QString &ruleId) const
{
    QList<Status> out;
    for (auto it = m_tracks.cbegin(); it != m_tracks.cend(); ++it) {
        if (it.key().rule == ruleId)
            out.append(statusOf(it.key(), *it));
    }
    std::sort(out.begin(), out.end(), [](const Status &a, const Status &b) { return a.stationId < b.stationId; });
    return out;
}

} // namespace stratus
