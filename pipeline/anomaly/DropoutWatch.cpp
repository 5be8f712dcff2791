#include "DropoutWatch.h"

#include <QDateTime>
#include <QTimer>

#include <algorithm>

namespace stratus {

DropoutWatch::DropoutWatch(Clock clock, qint64 periodMs, Check check, QObject *parent)
    : QObject(parent), m_clock(clock), m_periodMs(std::max<qint64>(periodMs, 1)), m_check(std::move(check))
{
    if (m_clock == Clock::WallClock) {
        m_timer = new QTimer(this);
        m_timer->setInterval(static_cast<int>(std::min<qint64>(m_periodMs, 24 * 3600'000LL)));
        connect(m_timer, &QTimer::timeout, this, [this] { run(QDateTime::currentMSecsSinceEpoch()); });
    }
}

void DropoutWatch::start()
{
    if (m_timer)
        m_timer->start();
}

void DropoutWatch::stop()
{
    if (m_timer)
        m_timer->stop();
}

void DropoutWatch::observe(qint64 watermarkMs)
{
    if (m_clock != Clock::EventTime || watermarkMs <= 0)
        return;
    if (m_lastCheckMs == 0) {
        // The first batch starts the clock; nothing can have been silent before it.
        m_lastCheckMs = watermarkMs;
        return;
    }
    if (watermarkMs - m_lastCheckMs >= m_periodMs)
        run(watermarkMs);
}

void DropoutWatch::run(qint64 nowMs)
{
    m_lastCheckMs = nowMs;
    ++m_checks;
    m_check(nowMs);
}

} // namespace stratus
