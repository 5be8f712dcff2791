#include "ServerMode.h"

#include "CommandLine.h"
#include "Console.h"
#include "Engine.h"
#include "SignalHandler.h"
#include "api/ApiThread.h"
#include "bus/Bus.h"
#include "store/HistoryStore.h"

#include <QCoreApplication>
#include <QHostAddress>

namespace stratus {

namespace {

// The [server] keys the API needs once it runs on its own thread.
void configure(ApiServer &server, Engine &engine, const Config &config)
{
    server.setHistoryStore(engine.store());
    server.setModelRegistry(engine.models());
    server.setRetrainCoordinator(engine.retrain());
    server.setAlertManager(&engine.alerts());
    server.setLatencyHistograms(&engine.windowLatency(), &engine.inferLatency());
    server.setMetricsOptions({config.intValue(QStringLiteral("metrics/max_stations"))});
    server.setApiToken(config.value(QStringLiteral("server/token")));
    const double rate = config.doubleValue(QStringLiteral("server/rate_limit"));
    ApiServer::Limits limits;
    limits.ratePerS = rate;
    limits.burst = 2 * rate;
    limits.maxBodyBytes = config.intValue(QStringLiteral("server/max_request_bytes"));
    server.setLimits(limits);
}

} // namespace

int ServerMode::run(const CommandLine &cli, const Config &config)
{
    auto options = cli.engineOptions(config, true);
    if (!options)
        return console::fail(options.errorMessage());
    const QString bind = config.value(QStringLiteral("server/bind"));
    const QHostAddress address(bind);
    if (address.isNull())
        return console::fail(QStringLiteral("bind address \"%1\" is not an IP address").arg(bind));
    // A server always keeps history: the configured file or one under the app data folder.
    if (options->store.path.isEmpty())
        options.value().store.path = HistoryStore::defaultPath();

    Engine engine(*options);
    if (!engine.store())
        return console::fail(engine.storeError(), console::kFailed);
    if (!options->computeInProcess && !engine.bus().problem().isEmpty())
        return console::fail(engine.bus().problem(), console::kFailed);
    // The API answers on its own thread, so a busy engine does not stall it and vice versa.
    ApiThread api(engine.state());
    api.run([&](ApiServer &server) { configure(server, engine, config); });
    const auto bound = api.listen(address, static_cast<quint16>(config.intValue(QStringLiteral("server/port"))));
    if (!bound)
        return console::fail(bound.errorMessage(), console::kFailed);
    SignalHandler onSignal([&] {
        api.stopListening();
        engine.stop();
    });
    engine.start();
    // Tests and supervisors read this line to learn the port when --port 0 was asked for.
    QTextStream(stdout) << "stratus: serving http://" << address.toString() << ':' << *bound << '\n' << Qt::flush;
    return QCoreApplication::exec();
}

} // namespace stratus
