#pragma once

#include "EngineOptions.h"

#include <QObject>
#include <QThread>

namespace stratus {

class AlertManager;
class Engine;
class LiveState;

// Runs an Engine on its own thread, so a replay at full speed or a slow stage never stalls the event
// loop of the thread that owns this object (the GUI). The Engine and everything it creates (sources,
// timers, bus) are constructed inside the worker thread; readers use the thread-safe LiveState only.
class EngineThread : public QObject
{
    Q_OBJECT
public:
    explicit EngineThread(EngineOptions options, QObject *parent = nullptr);
    ~EngineThread() override; // stops the engine, deletes it in its thread, then joins the thread

    void start();
    void stop();
    LiveState &state();
    // The engine's alert rules and silences; thread-safe (AlertManager locks), so the GUI may call it.
    AlertManager &alerts();

signals:
    void sourceFinished(const QString &name);

private:
    QThread m_thread;
    QObject *m_anchor = nullptr; // lives in m_thread: the context for calls into it
    Engine *m_engine = nullptr;
};

} // namespace stratus
