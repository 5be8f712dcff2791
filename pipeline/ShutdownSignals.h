#pragma once

#include <QObject>

class QSocketNotifier;

namespace stratus {

// Turns SIGTERM and SIGINT into a Qt signal delivered on the event loop (self-pipe trick), so a
// supervisor's stop request runs the normal shutdown path (stop intake, flush, exit 0) instead of
// killing the process mid-write. Only async-signal-safe work happens in the handler itself.
class ShutdownSignals : public QObject
{
    Q_OBJECT
public:
    explicit ShutdownSignals(QObject *parent = nullptr);
    ~ShutdownSignals() override;

signals:
    void shutdownRequested(int signalNumber);

private:
    static void handler(int signalNumber);
    void readSignal();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace stratus
