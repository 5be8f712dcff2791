#include "RetrainLoadBench.h"

#include "../support/StoreFeed.h"

#include "Engine.h"
#include "TimeUtil.h"
#include "bus/Bus.h"
#include "bus/LocalBus.h"
#include "models/RetrainJob.h"
#include "sources/RecordedDataReader.h"
#include "store/HistoryStore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QtConcurrent>

#include <algorithm>

using namespace stratus;

namespace {

double p99(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() * 99 / 100];
}

qint64 iso(const char *t)
{
    return *timeutil::parseIsoUtc(QByteArrayView(t));
}

} // namespace

QJsonObject retrainUnderLoad(const BenchContext &ctx)
{
    QTextStream out(stdout);
    auto data = RecordedDataReader::read(QStringLiteral(STRATUS_SHARED_DIR "/data/beijing_hourly/beijing_hourly_2013_2016.csv"));
    if (!data) {
        out << data.errorMessage() << '\n';
        return benchFailure(data.errorMessage());
    }
    // Full: all 12 stations, one year in the store, 300 days trained + 30 held back. Smoke: 3 stations,
    // 60 days trained + 7 held back (about the least the trainer accepts), 100 idle batches.
    const QStringList smokeStations{QStringLiteral("Dongsi"), QStringLiteral("Huairou"), QStringLiteral("Changping")};
    const qint64 storeFrom = ctx.smoke ? iso("2014-12-20T00:00:00Z") : iso("2014-03-01T00:00:00Z");
    const qint64 storeTo = iso("2015-03-01T00:00:00Z");
    QList<Reading> history, live;
    for (const Reading &r : std::as_const(data->readings)) {
        if (ctx.smoke && !smokeStations.contains(r.stationId))
            continue;
        if (r.timestampMs >= storeFrom && r.timestampMs < storeTo)
            history.append(r);
        else if (r.timestampMs >= storeTo && r.timestampMs < storeTo + 30 * timeutil::kMsPerDay)
            live.append(r);
    }
    QTemporaryDir dir;
    StoreOptions so;
    so.path = dir.filePath(QStringLiteral("history.sqlite"));
    so.retentionDays = 0;
    {
        HistoryStore store(so);
        if (const auto opened = store.open(); !opened)
            return benchFailure(QStringLiteral("cannot open the history store: ") + opened.errorMessage());
        LocalBus bus;
        feedStoreFromBus(bus, store);
        for (qsizetype i = 0; i < history.size(); i += 2000)
            bus.publishReadings(history.mid(i, 2000));
        store.close();
    }

    // The engine that ingests while the job runs: its own store, the live month fed an hour slot at
    // a time (one reading per station), as a source delivers them.
    EngineOptions eo;
    eo.store.path = dir.filePath(QStringLiteral("live.sqlite"));
    eo.store.retentionDays = 0;
    eo.spatialCheck = false;
    Engine engine(eo);
    QList<QList<Reading>> batches;
    for (const Reading &r : std::as_const(live)) {
        if (batches.isEmpty() || batches.last().first().timestampMs != r.timestampMs)
            batches.append(QList<Reading>());
        batches.last().append(r);
    }
    int next = 0;
    qint64 shift = 0;
    auto ingestOne = [&]() {
        if (next == batches.size()) {
            next = 0;
            shift += 31 * timeutil::kMsPerDay; // keep event time moving forward on each pass
        }
        QList<Reading> b = batches[next++];
        for (Reading &r : b)
            r.timestampMs += shift;
        QElapsedTimer t;
        t.start();
        engine.bus().publishReadings(b);
        return static_cast<double>(t.nsecsElapsed()) / 1e6;
    };
    // Idle baseline: the same ingest for as many batches, no retrain.
    std::vector<double> idle, during;
    const int idleBatches = ctx.smoke ? 100 : 2000;
    for (int i = 0; i < idleBatches; ++i) {
        idle.push_back(ingestOne());
        QCoreApplication::processEvents();
        QThread::usleep(500);
    }

    RetrainJob::Request req;
    req.storePath = so.path;
    req.modelsRoot = dir.filePath(QStringLiteral("models"));
    req.options.trainDays = ctx.smoke ? 60 : 300;
    req.options.heldBackDays = ctx.smoke ? 7 : 30;
    req.reason = QStringLiteral("bench");
    RetrainJob job(req);
    QElapsedTimer clock;
    clock.start();
    QFuture<Result<QJsonObject>> f = QtConcurrent::run([&job] { return job.run(); });
    while (!f.isFinished()) {
        during.push_back(ingestOne());
        QCoreApplication::processEvents();
        QThread::usleep(500);
    }
    const double seconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    const Result<QJsonObject> decision = f.result();
    if (!decision) {
        out << "retrain failed: " << decision.errorMessage() << '\n';
        return benchFailure(QStringLiteral("retrain failed: ") + decision.errorMessage());
    }
    QJsonObject o;
    o[QStringLiteral("retrain_seconds")] = seconds;
    o[QStringLiteral("retrain_stations")] = decision->value(QStringLiteral("stations")).toArray().size();
    o[QStringLiteral("retrain_train_days")] = req.options.trainDays;
    o[QStringLiteral("retrain_candidate_mae")] = decision->value(QStringLiteral("candidate_mae"));
    o[QStringLiteral("ingest_p99_ms_during_retrain")] = p99(during);
    o[QStringLiteral("ingest_p99_ms_idle")] = p99(idle);
    o[QStringLiteral("ingest_batches_during_retrain")] = static_cast<int>(during.size());
    if (!ctx.json) {
        out << "  retrain                " << seconds << " s (" << o[QStringLiteral("retrain_stations")].toInt()
            << " stations, " << req.options.trainDays << " days trained, " << req.options.heldBackDays << " held back)\n"
            << "  ingest p99 idle        " << o[QStringLiteral("ingest_p99_ms_idle")].toDouble() << " ms per hourly batch\n"
            << "  ingest p99 retraining  " << o[QStringLiteral("ingest_p99_ms_during_retrain")].toDouble() << " ms ("
            << during.size() << " batches)\n";
    }
    return o;
}
