#include "CommandLine.h"

#include "EngineOptionsLoader.h"
#include "NearOption.h"
#include "SettingsLoader.h"
#include "commands/AnomalyCommand.h"
#include "commands/ExportCommand.h"
#include "commands/ModelCommands.h"
#include "commands/RetrainCommand.h"

namespace stratus {

namespace {

// One part of `stratus --help`: a parser's help without the lines every part repeats (the usage
// line and the help options; `--help` anywhere shows all of it).
QString section(const QString &help, bool first)
{
    QStringList lines = help.split(QLatin1Char('\n'));
    if (!first)
        lines.removeFirst(); // "Usage: stratus [options]": the description says how to call it
    lines.removeIf([](const QString &line) {
        return line.startsWith(QLatin1String("  -h, --help ")) || line.startsWith(QLatin1String("  --help-all "));
    });
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace

CommandLine::Mode CommandLine::modeOf(const QStringList &args)
{
    // First match wins: a command's own --help goes to the command, so `--train --help` shows the
    // training options.
    static const std::pair<const char *, Mode> flags[] = {
        {"--train", Mode::Models},      {"--evaluate", Mode::Models},     {"--retrain", Mode::Retrain},
        {"--evaluate-anomalies", Mode::AnomalyEvaluation},                 {"--export", Mode::Export},
        {"--help", Mode::Help},         {"-h", Mode::Help},               {"-?", Mode::Help},
        {"--help-all", Mode::Help},     {"--version", Mode::Version},     {"-v", Mode::Version},
        {"--bench", Mode::Bench},       {"--print-config", Mode::PrintConfig}, {"--worker", Mode::Worker},
        {"--server", Mode::Server}};
    for (const auto &[flag, mode] : flags) {
        if (args.contains(QLatin1String(flag)))
            return mode;
    }
    return Mode::Gui;
}

QString CommandLine::helpText()
{
    CommandLine cli;
    return section(cli.m_parser.helpText(), true) + section(ExportCommand::helpText(), false)
        + section(ModelCommands::helpText(), false) + section(RetrainCommand::helpText(), false)
        + section(AnomalyCommand::helpText(), false);
}

CommandLine::CommandLine()
{
    m_parser.setApplicationDescription(QStringLiteral(
        "Stratus — weather-station monitor with an embedded stream engine.\n\n"
        "Modes (each command's options follow these):\n"
        "  stratus [--demo]                      desktop GUI, engine in-process\n"
        "  stratus --server [--port P] [--demo]  headless engine serving the REST API\n"
        "  stratus --worker --bootstrap H:P --role collect|aggregate|infer|all\n"
        "                                        one Kafka consumer-group member\n"
        "  stratus --connect H:P [--server]      GUI or API fed by a remote cluster\n"
        "  stratus --export --station ID --from T --to T --out F.csv\n"
        "                                        CSV report from the history store\n"
        "  stratus --train / --evaluate          forecast models\n"
        "  stratus --retrain --db F --models DIR retrain and promote a candidate model now\n"
        "  stratus --evaluate-anomalies --data F anomaly detectors' precision/recall/F1\n"
        "  stratus-bench AREA [--json]           benchmarks (windows, kafka, rest, ...)\n\n"
        "stratus --help lists every mode's options; stratus --export --help (and so on) one command's."));
    m_parser.addHelpOption();
    m_parser.addVersionOption();
    for (const QCommandLineOption *o : options())
        m_parser.addOption(*o);
}

QList<const QCommandLineOption *> CommandLine::options() const
{
    return {&m_server,   &m_demo,         &m_port,         &m_bind,         &m_worker,       &m_role,
            &m_bootstrap, &m_connect,     &m_bench,        &m_source,       &m_file,         &m_speed,
            &m_stationsCsv, &m_configFile, &m_printConfig, &m_near,         &m_radiusKm,     &m_limit,
            &m_nmeaLog,  &m_home,         &m_stations,     &m_nwsUrl,       &m_openMeteoUrl, &m_pollInterval,
            &m_backfillDays, &m_shiftToNow, &m_contact,    &m_models,       &m_db,           &m_retentionDays,
            &m_rateLimit, &m_kafkaProperty, &m_kafkaNamespace, &m_partitions, &m_replication, &m_workerId,
            &m_metricsPort};
}

void CommandLine::process(const QStringList &args)
{
    m_parser.process(args);
}

Result<Config> CommandLine::settings() const
{
    auto config = SettingsLoader::load(
        m_parser, m_configFile,
        {{&m_port, "server/port"},           {&m_bind, "server/bind"},
         {&m_source, "source/kind"},         {&m_file, "source/file"},
         {&m_speed, "source/speed"},         {&m_stationsCsv, "source/stations_csv"},
         {&m_bootstrap, "kafka/bootstrap"},  {&m_kafkaNamespace, "kafka/namespace"},
         {&m_partitions, "kafka/partitions"}, {&m_replication, "kafka/replication"},
         {&m_role, "worker/role"},           {&m_workerId, "worker/id"},
         {&m_metricsPort, "worker/metrics_port"},
         {&m_nmeaLog, "location/nmea_source"}, {&m_home, "location/home"},
         {&m_near, "source/near"},           {&m_stations, "source/stations"},
         {&m_nwsUrl, "source/nws_url"},      {&m_openMeteoUrl, "source/openmeteo_url"},
         {&m_pollInterval, "source/poll_interval_s"}, {&m_backfillDays, "source/backfill_days"},
         {&m_contact, "source/contact"},     {&m_models, "models/dir"},
         {&m_db, "store/path"},              {&m_retentionDays, "store/retention_days"},
         {&m_rateLimit, "server/rate_limit"}});
    if (!config)
        return config;
    const auto set = [&](const char *key, const char *value, const char *option) {
        config.value().set(QString::fromLatin1(key), QString::fromLatin1(value), QStringLiteral("command line --") + QLatin1String(option));
    };
    if (m_parser.isSet(m_shiftToNow))
        set("source/shift_to_now", "true", "shift-to-now");
    // --file alone implies a replay; --demo wins over a configured source.
    if (m_parser.isSet(m_file) && !m_parser.isSet(m_source))
        set("source/kind", "replay", "file");
    if (m_parser.isSet(m_demo))
        set("source/kind", "demo", "demo");
    return config;
}

Result<EngineOptions> CommandLine::engineOptions(const Config &config, bool locateNow) const
{
    auto options = EngineOptionsLoader::load(config);
    if (!options)
        return options;
    if (m_parser.isSet(m_connect)) {
        const auto kafka = EngineOptionsLoader::kafka(config, m_parser.value(m_connect), kafkaProperties());
        if (!kafka)
            return kafka.error();
        options.value() = EngineOptionsLoader::attached(config, *kafka);
    }
    const auto given = [&](const QCommandLineOption &o) { return m_parser.isSet(o) ? m_parser.value(o) : QString(); };
    if (!config.isSet(QStringLiteral("source/near"))) {
        if (m_parser.isSet(m_radiusKm) || m_parser.isSet(m_limit))
            return makeError(QStringLiteral("--radius-km and --limit need --near LAT,LON"));
        return options;
    }
    auto near = NearOption::parse(config, given(m_radiusKm), given(m_limit));
    if (near && locateNow)
        near = NearOption::resolve(*near, config);
    if (!near)
        return near.error();
    // Live sources start from its centre too (SourceFactory): NWS discovers stations there,
    // Open-Meteo serves it.
    options.value().near = *near;
    if (near->hasLimit())
        options.value().nearMaxStations = near->limit;
    return options;
}

} // namespace stratus
