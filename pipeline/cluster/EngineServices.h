#pragma once

#include "EngineOptions.h"
#include "alerts/AlertManager.h"

#include <QList>
#include <QString>

#include <memory>

namespace stratus {

class ModelRegistry;
struct Station;

// What a worker's stages share, built once per process from the engine options the in-process
// Engine reads: the forecast models (--models), the alert rules and silences ([alerts] rules), and
// the station catalogue (--stations; positions for the spatial check and the drift peers).
//
// Alerts run on event time: a worker's decisions are replayed after a rebalance or a crash and
// must come out the same, which a wall clock would not allow.
class EngineServices
{
public:
    explicit EngineServices(const EngineOptions &options);
    ~EngineServices();

    ModelRegistry *models() const { return m_models.get(); }
    AlertManager &alerts() { return m_alerts; }
    const QList<Station> &stations() const { return m_stations; }
    // Why forecasts fall back to persistence (no --models, or no usable model in it); empty when
    // a model is active. The worker prints it at start (not yet in its /health).
    QString problem() const;

private:
    std::unique_ptr<ModelRegistry> m_models;
    AlertManager m_alerts;
    QList<Station> m_stations;
    QString m_problem;
};

} // namespace stratus
