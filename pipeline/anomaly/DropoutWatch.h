#pragma once

#include <QObject>

#include <functional>

class QTimer;

namespace stratus {

// Runs the detector's silent-station check (AnomalyDetector::checkSilence) periodically, so a
// station that simply stops reporting is flagged while it is silent, not only when it comes back.
//
// Two clocks: live sources use a wall-clock timer (every `periodMs`); a replay of recorded data is
// driven by its event time instead (observe() with the watermark after each batch runs the check
// each time event time has moved on by `periodMs`), so a replay at any speed flags the same
// dropouts at the same instants. The check itself reports each silence once (the detector re-arms
// it at the station's next reading).
class DropoutWatch : public QObject
{
    Q_OBJECT
public:
    enum class Clock { WallClock, EventTime };
    using Check = std::function<void(qint64 nowMs)>;

    DropoutWatch(Clock clock, qint64 periodMs, Check check, QObject *parent = nullptr);

    // Wall clock: starts the timer. Event time: nothing to start.
    void start();
    void stop();
    // Event time: the latest event time seen; runs the check when a period has passed since the last.
    void observe(qint64 watermarkMs);

    Clock clock() const { return m_clock; }
    qint64 lastCheckMs() const { return m_lastCheckMs; }
    int checks() const { return m_checks; }

private:
    void run(qint64 nowMs);

    Clock m_clock;
    qint64 m_periodMs;
    Check m_check;
    QTimer *m_timer = nullptr;
    qint64 m_lastCheckMs = 0;
    int m_checks = 0;
};

} // namespace stratus
