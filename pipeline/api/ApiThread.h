#pragma once

#include "ApiServer.h"

#include <QThread>

#include <functional>
#include <memory>

namespace stratus {

// Runs an ApiServer on its own thread, so requests are answered while the engine's thread is busy
// (a replay at full speed) and a slow request never delays ingestion. The server is created,
// configured, and destroyed on that thread; everything it reads (LiveState, store counters, its
// own store connection) is thread-safe.
class ApiThread
{
public:
    explicit ApiThread(const LiveState &state);
    ~ApiThread();

    // Runs fn on the API thread with the server and waits for it (configuration, listen, stop).
    void run(const std::function<void(ApiServer &)> &fn);
    Result<quint16> listen(const QHostAddress &address, quint16 port);
    void stopListening();

private:
    struct ThreadStopper
    {
        void operator()(QThread *thread) const
        {
            thread->quit();
            thread->wait();
            delete thread;
        }
    };
    std::unique_ptr<QThread, ThreadStopper> m_thread;
    QObject *m_anchor = nullptr;  // lives on m_thread; target of the blocking calls
    ApiServer *m_server = nullptr; // lives on m_thread
};

} // namespace stratus
