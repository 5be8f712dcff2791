#pragma once

#include <QObject>
#include <QSocketNotifier>

#include <memory>

namespace stratus {

// Turns SIGTERM/SIGINT/SIGHUP into a Qt signal on the event loop (the self-pipe trick): the POSIX
// handler only writes the signal number to a socket pair, a QSocketNotifier reads it in the event
// loop, where shutting down (stop intake, flush the store) is safe. Only one instance may exist.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(std::initializer_list<int> signals_, QObject *parent = nullptr);
    ~SignalWatcher() override;

signals:
    void received(int signalNumber);

private:
    void readSignal();

    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace stratus
