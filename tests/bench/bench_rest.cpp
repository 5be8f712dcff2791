// stratus-bench rest: REST throughput and latency of /predictions/{id} and /anomalies (wrk on
// loopback) against the reference system's Flask layer serving the same JSON, and the history
// store's ingestion rate while a 1 M-row CSV export runs, relative to without.
#include "../support/StoreFeed.h"
#include "BenchRegistry.h"

#include "bus/LocalBus.h"
#include "sources/RecordedDataReader.h"
#include "api/ExportController.h"
#include "store/CsvExporter.h"
#include "store/HistoryReader.h"
#include "store/HistoryStore.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <QtConcurrent>

using namespace stratus;

namespace {

QString sharedData(const char *rel)
{
    return QStringLiteral(STRATUS_SHARED_DIR "/") + QString::fromUtf8(rel);
}

QByteArray httpGet(QNetworkAccessManager &nam, const QString &url)
{
    QNetworkReply *r = nam.get(QNetworkRequest(QUrl(url)));
    QEventLoop loop;
    QObject::connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(30000, &loop, &QEventLoop::quit);
    loop.exec();
    const QByteArray body = r->readAll();
    r->deleteLater();
    return body;
}

// Waits for "serving http://127.0.0.1:PORT" on stdout.
quint16 waitForPort(QProcess &p, int timeoutMs)
{
    static const QRegularExpression re(QStringLiteral("serving http://127\\.0\\.0\\.1:(\\d+)"));
    QByteArray out;
    QElapsedTimer t;
    t.start();
    p.waitForStarted(10000);
    while (t.elapsed() < timeoutMs && p.state() == QProcess::Running) {
        p.waitForReadyRead(200);
        out += p.readAllStandardOutput();
        const auto m = re.match(QString::fromUtf8(out));
        if (m.hasMatch())
            return m.captured(1).toUShort();
    }
    return 0;
}

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

struct WrkResult
{
    double reqPerS = 0;
    double p99Ms = 0;
    qint64 non2xx = 0;
};

double toMs(const QString &value, const QString &unit)
{
    const double v = value.toDouble();
    if (unit == QLatin1String("us"))
        return v / 1000.0;
    if (unit == QLatin1String("s"))
        return v * 1000.0;
    return v;
}

WrkResult wrk(const QString &url, int seconds)
{
    QProcess p;
    p.start(QStringLiteral("wrk"), {QStringLiteral("-t2"), QStringLiteral("-c32"), QStringLiteral("-d%1s").arg(seconds),
                                    QStringLiteral("--latency"), url});
    p.waitForFinished(seconds * 1000 + 30000);
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    WrkResult r;
    static const QRegularExpression rps(QStringLiteral("Requests/sec:\\s+([0-9.]+)"));
    static const QRegularExpression p99(QStringLiteral("\\s99%\\s+([0-9.]+)(us|ms|s)"));
    static const QRegularExpression bad(QStringLiteral("Non-2xx or 3xx responses:\\s+(\\d+)"));
    if (auto m = rps.match(out); m.hasMatch())
        r.reqPerS = m.captured(1).toDouble();
    else
        qWarning("stratus-bench rest: wrk %s gave no figures: %s %s", qPrintable(url), qPrintable(out.right(300)),
                 p.readAllStandardError().right(300).constData());
    if (auto m = p99.match(out); m.hasMatch())
        r.p99Ms = toMs(m.captured(1), m.captured(2));
    if (auto m = bad.match(out); m.hasMatch())
        r.non2xx = m.captured(1).toLongLong();
    return r;
}

// Publishes `readings` shifted by `shiftMs` in batches and waits until the store committed them.
double ingestRate(LocalBus &bus, HistoryStore &store, const QList<Reading> &readings, qint64 shiftMs, qint64 rows)
{
    QElapsedTimer t;
    t.start();
    qint64 sent = 0;
    QList<Reading> batch;
    batch.reserve(2000);
    while (sent < rows) {
        for (const Reading &r : readings) {
            if (sent >= rows)
                break;
            Reading x = r;
            x.timestampMs += shiftMs + (sent / readings.size()) * 86400000LL;
            batch.append(x);
            ++sent;
            if (batch.size() == 2000) {
                bus.publishReadings(batch);
                batch.clear();
            }
        }
    }
    if (!batch.isEmpty())
        bus.publishReadings(batch);
    store.flush();
    return rows / (t.nsecsElapsed() * 1e-9);
}

QJsonObject runRest(const BenchContext &ctx)
{
    QTextStream out(stdout);
    QJsonObject figures;
    const int seconds = ctx.smoke ? 2 : 5;
    const int repeats = ctx.smoke ? 1 : std::min(ctx.repeats, 3);
    if (QStandardPaths::findExecutable(QStringLiteral("wrk")).isEmpty()) {
        figures.insert(QStringLiteral("error"), QStringLiteral("wrk is not installed"));
        return figures;
    }
    QTemporaryDir dir;
    // Real data: the first 12,000 rows of the 1995-03-18 SAO/METAR day (about 2,000 stations, with
    // the recording's real out-of-range values, which become anomalies).
    const QString subset = dir.filePath(QStringLiteral("observations_head.csv"));
    {
        QFile in(sharedData("data/sao_19950318/observations.csv"));
        QFile o(subset);
        if (!in.open(QIODevice::ReadOnly) || !o.open(QIODevice::WriteOnly)) {
            figures.insert(QStringLiteral("error"), QStringLiteral("cannot read the SAO data"));
            return figures;
        }
        for (int i = 0; i <= 12000 && !in.atEnd(); ++i)
            o.write(in.readLine());
    }

    // 1. Stratus server, filled by a full-speed replay.
    QProcess server;
    server.start(QStringLiteral(STRATUS_BINARY),
                 {QStringLiteral("--server"), QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--file"),
                  subset, QStringLiteral("--speed"), QStringLiteral("max"), QStringLiteral("--db"),
                  dir.filePath(QStringLiteral("h.sqlite")), QStringLiteral("--rate-limit"), QStringLiteral("0")});
    const quint16 port = waitForPort(server, 60000);
    if (!port) {
        figures.insert(QStringLiteral("error"), QStringLiteral("stratus --server did not start"));
        return figures;
    }
    QNetworkAccessManager nam;
    const QString base = QStringLiteral("http://127.0.0.1:%1").arg(port);
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 300000) { // until the store drained
        const QJsonObject h = QJsonDocument::fromJson(httpGet(nam, base + QStringLiteral("/health"))).object();
        const auto src = h.value(QLatin1String("sources")).toArray();
        if (!src.isEmpty() && src[0].toObject().value(QLatin1String("state")).toString() == QLatin1String("finished")
            && h.value(QLatin1String("store")).toObject().value(QLatin1String("rows")).toInteger() > 0
            && h.value(QLatin1String("store")).toObject().value(QLatin1String("pending_rows")).toInteger() == 0)
            break;
        QThread::msleep(500);
    }
    // A station with forecasts, and the anomaly page.
    QString station;
    const QJsonArray stations =
        QJsonDocument::fromJson(httpGet(nam, base + QStringLiteral("/stations?limit=100"))).object().value(QLatin1String("stations")).toArray();
    QByteArray predictionsBody;
    for (const auto &s : stations) {
        const QString id = s.toObject().value(QLatin1String("id")).toString();
        predictionsBody = httpGet(nam, base + QStringLiteral("/predictions/") + id);
        if (QJsonDocument::fromJson(predictionsBody).object().value(QLatin1String("predictions")).toArray().size() >= 3) {
            station = id;
            break;
        }
    }
    const QString anomaliesPath = QStringLiteral("/anomalies?limit=50");
    const QByteArray anomaliesBody = httpGet(nam, base + anomaliesPath);
    const int anomalyCount = QJsonDocument::fromJson(anomaliesBody).object().value(QLatin1String("count")).toInt();

    std::vector<double> rpsP, p99P, rpsA, p99A;
    qint64 non2xx = 0;
    for (int i = 0; i < repeats; ++i) {
        const WrkResult a = wrk(base + QStringLiteral("/predictions/") + station, seconds);
        const WrkResult b = wrk(base + anomaliesPath, seconds);
        rpsP.push_back(a.reqPerS);
        p99P.push_back(a.p99Ms);
        rpsA.push_back(b.reqPerS);
        p99A.push_back(b.p99Ms);
        non2xx += a.non2xx + b.non2xx;
    }
    server.terminate();
    server.waitForFinished(30000);

    // 2. The reference's Flask layer with the same JSON.
    std::vector<double> flaskP, flaskA;
    {
        QFile pf(dir.filePath(QStringLiteral("p.json"))), af(dir.filePath(QStringLiteral("a.json")));
        pf.open(QIODevice::WriteOnly);
        pf.write(predictionsBody);
        pf.close();
        af.open(QIODevice::WriteOnly);
        af.write(anomaliesBody);
        af.close();
        const quint16 fport = freePort();
        QProcess flask;
        flask.setProcessChannelMode(QProcess::MergedChannels);
        flask.start(QStringLiteral("python3"), {QFileInfo(QStringLiteral(__FILE__)).absolutePath() + QStringLiteral("/flask_reference.py"),
                                                QString::number(fport), pf.fileName(), af.fileName()});
        if (waitForPort(flask, 60000) != fport) {
            figures.insert(QStringLiteral("flask_error"), QString::fromUtf8(flask.readAll().right(400)));
        } else {
            const QString fbase = QStringLiteral("http://127.0.0.1:%1").arg(fport);
            for (int i = 0; i < repeats; ++i) {
                flaskP.push_back(wrk(fbase + QStringLiteral("/predictions/") + station, seconds).reqPerS);
                flaskA.push_back(wrk(fbase + QStringLiteral("/anomalies"), seconds).reqPerS);
            }
        }
        flask.terminate();
        flask.waitForFinished(10000);
    }

    // 3. Ingestion into the store with and without a concurrent 1 M-row export (in-process: the
    //    writer thread and an export thread with its own read connection).
    // 1.02 M published readings: 1.7 % of SAO rows repeat a (station, ts) and are upserted, so the
    // store holds (and the export writes) just over 1 M rows.
    const qint64 prefill = ctx.smoke ? 100000 : 1020000;
    const qint64 ingestRows = ctx.smoke ? 20000 : 200000;
    double without = 0, during = 0, exportS = 0, ingestDuringS = 0;
    qint64 exported = 0, lost = -1;
    {
        auto data = RecordedDataReader::read(sharedData("data/sao_19950318/observations.csv"));
        if (data) // the engine's validator refuses readings without a station id; so does this feed
            data.value().readings.removeIf([](const Reading &r) { return r.stationId.isEmpty(); });
        StoreOptions so;
        so.path = dir.filePath(QStringLiteral("ingest.sqlite"));
        so.retentionDays = 0;
        HistoryStore store(so);
        LocalBus bus;
        if (data && store.open()) {
            feedStoreFromBus(bus, store);
            ingestRate(bus, store, data->readings, 0, prefill);
            std::vector<double> w, d;
            qint64 shift = 400LL * 86400000; // past the prefill's days
            for (int i = 0; i < repeats; ++i) {
                w.push_back(ingestRate(bus, store, data->readings, shift, ingestRows));
                shift += 100LL * 86400000;
                std::atomic<bool> cancel{false};
                QElapsedTimer et;
                et.start();
                auto exportJob = QtConcurrent::run([&] {
                    // The server's own export path (ExportController, as /export.csv runs it).
                    CsvExporter::Request rq;
                    rq.toMs = data->readings.first().timestampMs + 300LL * 86400000; // the prefill only
                    const auto result = ExportController::run(so.path, rq);
                    exportS = et.nsecsElapsed() * 1e-9;
                    if (!std::holds_alternative<QString>(result))
                        return qint64(-1);
                    QFile f(std::get<QString>(result));
                    f.open(QIODevice::ReadOnly);
                    qint64 lines = 0;
                    while (!f.atEnd())
                        lines += f.readLine().endsWith("\r\n");
                    f.remove();
                    return lines - 1; // minus the header
                });
                QThread::msleep(50); // the export is under way
                QElapsedTimer it;
                it.start();
                d.push_back(ingestRate(bus, store, data->readings, shift, ingestRows));
                ingestDuringS = it.nsecsElapsed() * 1e-9;
                shift += 100LL * 86400000;
                exportJob.waitForFinished();
                exported = exportJob.result();
            }
            without = median(w);
            during = median(d);
            // Every reading published was committed (acknowledged) by the writer.
            lost = (prefill + qint64(repeats) * 2 * ingestRows) - store.counters().readingsAcked.load();
        }
        store.close();
    }

    const double rps = median(rpsP);
    figures.insert(QStringLiteral("req_per_s"), rps);
    figures.insert(QStringLiteral("p99_ms"), median(p99P));
    figures.insert(QStringLiteral("anomalies_req_per_s"), median(rpsA));
    figures.insert(QStringLiteral("anomalies_p99_ms"), median(p99A));
    figures.insert(QStringLiteral("flask_req_per_s"), median(flaskP));
    figures.insert(QStringLiteral("flask_anomalies_req_per_s"), median(flaskA));
    figures.insert(QStringLiteral("non_2xx"), non2xx);
    figures.insert(QStringLiteral("ingest_rows_per_s"), without);
    figures.insert(QStringLiteral("ingest_rows_per_s_during_export"), during);
    figures.insert(QStringLiteral("ingest_rate_ratio_during_export"), without > 0 ? during / without : 0.0);
    figures.insert(QStringLiteral("export_rows"), exported);
    figures.insert(QStringLiteral("export_s"), exportS);
    figures.insert(QStringLiteral("ingest_during_export_s"), ingestDuringS);
    figures.insert(QStringLiteral("ingest_rows_lost"), lost);
    figures.insert(QStringLiteral("station"), station);
    figures.insert(QStringLiteral("anomalies_in_page"), anomalyCount);
    if (!ctx.json) {
        out << "rest (wrk -t2 -c32, " << seconds << " s, median of " << repeats << ")\n"
            << "  /predictions/" << station << ": " << rps << " req/s, p99 " << median(p99P) << " ms; Flask "
            << median(flaskP) << " req/s\n"
            << "  " << anomaliesPath << " (" << anomalyCount << " anomalies): " << median(rpsA) << " req/s, p99 "
            << median(p99A) << " ms; Flask " << median(flaskA) << " req/s\n"
            << "  store ingest: " << without << " rows/s alone, " << during << " rows/s during a " << exported
            << "-row export (" << exportS << " s; ingest took " << ingestDuringS << " s) → ratio "
            << (without > 0 ? during / without : 0.0) << "; rows lost: " << lost << '\n';
    }
    return figures;
}

BenchRegistration reg{{QStringLiteral("rest"),
                       QStringLiteral("REST req/s + p99 (wrk) vs Flask; store ingest rate during a 1 M-row export"),
                       runRest}};

} // namespace
