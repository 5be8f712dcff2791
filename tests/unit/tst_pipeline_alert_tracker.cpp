// AlertTracker: the life cycle of alerts made from anomalies (fire, refresh, escalate, resolve by
// notice / reading / time, retention), labels and Alertmanager fingerprints, the JSON it pushes.
// Rule notices come from the real AlertRuleEngine on the real NWS recording (KMSN, January 2026,
// −13 … −23 °C), so a change of the notice text that the tracker relies on breaks this test.
#include "TestData.h"
#include "TimeUtil.h"
#include "alerts/AlertRuleEngine.h"
#include "notify/AlertPayload.h"
#include "notify/AlertTracker.h"
#include "sources/RecordedDataReader.h"

#include <QtTest>

using namespace stratus;

namespace {
constexpr qint64 kT0 = 1'800'000'000'000; // a wall-clock "now" for the tests (2027-01-15)
constexpr qint64 kMin = 60'000;

Anomaly anomaly(const QString &station, AnomalyKind kind, Severity severity, qint64 atMs, double value = 30,
                Variable variable = Variable::Temperature)
{
    Anomaly a;
    a.stationId = station;
    a.kind = kind;
    a.severity = severity;
    a.timestampMs = atMs;
    a.variable = variable;
    a.value = value;
    a.score = 2;
    a.reason = QStringLiteral("test reason for %1").arg(station);
    return a;
}

NotifyOptions options()
{
    NotifyOptions o;
    o.resolveAfterMs = 10 * kMin;
    o.modelResolveAfterMs = 60 * kMin;
    o.resolvedRetentionMs = 15 * kMin;
    o.linkBase = QStringLiteral("http://127.0.0.1:8080");
    return o;
}
} // namespace

class TestAlertTracker : public QObject
{
    Q_OBJECT

private slots:
    void labelsAnnotationsAndFingerprint()
    {
        AlertTracker t(options());
        const QStringList changed = t.observe({anomaly(QStringLiteral("KGSO"), AnomalyKind::OutOfRange, Severity::Critical, kT0 - kMin, 76)}, kT0);
        QCOMPARE(changed.size(), 1);
        const AlertTracker::Alert *a = t.find(changed.first());
        QVERIFY(a);
        const QMap<QString, QString> expected{{QStringLiteral("alertname"), QStringLiteral("StratusOutOfRange")},
                                              {QStringLiteral("station"), QStringLiteral("KGSO")},
                                              {QStringLiteral("variable"), QStringLiteral("temperature")},
                                              {QStringLiteral("kind"), QStringLiteral("out_of_range")},
                                              {QStringLiteral("severity"), QStringLiteral("critical")}};
        QCOMPARE(a->labels, expected);
        QCOMPARE(a->fingerprint, AlertTracker::fingerprintOf(expected));
        QCOMPARE(a->fingerprint.size(), 16);
        QCOMPARE(a->annotations.value(QStringLiteral("value")), QStringLiteral("76 °C"));
        QCOMPARE(a->annotations.value(QStringLiteral("description")), QStringLiteral("test reason for KGSO"));
        QCOMPARE(a->annotations.value(QStringLiteral("station_url")), QStringLiteral("http://127.0.0.1:8080/stations/KGSO"));
        QCOMPARE(a->startsAtMs, kT0 - kMin); // the anomaly's own time, earlier than now
        // A different label value is a different alert.
        QMap<QString, QString> other = expected;
        other[QStringLiteral("station")] = QStringLiteral("KCGX");
        QVERIFY(AlertTracker::fingerprintOf(other) != a->fingerprint);

        const QJsonObject pushed = AlertPayload::postable(*a, kT0, 4 * kMin);
        QCOMPARE(pushed.value(QLatin1String("startsAt")).toString(), timeutil::toIsoUtc(kT0 - kMin));
        QCOMPARE(pushed.value(QLatin1String("endsAt")).toString(), timeutil::toIsoUtc(kT0 + 4 * kMin));
        QCOMPARE(pushed.value(QLatin1String("labels")).toObject().value(QLatin1String("alertname")).toString(),
                 QStringLiteral("StratusOutOfRange"));
        QCOMPARE(pushed.value(QLatin1String("generatorURL")).toString(), QStringLiteral("http://127.0.0.1:8080/stations/KGSO"));
    }

    void recurrenceKeepsOneAlertAndTimeResolvesIt()
    {
        AlertTracker t(options());
        const QString fp = t.observe({anomaly(QStringLiteral("KMSN"), AnomalyKind::Spike, Severity::Warning, kT0)}, kT0).first();
        // The same station, variable and kind again: no change to push, the hold restarts.
        QVERIFY(t.observe({anomaly(QStringLiteral("KMSN"), AnomalyKind::Spike, Severity::Warning, kT0 + 5 * kMin)}, kT0 + 5 * kMin).isEmpty());
        QCOMPARE(t.size(), 1);
        QVERIFY(t.expire(kT0 + 14 * kMin).isEmpty()); // 9 min after the last one: still firing
        QCOMPARE(t.firingCounts()[size_t(AnomalyKind::Spike)][size_t(Severity::Warning)], 1);
        QCOMPARE(t.expire(kT0 + 15 * kMin), QStringList{fp});
        QVERIFY(!t.find(fp)->firing());
        QCOMPARE(t.find(fp)->resolvedAtMs, kT0 + 15 * kMin);
        QCOMPARE(t.firingCounts()[size_t(AnomalyKind::Spike)][size_t(Severity::Warning)], 0);
        const QJsonObject pushed = AlertPayload::postable(*t.find(fp), kT0 + 16 * kMin, 4 * kMin);
        QCOMPARE(pushed.value(QLatin1String("endsAt")).toString(), timeutil::toIsoUtc(kT0 + 15 * kMin));
        // Kept (and re-sent) for the retention, then forgotten.
        t.expire(kT0 + 30 * kMin);
        QVERIFY(t.find(fp));
        t.expire(kT0 + 31 * kMin);
        QVERIFY(!t.find(fp));
        QCOMPARE(t.size(), 0);
    }

    void escalationResolvesTheOldLabelSet()
    {
        AlertTracker t(options());
        const QString warning = t.observe({anomaly(QStringLiteral("KMSN"), AnomalyKind::Dropout, Severity::Warning, kT0)}, kT0).first();
        const QStringList changed = t.observe({anomaly(QStringLiteral("KMSN"), AnomalyKind::Dropout, Severity::Critical, kT0 + kMin)}, kT0 + kMin);
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.first(), warning);
        QVERIFY(!t.find(warning)->firing());
        const AlertTracker::Alert *critical = t.find(changed.last());
        QVERIFY(critical->firing());
        QCOMPARE(critical->labels.value(QStringLiteral("severity")), QStringLiteral("critical"));
        // A less severe one afterwards only refreshes the critical alert.
        QVERIFY(t.observe({anomaly(QStringLiteral("KMSN"), AnomalyKind::Dropout, Severity::Warning, kT0 + 2 * kMin)}, kT0 + 2 * kMin).isEmpty());
        QVERIFY(t.find(changed.last())->firing());
    }

    void minimumSeverityFilters()
    {
        NotifyOptions o = options();
        o.minSeverity = Severity::Critical;
        AlertTracker t(o);
        QVERIFY(t.observe({anomaly(QStringLiteral("KMSN"), AnomalyKind::Spike, Severity::Warning, kT0)}, kT0).isEmpty());
        QCOMPARE(t.observe({anomaly(QStringLiteral("KMSN"), AnomalyKind::Spike, Severity::Critical, kT0)}, kT0).size(), 1);
    }

    void dropoutClearsOnALaterReading()
    {
        AlertTracker t(options());
        const QString fp = t.observe({anomaly(QStringLiteral("KMKE"), AnomalyKind::Dropout, Severity::Critical, kT0, NAN)}, kT0).first();
        QVERIFY(!t.find(fp)->annotations.contains(QStringLiteral("value"))); // no value: none made up
        Reading same;
        same.stationId = QStringLiteral("KMKE");
        same.timestampMs = kT0; // the reading that ended the gap is not news
        QVERIFY(t.observeReadings({same}, kT0 + kMin).isEmpty());
        Reading other = same;
        other.stationId = QStringLiteral("KMSN");
        other.timestampMs = kT0 + 5 * kMin;
        QVERIFY(t.observeReadings({other}, kT0 + kMin).isEmpty());
        QVERIFY(t.expire(kT0 + 100 * kMin).isEmpty()); // no time limit: it lasts while the station is silent
        Reading later = same;
        later.timestampMs = kT0 + 5 * kMin;
        QCOMPARE(t.observeReadings({later}, kT0 + 101 * kMin), QStringList{fp});
    }

    void modelDriftHoldsLonger()
    {
        AlertTracker t(options());
        Anomaly drift = anomaly(QStringLiteral("KMSN"), AnomalyKind::Model, Severity::Warning, kT0, 0.61);
        const QString fp = t.observe({drift}, kT0).first();
        QCOMPARE(t.find(fp)->annotations.value(QStringLiteral("value")), QStringLiteral("0.61")); // a score, no unit
        QCOMPARE(t.find(fp)->labels.value(QStringLiteral("alertname")), QStringLiteral("StratusModelDrift"));
        QVERIFY(t.expire(kT0 + 59 * kMin).isEmpty());
        QCOMPARE(t.expire(kT0 + 60 * kMin), QStringList{fp});
    }

    // Real rule notices: the firing and resolve of `temperature < -20 station=KMSN` on the recording.
    void ruleNoticesFireAndResolve()
    {
        const auto data = RecordedDataReader::read(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
        QVERIFY2(data.ok(), qPrintable(data.errorMessage()));
        AlertRuleEngine rules;
        QVERIFY(rules.addRule(QStringLiteral("temperature < -20 station=KMSN severity=critical")).ok());
        QVERIFY(rules.addRule(QStringLiteral("temperature < -15 station=KMSN severity=warning")).ok());
        AlertTracker t(options());
        int fired = 0, resolved = 0;
        qint64 now = kT0;
        for (const Reading &r : data->readings) {
            const QList<Anomaly> notices = rules.process(r);
            for (const Anomaly &n : notices) {
                const auto parsed = AlertTracker::ruleNotice(n);
                QVERIFY2(parsed, qPrintable(n.reason));
                QVERIFY(parsed->ruleId == QLatin1String("r1") || parsed->ruleId == QLatin1String("r2"));
                for (const QString &fp : t.observe({n}, now)) {
                    const AlertTracker::Alert *a = t.find(fp);
                    QCOMPARE(a->labels.value(QStringLiteral("rule")), parsed->ruleId);
                    QCOMPARE(a->labels.value(QStringLiteral("alertname")), QStringLiteral("StratusRule"));
                    QCOMPARE(a->firing(), parsed->firing);
                    // The resolve notice is info; the alert keeps the severity it fired with.
                    QCOMPARE(a->labels.value(QStringLiteral("severity")),
                             parsed->ruleId == QLatin1String("r1") ? QStringLiteral("critical") : QStringLiteral("warning"));
                    (parsed->firing ? fired : resolved) += 1;
                }
            }
            now += kMin;
            QVERIFY(t.expire(now).isEmpty()); // rule alerts resolve by their notice, never by a timer
        }
        QVERIFY2(fired >= 2, qPrintable(QString::number(fired)));
        QVERIFY(resolved >= 1);
        // Every firing either resolved by its notice or still fires (none ended by a timer).
        const auto counts = t.firingCounts()[size_t(AnomalyKind::Rule)];
        QCOMPARE(fired - resolved, int(counts[size_t(Severity::Critical)] + counts[size_t(Severity::Warning)]));
    }

    void webhookMessageGroupsLikeAlertmanager()
    {
        AlertTracker t(options());
        t.observe({anomaly(QStringLiteral("KMSN"), AnomalyKind::Spike, Severity::Warning, kT0),
                   anomaly(QStringLiteral("KMSN"), AnomalyKind::Spike, Severity::Warning, kT0, 5, Variable::WindSpeed)},
                  kT0);
        const auto group = t.group(QStringLiteral("KMSN|spike"));
        QCOMPARE(group.size(), 2);
        t.expire(kT0 + 10 * kMin); // both resolve
        const QJsonObject m = AlertPayload::webhookMessage(t.group(QStringLiteral("KMSN|spike")), QStringLiteral("http://x"));
        QCOMPARE(m.value(QLatin1String("version")).toString(), QStringLiteral("4"));
        QCOMPARE(m.value(QLatin1String("status")).toString(), QStringLiteral("resolved"));
        QCOMPARE(m.value(QLatin1String("groupKey")).toString(), QStringLiteral("{}:{kind=\"spike\", station=\"KMSN\"}"));
        const QJsonObject common = m.value(QLatin1String("commonLabels")).toObject();
        QCOMPARE(common.value(QLatin1String("station")).toString(), QStringLiteral("KMSN"));
        QVERIFY(!common.contains(QLatin1String("variable"))); // differs between the two
        QCOMPARE(m.value(QLatin1String("alerts")).toArray().size(), 2);
        for (const QJsonValue &v : m.value(QLatin1String("alerts")).toArray())
            QCOMPARE(v.toObject().value(QLatin1String("endsAt")).toString(), timeutil::toIsoUtc(kT0 + 10 * kMin));
    }
};

QTEST_APPLESS_MAIN(TestAlertTracker)
#include "tst_pipeline_alert_tracker.moc"
