#include "Source.h"

#include <QDateTime>

namespace stratus {

QString Source::stateKey(State state)
{
    switch (state) {
    case State::Starting: return QStringLiteral("starting");
    case State::Ok: return QStringLiteral("ok");
    case State::Degraded: return QStringLiteral("degraded");
    case State::Down: return QStringLiteral("down");
    case State::Finished: return QStringLiteral("finished");
    }
    return QString();
}

void Source::setState(State state, const QString &error)
{
    const bool changed = state != m_health.state || error != m_health.lastError;
    m_health.state = state;
    if (!error.isEmpty())
        m_health.lastError = error;
    if (state == State::Ok)
        m_health.lastSuccessMs = QDateTime::currentMSecsSinceEpoch();
    if (changed)
        emit healthChanged();
}

void Source::reportProgress(qint64 done, qint64 total)
{
    m_health.progressDone = done;
    m_health.progressTotal = total;
    emit progress(done, total);
    emit healthChanged();
}

void Source::countEmitted(qint64 n)
{
    m_health.readingsEmitted += n;
}

void Source::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    pauseChanged();
}

} // namespace stratus
