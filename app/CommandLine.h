#pragma once

#include "Config.h"
#include "EngineOptions.h"
#include "Result.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QStringList>

namespace stratus {

// The command line of the modes that run the engine — the desktop GUI, --server, --worker,
// --connect — and which mode a command line asks for. The commands (--export, --train/--evaluate,
// --retrain, --evaluate-anomalies) parse their own options in app/commands/.
class CommandLine
{
public:
    enum class Mode { Gui, Server, Worker, PrintConfig, Export, Models, Retrain, AnomalyEvaluation, Help, Version, Bench };

    // Decided from the flags alone, before the application object exists (the GUI needs a
    // QApplication, every other mode a QCoreApplication).
    static Mode modeOf(const QStringList &args);
    // `stratus --help`: these options, then each command's.
    static QString helpText();

    CommandLine();
    // Parses the arguments; --version, and an unknown option or a missing value, end the process
    // as QCommandLineParser does.
    void process(const QStringList &args);

    // The settings: defaults < config file < environment < these options.
    Result<Config> settings() const;
    // The engine's options for the GUI or --server: the settings, attached to a remote cluster with
    // --connect, limited to the stations --near a point. `locateNow`: resolve --near auto before
    // returning (blocking, bounded); the GUI locates without blocking and leaves it open.
    Result<EngineOptions> engineOptions(const Config &config, bool locateNow) const;
    // librdkafka properties passed through (--kafka KEY=VALUE, repeatable).
    QStringList kafkaProperties() const { return m_parser.values(m_kafkaProperty); }

private:
    QList<const QCommandLineOption *> options() const;

    QCommandLineParser m_parser;
    QCommandLineOption m_server{QStringLiteral("server"), QStringLiteral("Run headless and serve the REST API.")};
    QCommandLineOption m_demo{QStringLiteral("demo"), QStringLiteral("Replay the bundled recorded NWS stream (offline).")};
    QCommandLineOption m_port{QStringLiteral("port"), QStringLiteral("REST API port (0 = any free port; default 8080)."),
                              QStringLiteral("P")};
    QCommandLineOption m_bind{QStringLiteral("bind"), QStringLiteral("Address the REST API listens on (default 127.0.0.1)."),
                              QStringLiteral("ADDR")};
    QCommandLineOption m_worker{QStringLiteral("worker"), QStringLiteral("Run as one member of a Kafka consumer group.")};
    QCommandLineOption m_role{QStringLiteral("role"), QStringLiteral("Worker role: collect, aggregate, infer or all."),
                              QStringLiteral("ROLE"), QStringLiteral("all")};
    QCommandLineOption m_bootstrap{QStringLiteral("bootstrap"), QStringLiteral("Kafka bootstrap servers for --worker."),
                                   QStringLiteral("HOST:PORT")};
    QCommandLineOption m_connect{QStringLiteral("connect"),
                                 QStringLiteral("Attach the GUI (or --server) to a remote Kafka/worker cluster."),
                                 QStringLiteral("HOST:PORT")};
    QCommandLineOption m_bench{QStringLiteral("bench"), QStringLiteral("Benchmarks: run the stratus-bench program.")};
    QCommandLineOption m_source{QStringLiteral("source"), QStringLiteral("Data source: demo, replay, nws or openmeteo."),
                                QStringLiteral("KIND")};
    QCommandLineOption m_file{QStringLiteral("file"), QStringLiteral("Recorded data file for --source replay."),
                              QStringLiteral("F")};
    QCommandLineOption m_speed{QStringLiteral("speed"),
                               QStringLiteral("Replay speed: a factor (1 … 10000) or max for as fast as possible."),
                               QStringLiteral("X")};
    QCommandLineOption m_stationsCsv{QStringLiteral("stations-csv"),
                                     QStringLiteral("Station catalogue CSV (station_id, name, lat, lon, elevation_m)."),
                                     QStringLiteral("F")};
    QCommandLineOption m_near{QStringLiteral("near"),
                              QStringLiteral("Only stations near LAT,LON (decimal degrees), or near your position with auto."),
                              QStringLiteral("LAT,LON|auto")};
    QCommandLineOption m_radiusKm{QStringLiteral("radius-km"), QStringLiteral("With --near: at most R km away."),
                                  QStringLiteral("R")};
    QCommandLineOption m_limit{QStringLiteral("limit"), QStringLiteral("With --near: the N nearest stations."),
                               QStringLiteral("N")};
    QCommandLineOption m_nmeaLog{QStringLiteral("nmea-log"),
                                 QStringLiteral("Your position for --near auto from an NMEA log or GPS device "
                                                "(config: location/nmea_source)."),
                                 QStringLiteral("F")};
    QCommandLineOption m_home{QStringLiteral("home"),
                              QStringLiteral("Home location when no position source answers (config: location/home)."),
                              QStringLiteral("LAT,LON")};
    QCommandLineOption m_stations{QStringLiteral("stations"), QStringLiteral("NWS station ids to poll, e.g. KMSN,KMKE."),
                                  QStringLiteral("IDS")};
    QCommandLineOption m_nwsUrl{QStringLiteral("nws-url"),
                                QStringLiteral("NWS API base URL (env STRATUS_NWS_URL; default https://api.weather.gov)."),
                                QStringLiteral("URL")};
    QCommandLineOption m_openMeteoUrl{QStringLiteral("openmeteo-url"),
                                      QStringLiteral("Open-Meteo base URL for forecast and archive (env STRATUS_OPENMETEO_URL)."),
                                      QStringLiteral("URL")};
    QCommandLineOption m_pollInterval{QStringLiteral("poll-interval"),
                                      QStringLiteral("Seconds between polls (default: nws 15, openmeteo 900)."),
                                      QStringLiteral("S")};
    QCommandLineOption m_backfillDays{QStringLiteral("backfill-days"),
                                      QStringLiteral("Open-Meteo: days of hourly history fetched on start (default 7; 0 = none)."),
                                      QStringLiteral("N")};
    QCommandLineOption m_shiftToNow{QStringLiteral("shift-to-now"),
                                    QStringLiteral("Replay: rewrite times so the recording starts now (default: original times).")};
    QCommandLineOption m_contact{QStringLiteral("contact"),
                                 QStringLiteral("Contact (e-mail or URL) sent in the User-Agent; NWS asks for one (env STRATUS_CONTACT)."),
                                 QStringLiteral("TEXT")};
    QCommandLineOption m_models{QStringLiteral("models"),
                                QStringLiteral("Forecast model registry folder (versions as subfolders, hot-loaded)."),
                                QStringLiteral("DIR")};
    QCommandLineOption m_db{QStringLiteral("db"), QStringLiteral("History store (SQLite) file; default under the app data folder."),
                            QStringLiteral("FILE")};
    QCommandLineOption m_retentionDays{QStringLiteral("retention-days"),
                                       QStringLiteral("Keep this many days of history (0 = all; default 30)."), QStringLiteral("N")};
    QCommandLineOption m_rateLimit{QStringLiteral("rate-limit"),
                                   QStringLiteral("REST requests per second per client (0 = unlimited; default 200)."),
                                   QStringLiteral("N")};
    QCommandLineOption m_kafkaProperty{QStringLiteral("kafka"),
                                       QStringLiteral("librdkafka property passed through, e.g. security.protocol=SASL_SSL (repeatable)."),
                                       QStringLiteral("KEY=VALUE")};
    QCommandLineOption m_kafkaNamespace{QStringLiteral("namespace"),
                                        QStringLiteral("Prefix of the Kafka topic and group names (several pipelines on one cluster)."),
                                        QStringLiteral("PREFIX")};
    QCommandLineOption m_partitions{QStringLiteral("partitions"), QStringLiteral("Partitions of the stratus.* topics created (default 4)."),
                                    QStringLiteral("N")};
    QCommandLineOption m_replication{QStringLiteral("replication"),
                                     QStringLiteral("Replication factor of the topics created (default: the broker's)."),
                                     QStringLiteral("N")};
    QCommandLineOption m_workerId{QStringLiteral("worker-id"), QStringLiteral("Name of this worker (default host-pid)."),
                                  QStringLiteral("ID")};
    QCommandLineOption m_metricsPort{QStringLiteral("metrics-port"),
                                     QStringLiteral("--worker: serve /metrics and /health on this port (0 = any free port)."),
                                     QStringLiteral("P")};
    QCommandLineOption m_configFile{QStringLiteral("config"),
                                    QStringLiteral("Settings file (INI). Default: $STRATUS_CONFIG, ~/.config/stratus/stratus.conf, "
                                                   "/etc/stratus/stratus.conf."),
                                    QStringLiteral("FILE")};
    QCommandLineOption m_printConfig{QStringLiteral("print-config"),
                                     QStringLiteral("Print the effective settings and where each came from, then exit.")};
};

} // namespace stratus
