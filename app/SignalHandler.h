#pragma once

#include <QObject>
#include <QSocketNotifier>

#include <functional>
#include <memory>

namespace stratus {

// SIGTERM and SIGINT for the modes that run headless (server, worker): the POSIX handler only
// writes the signal number to a socket pair (the self-pipe trick); a QSocketNotifier reads it in
// the event loop, where shutting down is safe: the handler says which signal came, runs the mode's
// shutdown (stop intake, flush the store) and quits the event loop. Only one instance may exist.
class SignalHandler : public QObject
{
    Q_OBJECT
public:
    // `shutdown` runs on the event loop before it quits; empty = just quit.
    explicit SignalHandler(std::function<void()> shutdown = {}, QObject *parent = nullptr);
    ~SignalHandler() override;

private:
    void readSignal();

    std::function<void()> m_shutdown;
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace stratus
