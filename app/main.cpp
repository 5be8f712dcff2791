// Parses the command line, picks the mode and the application class, and nothing else.
#include "Engine.h"
#include "api/ApiServer.h"

#ifdef STRATUS_HAS_GUI
#include "EngineThread.h"
#include "MainWindow.h"
#include <QApplication>
#endif

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
#include <QTextStream>

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
                              &evaluate, &bench, &source, &file, &speed, &stationsCsv})
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

    Engine engine(options);
    ApiServer api(engine.state());
    const auto bound = api.listen(address, static_cast<quint16>(port));
    if (!bound)
        return fail(bound.errorMessage(), 1);
    engine.start();
    // Tests and supervisors read this line to learn the port when --port 0 was asked for.
    QTextStream(stdout) << "stratus: serving http://" << address.toString() << ':' << *bound << '\n' << Qt::flush;
    return QCoreApplication::exec();
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
    for (const auto *o : {&cli.worker, &cli.connect, &cli.exportCsv, &cli.train, &cli.evaluate}) {
        if (cli.parser.isSet(*o))
            return fail(QStringLiteral("--%1 is not implemented in this build yet").arg(o->names().first()));
    }

    const auto options = engineOptions(cli);
    if (!options)
        return fail(options.errorMessage());

    if (cli.parser.isSet(cli.server))
        return runServer(cli, *options);

#ifdef STRATUS_HAS_GUI
    // The engine gets its own thread so a fast replay never stalls the window.
    EngineThread engine(*options);
    MainWindow window(engine.state());
    window.show();
    engine.start();
    return QApplication::exec();
#else
    return fail(QStringLiteral("this stratus was built without the GUI (STRATUS_GUI=OFF); use --server"));
#endif
}
