// Alert rules and silences through the REST API of a real `stratus --server` replaying the real
// recorded NWS stream: rules whose thresholds come from the data go pending, fire and resolve (the
// notices checked against the recording itself), a silence suppresses one station's notices, bad
// requests get clear 4xx answers and lose nothing, and API rules and silences survive a restart.
//
// A replay at --speed max has run through before a test can add a rule, so server A takes the
// rules, silences and bad requests, and server B (same alert state file, a fresh history store)
// replays the recording with them in place from the first reading.
#include "StratusProcess.h"
#include "sources/RecordedDataReader.h"

#include <QFile>
#include <QtTest>

#include <algorithm>

using namespace stratus;

namespace {
const QByteArray kToken = "rules-test-token";
const QList<QPair<QByteArray, QByteArray>> kAuth = {{"Authorization", "Bearer " + kToken},
                                                    {"Content-Type", "application/json"}};

QByteArray json(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}
} // namespace

class TstAlertRulesApi : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QList<Reading> m_readings;
    double m_kmsnThreshold = 0; // KMSN's median temperature: crossed both ways in the recording
    double m_allThreshold = 0;  // KMDW's median temperature, for a rule on every station
    QString m_allId;            // the all-stations rule's id

    QProcessEnvironment env() const
    {
        auto e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("STRATUS_API_TOKEN"), QString::fromLatin1(kToken));
        e.insert(QStringLiteral("STRATUS_ALERTS_STATE_FILE"), m_dir.filePath(QStringLiteral("alerts.json")));
        e.insert(QStringLiteral("STRATUS_ALERTS_RULES_FILE"), m_dir.filePath(QStringLiteral("rules.conf")));
        return e;
    }
    bool startReplay(StratusProcess &server, const QString &db)
    {
        const bool up = server.startServer({QStringLiteral("--file"), testdata::shared("data/nws_recorded/nws_recorded.jsonl"),
                                      QStringLiteral("--speed"), QStringLiteral("max"), QStringLiteral("--db"),
                                      m_dir.filePath(db), QStringLiteral("--rate-limit"), QStringLiteral("0")},
                                     env());
        return up && server.waitForReplayEnd();
    }
    static QJsonObject ruleById(StratusProcess &s, const QString &id)
    {
        for (const auto &v : s.get(QStringLiteral("/alerts/rules")).json().value(QLatin1String("rules")).toArray()) {
            if (v.toObject().value(QLatin1String("id")).toString() == id)
                return v.toObject();
        }
        return {};
    }
    static QJsonObject stateOf(const QJsonObject &rule, const QString &station)
    {
        for (const auto &v : rule.value(QLatin1String("states")).toArray()) {
            if (v.toObject().value(QLatin1String("station")).toString() == station)
                return v.toObject();
        }
        return {};
    }
    static QList<QJsonObject> ruleNotices(StratusProcess &s, const QString &station)
    {
        QList<QJsonObject> out;
        const auto a = s.get(QStringLiteral("/anomalies?limit=1000&station=") + station).json();
        for (const auto &v : a.value(QLatin1String("anomalies")).toArray()) {
            if (v.toObject().value(QLatin1String("kind")).toString() == QLatin1String("rule"))
                out.append(v.toObject());
        }
        return out;
    }
    // The KMSN temperature the recording holds at `ms`, NaN if it holds none.
    double kmsnAt(qint64 ms) const
    {
        for (const Reading &r : m_readings) {
            if (r.stationId == QLatin1String("KMSN") && r.timestampMs == ms && r.has(Variable::Temperature))
                return r.value(Variable::Temperature);
        }
        return std::numeric_limits<double>::quiet_NaN();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const auto data = RecordedDataReader::read(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
        QVERIFY2(data.ok(), qPrintable(data.errorMessage()));
        m_readings = data->readings;
        QList<double> kmsn, kmdw;
        for (const Reading &r : std::as_const(m_readings)) {
            if (!r.has(Variable::Temperature))
                continue;
            if (r.stationId == QLatin1String("KMDW"))
                kmdw << r.value(Variable::Temperature);
            if (r.stationId == QLatin1String("KMSN"))
                kmsn << r.value(Variable::Temperature);
        }
        QVERIFY(kmsn.size() > 50);
        // Round to a tenth so the rule text is short; the medians are real readings' values.
        m_kmsnThreshold = std::round(median(kmsn) * 10) / 10;
        m_allThreshold = std::round(median(kmdw) * 10) / 10;
        // A config-file rule, read-only through the API.
        QFile f(m_dir.filePath(QStringLiteral("rules.conf")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# the operators' file\nwind_speed > 150 km/h severity=critical name=\"storm\"\n");
    }

    void apiAddsListsDeletesAndRefuses()
    {
        StratusProcess a;
        QVERIFY2(startReplay(a, QStringLiteral("a.sqlite")), qPrintable(a.error() + a.stderrText()));

        // The config rule is there, marked read-only.
        const QJsonObject cfg = ruleById(a, QStringLiteral("r1"));
        QCOMPARE(cfg.value(QLatin1String("origin")).toString(), QStringLiteral("config"));
        QVERIFY(cfg.value(QLatin1String("read_only")).toBool());
        auto ans = a.request("DELETE", QStringLiteral("/alerts/rules/r1"), {}, kAuth);
        QCOMPARE(ans.status, 409);
        QVERIFY2(ans.json().value(QLatin1String("message")).toString().contains(QLatin1String("read-only")), ans.body.constData());

        // Add the KMSN rule (threshold from the data).
        QJsonObject rule;
        rule.insert(QStringLiteral("expression"),
                    QStringLiteral("temperature < %1 for 20m").arg(m_kmsnThreshold));
        rule.insert(QStringLiteral("station"), QStringLiteral("KMSN"));
        rule.insert(QStringLiteral("name"), QStringLiteral("below median"));
        rule.insert(QStringLiteral("author"), QStringLiteral("test"));
        ans = a.request("POST", QStringLiteral("/alerts/rules"), json(rule), kAuth);
        QCOMPARE(ans.status, 201);
        const QString id = ans.json().value(QLatin1String("id")).toString();
        QCOMPARE(id, QStringLiteral("a1"));
        QCOMPARE(ans.header("Location"), QByteArray("/alerts/rules/a1"));
        QCOMPARE(ans.json().value(QLatin1String("scope")).toString(), QStringLiteral("station"));
        QCOMPARE(ans.json().value(QLatin1String("for_ms")).toInteger(), 20 * 60'000);
        QVERIFY(!ans.json().value(QLatin1String("read_only")).toBool());

        // Refusals: each says what is wrong, none loses a1.
        struct Bad
        {
            QByteArray body;
            QList<QPair<QByteArray, QByteArray>> headers;
            int status;
            QString says;
        };
        const QList<Bad> bad = {
            {R"({"expression": "temperature < 0"})", {}, 401, QStringLiteral("Bearer")},
            {R"({"expression": "temperature < 0"})", {{"Authorization", "Bearer wrong"}}, 403, QStringLiteral("not valid")},
            {R"({"expression": "temperature < 0")", kAuth, 400, QStringLiteral("not valid JSON")},
            {R"(["temperature < 0"])", kAuth, 400, QStringLiteral("JSON object")},
            {R"({"station": "KMSN"})", kAuth, 400, QStringLiteral("expression: required")},
            {R"({"expression": "temperature < cold"})", kAuth, 400, QStringLiteral("\"cold\" is not a number")},
            {R"({"expression": "temprature < 0"})", kAuth, 400, QStringLiteral("temprature")},
            {R"({"expression": "temperature < 0", "for": "soon"})", kAuth, 400, QStringLiteral("for:")},
            {R"({"expression": "temperature < 0", "severity": "loud"})", kAuth, 400, QStringLiteral("severity")},
            {R"({"expression": "temperature < 0", "colour": "red"})", kAuth, 400, QStringLiteral("unknown field \"colour\"")},
            {R"({"expression": "temperature < 0", "station": "KXYZ"})", kAuth, 404, QStringLiteral("unknown station \"KXYZ\"")},
            {R"({"expression": "temperature < 0 station=KMSN", "station": "KMDW"})", kAuth, 400, QStringLiteral("contradicts")},
        };
        for (const Bad &b : bad) {
            ans = a.request("POST", QStringLiteral("/alerts/rules"), b.body, b.headers);
            QVERIFY2(ans.status == b.status, qPrintable(QStringLiteral("%1 → %2 %3").arg(QString::fromUtf8(b.body)).arg(ans.status).arg(QString::fromUtf8(ans.body))));
            QVERIFY2(ans.json().value(QLatin1String("message")).toString().contains(b.says), ans.body.constData());
        }
        QCOMPARE(a.get(QStringLiteral("/alerts/rules")).json().value(QLatin1String("count")).toInt(), 2); // r1 + a1

        // A rule for every station (threshold: KMDW's median), then one added and deleted.
        rule = {};
        rule.insert(QStringLiteral("expression"), QStringLiteral("temperature < %1 for 20m").arg(m_allThreshold));
        ans = a.request("POST", QStringLiteral("/alerts/rules"), json(rule), kAuth);
        QCOMPARE(ans.status, 201);
        QCOMPARE(ans.json().value(QLatin1String("scope")).toString(), QStringLiteral("all"));
        const QString allId = ans.json().value(QLatin1String("id")).toString();
        ans = a.request("POST", QStringLiteral("/alerts/rules"), R"({"expression": "wind_speed > 20 m/s"})", kAuth);
        QCOMPARE(ans.status, 201);
        const QString gone = ans.json().value(QLatin1String("id")).toString();
        QCOMPARE(a.request("DELETE", QStringLiteral("/alerts/rules/") + gone, {}, {}).status, 401);
        QCOMPARE(a.request("DELETE", QStringLiteral("/alerts/rules/") + gone, {}, kAuth).status, 200);
        QCOMPARE(a.get(QStringLiteral("/alerts/rules/") + gone).status, 404);
        QCOMPARE(a.request("DELETE", QStringLiteral("/alerts/rules/") + gone, {}, kAuth).status, 404);

        // Silences: KMDW for the whole recording; one for KMSP added and deleted; bad ones refused.
        ans = a.request("POST", QStringLiteral("/alerts/silences"),
                        R"({"station": "kmdw", "starts_at": "2025-12-01T00:00:00Z", "until": "2026-02-01T00:00:00Z",
                            "comment": "sensor swap", "author": "test"})",
                        kAuth);
        QCOMPARE(ans.status, 201);
        QCOMPARE(ans.json().value(QLatin1String("station")).toString(), QStringLiteral("KMDW"));
        QCOMPARE(ans.json().value(QLatin1String("state")).toString(), QStringLiteral("active")); // the replay's now is inside
        const QString kmdwSilence = ans.json().value(QLatin1String("id")).toString();
        ans = a.request("POST", QStringLiteral("/alerts/silences"), R"({"station": "KMSP", "duration": "1h"})", kAuth);
        QCOMPARE(ans.status, 201);
        const QString kmspSilence = ans.json().value(QLatin1String("id")).toString();
        // Duration counts from the engine's now: the replay's last event time.
        const QJsonObject sj = ans.json();
        QCOMPARE(sj.value(QLatin1String("until")).toInteger() - sj.value(QLatin1String("starts_at")).toInteger(), 3600'000);
        QCOMPARE(a.request("DELETE", QStringLiteral("/alerts/silences/") + kmspSilence, {}, kAuth).status, 200);
        QCOMPARE(a.get(QStringLiteral("/alerts/silences/") + kmspSilence).status, 404);
        const QList<Bad> badSilences = {
            {R"({"station": "KMSN", "duration": "1h"})", {}, 401, QStringLiteral("Bearer")},
            {R"({"station": "KMSN", "duration": "1h", "until": "2026-02-01T00:00:00Z"})", kAuth, 400, QStringLiteral("exactly one")},
            {R"({"station": "KMSN"})", kAuth, 400, QStringLiteral("exactly one")},
            {R"({"station": "KMSN", "starts_at": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"})", kAuth, 400,
             QStringLiteral("not after")},
            {R"({"station": "KMSN", "until": "next week"})", kAuth, 400, QStringLiteral("until:")},
            {R"({"station": "KMSN", "duration": "ages"})", kAuth, 400, QStringLiteral("duration:")},
            {R"({"station": "NOPE", "duration": "1h"})", kAuth, 404, QStringLiteral("unknown station")},
            {R"({"duration": "1h"})", kAuth, 400, QStringLiteral("station: required")},
            {R"(not json)", kAuth, 400, QStringLiteral("not valid JSON")},
        };
        for (const Bad &b : badSilences) {
            ans = a.request("POST", QStringLiteral("/alerts/silences"), b.body, b.headers);
            QVERIFY2(ans.status == b.status, qPrintable(QStringLiteral("%1 → %2 %3").arg(QString::fromUtf8(b.body)).arg(ans.status).arg(QString::fromUtf8(ans.body))));
            QVERIFY2(ans.json().value(QLatin1String("message")).toString().contains(b.says), ans.body.constData());
        }
        const QJsonArray silences = a.get(QStringLiteral("/alerts/silences")).json().value(QLatin1String("silences")).toArray();
        QCOMPARE(silences.size(), 1);
        QCOMPARE(silences.first().toObject().value(QLatin1String("id")).toString(), kmdwSilence);
        QCOMPARE(a.get(QStringLiteral("/alerts/rules")).json().value(QLatin1String("count")).toInt(), 3); // r1, a1, all
        QVERIFY(!ruleById(a, allId).isEmpty());
        m_allId = allId;
        a.stop();
    }

    void rulesFireResolveAndSurviveRestart()
    {
        // Server B: the same alert state file, a fresh history store, the same recording.
        StratusProcess b;
        QVERIFY2(startReplay(b, QStringLiteral("b.sqlite")), qPrintable(b.error() + b.stderrText()));
        QVERIFY2(b.stderrText().contains(QLatin1String("restored")), qPrintable(b.stderrText()));

        const QJsonObject list = b.get(QStringLiteral("/alerts/rules")).json();
        QCOMPARE(list.value(QLatin1String("count")).toInt(), 3);
        QCOMPARE(list.value(QLatin1String("clock")).toString(), QStringLiteral("event_time"));
        const QJsonObject a1 = ruleById(b, QStringLiteral("a1"));
        QCOMPARE(a1.value(QLatin1String("name")).toString(), QStringLiteral("below median"));
        QCOMPARE(a1.value(QLatin1String("author")).toString(), QStringLiteral("test"));
        QCOMPARE(a1.value(QLatin1String("origin")).toString(), QStringLiteral("api"));
        QCOMPARE(b.get(QStringLiteral("/alerts/silences")).json().value(QLatin1String("count")).toInt(), 1);

        // KMSN went pending, then firing, then back to inactive, in the rule's state history.
        const QJsonObject kmsn = stateOf(a1, QStringLiteral("KMSN"));
        QVERIFY2(!kmsn.isEmpty(), json(a1).constData());
        QStringList moves;
        for (const auto &v : kmsn.value(QLatin1String("history")).toArray())
            moves << v.toObject().value(QLatin1String("from")).toString() + u'>' + v.toObject().value(QLatin1String("to")).toString();
        const QString seq = moves.join(u' ');
        QVERIFY2(seq.contains(QLatin1String("inactive>pending pending>firing firing>inactive")), qPrintable(seq));
        QVERIFY(kmsn.value(QLatin1String("last_resolved")).toInteger() > 0);

        // The notices went through the normal alert path (/anomalies, kind rule), and agree with the
        // recording: fired on a reading below the threshold at least 20 min after the condition
        // began, resolved (severity info) on a reading at or above it.
        const QList<QJsonObject> notices = ruleNotices(b, QStringLiteral("KMSN"));
        int firing = 0, resolved = 0;
        for (const QJsonObject &n : notices) {
            const QString reason = n.value(QLatin1String("reason")).toString();
            if (!reason.contains(QLatin1String("rule a1 ")))
                continue;
            const qint64 ts = n.value(QLatin1String("ts")).toInteger();
            const double x = kmsnAt(ts);
            QVERIFY2(!std::isnan(x), qPrintable(reason));
            if (reason.startsWith(QLatin1String("firing:"))) {
                ++firing;
                QVERIFY2(x < m_kmsnThreshold, qPrintable(reason));
                QCOMPARE(n.value(QLatin1String("severity")).toString(), QStringLiteral("warning"));
            } else {
                QVERIFY2(reason.startsWith(QLatin1String("resolved:")), qPrintable(reason));
                ++resolved;
                QVERIFY2(x >= m_kmsnThreshold, qPrintable(reason));
                QCOMPARE(n.value(QLatin1String("severity")).toString(), QStringLiteral("info"));
            }
        }
        QVERIFY2(firing >= 1 && resolved >= 1, qPrintable(QStringLiteral("%1 firing, %2 resolved").arg(firing).arg(resolved)));
        // Every pending → firing step held for the 20 minutes.
        qint64 pendingAt = -1;
        for (const auto &v : kmsn.value(QLatin1String("history")).toArray()) {
            const QJsonObject t = v.toObject();
            if (t.value(QLatin1String("to")).toString() == QLatin1String("pending"))
                pendingAt = t.value(QLatin1String("at")).toInteger();
            if (t.value(QLatin1String("to")).toString() == QLatin1String("firing") && pendingAt >= 0)
                QVERIFY(t.value(QLatin1String("at")).toInteger() - pendingAt >= 20 * 60'000);
        }

        // The all-stations rule: KMDW is silenced for the whole recording, so its state fires but
        // no notice is raised for it; an unsilenced station's notices are there.
        const QJsonObject all = ruleById(b, m_allId);
        QVERIFY2(!all.isEmpty(), json(list).constData());
        const QJsonObject kmdw = stateOf(all, QStringLiteral("KMDW"));
        QVERIFY(kmdw.value(QLatin1String("silenced")).toBool());
        bool kmdwFired = false;
        for (const auto &v : kmdw.value(QLatin1String("history")).toArray())
            kmdwFired = kmdwFired || v.toObject().value(QLatin1String("to")).toString() == QLatin1String("firing");
        QVERIFY2(kmdwFired, json(kmdw).constData());
        QVERIFY2(ruleNotices(b, QStringLiteral("KMDW")).isEmpty(), "a silenced station raised rule notices");
        bool otherNotified = false;
        for (const QString &s : {QStringLiteral("KMSN"), QStringLiteral("KMKE"), QStringLiteral("KMSP"), QStringLiteral("KDSM")}) {
            for (const QJsonObject &n : ruleNotices(b, s))
                otherNotified = otherNotified || n.value(QLatin1String("reason")).toString().contains(QStringLiteral("rule %1 ").arg(m_allId));
        }
        QVERIFY(otherNotified);

        // Deleting the silence through the restarted server sticks too.
        const QString sid = b.get(QStringLiteral("/alerts/silences")).json().value(QLatin1String("silences")).toArray().first()
                                .toObject().value(QLatin1String("id")).toString();
        QCOMPARE(b.request("DELETE", QStringLiteral("/alerts/silences/") + sid, {}, kAuth).status, 200);
        b.stop();
        QFile state(m_dir.filePath(QStringLiteral("alerts.json")));
        QVERIFY(state.open(QIODevice::ReadOnly));
        const QJsonObject saved = QJsonDocument::fromJson(state.readAll()).object();
        QCOMPARE(saved.value(QLatin1String("silences")).toArray().size(), 0);
        QCOMPARE(saved.value(QLatin1String("rules")).toArray().size(), 2); // a1 and the all-stations rule; not the config rule
    }
};

QTEST_GUILESS_MAIN(TstAlertRulesApi)
#include "tst_app_alert_rules_api.moc"
