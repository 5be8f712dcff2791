#pragma once

#include "Anomaly.h"
#include "Reading.h"
#include "Result.h"
#include "infer/AlertRule.h"

#include <QHash>
#include <QList>
#include <QStringList>

namespace stratus {

// Evaluates the user's alert rules on readings, in event time, Grafana style: a rule whose
// condition starts to hold at a station goes Pending; if it still holds `for` later it Fires (one
// notice); when it stops holding a Firing rule Resolves (one notice). A station can be silenced
// until a time: its rules still change state, but no notices are produced while silenced, and a
// firing that was never announced is not "resolved" either. Notices come out as Anomaly values of
// kind `rule` (firing: the rule's severity; resolved: info), so they travel the same alert path as
// the detector's. Single-threaded (the Engine's thread), like the detector.
class AlertRuleEngine
{
public:
    enum class State { Inactive, Pending, Firing };

    struct Status
    {
        QString ruleId;
        QString stationId;
        State state = State::Inactive;
        qint64 sinceMs = 0; // when the condition started to hold
        double value = 0;   // last value seen
        bool silenced = false;
    };

    struct Silence
    {
        QString stationId; // "*" = every station
        qint64 untilMs = 0;
        QString comment;
    };

    // Adds a rule from its text; returns its id, or the parser's error.
    Result<QString> addRule(const QString &text);
    Result<QString> addRule(AlertRule rule);
    bool removeRule(const QString &id);
    QList<AlertRule> rules() const;
    std::optional<AlertRule> rule(const QString &id) const;
    // Loads the rules of a config file: one per line, # starts a comment, blank lines skipped.
    // All or nothing: the first bad line's error (with its line number) and no rule added.
    Result<int> loadRules(const QStringList &lines);

    // Silences notices for `stationId` ("*" for all) until `untilMs` (event time); replaces an
    // earlier silence of the same station.
    void silence(const QString &stationId, qint64 untilMs, const QString &comment = QString());
    bool unsilence(const QString &stationId);
    QList<Silence> silences() const;
    bool isSilenced(const QString &stationId, qint64 atMs) const;

    // Evaluates every rule that applies to the reading; returns the notices (firing/resolved).
    QList<Anomaly> process(const Reading &reading);
    QList<Anomaly> process(const QList<Reading> &readings);
    // Pending and firing rule/station pairs.
    QList<Status> active() const;

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
    };
    Anomaly notice(const AlertRule &rule, const QString &station, const Track &t, qint64 atMs, bool firing) const;

    QList<AlertRule> m_rules;
    int m_nextId = 1;
    QHash<Key, Track> m_tracks;
    QHash<QString, Silence> m_silences;
};

} // namespace stratus
