#pragma once

#include "RecordedDataReader.h"
#include "Source.h"

#include <QElapsedTimer>
#include <QTimer>

namespace stratus {

// Replays a real recorded data set (see RecordedDataReader) at a chosen speed.
class ReplaySource final : public Source
{
    Q_OBJECT
public:
    struct Options
    {
        QString path;
        double speed = 1.0;        // event-time seconds per wall second; 0 = as fast as possible
        bool shiftToNow = false;   // rewrite times so the replay starts now
        qint64 maxGapMs = 0;       // > 0: recording pauses longer than this are cut to this length
        bool loop = false;         // start over at the end (needs shiftToNow so time keeps moving)
        // > 0: the first historyMs of the recording (event time) is emitted at once and, with
        // shiftToNow, ends now: a demo starts with the history its forecasts need, then plays on.
        qint64 historyMs = 0;
        int maxBatch = 10000;      // readings per event-loop pass at maximum speed
    };

    explicit ReplaySource(Options options, QObject *parent = nullptr);

    QString name() const override;
    void start() override;
    void stop() override;

    qsizetype totalReadings() const { return m_data.readings.size(); }

protected:
    void pauseChanged() override;

private:
    void tick();
    qint64 emittedTime(qint64 original) const { return original + m_shiftMs - m_skippedMs; }

    Options m_options;
    RecordedDataReader::Data m_data;
    QTimer m_timer;
    QElapsedTimer m_wall;
    qsizetype m_next = 0;
    qint64 m_replayClockMs = 0; // event time (original scale) reached by the replay
    qint64 m_lastWallMs = 0;
    qint64 m_shiftMs = 0;
    qint64 m_skippedMs = 0;
};

} // namespace stratus
