#pragma once

#include "Anomaly.h"
#include "Reading.h"
#include "Result.h"
#include "AlertRule.h"
#include "AlertRuleEngine.h"

#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QString>

namespace stratus {

// The alert rules and silences of one engine, shared by the engine's thread (which evaluates the
// rules on every accepted reading), the API thread (REST /alerts/...) and the GUI (AlertPanel).
//
// Every public call takes one mutex, so the three threads never see the rule engine half-changed.
// A lock rather than queued calls into the engine's thread: the API thread must answer while the
// engine thread is busy, and a blocking queued call from the API thread could deadlock a shutdown
// in which the engine's thread itself waits for the API thread.
//
// Rules come from two places: the config file (read-only, ids r1, r2, ... in file order) and the
// API or GUI (ids a1, a2, ...). Rules and silences of the second kind are written to a JSON state
// file on every change (written to a new file, then renamed over the old one) and restored from it
// at start, so they survive a restart. A change that cannot be saved is undone and reported.
//
// Time: silences and notices are in event time. clockMs() is the engine's "now": the wall clock
// for live sources, the latest event time seen for a replay of recorded data (so a replay gives
// the same notices every time and a silence "for 2h" covers two hours of the recording).
class AlertManager
{
public:
    enum class Clock { WallClock, EventTime };
    enum class Origin { Config, Api };

    struct RuleEntry
    {
        AlertRule rule;
        QString expression; // as the user wrote it
        Origin origin = Origin::Config;
        QString author;
        qint64 createdAtMs = 0;
    };

    struct SilenceEntry
    {
        AlertRuleEngine::Silence silence;
        qint64 createdAtMs = 0;
        QString origin; // "api", "gui" or "file"
    };

    explicit AlertManager(Clock clock = Clock::WallClock);

    // The JSON file API rules and silences are kept in; empty = in memory only. Loads it when it
    // exists (an unreadable or corrupt file is an error naming the file and the problem; nothing is
    // then loaded and the file is left alone, never overwritten by an empty list).
    Result<int> setStateFile(const QString &path);
    QString stateFile() const;

    // Config rules (read-only): one per line, # comments; a bad line is skipped and returned in
    // `problems` with its line number.
    int loadConfigRules(const QStringList &lines, QStringList *problems = nullptr);

    // Adds an API rule (id a<n>); saved before it is returned.
    Result<RuleEntry> addRule(AlertRule rule, const QString &expression, const QString &author);
    // Removes an API rule; a config rule or an unknown id is an error saying which.
    enum class RemoveResult { Removed, Unknown, ReadOnly, NotSaved };
    RemoveResult removeRule(const QString &id, QString *error = nullptr);
    QList<RuleEntry> rules() const;

    // Adds a silence (id s<n>); saved before it is returned.
    Result<SilenceEntry> addSilence(AlertRuleEngine::Silence silence, const QString &origin);
    bool removeSilence(const QString &id, QString *error = nullptr);
    // Removes every silence of a station (the GUI's "unsilence").
    int removeSilencesOf(const QString &stationId);
    QList<SilenceEntry> silences() const;
    bool isSilenced(const QString &stationId, qint64 atMs) const;
    // Stations silenced at `atMs` ("*" when everything is).
    QStringList silencedStations(qint64 atMs) const;

    // Evaluates the rules on accepted readings (engine thread); returns the firing/resolved notices.
    QList<Anomaly> process(const QList<Reading> &readings);
    // The engine's now (see the class comment).
    qint64 clockMs() const;
    qint64 watermarkMs() const;
    Clock clock() const { return m_clock; }

    // The REST representations (ApiKeys names), at the engine's now.
    QJsonObject rulesJson() const;
    QJsonObject ruleJson(const QString &id) const; // empty if unknown
    QJsonObject silencesJson() const;
    static QJsonObject silenceJson(const SilenceEntry &s, qint64 nowMs);

    // For callers on the engine's thread that need the rule engine itself (tests, config checks).
    AlertRuleEngine &engineUnlocked() { return m_engine; }

private:
    QJsonObject ruleJsonLocked(const RuleEntry &e, qint64 nowMs) const;
    Result<bool> saveLocked() const;
    qint64 clockLocked() const;

    mutable QMutex m_mutex;
    Clock m_clock;
    AlertRuleEngine m_engine;
    QList<RuleEntry> m_rules;
    QList<SilenceEntry> m_silences;
    QString m_stateFile;
    int m_nextApiRule = 1;
    qint64 m_watermarkMs = 0;
};

} // namespace stratus
