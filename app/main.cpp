// Parses the command line, picks the mode and the application class, and nothing else.
#include "Engine.h"
#include "api/ApiThread.h"
#include "api/SignalWatcher.h"
#include "store/CsvExporter.h"
#include "store/HistoryStore.h"

#ifdef STRATUS_HAS_GUI
#include "MainWindow.h"
#include <QApplication>
#endif

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <memory>

using namespace stratus;

namespace {

struct Cli
{
    QCommandLineParser parser;
    QCommandLineOption server{QStringLiteral("server"), QStringLiteral("Run headless and serve the REST API.")};
    QCommandLineOption demo{QStringLiteral("demo"), QStringLiteral("Replay the bundled recorded NWS stream (offline).")};
    QCommandLineOption port{QStringLiteral("port"), QStringLiteral("REST API port (0 = any free port; default 8080)."),
                            QStringLiteral("P"), QStringLiteral("8080")};
    QCommandLineOption bind{QStringLiteral("bind"), QStringLiteral("Address the REST API listens on (default 127.0.0.1)."),
                            QStringLiteral("ADDR"), QStringLiteral("127.0.0.1")};
    QCommandLineOption worker{QStringLiteral("worker"), QStringLiteral("Run as one member of a Kafka consumer group.")};
    QCommandLineOption role{QStringLiteral("role"), QStringLiteral("Worker role: collect, aggregate, infer or all."),
                            QStringLiteral("ROLE"), QStringLiteral("all")};
    QCommandLineOption bootstrap{QStringLiteral("bootstrap"), QStringLiteral("Kafka bootstrap servers for --worker."),
                                 QStringLiteral("HOST:PORT")};
    QCommandLineOption connect{QStringLiteral("connect"),
                               QStringLiteral("Attach the GUI (or --server) to a remote Kafka/worker cluster."),
                               QStringLiteral("HOST:PORT")};
    QCommandLineOption exportCsv{QStringLiteral("export"), QStringLiteral("Write a CSV report from the history store.")};
    QCommandLineOption train{QStringLiteral("train"), QStringLiteral("Train a forecast model from CSV data.")};
    QCommandLineOption evaluate{QStringLiteral("evaluate"), QStringLiteral("Evaluate a model against the baselines.")};
    QCommandLineOption bench{QStringLiteral("bench"), QStringLiteral("Benchmarks: run the stratus-bench program.")};
    QCommandLineOption source{QStringLiteral("source"), QStringLiteral("Data source: replay (nws and openmeteo follow)."),
                              QStringLiteral("KIND"), QStringLiteral("replay")};
    QCommandLineOption file{QStringLiteral("file"), QStringLiteral("Recorded data file for --source replay."),
                            QStringLiteral("F")};
    QCommandLineOption speed{QStringLiteral("speed"),
                             QStringLiteral("Replay speed: a factor (1 … 10000) or max for as fast as possible."),
                             QStringLiteral("X"), QStringLiteral("1")};
    QCommandLineOption stationsCsv{QStringLiteral("stations-csv"),
                                   QStringLiteral("Station catalogue CSV (station_id, name, lat, lon, elevation_m)."),
                                   QStringLiteral("F")};

    QCommandLineOption db{QStringLiteral("db"), QStringLiteral("History store (SQLite) file; default under the app data folder."),
                          QStringLiteral("FILE")};
    QCommandLineOption retentionDays{QStringLiteral("retention-days"),
                                     QStringLiteral("Keep this many days of history (0 = all; default 30)."),
                                     QStringLiteral("N"), QStringLiteral("30")};
    QCommandLineOption rateLimit{QStringLiteral("rate-limit"),
                                 QStringLiteral("REST requests per second per client (0 = unlimited; default 200)."),
                                 QStringLiteral("N"), QStringLiteral("200")};
    QCommandLineOption station{QStringLiteral("station"), QStringLiteral("--export: station id or all."),
                               QStringLiteral("ID")};
    QCommandLineOption from{QStringLiteral("from"), QStringLiteral("--export: start time (ISO 8601 or epoch seconds)."),
                            QStringLiteral("T")};
    QCommandLineOption to{QStringLiteral("to"), QStringLiteral("--export: end time, exclusive (ISO 8601 or epoch seconds)."),
                          QStringLiteral("T")};
    QCommandLineOption kind{QStringLiteral("kind"),
                            QStringLiteral("--export: readings, features, predictions, anomalies or daily-summary."),
                            QStringLiteral("KIND"), QStringLiteral("readings")};
    QCommandLineOption out{QStringLiteral("out"), QStringLiteral("--export: CSV file to write."), QStringLiteral("FILE")};

    Cli()
    {
        parser.setApplicationDescription(QStringLiteral(
            "Stratus — weather-station monitor with an embedded stream engine.\n\n"
            "Modes:\n"
            "  stratus [--demo]                      desktop GUI, engine in-process\n"
            "  stratus --server [--port P] [--demo]  headless engine serving the REST API\n"
            "  stratus --worker --bootstrap H:P --role aggregate|infer|all\n"
            "                                        one Kafka consumer-group member\n"
            "  stratus --connect H:P [--server]      GUI or API fed by a remote cluster\n"
            "  stratus --export --station ID --from T --to T --out F.csv\n"
            "                                        CSV report from the history store\n"
            "  stratus --train / --evaluate          forecast models\n"
            "  stratus-bench AREA [--json]           benchmarks (windows, kafka, rest, ...)"));
        parser.addHelpOption();
        parser.addVersionOption();
        for (const auto *o : {&server, &demo, &port, &bind, &worker, &role, &bootstrap, &connect, &exportCsv, &train,
                              &evaluate, &bench, &source, &file, &speed, &stationsCsv, &db, &retentionDays, &rateLimit,
                              &station, &from, &to, &kind, &out})
            parser.addOption(*o);
    }
};

int fail(const QString &message, int code = 2)
{
    QTextStream(stderr) << "stratus: " << message << '\n';
    return code;
}

// Builds the engine options from the command line, or says what is wrong.
Result<EngineOptions> engineOptions(const Cli &cli)
{
    EngineOptions o = cli.parser.isSet(cli.demo) ? EngineOptions::demo() : EngineOptions();
    if (cli.parser.isSet(cli.file)) {
        if (cli.parser.value(cli.source) != QLatin1String("replay"))
            return makeError(QStringLiteral("--file needs --source replay"));
        o.replayFile = cli.parser.value(cli.file);
        o.replayShiftToNow = false;
        o.replayLoop = false;
        o.replayMaxGapMs = 0;
        o.stationsCsv.clear();
    }
    if (cli.parser.value(cli.source) != QLatin1String("replay"))
        return makeError(QStringLiteral("source \"%1\" is not available in this build yet; use --source replay")
                             .arg(cli.parser.value(cli.source)));
    if (cli.parser.isSet(cli.speed)) {
        const QString s = cli.parser.value(cli.speed);
        bool ok = false;
        const double x = s.toDouble(&ok);
        if (s == QLatin1String("max"))
            o.replaySpeed = 0;
        else if (ok && x >= 1 && x <= 10000)
            o.replaySpeed = x;
        else
            return makeError(QStringLiteral("--speed \"%1\": expected a factor from 1 to 10000 or max").arg(s));
    }
    if (cli.parser.isSet(cli.stationsCsv))
        o.stationsCsv = cli.parser.value(cli.stationsCsv);
    if (o.replayFile.isEmpty())
        return makeError(QStringLiteral("no data source: use --demo, or --source replay --file F"));
    bool ok = false;
    o.store.retentionDays = cli.parser.value(cli.retentionDays).toInt(&ok);
    if (!ok || o.store.retentionDays < 0)
        return makeError(QStringLiteral("--retention-days \"%1\": expected a whole number of days, 0 or more")
                             .arg(cli.parser.value(cli.retentionDays)));
    // --server always keeps history (default file under the app data folder); the GUI only with --db.
    if (cli.parser.isSet(cli.db))
        o.store.path = cli.parser.value(cli.db);
    else if (cli.parser.isSet(cli.server))
        o.store.path = HistoryStore::defaultPath();
    return o;
}

int runServer(const Cli &cli, const EngineOptions &options)
{
    bool ok = false;
    const uint port = cli.parser.value(cli.port).toUInt(&ok);
    if (!ok || port > 65535)
        return fail(QStringLiteral("--port \"%1\" is not a port number").arg(cli.parser.value(cli.port)));
    const QHostAddress address(cli.parser.value(cli.bind));
    if (address.isNull())
        return fail(QStringLiteral("--bind \"%1\" is not an IP address").arg(cli.parser.value(cli.bind)));

    const double rate = cli.parser.value(cli.rateLimit).toDouble(&ok);
    if (!ok || rate < 0)
        return fail(QStringLiteral("--rate-limit \"%1\" is not a number of requests per second").arg(cli.parser.value(cli.rateLimit)));

    Engine engine(options);
    if (!engine.store())
        return fail(engine.storeError(), 1);
    // The API answers on its own thread, so a busy engine does not stall it and vice versa.
    ApiThread api(engine.state());
    api.run([&](ApiServer &server) {
        server.setHistoryStore(engine.store());
        server.setLatencyHistograms(&engine.windowLatency(), &engine.inferLatency());
        server.setApiToken(ApiServer::tokenFromEnvironment());
        ApiServer::Limits limits;
        limits.ratePerS = rate;
        limits.burst = 2 * rate;
        server.setLimits(limits);
    });
    const auto bound = api.listen(address, static_cast<quint16>(port));
    if (!bound)
        return fail(bound.errorMessage(), 1);
    // Graceful shutdown: stop intake, flush the store, then leave the event loop.
    SignalWatcher signalWatcher({SIGTERM, SIGINT});
    QObject::connect(&signalWatcher, &SignalWatcher::received, &engine, [&](int) {
        api.stopListening();
        engine.stop();
        QCoreApplication::quit();
    });
    engine.start();
    // Tests and supervisors read this line to learn the port when --port 0 was asked for.
    QTextStream(stdout) << "stratus: serving http://" << address.toString() << ':' << *bound << '\n' << Qt::flush;
    return QCoreApplication::exec();
}

int runExport(const Cli &cli)
{
    for (const auto *o : {&cli.station, &cli.out}) {
        if (!cli.parser.isSet(*o))
            return fail(QStringLiteral("--export needs --%1").arg(o->names().first()));
    }
    CsvExporter::Request request;
    const auto kind = CsvExporter::kindFromKey(cli.parser.value(cli.kind));
    if (!kind)
        return fail(QStringLiteral("--kind \"%1\": expected one of %2")
                        .arg(cli.parser.value(cli.kind), CsvExporter::kindKeys().join(QStringLiteral(", "))));
    request.kind = *kind;
    if (cli.parser.value(cli.station) != QLatin1String("all"))
        request.station = cli.parser.value(cli.station);
    for (const auto &[option, target] : {std::pair{&cli.from, &request.fromMs}, std::pair{&cli.to, &request.toMs}}) {
        if (!cli.parser.isSet(*option))
            continue;
        const auto t = ApiRequest::parseTime(cli.parser.value(*option));
        if (!t)
            return fail(QStringLiteral("--%1 \"%2\" is not a time (ISO 8601 or epoch seconds)")
                            .arg(option->names().first(), cli.parser.value(*option)));
        *target = *t;
    }
    const QString db = cli.parser.isSet(cli.db) ? cli.parser.value(cli.db) : HistoryStore::defaultPath();
    const auto rows = CsvExporter::exportToFile(db, request, cli.parser.value(cli.out));
    if (!rows)
        return fail(rows.errorMessage(), 1);
    QTextStream(stderr) << "stratus: wrote " << *rows << " rows to " << cli.parser.value(cli.out) << '\n';
    return 0;
}

bool isHeadless(const QStringList &args)
{
    for (const char *flag : {"--server", "--worker", "--export", "--train", "--evaluate", "--help", "-h",
                             "--version", "-v", "--bench"}) {
        if (args.contains(QLatin1String(flag)))
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);

    std::unique_ptr<QCoreApplication> app;
#ifdef STRATUS_HAS_GUI
    if (isHeadless(args))
        app = std::make_unique<QCoreApplication>(argc, argv);
    else
        app = std::make_unique<QApplication>(argc, argv);
#else
    app = std::make_unique<QCoreApplication>(argc, argv);
#endif
    QCoreApplication::setApplicationName(QStringLiteral("stratus"));
    QCoreApplication::setOrganizationName(QStringLiteral("Stratus"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STRATUS_VERSION));

    Cli cli;
    cli.parser.process(args);

    if (cli.parser.isSet(cli.bench))
        return fail(QStringLiteral("benchmarks are a separate program: run stratus-bench --help"));
    if (cli.parser.isSet(cli.exportCsv))
        return runExport(cli);
    for (const auto *o : {&cli.worker, &cli.connect, &cli.train, &cli.evaluate}) {
        if (cli.parser.isSet(*o))
            return fail(QStringLiteral("--%1 is not implemented in this build yet").arg(o->names().first()));
    }

    const auto options = engineOptions(cli);
    if (!options)
        return fail(options.errorMessage());

    if (cli.parser.isSet(cli.server))
        return runServer(cli, *options);

#ifdef STRATUS_HAS_GUI
    Engine engine(*options);
    MainWindow window(engine);
    window.show();
    engine.start();
    return QApplication::exec();
#else
    return fail(QStringLiteral("this stratus was built without the GUI (STRATUS_GUI=OFF); use --server"));
#endif
}
