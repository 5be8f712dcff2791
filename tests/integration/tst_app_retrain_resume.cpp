// Checkpoint and resume across a real kill: `stratus --retrain` (a real process) is killed with
// SIGKILL while it trains; run again, it resumes the same job from its checkpoint — the stations'
// history is not read again — and gives a model identical (same weights.json bytes) to an
// uninterrupted run. Real data: 4 Beijing stations, 2014-06 … 2015-02 (kept small for the loaded CI
// machine: each run trains in seconds). Also the server side: POST /models/retrain (token), its
// progress, and the decision in GET /models.
#include "RetrainData.h"
#include "StratusProcess.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TstRetrainResume : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_store;

    QStringList args(const QString &root) const
    {
        return {QStringLiteral("--retrain"), QStringLiteral("--db"), m_store, QStringLiteral("--models"), root,
                QStringLiteral("--train-days"), QStringLiteral("200"), QStringLiteral("--held-back-days"),
                QStringLiteral("21"), QStringLiteral("--json")};
    }

    // Runs to completion; returns the decision.
    QJsonObject runToEnd(const QString &root, QByteArray *err)
    {
        StratusProcess p;
        const int code = p.run(args(root));
        *err = p.stderrText().toUtf8();
        if (code != 0)
            qWarning().noquote() << *err;
        return QJsonDocument::fromJson(p.stdoutText().toUtf8()).object();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_store = m_dir.filePath(QStringLiteral("history.sqlite"));
        const QStringList stations{QStringLiteral("Dongsi"), QStringLiteral("Huairou"), QStringLiteral("Changping"),
                                   QStringLiteral("Tiantan")};
        const auto readings = retraindata::beijing(stations, retraindata::iso("2014-06-01T00:00:00Z"),
                                                   retraindata::iso("2015-03-01T00:00:00Z"));
        QVERIFY(readings.size() > 4 * 6000);
        QVERIFY(retraindata::fillStore(m_store, readings));
    }

    void killedRunResumesAndGivesTheSameModel()
    {
        // Reference: one uninterrupted run.
        const QString rootA = m_dir.filePath(QStringLiteral("a"));
        QByteArray errA;
        const QJsonObject a = runToEnd(rootA, &errA);
        QVERIFY2(!a.isEmpty(), errA.constData());
        const QByteArray reference = retraindata::sha256(a.value(QStringLiteral("model_dir")).toString() + QStringLiteral("/weights.json"));
        QVERIFY(!reference.isEmpty());

        // Killed while it trains, after the stations were checkpointed.
        const QString rootB = m_dir.filePath(QStringLiteral("b"));
        StratusProcess p;
        p.launch(args(rootB));
        QVERIFY(p.process().waitForStarted());
        QVERIFY(QTest::qWaitFor([&] {
            p.process().waitForReadyRead(50);
            return p.stderrText().contains(QLatin1String("training candidate")) || !p.running();
        }, 60000));
        QVERIFY2(p.running(), qPrintable(p.stderrText()));
        p.kill9();
        QCOMPARE(p.process().exitStatus(), QProcess::CrashExit);
        const QStringList jobs = QDir(rootB + QStringLiteral("/.retrain")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QCOMPARE(jobs.size(), 1);
        const QString ckpt = rootB + QStringLiteral("/.retrain/") + jobs.first();
        QCOMPARE(QDir(ckpt + QStringLiteral("/stations")).entryList(QDir::Files).size(), 4);
        QVERIFY(!QFile::exists(ckpt + QStringLiteral("/candidate/model.json")));

        // Resumed: same job, no station read again, same model.
        QByteArray errB;
        const QJsonObject b = runToEnd(rootB, &errB);
        QVERIFY2(!b.isEmpty(), errB.constData());
        qInfo().noquote() << "resumed run:\n" << errB;
        QCOMPARE(b.value(QStringLiteral("job")).toString(), jobs.first());
        QVERIFY(errB.contains("resumed: 4/4 stations from the checkpoint"));
        QVERIFY(!errB.contains("checkpoint: station"));
        QCOMPARE(retraindata::sha256(b.value(QStringLiteral("model_dir")).toString() + QStringLiteral("/weights.json")), reference);
        QCOMPARE(b.value(QStringLiteral("promoted")).toBool(), a.value(QStringLiteral("promoted")).toBool());
        QCOMPARE(b.value(QStringLiteral("candidate_mae")).toDouble(), a.value(QStringLiteral("candidate_mae")).toDouble());
        QVERIFY(!QFileInfo::exists(ckpt)); // published: the checkpoint is gone
    }

    void apiStartsARetrainAndModelsShowsTheDecision()
    {
        // The server replays the store's last two hours again (upserts), so it has a source; the
        // retrain reads the store.
        const QString tiny = m_dir.filePath(QStringLiteral("tail.csv"));
        {
            QFile f(tiny);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Text));
            QTextStream out(&f);
            out << "station,time_utc,temperature_c,dewpoint_c,pressure_hpa,wind_speed_ms\n";
            for (const auto &r : retraindata::beijing({QStringLiteral("Dongsi")}, retraindata::iso("2015-02-28T22:00:00Z"),
                                                      retraindata::iso("2015-03-01T00:00:00Z")))
                out << r.stationId << ',' << stratus::timeutil::toIsoUtc(r.timestampMs) << ','
                    << r.value(stratus::Variable::Temperature) << ",,,\n";
        }
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("STRATUS_API_TOKEN"), QStringLiteral("retrain-test-token-0123"));
        env.insert(QStringLiteral("STRATUS_RETRAIN_TRAIN_DAYS"), QStringLiteral("200"));
        env.insert(QStringLiteral("STRATUS_RETRAIN_HELD_BACK_DAYS"), QStringLiteral("21"));
        StratusProcess server;
        const QString root = m_dir.filePath(QStringLiteral("c"));
        QVERIFY2(server.startServer({QStringLiteral("--db"), m_store, QStringLiteral("--models"), root, QStringLiteral("--file"), tiny,
                               QStringLiteral("--speed"), QStringLiteral("max"), QStringLiteral("--retention-days"),
                               QStringLiteral("0")},
                              env),
                 qPrintable(server.error()));
        QCOMPARE(server.request("POST", QStringLiteral("/models/retrain")).status, 401);
        const QList<QPair<QByteArray, QByteArray>> auth{{"Authorization", "Bearer retrain-test-token-0123"}};
        const HttpAnswer started = server.request("POST", QStringLiteral("/models/retrain"), {}, auth);
        QCOMPARE(started.status, 202);
        const QString id = started.json().value(QStringLiteral("id")).toString();
        QVERIFY(id.startsWith(QLatin1String("retrain-")));
        const HttpAnswer again = server.request("POST", QStringLiteral("/models/retrain"), {}, auth);
        QVERIFY2(again.status == 409 || again.status == 202, again.body.constData());
        QJsonObject job;
        QVERIFY(QTest::qWaitFor([&] {
            job = server.get(QStringLiteral("/models/retrain/") + id).json();
            return job.value(QStringLiteral("stage")).toString() == QLatin1String("done")
                   || job.value(QStringLiteral("stage")).toString() == QLatin1String("failed");
        }, 90000));
        QVERIFY2(job.value(QStringLiteral("stage")).toString() == QLatin1String("done"), QJsonDocument(job).toJson().constData());
        const QJsonObject models = server.get(QStringLiteral("/models")).json();
        const QJsonArray decisions = models.value(QStringLiteral("retrain")).toObject().value(QStringLiteral("decisions")).toArray();
        QVERIFY(!decisions.isEmpty());
        const QJsonObject d = decisions.first().toObject();
        QCOMPARE(d.value(QStringLiteral("job")).toString(), id);
        QVERIFY2(d.value(QStringLiteral("promoted")).toBool(), qPrintable(d.value(QStringLiteral("reason")).toString()));
        bool active = false;
        for (const QJsonValue &m : models.value(QStringLiteral("models")).toArray())
            active = active || (m.toObject().value(QStringLiteral("version")).toString() == id && m.toObject().value(QStringLiteral("active")).toBool());
        QVERIFY2(active, "the promoted version is not the active one in GET /models");
    }
};

QTEST_GUILESS_MAIN(TstRetrainResume)
#include "tst_app_retrain_resume.moc"
