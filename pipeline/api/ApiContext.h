#pragma once

#include "LiveState.h"
#include "store/HistoryReader.h"
#include "store/HistoryStore.h"

#include <memory>

namespace stratus {

class AlertManager;
class LatencyHistogram;
class ModelRegistry;
class RetrainCoordinator;

// What the controllers read: the live state always, the history store and engine metrics when the
// process has them. Lives on the API thread; reader() is that thread's own store connection.
class ApiContext
{
public:
    explicit ApiContext(const LiveState &state);

    const LiveState &state() const { return m_state; }
    HistoryStore *store() const { return m_store; }
    void setStore(HistoryStore *store);
    // The calling thread's read connection: a StoreReadPool lane's own, else the API thread's
    // (opened on first use); nullptr without a store.
    HistoryReader *reader();

    const LatencyHistogram *windowLatency = nullptr;
    const LatencyHistogram *inferLatency = nullptr;
    ModelRegistry *models = nullptr; // the engine's forecast model registry, when it has one
    RetrainCoordinator *retrain = nullptr; // the engine's retraining scheduler, when it has one
    AlertManager *alerts = nullptr; // the engine's alert rules and silences (thread-safe)
    qint64 startedMs = 0;
    bool shuttingDown = false;

private:
    const LiveState &m_state;
    HistoryStore *m_store = nullptr;
    std::unique_ptr<HistoryReader> m_reader;
};

} // namespace stratus
