// Retraining on real data (beijing_hourly; 6 of the 12 stations, 2014-03 … 2015-02, so each test stays
// well under a minute on a loaded 2-core machine): a candidate trained on 240 days is promoted over
// the baselines, one trained on 30 days is rejected against it with the reason, a candidate whose
// files are damaged after scoring never replaces the active model, a cancelled job resumes from its
// checkpoint without retraining, and a station replayed with its sensor offset by +3 °C raises a
// `model` alert through the engine's alert path — that station's only, whichever station it is.
// Also: live-error drift (a noisy thermometer) raises a `model` alert for that station alone and,
// with on_drift, starts a retrain; retraining by station group promotes one group and rejects the
// other, the promoted group's model serving its stations only; a job by group resumes group by group.
#include "Engine.h"
#include "RetrainData.h"
#include "forecast/ForecastModel.h"
#include "models/ModelDriftMonitor.h"
#include "models/ModelRegistry.h"
#include "models/RetrainJob.h"
#include "models/RetrainCoordinator.h"
#include "store/HistoryReader.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

#include <random>

using namespace stratus;

namespace {

constexpr double kDriftFactor = 2.0; // healthy stations stayed below 1.8 × their peers, the noisy one reached 2.6 … 3.7

const QStringList kStations{QStringLiteral("Dongsi"), QStringLiteral("Huairou"), QStringLiteral("Changping"),
                            QStringLiteral("Tiantan"), QStringLiteral("Shunyi"), QStringLiteral("Gucheng")};

} // namespace

class TstRetrain : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_store;
    QString m_root;
    QString m_promoted;
    QString m_rejected; // the one-month candidate of the first test

    // A models root of its own for one test, with one version copied in (model and weights), so
    // the other tests' registry stays as it is.
    static bool seedModelsRoot(const QString &root, const QString &versionDir, const QString &version)
    {
        if (!QDir().mkpath(root + u'/' + version))
            return false;
        for (const char *f : {"model.json", "weights.json"}) {
            if (!QFile::copy(QDir(versionDir).filePath(QLatin1String(f)), root + u'/' + version + u'/' + QLatin1String(f)))
                return false;
        }
        return true;
    }

    RetrainJob::Request request(int trainDays, double margin = 0.02)
    {
        RetrainJob::Request r;
        r.storePath = m_store;
        r.modelsRoot = m_root;
        r.options.trainDays = trainDays;
        r.options.heldBackDays = 30;
        r.options.margin = margin;
        r.reason = QStringLiteral("test");
        ModelRegistry registry(m_root);
        if (registry.activateNewest())
            r.activeVersion = registry.active()->version;
        return r;
    }

    // The readings as a replay CSV, with one station's thermometer faulty (the one synthetic change):
    // offset by `offset`, plus seeded Gaussian noise of `noiseSigma` when that is not 0.
    QString writeOffsetReplay(const QList<Reading> &readings, const QString &station, double offset, double noiseSigma = 0)
    {
        std::mt19937 rng(13);
        std::normal_distribution<double> noise(0.0, noiseSigma > 0 ? noiseSigma : 1.0);
        const QString csv = m_dir.filePath(QStringLiteral("faulty-%1-%2-%3.csv").arg(station).arg(offset).arg(noiseSigma));
        QFile f(csv);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Text))
            return {};
        QTextStream out(&f);
        // Every variable the store (and so the model) has: a model missing an input forecasts nothing.
        out << "station,time_utc,temperature_c,dewpoint_c,pressure_hpa,rain_mm,wind_dir_deg,wind_speed_ms\n";
        auto num = [](double v) { return std::isnan(v) ? QString() : QString::number(v, 'f', 2); };
        for (const Reading &r : readings) {
            const double add = r.stationId == station ? offset + (noiseSigma > 0 ? noise(rng) : 0.0) : 0.0;
            out << r.stationId << ',' << timeutil::toIsoUtc(r.timestampMs) << ',' << num(r.value(Variable::Temperature) + add)
                << ',' << num(r.value(Variable::Dewpoint)) << ',' << num(r.value(Variable::Pressure)) << ','
                << num(r.value(Variable::Precipitation)) << ',' << num(r.value(Variable::WindDirection)) << ','
                << num(r.value(Variable::WindSpeed)) << '\n';
        }
        return csv;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_store = m_dir.filePath(QStringLiteral("history.sqlite"));
        m_root = m_dir.filePath(QStringLiteral("models"));
        QDir().mkpath(m_root);
        const auto readings = retraindata::beijing(kStations, retraindata::iso("2014-03-01T00:00:00Z"),
                                                   retraindata::iso("2015-03-01T00:00:00Z"));
        QVERIFY2(readings.size() > 6 * 8000, qPrintable(QString::number(readings.size())));
        QVERIFY(retraindata::fillStore(m_store, readings));
    }

    void promotesABetterCandidateAndRejectsAWorseOne()
    {
        // 240 days, no active model yet: it must beat the baselines on the held-back 30 days.
        RetrainJob good(request(240));
        auto d1 = good.run();
        QVERIFY2(d1.ok(), qPrintable(d1.errorMessage()));
        QVERIFY2(d1->value(QStringLiteral("promoted")).toBool(), qPrintable(d1->value(QStringLiteral("reason")).toString()));
        ModelRegistry registry(m_root);
        const QJsonObject p1 = RetrainJob::publish(m_root, *d1, &registry);
        QVERIFY(p1.value(QStringLiteral("promoted")).toBool());
        m_promoted = p1.value(QStringLiteral("version")).toString();
        QVERIFY(registry.active());
        QCOMPARE(registry.active()->version, m_promoted);
        QVERIFY(registry.active()->metrics.contains(QStringLiteral("input_reference")));
        qInfo().noquote() << "promoted:" << p1.value(QStringLiteral("reason")).toString();

        // One month only: deliberately worse; rejected against the active model, kept aside with the reason.
        RetrainJob worse(request(30));
        auto d2 = worse.run();
        QVERIFY2(d2.ok(), qPrintable(d2.errorMessage()));
        const QJsonObject p2 = RetrainJob::publish(m_root, *d2, &registry);
        qInfo().noquote() << "rejected:" << p2.value(QStringLiteral("reason")).toString();
        QVERIFY(!p2.value(QStringLiteral("promoted")).toBool());
        m_rejected = p2.value(QStringLiteral("version")).toString();
        QCOMPARE(p2.value(QStringLiteral("active_version")).toString(), m_promoted);
        QVERIFY(p2.value(QStringLiteral("candidate_mae")).toDouble() > p2.value(QStringLiteral("active_mae")).toDouble());
        QVERIFY(p2.value(QStringLiteral("reason")).toString().contains(QLatin1String("does not beat the active model")));
        QCOMPARE(registry.active()->version, m_promoted);
        const QString rejectedDir = QDir(m_root).filePath(QStringLiteral("rejected/") + p2.value(QStringLiteral("version")).toString());
        QVERIFY(QFile::exists(rejectedDir + QStringLiteral("/model.json")));
        QVERIFY(ForecastModel::load(rejectedDir).ok()); // kept whole, for inspection
        // The registry does not list (or auto-activate) the rejected version.
        for (const auto &v : registry.versions())
            QVERIFY(v.version != p2.value(QStringLiteral("version")).toString());
        const QJsonArray decisions = RetrainJob::decisions(m_root);
        QCOMPARE(decisions.size(), 2);
        QVERIFY(decisions[0].toObject().value(QStringLiteral("promoted")).toBool());
        QVERIFY(!decisions[1].toObject().value(QStringLiteral("promoted")).toBool());
        // The GUI test shows these real decisions; refresh its fixture with this variable set.
        if (const QString capture = qEnvironmentVariable("STRATUS_CAPTURE_RETRAIN_DECISIONS"); !capture.isEmpty()) {
            QFile out(capture);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            // Model folders relative to the registry: a fixture names no temporary path of this machine.
            QByteArray json = QJsonDocument(decisions).toJson(QJsonDocument::Indented);
            json.replace(QByteArray(QDir(m_root).absolutePath().toUtf8() + '/'), QByteArrayLiteral("models/"));
            out.write(json);
        }
        // The decision is in the version's own metadata too.
        const auto promoted = ForecastModel::load(QDir(m_root).filePath(m_promoted));
        QVERIFY(promoted.ok());
        QFile meta(QDir(m_root).filePath(m_promoted + QStringLiteral("/model.json")));
        QVERIFY(meta.open(QIODevice::ReadOnly));
        QVERIFY(meta.readAll().contains("retrain_decision"));
        QVERIFY(!QFileInfo::exists(RetrainJob::checkpointDir(m_root, p1.value(QStringLiteral("job")).toString())));
    }

    void corruptCandidateNeverReplacesTheActiveModel()
    {
        QVERIFY(!m_promoted.isEmpty());
        // Same data and spans as the active model, margin 0: the policy says promote. The weights are
        // then damaged on disk before publication.
        RetrainJob job(request(240, 0.0));
        job.setProgressCallback([&](const RetrainJob::Progress &p) {
            if (p.stage != QLatin1String("decided"))
                return;
            QFile w(RetrainJob::checkpointDir(m_root, p.jobId) + QStringLiteral("/candidate/weights.json"));
            QVERIFY(w.open(QIODevice::Append));
            w.write(" ");
        });
        auto d = job.run();
        QVERIFY2(d.ok(), qPrintable(d.errorMessage()));
        QVERIFY2(d->value(QStringLiteral("promoted")).toBool(), "the policy should have promoted the undamaged candidate");
        ModelRegistry registry(m_root);
        QVERIFY(registry.activate(m_promoted).ok());
        QSignalSpy changed(&registry, &ModelRegistry::activeChanged);
        const QJsonObject p = RetrainJob::publish(m_root, *d, &registry);
        qInfo().noquote() << "corrupt:" << p.value(QStringLiteral("reason")).toString();
        QVERIFY(!p.value(QStringLiteral("promoted")).toBool());
        QVERIFY(p.value(QStringLiteral("reason")).toString().contains(QLatin1String("SHA-256")));
        QCOMPARE(registry.active()->version, m_promoted);
        QCOMPARE(changed.count(), 0);
        QVERIFY(!QFileInfo::exists(QDir(m_root).filePath(p.value(QStringLiteral("version")).toString())));
        // A fresh registry (a restart) still picks the good model.
        ModelRegistry restarted(m_root);
        QVERIFY(restarted.activateNewest().ok());
        QCOMPARE(restarted.active()->version, m_promoted);
    }

    void cancelledJobResumesFromItsCheckpoint()
    {
        RetrainJob first(request(240));
        QString id;
        first.setProgressCallback([&](const RetrainJob::Progress &p) {
            id = p.jobId;
            if (p.message.startsWith(QLatin1String("checkpoint: candidate trained")))
                first.cancel();
        });
        const auto r = first.run();
        QVERIFY(!r.ok());
        QVERIFY(r.errorMessage().contains(QLatin1String("cancelled")));
        const QString dir = RetrainJob::checkpointDir(m_root, id);
        const QByteArray trained = retraindata::sha256(dir + QStringLiteral("/candidate/weights.json"));
        QVERIFY(!trained.isEmpty());
        QCOMPARE(RetrainJob::interrupted(m_root), id);

        RetrainJob resumed(request(240));
        QStringList messages;
        resumed.setProgressCallback([&](const RetrainJob::Progress &p) { messages << p.message; });
        const auto d = resumed.run();
        QVERIFY2(d.ok(), qPrintable(d.errorMessage()));
        QCOMPARE(resumed.id(), id);
        QVERIFY(resumed.progress().resumed.contains(QStringLiteral("stations")));
        QVERIFY(resumed.progress().resumed.contains(QStringLiteral("candidate")));
        for (const QString &m : std::as_const(messages)) {
            QVERIFY2(!m.startsWith(QLatin1String("training candidate")), qPrintable(m));
            QVERIFY2(!m.startsWith(QLatin1String("checkpoint: station")), qPrintable(m));
        }
        QCOMPARE(retraindata::sha256(dir + QStringLiteral("/candidate/weights.json")), trained);
        RetrainJob::discard(m_root, id);
    }

    void offsetAtAnyStationAlertsThatStationOnly()
    {
        QVERIFY(!m_promoted.isEmpty());
        // The drift monitor alone (no engine, so all six cases run in seconds), fed the real two weeks
        // after the training data: with no station offset nobody alerts; with one station's
        // thermometer offset by +3 °C (the one synthetic change), that station alone raises a `model`
        // alert. Dongsi and Tiantan carry the same weather record in the source (one
        // meteorological station serves both), so an offset at one moves the other's difference from
        // its neighbours too: that case is where a less robust threshold fires on the twin.
        const auto model = ForecastModel::load(QDir(m_root).filePath(m_promoted));
        QVERIFY(model.ok());
        const QList<Reading> next = retraindata::beijing(kStations, retraindata::iso("2015-03-01T00:00:00Z"),
                                                         retraindata::iso("2015-03-15T00:00:00Z"));
        RetrainOptions o;
        o.psiWindowHours = 72;
        o.psiThreshold = 0.25;
        o.driftMinutes = 24 * 60;
        QStringList cases{QString()};
        cases += kStations;
        for (const QString &offsetStation : std::as_const(cases)) {
            ModelDriftMonitor monitor(o);
            monitor.setModel(*model);
            QSet<QString> alerted;
            for (qsizetype i = 0; i < next.size(); i += 6 * 24) {
                QList<Reading> batch = next.mid(i, 6 * 24);
                for (Reading &r : batch) {
                    if (r.stationId == offsetStation && r.has(Variable::Temperature))
                        r.set(Variable::Temperature, r.value(Variable::Temperature) + 3.0);
                }
                for (const Anomaly &a : monitor.observe(batch, nullptr))
                    alerted.insert(a.stationId);
            }
            const QJsonObject st = monitor.status().value(QStringLiteral("stations")).toObject();
            QStringList scores;
            for (const QString &id : kStations) {
                const QJsonObject s = st.value(id).toObject();
                scores << QStringLiteral("%1 %2/%3").arg(id)
                              .arg(s.value(QStringLiteral("psi")).toObject().value(QStringLiteral("temperature_minus_neighbours")).toDouble())
                              .arg(s.value(QStringLiteral("psi_threshold")).toObject().value(QStringLiteral("temperature_minus_neighbours")).toDouble());
            }
            qInfo().noquote() << "offset at" << (offsetStation.isEmpty() ? QStringLiteral("none") : offsetStation) << "-> alerts"
                              << QStringList(alerted.cbegin(), alerted.cend()).join(u',') << "| PSI/threshold:" << scores.join(QStringLiteral(", "));
            const QSet<QString> expected = offsetStation.isEmpty() ? QSet<QString>() : QSet<QString>{offsetStation};
            QCOMPARE(alerted, expected);
        }
    }

    void offsetSensorRaisesModelAlert()
    {
        QVERIFY(!m_promoted.isEmpty());
        // The following two weeks, replayed through the engine; Dongsi's thermometer reads 3 °C high.
        // (The offset is the one synthetic change; the rest is the real record.)
        QList<Reading> next = retraindata::beijing(kStations, retraindata::iso("2015-03-01T00:00:00Z"),
                                                   retraindata::iso("2015-03-15T00:00:00Z"));
        QVERIFY(next.size() > 6 * 300);
        const QString csv = writeOffsetReplay(next, QStringLiteral("Dongsi"), 3.0);
        QVERIFY(!csv.isEmpty());
        EngineOptions o;
        o.replayFile = csv;
        o.replaySpeed = 0; // as fast as it goes; drift time is data time
        o.modelDir = m_root;
        o.spatialCheck = false;
        o.retrain.psiWindowHours = 72;
        o.retrain.psiThreshold = 0.25;
        o.retrain.driftMinutes = 24 * 60;
        o.retrain.driftFactor = 1.5;
        Engine engine(o);
        QVERIFY(engine.models() && engine.models()->active());
        QCOMPARE(engine.models()->active()->version, m_promoted);
        QSignalSpy done(&engine, &Engine::sourceFinished);
        engine.start();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, 50000);
        QTest::qWait(1500); // the status snapshot is refreshed once a second
        const QList<Anomaly> all = engine.state().anomalies(0, QString(), 100000);
        QStringList modelAlerts;
        QSet<QString> alerted;
        for (const Anomaly &a : all) {
            if (a.kind != AnomalyKind::Model)
                continue;
            modelAlerts << a.stationId + QStringLiteral(": ") + a.reason;
            alerted.insert(a.stationId);
        }
        qInfo().noquote() << "model alerts:\n " << modelAlerts.join(QStringLiteral("\n  "));
        qInfo().noquote() << "drift status:" << QJsonDocument(engine.retrain()->status().value(QStringLiteral("drift")).toObject()).toJson(QJsonDocument::Compact);
        // The offset station, and only it: every healthy station stays under its own calibrated
        // threshold, Tiantan (which shares Dongsi's weather record, so its difference from the
        // neighbours' median moved too) included.
        QCOMPARE(alerted, QSet<QString>{QStringLiteral("Dongsi")});
        QCOMPARE(modelAlerts.size(), 1);
        QVERIFY(modelAlerts.first().contains(QLatin1String("temperature_minus_neighbours")));
    }

    void liveErrorDriftRaisesModelAlertAndStartsRetrain()
    {
        QVERIFY(!m_promoted.isEmpty());
        // Error drift alone (the PSI alert is switched off with an unreachable threshold). The fault
        // is a noisy thermometer at Dongsi (seeded Gaussian noise, sigma 1.5 °C, the one synthetic
        // change), replayed over the real two weeks after the training data. A constant +3 °C
        // offset does not do here: the model forecasts the change from the current value, so an
        // offset cancels out of the station's own error; measured, Dongsi's live/offline MAE ratio
        // with it (1.3 … 1.8) was no higher than healthy stations' (up to 1.8 over a day of March
        // weather), so error drift cannot single it out and the PSI alert is the one for offsets.
        // Noise does reach the error. The ratio is taken relative to the other stations' (the
        // weather of a day is hard for all of them alike). With retrain/on_drift a retrain starts (reason "drift") and
        // is decided. A copy of the store and the registry, so the other tests' state stays as it is.
        const QString root = m_dir.filePath(QStringLiteral("models-error-drift"));
        QVERIFY(seedModelsRoot(root, QDir(m_root).filePath(m_promoted), m_promoted));
        const QString store = m_dir.filePath(QStringLiteral("history-error-drift.sqlite"));
        QVERIFY(QFile::copy(m_store, store));
        const QList<Reading> next = retraindata::beijing(kStations, retraindata::iso("2015-03-01T00:00:00Z"),
                                                         retraindata::iso("2015-03-15T00:00:00Z"));
        const QString csv = writeOffsetReplay(next, QStringLiteral("Dongsi"), 0.0, 1.5);
        QVERIFY(!csv.isEmpty());
        EngineOptions o;
        o.replayFile = csv;
        // 2 × 10^5 × real time: the two weeks in about 6 s, an hour or two of readings per batch, as a
        // live feed brings them (at full speed the whole file is one batch, and forecasts issued
        // inside one batch are scored against readings already there, not as they arrive).
        o.replaySpeed = 200000;
        o.modelDir = root;
        o.spatialCheck = false;
        o.store.path = store;
        o.store.retentionDays = 0;
        o.retrain.psiThreshold = 100; // input drift off: this test is about the live error
        o.retrain.psiWindowHours = 72;
        o.retrain.driftMinutes = 24 * 60;
        o.retrain.driftFactor = kDriftFactor;
        o.retrain.retrainOnDrift = true;
        o.retrain.trainDays = 240;
        o.retrain.heldBackDays = 30;
        Engine engine(o);
        QVERIFY(engine.models() && engine.models()->active());
        QSignalSpy done(&engine, &Engine::sourceFinished);
        QSignalSpy decided(engine.retrain(), &RetrainCoordinator::decided);
        engine.start();
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, 50000);
        QTest::qWait(1500);
        QStringList modelAlerts;
        QSet<QString> alerted;
        for (const Anomaly &a : engine.state().anomalies(0, QString(), 100000)) {
            if (a.kind != AnomalyKind::Model)
                continue;
            modelAlerts << a.stationId + QStringLiteral(": ") + a.reason;
            alerted.insert(a.stationId);
        }
        qInfo().noquote() << "model alerts:\n " << modelAlerts.join(QStringLiteral("\n  "));
        const QJsonObject drift = engine.retrain()->status().value(QStringLiteral("drift")).toObject();
        qInfo().noquote() << "live / offline MAE:" << QJsonDocument(drift).toJson(QJsonDocument::Compact);
        QVERIFY2(alerted.contains(QStringLiteral("Dongsi")), "no model alert for the offset station");
        QCOMPARE(alerted, QSet<QString>{QStringLiteral("Dongsi")});
        for (const QString &m : std::as_const(modelAlerts))
            QVERIFY2(m.contains(QLatin1String("drifted: live temperature MAE")), qPrintable(m));
        // The drift alert started a retrain; it runs off the engine thread and is decided and recorded.
        QTRY_VERIFY_WITH_TIMEOUT(decided.count() >= 1, 120000);
        const QJsonObject decision = decided.first().first().toJsonObject();
        qInfo().noquote() << "retrain after drift:" << decision.value(QStringLiteral("reason")).toString();
        QCOMPARE(decision.value(QStringLiteral("started_by")).toString(), QStringLiteral("drift"));
        // Recorded in the registry (a promoted candidate resets the monitor, whose next alert may
        // start another job: look the decision up by its job).
        bool recorded = false;
        for (const QJsonValue &v : RetrainJob::decisions(root))
            recorded = recorded || v.toObject().value(QStringLiteral("job")) == decision.value(QStringLiteral("job"));
        QVERIFY(recorded);
    }

    void groupJobResumesGroupByGroup()
    {
        QVERIFY(!m_rejected.isEmpty());
        // A job by station group checkpoints each group's candidate: cancelled after the first
        // group was trained, the resumed job takes that group from its checkpoint and trains only
        // the second.
        const QString root = m_dir.filePath(QStringLiteral("models-groups-resume"));
        QVERIFY(seedModelsRoot(root, QDir(m_root).filePath(QStringLiteral("rejected/") + m_rejected), m_rejected));
        RetrainJob::Request r;
        r.storePath = m_store;
        r.modelsRoot = root;
        r.options.trainDays = 120;
        r.options.heldBackDays = 30;
        r.options.groups = *RetrainOptions::parseGroups(QStringLiteral("north: Huairou, Changping, Shunyi; south: Dongsi,Tiantan,Gucheng"));
        r.activeVersion = m_rejected;
        RetrainJob first(r);
        first.setProgressCallback([&](const RetrainJob::Progress &p) {
            if (p.message.startsWith(QLatin1String("checkpoint: group north")))
                first.cancel();
        });
        const auto cancelled = first.run();
        QVERIFY(!cancelled.ok());
        QVERIFY(cancelled.errorMessage().contains(QLatin1String("cancelled")));
        const QString dir = RetrainJob::checkpointDir(root, first.id());
        const QByteArray north = retraindata::sha256(dir + QStringLiteral("/candidates/north/weights.json"));
        QVERIFY(!north.isEmpty());
        QVERIFY(!QFile::exists(dir + QStringLiteral("/candidates/south/model.json")));

        RetrainJob resumed(r);
        QStringList messages;
        resumed.setProgressCallback([&](const RetrainJob::Progress &p) { messages << p.message; });
        const auto d = resumed.run();
        QVERIFY2(d.ok(), qPrintable(d.errorMessage()));
        QCOMPARE(resumed.id(), first.id());
        QVERIFY(resumed.progress().resumed.contains(QStringLiteral("candidate:north")));
        QVERIFY(!resumed.progress().resumed.contains(QStringLiteral("candidate:south")));
        bool trainedSouth = false;
        for (const QString &m : std::as_const(messages)) {
            QVERIFY2(!m.contains(QLatin1String("for group north")), qPrintable(m));
            trainedSouth = trainedSouth || m.contains(QLatin1String("for group south"));
        }
        QVERIFY(trainedSouth);
        QCOMPARE(retraindata::sha256(dir + QStringLiteral("/candidates/north/weights.json")), north);
        QCOMPARE(d->value(QStringLiteral("groups")).toArray().size(), 2);
        RetrainJob::discard(root, resumed.id());
    }

    void groupsArePromotedAndRejectedApart()
    {
        QVERIFY(!m_rejected.isEmpty());
        // Two station groups, each with its own candidate and decision. The model in service is the
        // one-month model of the first test (all six stations); the north group's candidate is
        // trained on 240 days of its three stations and must beat it there by 3 %; the south group's
        // on 45 days only (south@45; with feature set 2 the trainer needs 5 rows per feature and
        // regime, which 40 days of three stations do not give),
        // which does not, so the south stays on the active model.
        const QString root = m_dir.filePath(QStringLiteral("models-groups"));
        QVERIFY(seedModelsRoot(root, QDir(m_root).filePath(QStringLiteral("rejected/") + m_rejected), m_rejected));
        ModelRegistry registry(root);
        QVERIFY(registry.activateNewest().ok());
        QCOMPARE(registry.active()->version, m_rejected);
        RetrainJob::Request r;
        r.storePath = m_store;
        r.modelsRoot = root;
        r.options.trainDays = 240;
        r.options.heldBackDays = 30;
        r.options.margin = 0.03;
        const auto groups = RetrainOptions::parseGroups(QStringLiteral("north: Huairou, Changping, Shunyi; south@45: Dongsi,Tiantan,Gucheng"));
        QVERIFY2(groups.ok(), qPrintable(groups.errorMessage()));
        r.options.groups = *groups;
        r.activeVersion = m_rejected;
        r.reason = QStringLiteral("test");
        RetrainJob job(r);
        const auto d = job.run();
        QVERIFY2(d.ok(), qPrintable(d.errorMessage()));
        const QJsonObject p = RetrainJob::publish(root, *d, &registry);
        qInfo().noquote() << "groups:" << p.value(QStringLiteral("reason")).toString();
        const QJsonArray gs = p.value(QStringLiteral("groups")).toArray();
        QCOMPARE(gs.size(), 2);
        const QJsonObject north = gs[0].toObject(), south = gs[1].toObject();
        QCOMPARE(north.value(QStringLiteral("group")).toString(), QStringLiteral("north"));
        QVERIFY2(north.value(QStringLiteral("promoted")).toBool(), qPrintable(north.value(QStringLiteral("reason")).toString()));
        QCOMPARE(north.value(QStringLiteral("active_version")).toString(), m_rejected);
        QVERIFY(!south.value(QStringLiteral("promoted")).toBool());
        QCOMPARE(south.value(QStringLiteral("train_days")).toInt(), 45);
        QVERIFY(south.value(QStringLiteral("reason")).toString().contains(QLatin1String("does not beat")));
        QVERIFY(p.value(QStringLiteral("promoted")).toBool());
        // The north's stations are served by its model, the south's still by the active model.
        const QString northVersion = north.value(QStringLiteral("version")).toString();
        for (const char *st : {"Huairou", "Changping", "Shunyi"})
            QCOMPARE(registry.modelFor(QLatin1String(st))->version, northVersion);
        for (const char *st : {"Dongsi", "Tiantan", "Gucheng"})
            QCOMPARE(registry.modelFor(QLatin1String(st))->version, m_rejected);
        QCOMPARE(registry.active()->version, m_rejected);
        QVERIFY(QFile::exists(root + QStringLiteral("/groups/") + northVersion + QStringLiteral("/model.json")));
        QVERIFY(QFile::exists(root + QStringLiteral("/rejected/") + south.value(QStringLiteral("version")).toString() + QStringLiteral("/model.json")));
        // Not a version of its own: the registry never activates a group model for everyone.
        for (const auto &v : registry.versions())
            QVERIFY(v.version != northVersion && v.version != QLatin1String(ModelRegistry::kGroupsDir));
        QVERIFY(registry.toJson().value(QStringLiteral("groups")).toObject().contains(QStringLiteral("north")));
        QCOMPARE(RetrainJob::decisions(root).last().toObject().value(QStringLiteral("groups")).toArray().size(), 2);
        // The GUI test shows this real decision; refresh its fixture with this variable set.
        if (const QString capture = qEnvironmentVariable("STRATUS_CAPTURE_GROUP_DECISIONS"); !capture.isEmpty()) {
            QFile out(capture);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            QByteArray json = QJsonDocument(RetrainJob::decisions(root)).toJson(QJsonDocument::Indented);
            json.replace(QByteArray(QDir(root).absolutePath().toUtf8() + '/'), QByteArrayLiteral("models/"));
            out.write(json);
        }
        // A restart serves the same groups.
        ModelRegistry restarted(root);
        QVERIFY(restarted.activateNewest().ok());
        QCOMPARE(restarted.active()->version, m_rejected);
        QCOMPARE(restarted.modelFor(QStringLiteral("Shunyi"))->version, northVersion);
        QCOMPARE(restarted.modelFor(QStringLiteral("Gucheng"))->version, m_rejected);
        // Bad group lines are refused with the reason.
        QVERIFY(!RetrainOptions::parseGroups(QStringLiteral("a:X,Y; b:Y")).ok());
        QVERIFY(!RetrainOptions::parseGroups(QStringLiteral("a X,Y")).ok());
        QVERIFY(!RetrainOptions::parseGroups(QStringLiteral("a@x:X")).ok());
        QVERIFY(!RetrainOptions::parseGroups(QStringLiteral("a:")).ok());
        QVERIFY(RetrainOptions::parseGroups(QString()).ok());
    }
};

QTEST_GUILESS_MAIN(TstRetrain)
#include "tst_pipeline_retrain.moc"
