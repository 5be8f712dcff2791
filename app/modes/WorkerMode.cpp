#include "WorkerMode.h"

#include "CommandLine.h"
#include "Console.h"
#include "EngineOptionsLoader.h"
#include "SignalHandler.h"
#include "cluster/Worker.h"

namespace stratus {

int WorkerMode::run(const CommandLine &cli, const Config &config)
{
    const auto options = EngineOptionsLoader::load(config);
    if (!options)
        return console::fail(options.errorMessage());
    const auto kafka = EngineOptionsLoader::kafka(config, config.value(QStringLiteral("kafka/bootstrap")), cli.kafkaProperties());
    if (!kafka)
        return console::fail(kafka.errorMessage());
    Worker::Options w;
    w.kafka = *kafka;
    w.role = config.value(QStringLiteral("worker/role"));
    w.id = config.value(QStringLiteral("worker/id"));
    w.metricsPort = config.isSet(QStringLiteral("worker/metrics_port")) ? config.intValue(QStringLiteral("worker/metrics_port")) : -1;
    w.metricsBind = config.value(QStringLiteral("server/bind"));
    // collect: the sources; the other roles: windows, detection, alert rules, --models, --stations.
    w.engine = *options;
    // Quits the event loop; Worker::run then stops its stages, commits and leaves the group.
    SignalHandler onSignal;
    return Worker::run(w);
}

} // namespace stratus
