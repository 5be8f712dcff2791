#pragma once

#include "Anomaly.h"
#include "Reading.h"
#include "Result.h"
#include "AlertRule.h"

#include <QHash>
#include <QList>
#include <QStringList>

namespace stratus {

// Evaluates the user's alert rules on readings, in event time, Grafana style: a rule whose
// condition starts to hold at a station goes Pending; if it still holds `for` later it Fires (one
// notice); when it stops holding a Firing rule Resolves (one notice). A station can be silenced
// until a time: its rules still change state, but no firing notices are produced while silenced; a
// firing that was never announced is not "resolved" either, and one that was is always resolved. Notices come out as Anomaly values of
// kind `rule` (firing: the rule's severity; resolved: info), so they travel the same alert path as
// the detector's. Single-threaded (the Engine's thread), like the detector.
class AlertRuleEngine
{
public:
    enum class State { Inactive, Pending, Firing };

    // One state change of a rule at a station, in event time (Grafana's state history).
    struct Transition
    {
        State from = State::Inactive;
        State to = State::Inactive;
        qint64 atMs = 0;
        double value = 0;
    };

    struct Status
    {
        QString ruleId;
        QString stationId;
        State state = State::Inactive;
        qint64 sinceMs = 0; // when the condition started to hold (0 while inactive)
        qint64 firingSinceMs = 0; // when it fired (0 unless firing)
        double value = 0;   // last value seen
        bool silenced = false;
        qint64 lastResolvedMs = 0; // last firing → inactive, 0 = never
        QList<Transition> history; // the latest kHistory transitions, oldest first
    };

    struct Silence
    {
        QString id;         // assigned by silence()/addSilence() ("s1", "s2", ...) unless given
        QString stationId;  // "*" = every station
        qint64 startsAtMs = 0; // 0 = from the beginning of time
        qint64 untilMs = 0;
        QString comment;
        QString author;
        bool covers(const QString &station, qint64 atMs) const
        {
            return (stationId == station || stationId == QLatin1String("*")) && atMs >= startsAtMs && atMs < untilMs;
        }
    };

    static constexpr int kHistory = 10;

    // Adds a rule from its text; returns its id, or the parser's error. A rule that already has an
    // id keeps it (rules restored from a file); otherwise it gets the next "r<n>".
    Result<QString> addRule(const QString &text);
    Result<QString> addRule(AlertRule rule);
    bool removeRule(const QString &id);
    QList<AlertRule> rules() const;
    std::optional<AlertRule> rule(const QString &id) const;
    // Loads the rules of a config file: one per line, # starts a comment, blank lines skipped.
    // All or nothing: the first bad line's error (with its line number) and no rule added.
    Result<int> loadRules(const QStringList &lines);

    // Silences notices for `stationId` ("*" for all) until `untilMs` (event time); replaces every
    // earlier silence of the same station. Returns the silence's id.
    QString silence(const QString &stationId, qint64 untilMs, const QString &comment = QString());
    // Adds a silence beside the others (several may cover one station); keeps a given id.
    QString addSilence(Silence silence);
    bool removeSilence(const QString &id);
    // Removes every silence of the station; true if there was one.
    bool unsilence(const QString &stationId);
    QList<Silence> silences() const;
    bool isSilenced(const QString &stationId, qint64 atMs) const;

    // Evaluates every rule that applies to the reading; returns the notices (firing/resolved).
    QList<Anomaly> process(const Reading &reading);
    QList<Anomaly> process(const QList<Reading> &readings);
    // Pending and firing rule/station pairs.
    QList<Status> active() const;
    // Every station the rule has seen a value of (inactive ones too), by station id.
    QList<Status> statuses(const QString &ruleId) const;

    static QString stateKey(State s);

private:
    struct Key
    {
        QString rule, station;
        bool operator==(const Key &o) const { return rule == o.rule && station == o.station; }
    };
    friend size_t qHash(const Key &k, size_t seed) { return qHashMulti(seed, k.rule, k.station); }
    struct Track
    {
        State state = State::Inactive;
        qint64 sinceMs = 0;
        double value = 0;
        bool announced = false;
        qint64 firingSinceMs = 0;
        qint64 lastResolvedMs = 0;
        QList<Transition> history;
        void move(State to, qint64 atMs, double x)
        {
            history.append(Transition{state, to, atMs, x});
            if (history.size() > kHistory)
                history.removeFirst();
            state = to;
        }
    };
    Status statusOf(const Key &key, const Track &t) const;
    Anomaly notice(const AlertRule &rule, const QString &station, const Track &t, qint64 atMs, bool firing) const;

    QList<AlertRule> m_rules;
    int m_nextId = 1;
    QHash<Key, Track> m_tracks;
    QList<Silence> m_silences;
    int m_nextSilence = 1;
};

} // namespace stratus
