#include "EngineThread.h"

#include "Engine.h"

namespace stratus {

EngineThread::EngineThread(EngineOptions options, QObject *parent) : QObject(parent), m_anchor(new QObject)
{
    m_thread.setObjectName(QStringLiteral("stratus-engine"));
    m_anchor->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(
        m_anchor, [this, options = std::move(options)] { m_engine = new Engine(options); },
        Qt::BlockingQueuedConnection);
    connect(m_engine, &Engine::sourceFinished, this, &EngineThread::sourceFinished, Qt::QueuedConnection);
}

EngineThread::~EngineThread()
{
    QMetaObject::invokeMethod(
        m_anchor,
        [this] {
            m_engine->stop();
            delete m_engine;
            m_engine = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_anchor;
}

void EngineThread::start()
{
    QMetaObject::invokeMethod(m_anchor, [this] { m_engine->start(); }, Qt::QueuedConnection);
}

void EngineThread::stop()
{
    QMetaObject::invokeMethod(m_anchor, [this] { m_engine->stop(); }, Qt::QueuedConnection);
}

AlertManager &EngineThread::alerts()
{
    return m_engine->alerts();
}

LiveState &EngineThread::state()
{
    // LiveState is thread-safe by contract; the reference stays valid for the EngineThread's life.
    return m_engine->state();
}

} // namespace stratus
