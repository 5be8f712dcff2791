#pragma once

#include "Anomaly.h"
#include "NotifyOptions.h"
#include "Reading.h"

#include <QHash>
#include <QMap>
#include <QSet>
#include <QStringList>

#include <array>

namespace stratus {

// Turns the engine's anomalies into alerts with a life cycle, as Prometheus' alerting rules have
// one: an alert fires, stays firing while its cause lasts, then resolves, and a resolved alert is
// kept (and re-sent) for a while so a receiver that missed the resolve still learns it.
//
// An alert is identified by its labels (alertname, station, variable, kind, severity, and rule for
// rule alerts); its fingerprint is Alertmanager's hash of them. When it clears depends on the kind:
//  - rule: the rule's own resolve notice (AlertRuleEngine), which this recognises by its text;
//  - dropout: a later reading of the station;
//  - model: drift is announced once per episode, so it resolves after model_resolve_after;
//  - every other kind is a moment (a spike, a value out of range): it resolves when the same station,
//    variable and kind has not recurred for resolve_after.
// A more severe anomaly of a firing alert resolves the old label set and fires the new one (severity
// is a label, and Alertmanager routes on it); a less severe one only refreshes the annotations.
// Anomalies below min_severity are not alerts. Times are wall clock (the moment a receiver cares
// about), except startsAt, which is the anomaly's own time when that is earlier.
// Single-threaded: lives on the engine's thread.
class AlertTracker
{
public:
    struct Alert
    {
        QString fingerprint; // Alertmanager's: FNV-1a 64 over the sorted labels, 16 hex digits
        QString identity;    // the labels but severity: what escalation keeps
        QString groupKey;    // station and kind: the webhook's groups
        QMap<QString, QString> labels;      // sorted by name
        QMap<QString, QString> annotations; // summary, description, value, station_url
        QString generatorUrl;
        QString stationId;
        AnomalyKind kind = AnomalyKind::OutOfRange;
        Severity severity = Severity::Warning;
        qint64 startsAtMs = 0;
        qint64 lastSeenMs = 0;   // wall clock of its latest anomaly
        qint64 eventMs = 0;      // event time of its latest anomaly (dropouts clear on a later reading)
        qint64 resolvedAtMs = 0; // wall clock; 0 = firing
        bool firing() const { return resolvedAtMs == 0; }
    };

    static constexpr int kKinds = 9;
    static constexpr int kSeverities = 3;
    using Counts = std::array<std::array<qint64, kSeverities>, kKinds>; // [kind][severity]

    explicit AlertTracker(NotifyOptions options) : m_options(std::move(options)) {}

    // Each call returns the fingerprints whose state changed (fired, escalated, resolved): the
    // alerts to push now rather than at the next resend.
    QStringList observe(const QList<Anomaly> &anomalies, qint64 nowMs);
    QStringList observeReadings(const QList<Reading> &readings, qint64 nowMs);
    // Resolves the alerts whose hold ran out and forgets resolved ones past the retention.
    QStringList expire(qint64 nowMs);

    const Alert *find(const QString &fingerprint) const;
    // Every alert to (re)send: firing, and resolved within the retention.
    QStringList fingerprints() const { return m_alerts.keys(); }
    QList<const Alert *> group(const QString &groupKey) const;
    Counts firingCounts() const;
    qsizetype size() const { return m_alerts.size(); }

    static QString fingerprintOf(const QMap<QString, QString> &labels);
    static QString alertName(AnomalyKind kind);
    // A rule notice's rule id and whether it fires (false: resolves); nullopt for other anomalies.
    struct RuleNotice
    {
        QString ruleId;
        bool firing = true;
    };
    static std::optional<RuleNotice> ruleNotice(const Anomaly &a);

private:
    void fire(const Anomaly &a, const QString &identity, const QString &ruleId, qint64 nowMs, QStringList *changed);
    void resolve(Alert &alert, qint64 nowMs, QStringList *changed);
    void forget(const QString &fingerprint);
    QMap<QString, QString> annotationsOf(const Anomaly &a) const;
    qint64 holdMs(AnomalyKind kind) const; // 0 = resolved by a notice or a reading, not by time

    NotifyOptions m_options;
    QHash<QString, Alert> m_alerts;          // by fingerprint
    QHash<QString, QString> m_firing;        // identity → fingerprint of its firing alert
    QHash<QString, QSet<QString>> m_groups;  // group key → fingerprints
    QHash<QString, QSet<QString>> m_dropouts; // station → fingerprints of its firing dropout alerts
};

} // namespace stratus
