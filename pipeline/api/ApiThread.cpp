#include "ApiThread.h"

namespace stratus {

ApiThread::ApiThread(const LiveState &state) : m_thread(new QThread)
{
    m_thread->setObjectName(QStringLiteral("stratus-api"));
    m_anchor = new QObject;
    m_anchor->moveToThread(m_thread.get());
    m_thread->start();
    QMetaObject::invokeMethod(m_anchor, [this, &state] { m_server = new ApiServer(state); },
                              Qt::BlockingQueuedConnection);
}

ApiThread::~ApiThread()
{
    QMetaObject::invokeMethod(
        m_anchor,
        [this] {
            delete m_server;
            m_server = nullptr;
            delete m_anchor;
        },
        Qt::BlockingQueuedConnection);
    m_thread.reset();
}

void ApiThread::run(const std::function<void(ApiServer &)> &fn)
{
    QMetaObject::invokeMethod(m_anchor, [this, &fn] { fn(*m_server); }, Qt::BlockingQueuedConnection);
}

Result<quint16> ApiThread::listen(const QHostAddress &address, quint16 port)
{
    Result<quint16> result = makeError(QStringLiteral("API thread did not answer"));
    run([&](ApiServer &api) { result = api.listen(address, port); });
    return result;
}

void ApiThread::stopListening()
{
    run([](ApiServer &api) { api.stopListening(); });
}

} // namespace stratus
