#pragma once

#include "DeadLetter.h"
#include "Reading.h"
#include "Station.h"

#include <QList>
#include <QObject>

namespace stratus {

// A producer of readings (live API poller or replay). Sources only decode and emit; validation,
// dead-lettering and publishing are the Engine's job so every source is treated alike.
class Source : public QObject
{
    Q_OBJECT
public:
    enum class State { Starting, Ok, Degraded, Down, Finished };
    Q_ENUM(State)

    struct Health
    {
        State state = State::Starting;
        QString lastError;
        qint64 lastSuccessMs = 0;
        qint64 readingsEmitted = 0;
        qint64 progressDone = 0;  // long start-up work (history back-fill); total 0 = none
        qint64 progressTotal = 0;
    };

    using QObject::QObject;

    virtual QString name() const = 0;
    virtual void start() = 0;
    virtual void stop() = 0;
    // Back-pressure: a paused source emits nothing until it is resumed. A replay waits (its clock
    // stands still); a live poller keeps polling on its schedule (a poll is small, and its readings
    // must not be lost), so only replays are held back.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    Health health() const { return m_health; }

    static QString stateKey(State state);

signals:
    void stationsDiscovered(const QList<stratus::Station> &stations);
    void readingsReady(const QList<stratus::Reading> &readings);
    void rejected(const stratus::DeadLetter &letter);
    void healthChanged();
    void progress(qint64 done, qint64 total);
    void finished();

protected:
    virtual void pauseChanged() {}
    void setState(State state, const QString &error = QString());
    void countEmitted(qint64 n);
    // Emits progress() and keeps it in the health, so /health and the GUI can show it.
    void reportProgress(qint64 done, qint64 total);

    Health m_health;
    bool m_paused = false;
};

} // namespace stratus
