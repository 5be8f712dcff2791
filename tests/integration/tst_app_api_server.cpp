// The REST API as a black box: a real `stratus --server` replaying the real recorded NWS stream at
// full speed into a real SQLite file, answers compared with what the recording holds.
#include "StratusProcess.h"
#include "sources/RecordedDataReader.h"

#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace stratus;

class TstApiServer : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    StratusProcess m_server;
    RecordedDataReader::Data m_data;
    QString dbPath() const { return m_dir.filePath(QStringLiteral("history.sqlite")); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString file = testdata::shared("data/nws_recorded/nws_recorded.jsonl");
        auto data = RecordedDataReader::read(file);
        QVERIFY2(data.ok(), qPrintable(data.errorMessage()));
        m_data = *data;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("STRATUS_API_TOKEN"), QStringLiteral("s3cret-test-token-0123"));
        QVERIFY2(m_server.startServer({QStringLiteral("--file"), file, QStringLiteral("--speed"), QStringLiteral("max"),
                                 QStringLiteral("--db"), dbPath(), QStringLiteral("--rate-limit"), QStringLiteral("0")},
                                env),
                 qPrintable(m_server.error()));
        QVERIFY(m_server.waitForReplayEnd());
    }

    void health()
    {
        const HttpAnswer a = m_server.get(QStringLiteral("/health"));
        QCOMPARE(a.status, 200);
        QCOMPARE(a.contentType, QByteArray("application/json"));
        const QJsonObject h = a.json();
        QCOMPARE(h.value(QLatin1String("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(h.value(QLatin1String("stations")).toInt(), 5);
        const QJsonObject store = h.value(QLatin1String("store")).toObject();
        QCOMPARE(store.value(QLatin1String("state")).toString(), QStringLiteral("ok"));
        // Every accepted reading is committed: the store's row count equals the engine's intake.
        const qint64 in = h.value(QLatin1String("counters")).toObject().value(QLatin1String("readings_in")).toInteger();
        QVERIFY(in > 500);
        // 524 messages, one (station, ts) pair twice: the store keeps one row per pair.
        QCOMPARE(store.value(QLatin1String("rows")).toInteger(), in);
        QCOMPARE(h.value(QLatin1String("sources")).toArray().first().toObject().value(QLatin1String("state")).toString(),
                 QStringLiteral("finished"));
        QCOMPARE(h.value(QLatin1String("bus")).toObject().value(QLatin1String("kind")).toString(), QStringLiteral("local"));
    }

    void stationsMatchTheRecording()
    {
        const QJsonObject o = m_server.get(QStringLiteral("/stations")).json();
        QSet<QString> ids;
        for (const auto &s : o.value(QLatin1String("stations")).toArray())
            ids.insert(s.toObject().value(QLatin1String("id")).toString());
        QSet<QString> expected;
        for (const Station &s : m_data.stations)
            expected.insert(s.id);
        QCOMPARE(ids, expected);
        QCOMPARE(o.value(QLatin1String("total")).toInt(), 5);

        // Paging: two pages of 3 cover the 5 stations once.
        const QJsonObject p1 = m_server.get(QStringLiteral("/stations?limit=3")).json();
        QCOMPARE(p1.value(QLatin1String("count")).toInt(), 3);
        QCOMPARE(p1.value(QLatin1String("next_offset")).toInt(), 3);
        const QJsonObject p2 = m_server.get(QStringLiteral("/stations?limit=3&offset=3")).json();
        QCOMPARE(p2.value(QLatin1String("count")).toInt(), 2);
        QVERIFY(!p2.contains(QLatin1String("next_offset")));
    }

    void stationLatestIsTheLastRecordedReading()
    {
        // Last KMSN reading of the file (sorted by time).
        Reading last;
        for (const Reading &r : std::as_const(m_data.readings)) {
            if (r.stationId == QLatin1String("KMSN"))
                last = r;
        }
        const HttpAnswer a = m_server.get(QStringLiteral("/stations/KMSN"));
        QCOMPARE(a.status, 200);
        const QJsonObject latest = a.json().value(QLatin1String("latest")).toObject();
        QCOMPARE(latest.value(QLatin1String("ts")).toInteger(), last.timestampMs);
        QCOMPARE(latest.value(QLatin1String("temperature")).toDouble(), last.value(Variable::Temperature));
        QVERIFY(!a.json().value(QLatin1String("windows")).toArray().isEmpty());
    }

    void predictionsAndHistory()
    {
        const QJsonObject now = m_server.get(QStringLiteral("/predictions/KMDW")).json();
        QVERIFY(!now.value(QLatin1String("predictions")).toArray().isEmpty());

        // Same range as ISO 8601 and as epoch seconds: same answer.
        const QString iso = QStringLiteral("/predictions/KMDW/history?from=2026-01-28T00:00:00Z&to=2026-01-29T00:00:00Z&limit=50");
        const QString epoch = QStringLiteral("/predictions/KMDW/history?from=1769558400&to=1769644800&limit=50");
        const HttpAnswer a = m_server.get(iso);
        QCOMPARE(a.status, 200);
        QCOMPARE(a.body, m_server.get(epoch).body);
        const QJsonArray list = a.json().value(QLatin1String("predictions")).toArray();
        QVERIFY(!list.isEmpty());
        QVERIFY(list.size() <= 50);
        // Each forecast comes whole, once, with its points in horizon order (the page is one joined query).
        QSet<QString> seen;
        for (const auto &v : list) {
            const QJsonObject f = v.toObject();
            const qint64 issued = f.value(QLatin1String("issued")).toInteger();
            QVERIFY(issued >= 1769558400000LL && issued < 1769644800000LL);
            QCOMPARE(f.value(QLatin1String("station")).toString(), QStringLiteral("KMDW"));
            const QString key = QString::number(issued) + f.value(QLatin1String("variable")).toString()
                                + f.value(QLatin1String("model")).toString() + f.value(QLatin1String("version")).toString();
            QVERIFY2(!seen.contains(key), qPrintable(key));
            seen.insert(key);
            const QJsonArray points = f.value(QLatin1String("points")).toArray();
            QVERIFY(!points.isEmpty());
            for (qsizetype i = 1; i < points.size(); ++i)
                QVERIFY(points[i].toObject().value(QLatin1String("h")).toInt()
                        > points[i - 1].toObject().value(QLatin1String("h")).toInt());
        }
        QCOMPARE(m_server.get(QStringLiteral("/predictions/NOPE/history")).status, 404);
        QCOMPARE(m_server.get(QStringLiteral("/predictions/KMDW/history?from=yesterday")).status, 400);
    }

    void featuresPage()
    {
        const QJsonObject p1 = m_server.get(QStringLiteral("/features/KMKE?limit=5")).json();
        QCOMPARE(p1.value(QLatin1String("count")).toInt(), 5);
        QCOMPARE(p1.value(QLatin1String("next_offset")).toInt(), 5);
        const QJsonObject p2 = m_server.get(QStringLiteral("/features/KMKE?limit=5&offset=5")).json();
        QVERIFY(p1.value(QLatin1String("features")).toArray() != p2.value(QLatin1String("features")).toArray());
        // A range filter keeps only windows ending inside it.
        const QJsonArray day = m_server.get(QStringLiteral("/features/KMKE?from=2026-01-26&to=2026-01-27&limit=10000"))
                                   .json().value(QLatin1String("features")).toArray();
        QVERIFY(!day.isEmpty());
        for (const auto &v : day) {
            const qint64 end = v.toObject().value(QLatin1String("end")).toInteger();
            QVERIFY(end >= 1769385600000LL && end < 1769472000000LL);
        }
    }

    void anomalies()
    {
        const HttpAnswer a = m_server.get(QStringLiteral("/anomalies?limit=10000"));
        QCOMPARE(a.status, 200);
        const qint64 n = a.json().value(QLatin1String("count")).toInteger();
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        db.setDatabaseName(dbPath());
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM anomalies")) && q.next());
        QCOMPARE(n, q.value(0).toLongLong());
        q = QSqlQuery();
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("check"));
        QCOMPARE(m_server.get(QStringLiteral("/anomalies?station=NOPE")).status, 404);
        QCOMPARE(m_server.get(QStringLiteral("/anomalies?station=KMSN&since=2026-01-01T00:00:00Z")).status, 200);
    }

    void badParameters_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("limit 0") << "/anomalies?limit=0" << "limit";
        QTest::newRow("limit text") << "/anomalies?limit=ten" << "limit";
        QTest::newRow("limit huge") << "/features/KMSN?limit=99999999999999999999" << "limit";
        QTest::newRow("offset negative") << "/stations?offset=-1" << "offset";
        QTest::newRow("offset past the cap") << "/predictions/KMDW/history?offset=100001" << "narrow the time range";
        QTest::newRow("offset huge") << "/anomalies?offset=5000000000" << "offset";
        QTest::newRow("since garbage") << "/anomalies?since=not-a-time" << "since";
        QTest::newRow("month 13") << "/features/KMSN?from=2026-13-01T00:00:00Z" << "from";
        QTest::newRow("epoch out of range") << "/features/KMSN?to=1e300" << "to";
        QTest::newRow("export kind") << "/export.csv?station=KMSN&kind=everything" << "kind";
        QTest::newRow("export no station") << "/export.csv" << "station";
        // Unknown parameters are refused, naming the parameter and what the route takes.
        QTest::newRow("misspelt station") << "/anomalies?statoin=KMSN" << "statoin";
        QTest::newRow("unknown with known") << "/features/KMSN?limit=5&cachebust=1" << "from, limit, offset, to";
        QTest::newRow("parameter on a route without") << "/health?verbose=1" << "takes none";
        QTest::newRow("export extra") << "/export.csv?station=KMSN&format=xlsx" << "format";
    }
    void badParameters()
    {
        QFETCH(QString, path);
        QFETCH(QString, mentions);
        const HttpAnswer a = m_server.get(path);
        QCOMPARE(a.status, 400);
        QCOMPARE(a.json().value(QLatin1String("status")).toInt(), 400);
        QVERIFY2(a.json().value(QLatin1String("message")).toString().contains(mentions), a.body.constData());
    }

    void notFoundAndMethods()
    {
        HttpAnswer a = m_server.get(QStringLiteral("/stations/XXXX"));
        QCOMPARE(a.status, 404);
        QVERIFY(a.json().value(QLatin1String("message")).toString().contains(QLatin1String("XXXX")));
        QCOMPARE(m_server.get(QStringLiteral("/no/such/route")).status, 404);
        QCOMPARE(m_server.get(QStringLiteral("/predictions/XXXX")).status, 404);
        a = m_server.request("POST", QStringLiteral("/health"));
        QCOMPARE(a.status, 405);
        QCOMPARE(a.header("Allow"), QByteArray("GET"));
        QCOMPARE(m_server.request("DELETE", QStringLiteral("/stations/KMSN")).status, 405);
    }

    void writesNeedTheToken()
    {
        const QString path = QStringLiteral("/models/persistence/activate");
        HttpAnswer a = m_server.request("POST", path);
        QCOMPARE(a.status, 401);
        QVERIFY(a.header("WWW-Authenticate").startsWith("Bearer"));
        a = m_server.request("POST", path, {}, {{"Authorization", "Basic dXNlcjpwdw=="}});
        QCOMPARE(a.status, 401);
        a = m_server.request("POST", path, {}, {{"Authorization", "Bearer wrong"}});
        QCOMPARE(a.status, 403);
        a = m_server.request("POST", path, {}, {{"Authorization", "Bearer s3cret-test-token-0123"}});
        QCOMPARE(a.status, 200);
        QCOMPARE(a.json().value(QLatin1String("active")).toBool(), true);
        a = m_server.request("POST", QStringLiteral("/models/v999/activate"), {}, {{"Authorization", "Bearer s3cret-test-token-0123"}});
        QCOMPARE(a.status, 404);
        QCOMPARE(m_server.request("GET", path).status, 405);
    }

    void bodyTooLarge()
    {
        const HttpAnswer a = m_server.request("POST", QStringLiteral("/models/persistence/activate"),
                                              QByteArray(200 * 1024, 'x'), {{"Authorization", "Bearer s3cret-test-token-0123"}});
        QCOMPARE(a.status, 413);
    }

    void metricsAndContract()
    {
        const HttpAnswer m = m_server.get(QStringLiteral("/metrics"));
        QCOMPARE(m.status, 200);
        QVERIFY(m.contentType.startsWith("text/plain"));
        for (const char *name : {"stratus_readings_in_total ", "stratus_readings_dropped_total ",
                                 "stratus_readings_late_total ", "stratus_dead_lettered_total ",
                                 "stratus_window_latency_seconds_bucket{le=\"+Inf\"} ",
                                 "stratus_inference_latency_seconds_count ", "stratus_source_up{source=\""})
            QVERIFY2(m.body.contains(name), name);
        const QJsonObject api = m_server.get(QStringLiteral("/openapi.json")).json();
        QVERIFY(api.value(QLatin1String("openapi")).toString().startsWith(QLatin1String("3.")));
        QVERIFY(api.value(QLatin1String("paths")).toObject().contains(QLatin1String("/anomalies")));
        const QJsonObject cluster = m_server.get(QStringLiteral("/cluster")).json();
        QCOMPARE(cluster.value(QLatin1String("mode")).toString(), QStringLiteral("in-process"));
        QCOMPARE(cluster.value(QLatin1String("stages")).toArray().size(), 4);
    }

    void rateLimit()
    {
        QTemporaryDir dir;
        StratusProcess limited;
        QVERIFY2(limited.startServer({QStringLiteral("--demo"), QStringLiteral("--db"), dir.filePath(QStringLiteral("h.sqlite")),
                                QStringLiteral("--rate-limit"), QStringLiteral("5")}),
                 qPrintable(limited.error()));
        int tooMany = 0;
        QByteArray retry;
        for (int i = 0; i < 40; ++i) {
            const HttpAnswer a = limited.get(QStringLiteral("/health"));
            if (a.status == 429) {
                ++tooMany;
                retry = a.header("Retry-After");
            }
        }
        QVERIFY(tooMany > 0);
        QCOMPARE(retry, QByteArray("1"));
    }

    void sigtermFlushesTheStore()
    {
        const qint64 rows = m_server.get(QStringLiteral("/health")).json().value(QLatin1String("store")).toObject()
                                .value(QLatin1String("rows")).toInteger();
        m_server.process().terminate(); // SIGTERM
        QVERIFY(m_server.process().waitForFinished(15000));
        QCOMPARE(m_server.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_server.process().exitCode(), 0);
        // A clean shutdown checkpoints the WAL into the main file.
        QVERIFY(!QFile::exists(dbPath() + QStringLiteral("-wal")) || QFileInfo(dbPath() + QStringLiteral("-wal")).size() == 0);
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("after"));
        db.setDatabaseName(dbPath());
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM readings")) && q.next());
        // Every committed reading is there; the recording's one repeated (station, ts) pair is one row.
        QCOMPARE(rows, qint64(m_data.readings.size()));
        QCOMPARE(q.value(0).toLongLong(), rows - 1);
    }
};

QTEST_GUILESS_MAIN(TstApiServer)
#include "tst_app_api_server.moc"
