#include "EngineServices.h"

#include "StationCatalogue.h"
#include "models/ModelRegistry.h"

#include <QLoggingCategory>

namespace stratus {

Q_LOGGING_CATEGORY(lcServices, "stratus.worker")

EngineServices::EngineServices(const EngineOptions &options) : m_alerts(AlertManager::Clock::EventTime)
{
    QStringList problems;
    m_alerts.loadConfigRules(options.alertRules, &problems);
    for (const QString &p : std::as_const(problems))
        qCWarning(lcServices).noquote() << p;

    QStringList served;
    if (!options.stationsCsv.isEmpty()) {
        StationCatalogue catalogue;
        QStringList skipped;
        if (const auto loaded = catalogue.loadCsv(options.stationsCsv, QStringLiteral("catalogue"), &skipped); !loaded)
            qCWarning(lcServices).noquote() << loaded.errorMessage();
        for (const QString &s : std::as_const(skipped))
            qCWarning(lcServices).noquote() << s;
        m_stations = catalogue.stations();
        for (const Station &s : std::as_const(m_stations))
            served << s.id;
    }

    if (options.modelDir.isEmpty()) {
        m_problem = QStringLiteral("no model directory (--models): forecasts are persistence");
        return;
    }
    m_models = std::make_unique<ModelRegistry>(options.modelDir);
    m_models->setServedStations(served);
    if (const auto active = m_models->activateNewest(); !active)
        m_problem = QStringLiteral("no usable model in %1 (%2): forecasts are persistence until one is dropped in")
                        .arg(options.modelDir, active.errorMessage());
    // The registry swaps models under its lock, so the stage threads may forecast while the main
    // thread's watcher activates a version dropped in.
    m_models->watch();
}

EngineServices::~EngineServices() = default;

QString EngineServices::problem() const
{
    return m_models && m_models->active() ? QString() : m_problem;
}

} // namespace stratus
