#include "AlertManager.h"

#include "TimeUtil.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QSaveFile>

#include <algorithm>

namespace stratus {

namespace {
constexpr int kStateVersion = 1;

QString originKey(AlertManager::Origin o) { return o == AlertManager::Origin::Config ? QStringLiteral("config") : QStringLiteral("api"); }

// Times are UTC epoch milliseconds, as everywhere in the API; null when there is none.
QJsonValue msOrNull(qint64 ms) { return ms > 0 ? QJsonValue(ms) : QJsonValue(QJsonValue::Null); }

// The envelope of the rules and silences listings: {"count", "now", key: [...]}.
QJsonObject listing(const QString &key, const QJsonArray &list, qint64 nowMs)
{
    return QJsonObject{{QStringLiteral("count"), list.size()}, {QStringLiteral("now"), nowMs}, {key, list}};
}
qint64 msOf(const QJsonValue &v) { return v.isDouble() ? v.toInteger() : 0; }

qint64 now() { return QDateTime::currentMSecsSinceEpoch(); }
} // namespace

AlertManager::AlertManager(Clock clock) : m_clock(clock) {}

QString AlertManager::stateFile() const
{
    QMutexLocker lock(&m_mutex);
    return m_stateFile;
}

Result<int> AlertManager::setStateFile(const QString &path)
{
    QMutexLocker lock(&m_mutex);
    m_stateFile = path;
    if (path.isEmpty() || !QFileInfo::exists(path))
        return 0;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("alert state %1: cannot read: %2").arg(path, f.errorString()));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    const auto bad = [&](const QString &why) {
        // Never overwrite a file we could not read: it may hold the only copy of the user's rules.
        m_stateFile.clear();
        return makeError(QStringLiteral("alert state %1: %2 (the file is left as it is; rules and silences added now are "
                                        "not saved)")
                             .arg(path, why));
    };
    if (pe.error != QJsonParseError::NoError)
        return bad(QStringLiteral("not JSON: %1 at byte %2").arg(pe.errorString()).arg(pe.offset));
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("version")).toInt() != kStateVersion)
        return bad(QStringLiteral("version %1, expected %2").arg(root.value(QStringLiteral("version")).toInt()).arg(kStateVersion));
    QList<RuleEntry> rules;
    for (const QJsonValue &v : root.value(QStringLiteral("rules")).toArray()) {
        const QJsonObject o = v.toObject();
        const QString id = o.value(QStringLiteral("id")).toString();
        auto parsed = AlertRule::parse(o.value(QStringLiteral("rule")).toString());
        if (!parsed)
            return bad(QStringLiteral("rule %1: %2").arg(id, parsed.errorMessage()));
        if (!id.startsWith(u'a'))
            return bad(QStringLiteral("rule id \"%1\" is not an API rule id (a<n>)").arg(id));
        RuleEntry e;
        e.rule = *parsed;
        e.rule.id = id;
        e.expression = o.value(QStringLiteral("expression")).toString();
        e.origin = Origin::Api;
        e.author = o.value(QStringLiteral("author")).toString();
        e.createdAtMs = msOf(o.value(QStringLiteral("created_at")));
        rules.append(e);
    }
    QList<SilenceEntry> silences;
    for (const QJsonValue &v : root.value(QStringLiteral("silences")).toArray()) {
        const QJsonObject o = v.toObject();
        SilenceEntry e;
        e.silence.id = o.value(QStringLiteral("id")).toString();
        e.silence.stationId = o.value(QStringLiteral("station")).toString();
        const qint64 until = msOf(o.value(QStringLiteral("until")));
        if (e.silence.id.isEmpty() || e.silence.stationId.isEmpty() || until <= 0)
            return bad(QStringLiteral("silence \"%1\" lacks an id, a station or an until time").arg(e.silence.id));
        e.silence.startsAtMs = msOf(o.value(QStringLiteral("starts_at")));
        e.silence.untilMs = until;
        e.silence.comment = o.value(QStringLiteral("comment")).toString();
        e.silence.author = o.value(QStringLiteral("author")).toString();
        e.createdAtMs = msOf(o.value(QStringLiteral("created_at")));
        e.origin = o.value(QStringLiteral("origin")).toString();
        silences.append(e);
    }
    for (RuleEntry &e : rules) {
        if (const auto added = m_engine.addRule(e.rule); !added)
            return bad(added.errorMessage());
        m_rules.append(e);
        m_nextApiRule = std::max(m_nextApiRule, e.rule.id.mid(1).toInt() + 1);
    }
    for (SilenceEntry &e : silences) {
        e.silence.id = m_engine.addSilence(e.silence);
        m_silences.append(e);
    }
    return static_cast<int>(rules.size() + silences.size());
}

int AlertManager::loadConfigRules(const QStringList &lines, QStringList *problems)
{
    QMutexLocker lock(&m_mutex);
    int added = 0;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = lines[i].trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        // One line through the engine's own loader, so comments after a rule are handled the same way.
        AlertRuleEngine check;
        const auto one = check.loadRules({line});
        if (!one || check.rules().isEmpty()) {
            if (problems)
                *problems << QStringLiteral("alert rule line %1: %2").arg(i + 1).arg(one.errorMessage());
            continue;
        }
        AlertRule rule = check.rules().constFirst();
        rule.id.clear();
        const auto id = m_engine.addRule(rule);
        if (!id)
            continue;
        rule.id = *id;
        m_rules.append(RuleEntry{rule, line, Origin::Config, QString(), 0});
        ++added;
    }
    return added;
}

Result<AlertManager::RuleEntry> AlertManager::addRule(AlertRule rule, const QString &expression, const QString &author)
{
    QMutexLocker lock(&m_mutex);
    auto taken = [this](const QString &id) { return m_engine.rule(id).has_value(); };
    do
        rule.id = QStringLiteral("a%1").arg(m_nextApiRule++);
    while (taken(rule.id));
    if (const auto added = m_engine.addRule(rule); !added)
        return added.error();
    RuleEntry e{rule, expression.trimmed(), Origin::Api, author, now()};
    m_rules.append(e);
    if (const auto saved = saveLocked(); !saved) {
        m_rules.removeLast();
        m_engine.removeRule(rule.id);
        return saved.error();
    }
    return e;
}

AlertManager::RemoveResult AlertManager::removeRule(const QString &id, QString *error)
{
    QMutexLocker lock(&m_mutex);
    const auto it = std::find_if(m_rules.begin(), m_rules.end(), [&](const RuleEntry &e) { return e.rule.id == id; });
    if (it == m_rules.end())
        return RemoveResult::Unknown;
    if (it->origin == Origin::Config)
        return RemoveResult::ReadOnly;
    const RuleEntry kept = *it;
    m_rules.erase(it);
    if (const auto saved = saveLocked(); !saved) {
        m_rules.append(kept);
        if (error)
            *error = saved.errorMessage();
        return RemoveResult::NotSaved;
    }
    m_engine.removeRule(id);
    return RemoveResult::Removed;
}

QList<AlertManager::RuleEntry> AlertManager::rules() const
{
    QMutexLocker lock(&m_mutex);
    return m_rules;
}

Result<AlertManager::SilenceEntry> AlertManager::addSilence(AlertRuleEngine::Silence silence, const QString &origin)
{
    QMutexLocker lock(&m_mutex);
    silence.id.clear();
    silence.id = m_engine.addSilence(silence);
    SilenceEntry e{silence, now(), origin};
    m_silences.append(e);
    if (const auto saved = saveLocked(); !saved) {
        m_silences.removeLast();
        m_engine.removeSilence(silence.id);
        return saved.error();
    }
    return e;
}

bool AlertManager::removeSilence(const QString &id, QString *error)
{
    QMutexLocker lock(&m_mutex);
    const auto it = std::find_if(m_silences.begin(), m_silences.end(), [&](const SilenceEntry &e) { return e.silence.id == id; });
    if (it == m_silences.end())
        return false;
    const SilenceEntry kept = *it;
    m_silences.erase(it);
    if (const auto saved = saveLocked(); !saved) {
        m_silences.append(kept);
        if (error)
            *error = saved.errorMessage();
        return false;
    }
    m_engine.removeSilence(id);
    return true;
}

int AlertManager::removeSilencesOf(const QString &stationId)
{
    QMutexLocker lock(&m_mutex);
    const QList<SilenceEntry> before = m_silences;
    const int n = static_cast<int>(m_silences.removeIf([&](const SilenceEntry &e) { return e.silence.stationId == stationId; }));
    if (n == 0)
        return 0;
    if (!saveLocked()) {
        m_silences = before;
        return 0;
    }
    m_engine.unsilence(stationId);
    return n;
}

QList<AlertManager::SilenceEntry> AlertManager::silences() const
{
    QMutexLocker lock(&m_mutex);
    return m_silences;
}

bool AlertManager::isSilenced(const QString &stationId, qint64 atMs) const
{
    QMutexLocker lock(&m_mutex);
    return m_engine.isSilenced(stationId, atMs);
}

QStringList AlertManager::silencedStations(qint64 atMs) const
{
    QMutexLocker lock(&m_mutex);
    QStringList out;
    for (const SilenceEntry &e : m_silences) {
        if (e.silence.covers(e.silence.stationId, atMs) && !out.contains(e.silence.stationId))
            out << e.silence.stationId;
    }
    out.sort();
    return out;
}

QList<Anomaly> AlertManager::process(const QList<Reading> &readings)
{
    QMutexLocker lock(&m_mutex);
    for (const Reading &r : readings)
        m_watermarkMs = std::max(m_watermarkMs, r.timestampMs);
    return m_engine.process(readings);
}

qint64 AlertManager::clockLocked() const
{
    // A replay before its first reading has no event time yet: the wall clock stands in.
    return m_clock == Clock::EventTime && m_watermarkMs > 0 ? m_watermarkMs : now();
}

qint64 AlertManager::clockMs() const
{
    QMutexLocker lock(&m_mutex);
    return clockLocked();
}

qint64 AlertManager::watermarkMs() const
{
    QMutexLocker lock(&m_mutex);
    return m_watermarkMs;
}

QJsonObject AlertManager::ruleJsonLocked(const RuleEntry &e, qint64 nowMs) const
{
    const AlertRule &r = e.rule;
    QJsonObject o;
    o.insert(QStringLiteral("id"), r.id);
    o.insert(QStringLiteral("expression"), e.expression);
    o.insert(QStringLiteral("canonical"), r.toText());
    o.insert(QStringLiteral("name"), r.name);
    o.insert(QStringLiteral("variable"), variableKey(r.variable));
    o.insert(QStringLiteral("op"), AlertRule::opSymbol(r.op));
    o.insert(QStringLiteral("threshold"), r.threshold);
    o.insert(QStringLiteral("unit"), unitSymbol(r.variable));
    o.insert(QStringLiteral("scope"), r.stationId.isEmpty() ? QStringLiteral("all") : QStringLiteral("station"));
    o.insert(QStringLiteral("station"), r.stationId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(r.stationId));
    o.insert(QStringLiteral("for"), AlertRule::durationText(r.forMs));
    o.insert(QStringLiteral("for_ms"), r.forMs);
    o.insert(QStringLiteral("severity"), severityKey(r.severity));
    o.insert(QStringLiteral("origin"), originKey(e.origin));
    o.insert(QStringLiteral("read_only"), e.origin == Origin::Config);
    o.insert(QStringLiteral("author"), e.author);
    o.insert(QStringLiteral("created_at"), msOrNull(e.createdAtMs));
    QJsonArray states;
    int pending = 0, firing = 0;
    for (const AlertRuleEngine::Status &s : m_engine.statuses(r.id)) {
        QJsonObject so;
        so.insert(QStringLiteral("station"), s.stationId);
        so.insert(QStringLiteral("state"), AlertRuleEngine::stateKey(s.state));
        so.insert(QStringLiteral("since"), msOrNull(s.sinceMs));
        so.insert(QStringLiteral("firing_since"), msOrNull(s.firingSinceMs));
        so.insert(QStringLiteral("value"), s.value);
        so.insert(QStringLiteral("last_resolved"), msOrNull(s.lastResolvedMs));
        so.insert(QStringLiteral("silenced"), m_engine.isSilenced(s.stationId, nowMs));
        QJsonArray history;
        for (const AlertRuleEngine::Transition &t : s.history) {
            QJsonObject to;
            to.insert(QStringLiteral("from"), AlertRuleEngine::stateKey(t.from));
            to.insert(QStringLiteral("to"), AlertRuleEngine::stateKey(t.to));
            to.insert(QStringLiteral("at"), t.atMs);
            to.insert(QStringLiteral("value"), t.value);
            history.append(to);
        }
        so.insert(QStringLiteral("history"), history);
        states.append(so);
        pending += s.state == AlertRuleEngine::State::Pending;
        firing += s.state == AlertRuleEngine::State::Firing;
    }
    o.insert(QStringLiteral("pending"), pending);
    o.insert(QStringLiteral("firing"), firing);
    o.insert(QStringLiteral("states"), states);
    return o;
}

QJsonObject AlertManager::rulesJson() const
{
    QMutexLocker lock(&m_mutex);
    const qint64 t = clockLocked();
    QJsonArray list;
    for (const RuleEntry &e : m_rules)
        list.append(ruleJsonLocked(e, t));
    QJsonObject o = listing(QStringLiteral("rules"), list, t);
    o.insert(QStringLiteral("clock"), m_clock == Clock::EventTime ? QStringLiteral("event_time") : QStringLiteral("wall_clock"));
    return o;
}

QJsonObject AlertManager::ruleJson(const QString &id) const
{
    QMutexLocker lock(&m_mutex);
    for (const RuleEntry &e : m_rules) {
        if (e.rule.id == id)
            return ruleJsonLocked(e, clockLocked());
    }
    return {};
}

QJsonObject AlertManager::silenceJson(const SilenceEntry &e, qint64 nowMs)
{
    const AlertRuleEngine::Silence &s = e.silence;
    QJsonObject o;
    o.insert(QStringLiteral("id"), s.id);
    o.insert(QStringLiteral("station"), s.stationId);
    o.insert(QStringLiteral("scope"), s.stationId == QLatin1String("*") ? QStringLiteral("all") : QStringLiteral("station"));
    o.insert(QStringLiteral("starts_at"), msOrNull(s.startsAtMs));
    o.insert(QStringLiteral("until"), s.untilMs);
    o.insert(QStringLiteral("comment"), s.comment);
    o.insert(QStringLiteral("author"), s.author);
    o.insert(QStringLiteral("origin"), e.origin);
    o.insert(QStringLiteral("created_at"), msOrNull(e.createdAtMs));
    const QString state = nowMs >= s.untilMs ? QStringLiteral("expired")
                          : nowMs < s.startsAtMs ? QStringLiteral("pending")
                                                 : QStringLiteral("active");
    o.insert(QStringLiteral("state"), state);
    return o;
}

QJsonObject AlertManager::silencesJson() const
{
    QMutexLocker lock(&m_mutex);
    const qint64 t = clockLocked();
    QJsonArray list;
    for (const SilenceEntry &e : m_silences)
        list.append(silenceJson(e, t));
    return listing(QStringLiteral("silences"), list, t);
}

Result<bool> AlertManager::saveLocked() const
{
    if (m_stateFile.isEmpty())
        return true;
    QJsonArray rules;
    for (const RuleEntry &e : m_rules) {
        if (e.origin != Origin::Api)
            continue;
        QJsonObject o;
        o.insert(QStringLiteral("id"), e.rule.id);
        o.insert(QStringLiteral("rule"), e.rule.toText());
        o.insert(QStringLiteral("expression"), e.expression);
        o.insert(QStringLiteral("author"), e.author);
        o.insert(QStringLiteral("created_at"), msOrNull(e.createdAtMs));
        rules.append(o);
    }
    QJsonArray silences;
    for (const SilenceEntry &e : m_silences)
        silences.append(silenceJson(e, 0));
    QJsonObject root;
    root.insert(QStringLiteral("version"), kStateVersion);
    root.insert(QStringLiteral("rules"), rules);
    root.insert(QStringLiteral("silences"), silences);
    QDir().mkpath(QFileInfo(m_stateFile).absolutePath());
    // Written to a new file and renamed over the old one: a crash never leaves half a file.
    QSaveFile f(m_stateFile);
    if (!f.open(QIODevice::WriteOnly))
        return makeError(QStringLiteral("alert state %1: cannot write: %2").arg(m_stateFile, f.errorString()));
    f.write(QJsonDocument(root).toJson(QJsonDocument::Indented));
    if (!f.commit())
        return makeError(QStringLiteral("alert state %1: cannot write: %2").arg(m_stateFile, f.errorString()));
    return true;
}

} // namespace stratus
