#pragma once

#include "EngineOptions.h"
#include "Result.h"
#include "bus/KafkaSettings.h"
#include "geo/UserLocation.h"

#include <QStringList>

namespace stratus {

class Config;

// Turns the settings (defaults < config file < environment < command line, already merged in a
// Config) into what the pipeline runs: the engine's options, the Kafka settings, the options of a
// process attached to a remote cluster, and where to look for the user's position. An impossible
// value or combination is an error that names the setting; nothing is printed here.
class EngineOptionsLoader
{
public:
    // Sources, windows, models, retraining, store and alert rules. The rules file is read and
    // every line checked, so a bad rule stops the program at start instead of being skipped.
    static Result<EngineOptions> load(const Config &config);
    // True when no source was configured and the bundled demo runs (the app says so).
    static bool runsDemoByDefault(const Config &config);

    // The [kafka] keys for a cluster at `bootstrap` (--bootstrap / [kafka] bootstrap for a worker,
    // --connect for an attached process); `properties` are librdkafka KEY=VALUE pairs passed through.
    static Result<KafkaSettings> kafka(const Config &config, const QString &bootstrap, const QStringList &properties = {});
    // A process attached to a remote cluster (--connect): no sources and no computation here, the
    // views and the API are fed from the cluster's topics; only the catalogue and store are local.
    static EngineOptions attached(const Config &config, const KafkaSettings &kafka);

    // Where UserLocation looks for the user (--near auto, the GUI's "stations near me"): the
    // [location] NMEA source, system source and home location.
    static Result<UserLocation::Options> location(const Config &config);

private:
    static Result<bool> loadSource(const Config &config, EngineOptions &o);
    static Result<bool> loadAlertRules(const Config &config, EngineOptions &o);
};

} // namespace stratus
