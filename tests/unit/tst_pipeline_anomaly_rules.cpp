// Alert rules: parsing (good and corrupt text), pending → firing → resolved in event time, silences.
// Readings come from the real NWS recording (KMSN, January 2026, −13 … −23 °C after the unit
// change); rules are chosen around those real values.
#include "TestData.h"
#include "TimeUtil.h"
#include "alerts/AlertRuleEngine.h"
#include "sources/RecordedDataReader.h"

#include <QtTest>

using namespace stratus;

class TestAnomalyRules : public QObject
{
    Q_OBJECT

private:
    QList<Reading> m_kmsn; // KMSN readings, time order

    // The notices of `temperature < -15 for 30m station=KMSN` on KMSN's recording, from an engine
    // without silences; `quiet` gets the same rule for the test to silence.
    QList<Anomaly> noticesWithoutSilence(AlertRuleEngine &quiet)
    {
        AlertRuleEngine loud;
        const QString rule = QStringLiteral("temperature < -15 for 30m station=KMSN");
        if (!loud.addRule(rule).ok() || !quiet.addRule(rule).ok())
            return {};
        return loud.process(m_kmsn);
    }

private slots:
    void initTestCase()
    {
        const auto data = RecordedDataReader::read(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
        QVERIFY2(data.ok(), qPrintable(data.errorMessage()));
        for (const Reading &r : data->readings) {
            if (r.stationId == QLatin1String("KMSN") && r.has(Variable::Temperature))
                m_kmsn.append(r);
        }
        QVERIFY(m_kmsn.size() > 100);
    }

    void parsesRules_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical");
        QTest::newRow("grafana-like") << "temperature < -20 for 10m station=KMSN severity=critical"
                                      << "temperature < -20 for 10m station=KMSN severity=critical";
        QTest::newRow("all stations, unit") << "wind_speed > 20 m/s" << "wind_speed > 20 severity=warning";
        QTest::newRow("km/h converted") << "wind_speed >= 72 km/h for 30s" << "wind_speed >= 20 for 30s severity=warning";
        QTest::newRow("fahrenheit glued") << "temperature<=-4F station=*" << "temperature <= -20 severity=warning";
        QTest::newRow("name and mixed duration") << "pressure < 980 for 1h30m name=\"deep low\" severity=info"
                                                 << "pressure < 980 for 1h30m severity=info name=\"deep low\"";
    }
    void parsesRules()
    {
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        const auto rule = AlertRule::parse(text);
        QVERIFY2(rule.ok(), qPrintable(rule.errorMessage()));
        QCOMPARE(rule->toText(), canonical);
        const auto again = AlertRule::parse(rule->toText());
        QVERIFY(again.ok());
        QCOMPARE(again->toText(), canonical);
    }

    void refusesCorruptRules_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("empty") << "" << "empty";
        QTest::newRow("unknown variable") << "temprature < -20" << "\"temprature\" is not a variable";
        QTest::newRow("no operator") << "temperature -20" << "\"-20\" is not a comparison";
        QTest::newRow("missing threshold") << "temperature <" << "expected a threshold";
        QTest::newRow("not a number") << "temperature < cold" << "\"cold\" is not a number";
        QTest::newRow("wrong unit") << "temperature < -20 hPa" << "\"hPa\" is not a unit of temperature";
        QTest::newRow("impossible threshold") << "humidity > 150" << "outside the physical range";
        QTest::newRow("bad duration") << "temperature < -20 for ten" << "\"ten\" is not a duration";
        QTest::newRow("duration missing") << "temperature < -20 for" << "expected a duration";
        QTest::newRow("bad severity") << "temperature < -20 severity=panic" << "\"panic\" is not one of";
        QTest::newRow("bad station") << "temperature < -20 station=.MRO" << "\".MRO\" is not a station id";
        QTest::newRow("unknown key") << "temperature < -20 colour=red" << "unknown setting \"colour\"";
        QTest::newRow("stray word") << "temperature < -20 please" << "\"please\" is not a unit";
        QTest::newRow("unterminated quote") << "temperature < -20 name=\"cold" << "unterminated quote";
        QTest::newRow("twice") << "temperature < -20 for 1m for 2m" << "\"for\" given twice";
    }
    void refusesCorruptRules()
    {
        QFETCH(QString, text);
        QFETCH(QString, mentions);
        const auto rule = AlertRule::parse(text);
        QVERIFY(!rule.ok());
        QVERIFY2(rule.errorMessage().contains(mentions), qPrintable(rule.errorMessage()));
        QVERIFY2(rule.errorMessage().startsWith(QStringLiteral("rule \"")), qPrintable(rule.errorMessage()));
    }

    void configLoadIsAllOrNothing()
    {
        AlertRuleEngine engine;
        const auto bad = engine.loadRules({QStringLiteral("# cold alerts"), QStringLiteral("temperature < -20 for 10m"),
                                           QStringLiteral(""), QStringLiteral("wind_speed > twenty")});
        QVERIFY(!bad.ok());
        QVERIFY2(bad.errorMessage().startsWith(QStringLiteral("line 4: ")), qPrintable(bad.errorMessage()));
        QVERIFY(engine.rules().isEmpty());
        const auto good = engine.loadRules({QStringLiteral("temperature < -20 for 10m  # deep cold"),
                                            QStringLiteral("wind_speed > 20 m/s name=\"gale #1\"")});
        QVERIFY2(good.ok(), qPrintable(good.errorMessage()));
        QCOMPARE(*good, 2);
        QCOMPARE(engine.rules().at(1).name, QStringLiteral("gale #1"));
        QVERIFY(engine.removeRule(engine.rules().at(0).id));
        QCOMPARE(engine.rules().size(), 1);
        QVERIFY(!engine.removeRule(QStringLiteral("r99")));
    }

    void pendingFiringResolved()
    {
        // KMSN in °C (after the unit change) spends hours below −15 °C on 2026-01-28/29.
        AlertRuleEngine engine;
        const auto id = engine.addRule(QStringLiteral("temperature < -15 for 30m station=KMSN severity=critical"));
        QVERIFY(id.ok());
        QList<Anomaly> notices;
        bool sawPending = false;
        qint64 firstHold = -1;
        for (const Reading &r : std::as_const(m_kmsn)) {
            const QList<Anomaly> n = engine.process(r);
            for (const AlertRuleEngine::Status &s : engine.active()) {
                if (s.state == AlertRuleEngine::State::Pending)
                    sawPending = true;
            }
            if (firstHold < 0 && r.value(Variable::Temperature) < -15)
                firstHold = r.timestampMs;
            notices += n;
        }
        QVERIFY(sawPending);
        QVERIFY(notices.size() >= 2);
        const Anomaly &fire = notices.first();
        QCOMPARE(fire.kind, AnomalyKind::Rule);
        QCOMPARE(fire.severity, Severity::Critical);
        QVERIFY2(fire.reason.startsWith(QStringLiteral("firing: rule r1")), qPrintable(fire.reason));
        QVERIFY(fire.value < -15);
        // Not before the pending duration has passed since the condition began.
        QVERIFY(fire.timestampMs - firstHold >= 30 * 60'000);
        // Every firing is followed by its resolve notice, alternating.
        for (qsizetype i = 0; i < notices.size(); ++i) {
            const bool firing = i % 2 == 0;
            QVERIFY2(notices[i].reason.startsWith(firing ? QStringLiteral("firing:") : QStringLiteral("resolved:")),
                     qPrintable(notices[i].reason));
            if (!firing) {
                QCOMPARE(notices[i].severity, Severity::Info);
                QVERIFY(notices[i].value >= -15);
            }
        }
    }

    void shortExcursionsStayPending()
    {
        // A pending duration longer than any cold spell in the recording: never fires.
        AlertRuleEngine engine;
        QVERIFY(engine.addRule(QStringLiteral("temperature < -15 for 30d station=KMSN")).ok());
        QVERIFY(engine.process(m_kmsn).isEmpty());
    }

    void silencesSuppressNotices()
    {
        AlertRuleEngine quiet;
        const QList<Anomaly> all = noticesWithoutSilence(quiet);
        QVERIFY(all.size() >= 2);
        // Silence KMSN until just after the first firing: that firing and its resolve disappear,
        // later ones are announced.
        const qint64 until = all.first().timestampMs + 1;
        quiet.silence(QStringLiteral("KMSN"), until, QStringLiteral("maintenance"));
        QVERIFY(quiet.isSilenced(QStringLiteral("KMSN"), until - 1));
        QVERIFY(!quiet.isSilenced(QStringLiteral("KMSN"), until));
        QVERIFY(!quiet.isSilenced(QStringLiteral("KMDW"), until - 1));
        const QList<Anomaly> heard = quiet.process(m_kmsn);
        QCOMPARE(heard.size(), all.size() - 2);
        for (const Anomaly &a : heard)
            QVERIFY(a.timestampMs > all.at(1).timestampMs);
        QCOMPARE(quiet.silences().size(), 1);
        QVERIFY(quiet.unsilence(QStringLiteral("KMSN")));
        QVERIFY(quiet.silences().isEmpty());
    }

    void announcedFiringIsResolvedEvenWhenSilenced()
    {
        AlertRuleEngine quiet;
        const QList<Anomaly> all = noticesWithoutSilence(quiet);
        QVERIFY(all.size() >= 3);
        QVERIFY(all.at(0).reason.startsWith(QLatin1String("firing:")));
        QVERIFY(all.at(1).reason.startsWith(QLatin1String("resolved:")));
        // Silenced from just after the first firing to just after its resolve: the firing was
        // heard, so its resolve is too (else a receiver would keep it firing); the silence hides
        // nothing else here.
        AlertRuleEngine::Silence s;
        s.stationId = QStringLiteral("KMSN");
        s.startsAtMs = all.at(0).timestampMs + 1;
        s.untilMs = all.at(1).timestampMs + 1;
        quiet.addSilence(s);
        const QList<Anomaly> heard = quiet.process(m_kmsn);
        QCOMPARE(heard.size(), all.size());
        QCOMPARE(heard.at(1).reason, all.at(1).reason);
        QVERIFY(quiet.isSilenced(QStringLiteral("KMSN"), heard.at(1).timestampMs));
    }

    void allStationsRuleTracksEachStation()
    {
        const auto data = RecordedDataReader::read(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
        QVERIFY(data.ok());
        AlertRuleEngine engine;
        QVERIFY(engine.addRule(QStringLiteral("temperature < -15 for 10m")).ok());
        QSet<QString> fired;
        for (const Anomaly &a : engine.process(data->readings)) {
            if (a.reason.startsWith(QStringLiteral("firing:")))
                fired.insert(a.stationId);
        }
        QVERIFY2(fired.size() >= 2, qPrintable(QStringList(fired.values()).join(u',')));
    }
};

QTEST_APPLESS_MAIN(TestAnomalyRules)
#include "tst_pipeline_anomaly_rules.moc"
