#include "EngineOptionsLoader.h"

#include "Config.h"
#include "alerts/AlertRuleEngine.h"
#include "bus/KafkaBus.h"
#include "cluster/ClusterMonitor.h"
#include "notify/NotifyOptions.h"

#include <QFile>

namespace stratus {

namespace {

bool isDefault(const Config &config, const QString &key)
{
    return config.origin(key) == QLatin1String("default");
}

// A URL the user set, or empty so the source keeps its own default (and its own archive URL).
QString explicitUrl(const Config &config, const QString &key)
{
    return isDefault(config, key) ? QString() : config.value(key);
}

// "max" (as fast as possible: 0) or a factor 1 … 10000. The demo keeps its own live-like speed
// unless one is asked for.
Result<double> replaySpeed(const Config &config, double demoSpeed)
{
    const QString key = QStringLiteral("source/speed");
    const QString s = config.value(key);
    if (s == QLatin1String("max"))
        return 0.0;
    bool ok = false;
    const double x = s.toDouble(&ok);
    if (!ok || x < 1 || x > 10000)
        return makeError(QStringLiteral("speed \"%1\": expected a factor from 1 to 10000 or max").arg(s));
    const bool demo = config.value(QStringLiteral("source/kind")) == QLatin1String("demo");
    return demo && isDefault(config, key) ? demoSpeed : x;
}

StoreOptions storeOptions(const Config &config)
{
    StoreOptions s;
    s.retentionDays = config.intValue(QStringLiteral("store/retention_days"));
    s.path = config.value(QStringLiteral("store/path")); // --server defaults it, the GUI keeps none unless asked
    return s;
}

} // namespace

bool EngineOptionsLoader::runsDemoByDefault(const Config &config)
{
    return config.value(QStringLiteral("source/kind")) == QLatin1String("demo")
        && isDefault(config, QStringLiteral("source/kind"));
}

Result<bool> EngineOptionsLoader::loadSource(const Config &config, EngineOptions &o)
{
    const QString kind = config.value(QStringLiteral("source/kind"));
    if (kind == QLatin1String("replay")) {
        o.replayFile = config.value(QStringLiteral("source/file"));
        if (o.replayFile.isEmpty())
            return makeError(QStringLiteral("source kind replay needs a file (--file F or [source] file)"));
        o.replayShiftToNow = config.boolValue(QStringLiteral("source/shift_to_now"));
    } else if (kind != QLatin1String("demo")) {
        // Live sources: nws (explicit stations or discovery near a point) and openmeteo (a point).
        o.sourceKind = kind;
        for (const QString &id : config.value(QStringLiteral("source/stations")).split(u',', Qt::SkipEmptyParts))
            o.stationIds << id.trimmed().toUpper();
        o.pollIntervalS = config.intValue(QStringLiteral("source/poll_interval_s"));
        o.backfillDays = config.intValue(QStringLiteral("source/backfill_days"));
        o.contact = config.value(QStringLiteral("source/contact"));
        o.nwsUrl = explicitUrl(config, QStringLiteral("source/nws_url"));
        o.openMeteoUrl = explicitUrl(config, QStringLiteral("source/openmeteo_url"));
        const bool hasNear = config.isSet(QStringLiteral("source/near"));
        if (kind == QLatin1String("nws") && o.stationIds.isEmpty() && !hasNear)
            return makeError(QStringLiteral("--source nws needs --stations ID,ID or --near LAT,LON"));
        if (kind == QLatin1String("openmeteo") && !hasNear)
            return makeError(QStringLiteral("--source openmeteo needs --near LAT,LON"));
    }
    const auto speed = replaySpeed(config, o.replaySpeed);
    if (!speed)
        return speed.error();
    o.replaySpeed = *speed;
    if (config.isSet(QStringLiteral("source/stations_csv")))
        o.stationsCsv = config.value(QStringLiteral("source/stations_csv"));
    return true;
}

Result<bool> EngineOptionsLoader::loadAlertRules(const Config &config, EngineOptions &o)
{
    o.alertsStateFile = config.value(QStringLiteral("alerts/state_file"));
    const QString rulesFile = config.value(QStringLiteral("alerts/rules_file"));
    if (rulesFile.isEmpty())
        return true;
    QFile f(rulesFile);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return makeError(QStringLiteral("alert rules %1: cannot read: %2").arg(rulesFile, f.errorString()));
    o.alertRules = QString::fromUtf8(f.readAll()).split(u'\n');
    AlertRuleEngine check;
    if (const auto loaded = check.loadRules(o.alertRules); !loaded)
        return makeError(QStringLiteral("alert rules %1: %2").arg(rulesFile, loaded.errorMessage()));
    return true;
}

Result<EngineOptions> EngineOptionsLoader::load(const Config &config)
{
    const bool demo = config.value(QStringLiteral("source/kind")) == QLatin1String("demo");
    EngineOptions o = demo ? EngineOptions::demo() : EngineOptions();
    if (const auto source = loadSource(config, o); !source)
        return source.error();
    // The demo forecasts with the shipped model (EngineOptions::demo()) unless told to use others.
    if (const QString dir = config.value(QStringLiteral("models/dir")); !demo || !dir.isEmpty())
        o.modelDir = dir;
    const auto retrain = RetrainOptions::fromConfig(config);
    if (!retrain)
        return retrain.error();
    o.retrain = *retrain;
    if (const auto rules = loadAlertRules(config, o); !rules)
        return rules.error();
    const auto notify = NotifyOptions::fromConfig(config);
    if (!notify)
        return notify.error();
    o.notify = *notify;
    o.store = storeOptions(config);
    o.windows.lengthMs = config.intValue(QStringLiteral("windows/length_s")) * 1000LL;
    o.windows.slideMs = config.intValue(QStringLiteral("windows/slide_s")) * 1000LL;
    o.windows.allowedLatenessMs = config.intValue(QStringLiteral("windows/lateness_s")) * 1000LL;
    if (o.windows.lengthMs % o.windows.slideMs != 0)
        return makeError(QStringLiteral("windows: length_s must be a multiple of slide_s"));
    return o;
}

Result<KafkaSettings> EngineOptionsLoader::kafka(const Config &config, const QString &bootstrap, const QStringList &properties)
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
    // From the file or STRATUS_KAFKA_PROPERTIES first, so SASL/SSL secrets stay out of argv (and ps).
    const QStringList fromConfig = config.value(QStringLiteral("kafka/properties")).split(u';', Qt::SkipEmptyParts);
    for (const QString &kv : fromConfig + properties) {
        if (const auto r = k.addExtra(kv); !r)
            return r.error();
    }
    return k;
}

EngineOptions EngineOptionsLoader::attached(const Config &config, const KafkaSettings &kafka)
{
    EngineOptions o;
    o.computeInProcess = false;
    o.busFactory = [kafka](QObject *parent) -> Bus * { return KafkaBus::viewer(kafka, parent); };
    o.clusterSnapshot = [kafka] { return ClusterMonitor(kafka).snapshot().toJson(); };
    o.stationsCsv = config.value(QStringLiteral("source/stations_csv"));
    o.store = storeOptions(config);
    // The cluster's alerts are pushed from here (Alertmanager, webhook).
    if (const auto notify = NotifyOptions::fromConfig(config))
        o.notify = *notify;
    return o;
}

Result<UserLocation::Options> EngineOptionsLoader::location(const Config &config)
{
    UserLocation::Options o;
    o.nmeaSource = config.value(QStringLiteral("location/nmea_source"));
    o.useSystemSource = config.boolValue(QStringLiteral("location/system_source"));
    const QString home = QStringLiteral("location/home");
    if (config.isSet(home)) {
        auto c = GeoQuery::parseCoordinate(config.value(home), home);
        if (!c)
            return c.error();
        o.home = *c;
        o.homeOrigin = QStringLiteral("home location from ") + config.origin(home);
    }
    return o;
}

} // namespace stratus
