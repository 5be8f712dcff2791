// Parses the command line, picks the mode and the application class, and nothing else.
#include "Config.h"
#include "Engine.h"
#include "api/ApiThread.h"
#include "bus/KafkaBus.h"
#include "cluster/ClusterMonitor.h"
#include "cluster/Worker.h"
#include "api/SignalWatcher.h"
#include "alerts/AlertRuleEngine.h"
#include "commands/AnomalyCommand.h"
#include "commands/ModelCommands.h"
#include "commands/RetrainCommand.h"
#include "store/CsvExporter.h"
#include "store/HistoryStore.h"
#include "geo/UserLocation.h"

#ifdef STRATUS_HAS_GUI
#include "EngineThread.h"
#include "MainWindow.h"
#include "NearStationsView.h"
#include "StationMapView.h"
#include <QApplication>
#include <QLabel>
#include <QMessageBox>
#include <QTimer>
#endif

#include <QCommandLineParser>
#include <QFile>
#include <QCoreApplication>
#include <QHostAddress>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>

using namespace stratus;

namespace {

struct Cli
{
    QCommandLineParser parser;
    QCommandLineOption server{QStringLiteral("server"), QStringLiteral("Run headless and serve the REST API.")};
    QCommandLineOption demo{QStringLiteral("demo"), QStringLiteral("Replay the bundled recorded NWS stream (offline).")};
    QCommandLineOption port{QStringLiteral("port"), QStringLiteral("REST API port (0 = any free port; default 8080)."),
                            QStringLiteral("P")};
    QCommandLineOption bind{QStringLiteral("bind"), QStringLiteral("Address the REST API listens on (default 127.0.0.1)."),
                            QStringLiteral("ADDR")};
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
    QCommandLineOption source{QStringLiteral("source"), QStringLiteral("Data source: demo, replay, nws or openmeteo."),
                              QStringLiteral("KIND")};
    QCommandLineOption file{QStringLiteral("file"), QStringLiteral("Recorded data file for --source replay."),
                            QStringLiteral("F")};
    QCommandLineOption speed{QStringLiteral("speed"),
                             QStringLiteral("Replay speed: a factor (1 … 10000) or max for as fast as possible."),
                             QStringLiteral("X")};
    QCommandLineOption stationsCsv{QStringLiteral("stations-csv"),
                                   QStringLiteral("Station catalogue CSV (station_id, name, lat, lon, elevation_m)."),
                                   QStringLiteral("F")};
    QCommandLineOption near{QStringLiteral("near"),
                            QStringLiteral("Only stations near LAT,LON (decimal degrees), or near your position with auto."),
                            QStringLiteral("LAT,LON|auto")};
    QCommandLineOption radiusKm{QStringLiteral("radius-km"), QStringLiteral("With --near: at most R km away."),
                                QStringLiteral("R")};
    QCommandLineOption limit{QStringLiteral("limit"), QStringLiteral("With --near: the N nearest stations."),
                             QStringLiteral("N")};
    QCommandLineOption nmeaLog{QStringLiteral("nmea-log"),
                               QStringLiteral("Your position for --near auto from an NMEA log or GPS device "
                                              "(config: location/nmea_source)."),
                               QStringLiteral("F")};
    QCommandLineOption home{QStringLiteral("home"),
                            QStringLiteral("Home location when no position source answers (config: location/home)."),
                            QStringLiteral("LAT,LON")};
    QCommandLineOption stations{QStringLiteral("stations"), QStringLiteral("NWS station ids to poll, e.g. KMSN,KMKE."),
                                QStringLiteral("IDS")};
    QCommandLineOption nwsUrl{QStringLiteral("nws-url"),
                              QStringLiteral("NWS API base URL (env STRATUS_NWS_URL; default https://api.weather.gov)."),
                              QStringLiteral("URL")};
    QCommandLineOption openMeteoUrl{QStringLiteral("openmeteo-url"),
                                    QStringLiteral("Open-Meteo base URL for forecast and archive (env STRATUS_OPENMETEO_URL)."),
                                    QStringLiteral("URL")};
    QCommandLineOption pollInterval{QStringLiteral("poll-interval"),
                                    QStringLiteral("Seconds between polls (default: nws 15, openmeteo 900)."),
                                    QStringLiteral("S")};
    QCommandLineOption backfillDays{QStringLiteral("backfill-days"),
                                    QStringLiteral("Open-Meteo: days of hourly history fetched on start (default 7; 0 = none)."),
                                    QStringLiteral("N")};
    QCommandLineOption shiftToNow{QStringLiteral("shift-to-now"),
                                  QStringLiteral("Replay: rewrite times so the recording starts now (default: original times).")};
    QCommandLineOption contact{QStringLiteral("contact"),
                               QStringLiteral("Contact (e-mail or URL) sent in the User-Agent; NWS asks for one (env STRATUS_CONTACT)."),
                               QStringLiteral("TEXT")};
    QCommandLineOption evaluateAnomalies{QStringLiteral("evaluate-anomalies"),
                                         QStringLiteral("Score the anomaly detectors (precision, recall, F1) on --data: a "
                                                        "labelled CSV, or a recorded stream with injected faults.")};
    QCommandLineOption data{QStringLiteral("data"), QStringLiteral("Data file for --train, --evaluate and --evaluate-anomalies."),
                            QStringLiteral("FILE")};
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print evaluation results as JSON.")};
    QCommandLineOption seed{QStringLiteral("seed"), QStringLiteral("Seed for injected faults (default 1)."),
                            QStringLiteral("N"), QStringLiteral("1")};
    QCommandLineOption faults{QStringLiteral("faults"), QStringLiteral("Injected faults per kind (default 40)."),
                              QStringLiteral("N"), QStringLiteral("40")};
    QCommandLineOption models{QStringLiteral("models"),
                              QStringLiteral("Forecast model registry folder (versions as subfolders, hot-loaded)."),
                              QStringLiteral("DIR")};
    QCommandLineOption db{QStringLiteral("db"), QStringLiteral("History store (SQLite) file; default under the app data folder."),
                          QStringLiteral("FILE")};
    QCommandLineOption retentionDays{QStringLiteral("retention-days"),
                                     QStringLiteral("Keep this many days of history (0 = all; default 30)."), QStringLiteral("N")};
    QCommandLineOption rateLimit{QStringLiteral("rate-limit"),
                                 QStringLiteral("REST requests per second per client (0 = unlimited; default 200)."),
                                 QStringLiteral("N")};
    QCommandLineOption station{QStringLiteral("station"), QStringLiteral("--export: station id or all."), QStringLiteral("ID")};
    QCommandLineOption from{QStringLiteral("from"), QStringLiteral("--export: start time (ISO 8601 or epoch seconds)."),
                            QStringLiteral("T")};
    QCommandLineOption to{QStringLiteral("to"), QStringLiteral("--export: end time, exclusive (ISO 8601 or epoch seconds)."),
                          QStringLiteral("T")};
    QCommandLineOption kind{QStringLiteral("kind"),
                            QStringLiteral("--export: readings, features, predictions, anomalies or daily-summary."),
                            QStringLiteral("KIND"), QStringLiteral("readings")};
    QCommandLineOption out{QStringLiteral("out"), QStringLiteral("--export: CSV file to write."), QStringLiteral("FILE")};
    QCommandLineOption kafkaProperty{QStringLiteral("kafka"),
                                     QStringLiteral("librdkafka property passed through, e.g. security.protocol=SASL_SSL (repeatable)."),
                                     QStringLiteral("KEY=VALUE")};
    QCommandLineOption kafkaNamespace{QStringLiteral("namespace"),
                                      QStringLiteral("Prefix of the Kafka topic and group names (several pipelines on one cluster)."),
                                      QStringLiteral("PREFIX")};
    QCommandLineOption partitions{QStringLiteral("partitions"), QStringLiteral("Partitions of the stratus.* topics created (default 4)."),
                                  QStringLiteral("N")};
    QCommandLineOption replication{QStringLiteral("replication"),
                                   QStringLiteral("Replication factor of the topics created (default: the broker's)."),
                                   QStringLiteral("N")};
    QCommandLineOption workerId{QStringLiteral("worker-id"), QStringLiteral("Name of this worker (default host-pid)."),
                                QStringLiteral("ID")};
    QCommandLineOption metricsPort{QStringLiteral("metrics-port"),
                                   QStringLiteral("--worker: serve /metrics and /health on this port (0 = any free port)."),
                                   QStringLiteral("P")};
    QCommandLineOption configFile{QStringLiteral("config"),
                                  QStringLiteral("Settings file (INI). Default: $STRATUS_CONFIG, ~/.config/stratus/stratus.conf, /etc/stratus/stratus.conf."),
                                  QStringLiteral("FILE")};
    QCommandLineOption printConfig{QStringLiteral("print-config"),
                                   QStringLiteral("Print the effective settings and where each came from, then exit.")};

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
            "  stratus --evaluate-anomalies --data F [--json] [--seed N] [--faults N]\n"
            "                                        anomaly detectors' precision/recall/F1 (labelled\n"
            "                                        CSV, or a recorded stream with injected faults)\n"
            "  stratus-bench AREA [--json]           benchmarks (windows, kafka, rest, ...)"));
        parser.addHelpOption();
        parser.addVersionOption();
        for (const auto *o : {&server, &demo, &port, &bind, &worker, &role, &bootstrap, &connect, &exportCsv, &train,
                              &evaluate, &bench, &source, &file, &speed, &stationsCsv, &configFile, &printConfig, &near, &radiusKm, &limit, &nmeaLog, &home, &stations, &nwsUrl, &openMeteoUrl, &pollInterval, &backfillDays,
                              &shiftToNow, &contact, &evaluateAnomalies, &data, &json, &seed, &faults, &models, &db, &retentionDays,
                              &rateLimit, &station, &from, &to, &kind, &out, &kafkaProperty,
                              &kafkaNamespace, &partitions, &replication, &workerId, &metricsPort})
            parser.addOption(*o);
    }
};

int fail(const QString &message, int code = 2)
{
    QTextStream(stderr) << "stratus: " << message << '\n';
    return code;
}

// Settings: defaults < config file < environment < command line. Any invalid value stops here.
Result<Config> loadConfig(const Cli &cli)
{
    Config config;
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QString path = cli.parser.isSet(cli.configFile) ? cli.parser.value(cli.configFile) : Config::defaultPath(env);
    if (!path.isEmpty()) {
        const auto loaded = config.loadFile(path);
        if (!loaded)
            return loaded.error();
    }
    if (const auto applied = config.applyEnvironment(env); !applied)
        return applied.error();
    const auto fromCli = [&](const QCommandLineOption &o, const QString &key) -> Result<int> {
        if (!cli.parser.isSet(o))
            return 0;
        return config.set(key, cli.parser.value(o), QStringLiteral("command line --") + o.names().first());
    };
    const std::pair<const QCommandLineOption *, const char *> mapping[] = {
        {&cli.port, "server/port"},       {&cli.bind, "server/bind"},           {&cli.source, "source/kind"},
        {&cli.file, "source/file"},       {&cli.speed, "source/speed"},         {&cli.stationsCsv, "source/stations_csv"},
        {&cli.bootstrap, "kafka/bootstrap"}, {&cli.kafkaNamespace, "kafka/namespace"},
        {&cli.partitions, "kafka/partitions"}, {&cli.replication, "kafka/replication"}, {&cli.role, "worker/role"},
        {&cli.workerId, "worker/id"}, {&cli.metricsPort, "worker/metrics_port"}, {&cli.nmeaLog, "location/nmea_source"}, {&cli.home, "location/home"},
        {&cli.near, "source/near"}, {&cli.stations, "source/stations"}, {&cli.nwsUrl, "source/nws_url"},
        {&cli.openMeteoUrl, "source/openmeteo_url"}, {&cli.pollInterval, "source/poll_interval_s"},
        {&cli.backfillDays, "source/backfill_days"}, {&cli.contact, "source/contact"}, {&cli.models, "models/dir"},
        {&cli.db, "store/path"}, {&cli.retentionDays, "store/retention_days"}, {&cli.rateLimit, "server/rate_limit"},
    };
    for (const auto &[option, key] : mapping) {
        if (const auto r = fromCli(*option, QString::fromLatin1(key)); !r)
            return makeError(QStringLiteral("--%1: %2").arg(option->names().first(), r.errorMessage()));
    }
    if (cli.parser.isSet(cli.shiftToNow))
        config.set(QStringLiteral("source/shift_to_now"), QStringLiteral("true"), QStringLiteral("command line --shift-to-now"));
    // --file alone implies a replay; --demo wins over a configured source.
    if (cli.parser.isSet(cli.file) && !cli.parser.isSet(cli.source))
        config.set(QStringLiteral("source/kind"), QStringLiteral("replay"), QStringLiteral("command line --file"));
    if (cli.parser.isSet(cli.demo))
        config.set(QStringLiteral("source/kind"), QStringLiteral("demo"), QStringLiteral("command line --demo"));
    return config;
}

// Where UserLocation looks for the user (--near auto, the GUI's "stations near me"): the config's
// NMEA source, system source and home location.
Result<UserLocation::Options> locationOptions(const Config &config)
{
    UserLocation::Options o;
    o.nmeaSource = config.value(QStringLiteral("location/nmea_source"));
    o.useSystemSource = config.boolValue(QStringLiteral("location/system_source"));
    if (config.isSet(QStringLiteral("location/home"))) {
        auto c = GeoQuery::parseCoordinate(config.value(QStringLiteral("location/home")), QStringLiteral("location/home"));
        if (!c)
            return c.error();
        o.home = *c;
        o.homeOrigin = QStringLiteral("home location from ") + config.origin(QStringLiteral("location/home"));
    }
    return o;
}

// --near [--radius-km] [--limit], parsed; "auto" is left for resolveNear() (blocking, bounded by
// UserLocation's total time limit) or, in the GUI, for an asynchronous UserLocation.
Result<GeoQuery> nearQuery(const Cli &cli, const Config &config)
{
    const auto optional = [&](const QCommandLineOption &opt) { return cli.parser.isSet(opt) ? cli.parser.value(opt) : QString(); };
    return GeoQuery::parse(config.value(QStringLiteral("source/near")), optional(cli.radiusKm), optional(cli.limit),
                           GeoQuery::Syntax::CommandLine);
}

void reportFix(const UserLocation::Fix &fix)
{
    QTextStream(stderr) << "stratus: --near auto: you are at " << Geo::format(fix.coordinate) << " (" << fix.origin << ")\n";
}

Result<GeoQuery> resolveNear(const GeoQuery &query, const Config &config)
{
    if (!query.needsUserLocation())
        return query;
    const auto o = locationOptions(config);
    if (!o)
        return o.error();
    UserLocation::Fix fix;
    auto resolved = UserLocation::resolve(query, *o, &fix);
    if (resolved)
        reportFix(fix);
    return resolved;
}

// Turns the settings into what the engine runs, or says what is wrong.
Result<EngineOptions> engineOptions(const Config &config)
{
    const QString kind = config.value(QStringLiteral("source/kind"));
    EngineOptions o = kind == QLatin1String("demo") ? EngineOptions::demo() : EngineOptions();
    if (kind == QLatin1String("demo")) {
        if (config.origin(QStringLiteral("source/kind")) == QLatin1String("default"))
            QTextStream(stderr) << "stratus: no data source configured: running on the bundled demo data "
                                   "(the recorded NWS stream); see --source\n";
    } else if (kind == QLatin1String("replay")) {
        o.replayFile = config.value(QStringLiteral("source/file"));
        if (o.replayFile.isEmpty())
            return makeError(QStringLiteral("source kind replay needs a file (--file F or [source] file)"));
        o.replayShiftToNow = config.boolValue(QStringLiteral("source/shift_to_now"));
    } else {
        // Live sources: nws (explicit stations or discovery near a point) and openmeteo (a point).
        o.sourceKind = kind;
        for (const QString &id : config.value(QStringLiteral("source/stations")).split(u',', Qt::SkipEmptyParts))
            o.stationIds << id.trimmed().toUpper();
        o.pollIntervalS = config.intValue(QStringLiteral("source/poll_interval_s"));
        o.backfillDays = config.intValue(QStringLiteral("source/backfill_days"));
        o.contact = config.value(QStringLiteral("source/contact"));
        const auto explicitUrl = [&](const char *key) {
            return config.origin(QString::fromLatin1(key)) == QLatin1String("default") ? QString() : config.value(QString::fromLatin1(key));
        };
        o.nwsUrl = explicitUrl("source/nws_url");
        o.openMeteoUrl = explicitUrl("source/openmeteo_url");
        if (kind == QLatin1String("nws") && o.stationIds.isEmpty() && !config.isSet(QStringLiteral("source/near")))
            return makeError(QStringLiteral("--source nws needs --stations ID,ID or --near LAT,LON"));
        if (kind == QLatin1String("openmeteo") && !config.isSet(QStringLiteral("source/near")))
            return makeError(QStringLiteral("--source openmeteo needs --near LAT,LON"));
    }
    const QString s = config.value(QStringLiteral("source/speed"));
    bool ok = false;
    const double x = s.toDouble(&ok);
    if (s == QLatin1String("max"))
        o.replaySpeed = 0;
    else if (ok && x >= 1 && x <= 10000)
        o.replaySpeed = kind == QLatin1String("demo") && config.origin(QStringLiteral("source/speed")) == QLatin1String("default") ? o.replaySpeed : x;
    else
        return makeError(QStringLiteral("speed \"%1\": expected a factor from 1 to 10000 or max").arg(s));
    if (config.isSet(QStringLiteral("source/stations_csv")))
        o.stationsCsv = config.value(QStringLiteral("source/stations_csv"));
    o.modelDir = config.value(QStringLiteral("models/dir"));
    const auto retrain = RetrainOptions::fromConfig(config);
    if (!retrain)
        return retrain.error();
    o.retrain = *retrain;
    if (const QString rulesFile = config.value(QStringLiteral("alerts/rules_file")); !rulesFile.isEmpty()) {
        QFile f(rulesFile);
        if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
            return makeError(QStringLiteral("alert rules %1: cannot read: %2").arg(rulesFile, f.errorString()));
        o.alertRules = QString::fromUtf8(f.readAll()).split(u'\n');
        // Refuse a bad rule at start, naming the line, rather than run without it.
        AlertRuleEngine check;
        if (const auto loaded = check.loadRules(o.alertRules); !loaded)
            return makeError(QStringLiteral("alert rules %1: %2").arg(rulesFile, loaded.errorMessage()));
    }
    o.alertsStateFile = config.value(QStringLiteral("alerts/state_file"));
    const auto notify = NotifyOptions::fromConfig(config);
    if (!notify)
        return notify.error();
    o.notify = *notify;
    o.store.retentionDays = config.intValue(QStringLiteral("store/retention_days"));
    o.store.path = config.value(QStringLiteral("store/path")); // --server defaults it, the GUI keeps none unless asked
    o.windows.lengthMs = config.intValue(QStringLiteral("windows/length_s")) * 1000LL;
    o.windows.slideMs = config.intValue(QStringLiteral("windows/slide_s")) * 1000LL;
    o.windows.allowedLatenessMs = config.intValue(QStringLiteral("windows/lateness_s")) * 1000LL;
    if (o.windows.lengthMs % o.windows.slideMs != 0)
        return makeError(QStringLiteral("windows: length_s must be a multiple of slide_s"));
    return o;
}

Result<KafkaSettings> kafkaSettings(const Cli &cli, const Config &config, const QString &bootstrap)
{
    if (bootstrap.isEmpty())
        return makeError(QStringLiteral("no Kafka bootstrap servers: --bootstrap HOST:PORT (or [kafka] bootstrap)"));
    KafkaSettings k;
    k.bootstrap = bootstrap;
    k.topicNamespace = config.value(QStringLiteral("kafka/namespace"));
    k.partitions = config.intValue(QStringLiteral("kafka/partitions"));
    k.replication = config.intValue(QStringLiteral("kafka/replication"));
    k.binary = config.value(QStringLiteral("kafka/encoding")) == QLatin1String("binary");
    k.atLeastOnce = config.value(QStringLiteral("kafka/delivery")) == QLatin1String("at_least_once");
    k.atLeastOnceCommitMs = config.intValue(QStringLiteral("kafka/commit_interval_ms"));
    for (const QString &kv : cli.parser.values(cli.kafkaProperty)) {
        if (const auto r = k.addExtra(kv); !r)
            return r.error();
    }
    return k;
}

int runServer(const Config &config, EngineOptions options)
{
    const QHostAddress address(config.value(QStringLiteral("server/bind")));
    if (address.isNull())
        return fail(QStringLiteral("bind address \"%1\" is not an IP address").arg(config.value(QStringLiteral("server/bind"))));
    // A server always keeps history: the configured file or one under the app data folder.
    if (options.store.path.isEmpty())
        options.store.path = HistoryStore::defaultPath();

    Engine engine(options);
    if (!engine.store())
        return fail(engine.storeError(), 1);
    if (!options.computeInProcess && !engine.bus().problem().isEmpty())
        return fail(engine.bus().problem(), 1);
    // The API answers on its own thread, so a busy engine does not stall it and vice versa.
    ApiThread api(engine.state());
    const double rate = config.doubleValue(QStringLiteral("server/rate_limit"));
    api.run([&](ApiServer &server) {
        server.setHistoryStore(engine.store());
        server.setModelRegistry(engine.models());
        server.setRetrainCoordinator(engine.retrain());
        server.setAlertManager(&engine.alerts());
        server.setLatencyHistograms(&engine.windowLatency(), &engine.inferLatency());
        server.setMetricsOptions({config.intValue(QStringLiteral("metrics/max_stations"))});
        server.setApiToken(config.value(QStringLiteral("server/token")));
        ApiServer::Limits limits;
        limits.ratePerS = rate;
        limits.burst = 2 * rate;
        limits.maxBodyBytes = config.intValue(QStringLiteral("server/max_request_bytes"));
        server.setLimits(limits);
    });
    const auto bound = api.listen(address, static_cast<quint16>(config.intValue(QStringLiteral("server/port"))));
    if (!bound)
        return fail(bound.errorMessage(), 1);
    // Graceful shutdown on SIGTERM/SIGINT: stop intake, flush the store, then leave the event loop.
    SignalWatcher signalWatcher({SIGTERM, SIGINT});
    QObject::connect(&signalWatcher, &SignalWatcher::received, &engine, [&](int signalNumber) {
        QTextStream(stderr) << "stratus: signal " << signalNumber << " received, shutting down\n";
        api.stopListening();
        engine.stop();
        QCoreApplication::quit();
    });
    engine.start();
    // Tests and supervisors read this line to learn the port when --port 0 was asked for.
    QTextStream(stdout) << "stratus: serving http://" << address.toString() << ':' << *bound << '\n' << Qt::flush;
    return QCoreApplication::exec();
}

int runExport(const Cli &cli, const Config &config)
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
    const QString db = config.isSet(QStringLiteral("store/path")) ? config.value(QStringLiteral("store/path")) : HistoryStore::defaultPath();
    const auto rows = CsvExporter::exportToFile(db, request, cli.parser.value(cli.out));
    if (!rows)
        return fail(rows.errorMessage(), 1);
    QTextStream(stderr) << "stratus: wrote " << *rows << " rows to " << cli.parser.value(cli.out) << '\n';
    return 0;
}

bool isHeadless(const QStringList &args)
{
    for (const char *flag : {"--server", "--worker", "--export", "--train", "--evaluate", "--help", "-h",
                             "--version", "-v", "--bench", "--print-config", "--evaluate-anomalies", "--retrain"}) {
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

    // --train/--evaluate parse their own options (--data, --model, --out, ...).
    if (ModelCommands::wants(args))
        return ModelCommands::run(args);
    if (RetrainCommand::wants(args))
        return RetrainCommand::run(args);
    if (AnomalyCommand::wants(args))
        return AnomalyCommand::run(args);

    Cli cli;
    cli.parser.process(args);

    if (cli.parser.isSet(cli.bench))
        return fail(QStringLiteral("benchmarks are a separate program: run stratus-bench --help"));

    const auto config = loadConfig(cli);
    if (!config)
        return fail(config.errorMessage());
    if (cli.parser.isSet(cli.printConfig)) {
        QTextStream(stdout) << config->describe();
        return 0;
    }
    auto options = engineOptions(*config);
    if (!options)
        return fail(options.errorMessage());
    if (cli.parser.isSet(cli.exportCsv))
        return runExport(cli, *config);
    if (cli.parser.isSet(cli.worker)) {
        const auto k = kafkaSettings(cli, *config, config->value(QStringLiteral("kafka/bootstrap")));
        if (!k)
            return fail(k.errorMessage());
        Worker::Options w;
        w.kafka = *k;
        w.role = config->value(QStringLiteral("worker/role"));
        w.id = config->value(QStringLiteral("worker/id"));
        w.metricsPort = config->isSet(QStringLiteral("worker/metrics_port")) ? config->intValue(QStringLiteral("worker/metrics_port")) : -1;
        w.metricsBind = config->value(QStringLiteral("server/bind"));
        if (w.role == QLatin1String("collect"))
            w.engine = *options;
        return Worker::run(w);
    }
    if (cli.parser.isSet(cli.connect)) {
        const auto k = kafkaSettings(cli, *config, cli.parser.value(cli.connect));
        if (!k)
            return fail(k.errorMessage());
        // No sources and no computation here: the views and the API are fed from the cluster's topics.
        EngineOptions connected;
        connected.computeInProcess = false;
        connected.busFactory = [k = *k](QObject *parent) -> Bus * { return KafkaBus::viewer(k, parent); };
        connected.clusterSnapshot = [k = *k] { return ClusterMonitor(k).snapshot().toJson(); };
        connected.stationsCsv = config->value(QStringLiteral("source/stations_csv"));
        connected.store = options->store;
        connected.notify = options->notify; // the cluster's alerts are pushed from here
        options.value() = connected;
    }
    if (config->isSet(QStringLiteral("source/near"))) {
        auto near = nearQuery(cli, *config);
#ifdef STRATUS_HAS_GUI
        const bool locateLater = !cli.parser.isSet(cli.server); // the window locates without blocking
#else
        const bool locateLater = false;
#endif
        if (near && !locateLater)
            near = resolveNear(*near, *config);
        if (!near)
            return fail(near.errorMessage());
        // Live sources start from its centre too (SourceFactory): NWS discovers stations there,
        // Open-Meteo serves it.
        options.value().near = *near;
        if (near->hasLimit())
            options.value().nearMaxStations = near->limit;
    } else if (cli.parser.isSet(cli.radiusKm) || cli.parser.isSet(cli.limit)) {
        return fail(QStringLiteral("--radius-km and --limit need --near LAT,LON"));
    }

    if (cli.parser.isSet(cli.server))
        return runServer(*config, *options);

#ifdef STRATUS_HAS_GUI
    const auto location = locationOptions(*config);
    if (!location)
        return fail(location.errorMessage());
    // The engine gets its own thread so a fast replay never stalls the window. Declared in this
    // order so the window goes before the engine whose state it reads.
    std::unique_ptr<EngineThread> engine;
    std::unique_ptr<MainWindow> window;
    const auto launch = [&](const EngineOptions &o) {
        engine = std::make_unique<EngineThread>(o);
        window = std::make_unique<MainWindow>(engine->state());
        window->setAlertManager(&engine->alerts());
        window->nearStationsView()->setBaseOptions(*location);
        window->show();
        engine->start();
    };
    if (!options->near || !options->near->needsUserLocation()) {
        launch(*options);
        return QApplication::exec();
    }
    // --near auto: the sources need the position before they start, but nothing waits for it on
    // the GUI thread; a small window says what is happening until UserLocation answers.
    auto locating = std::make_unique<QLabel>(QStringLiteral("Locating you for --near auto…"));
    locating->setWindowTitle(QStringLiteral("Stratus"));
    locating->setMargin(24);
    locating->show();
    QApplication::setQuitOnLastWindowClosed(false); // closing the message box must not quit with 0
    UserLocation finder(*location);
    QObject::connect(&finder, &UserLocation::located, &finder, [&](const UserLocation::Fix &fix) {
        reportFix(fix);
        locating.reset();
        QApplication::setQuitOnLastWindowClosed(true);
        EngineOptions o = *options;
        o.near->center = fix.coordinate;
        launch(o);
        window->mapView()->setUserPosition(fix.coordinate, fix.origin);
    });
    QObject::connect(&finder, &UserLocation::unavailable, &finder, [&](const QString &why) {
        locating.reset();
        const QString message = QStringLiteral("--near auto: ") + why;
        QTextStream(stderr) << "stratus: " << message << "\n";
        QMessageBox::critical(nullptr, QStringLiteral("Stratus"), message);
        QCoreApplication::exit(2);
    });
    QTimer::singleShot(0, &finder, &UserLocation::start);
    return QApplication::exec();
#else
    return fail(QStringLiteral("this stratus was built without the GUI (STRATUS_GUI=OFF); use --server"));
#endif
}
