#include "ReplaySource.h"

#include <QDateTime>
#include <QFileInfo>
#include <QLoggingCategory>

namespace stratus {

Q_LOGGING_CATEGORY(lcReplay, "stratus.replay")

ReplaySource::ReplaySource(Options options, QObject *parent)
    : Source(parent), m_options(std::move(options))
{
    connect(&m_timer, &QTimer::timeout, this, &ReplaySource::tick);
}

QString ReplaySource::name() const
{
    return QStringLiteral("replay:") + QFileInfo(m_options.path).fileName();
}

void ReplaySource::start()
{
    auto data = RecordedDataReader::read(m_options.path);
    if (!data) {
        qCWarning(lcReplay).noquote() << data.errorMessage();
        setState(State::Down, data.errorMessage());
        return;
    }
    m_data = std::move(data).value();
    for (const DeadLetter &d : std::as_const(m_data.rejected)) {
        qCWarning(lcReplay).noquote() << d.origin << "skipped:" << d.reason;
        emit rejected(d);
    }
    qCInfo(lcReplay).noquote() << QStringLiteral("%1: %2 readings, %3 stations, %4 malformed lines skipped")
                                      .arg(m_options.path)
                                      .arg(m_data.readings.size())
                                      .arg(m_data.stations.size())
                                      .arg(m_data.rejected.size());
    emit stationsDiscovered(m_data.stations);
    if (m_data.readings.isEmpty()) {
        setState(State::Finished, QStringLiteral("no readings in %1").arg(m_options.path));
        emit finished();
        return;
    }
    m_next = 0;
    m_replayClockMs = m_data.readings.first().timestampMs + std::max<qint64>(0, m_options.historyMs);
    m_shiftMs = m_options.shiftToNow ? QDateTime::currentMSecsSinceEpoch() - m_replayClockMs : 0;
    m_skippedMs = 0;
    m_wall.start();
    m_lastWallMs = 0;
    setState(State::Ok);
    if (!isPaused())
        m_timer.start(m_options.speed > 0 ? 50 : 0);
    tick();
}

void ReplaySource::stop()
{
    m_timer.stop();
}

void ReplaySource::pauseChanged()
{
    if (isPaused()) {
        m_timer.stop();
        return;
    }
    if (m_next >= m_data.readings.size() && !m_options.loop)
        return;
    // The replay clock stood still while paused: resume from where it was.
    m_lastWallMs = m_wall.elapsed();
    m_timer.start(m_options.speed > 0 ? 50 : 0);
}

void ReplaySource::tick()
{
    if (isPaused())
        return;
    const qint64 wallNow = m_wall.elapsed();
    const bool fastest = m_options.speed <= 0;
    if (!fastest)
        m_replayClockMs += static_cast<qint64>((wallNow - m_lastWallMs) * m_options.speed);
    m_lastWallMs = wallNow;

    QList<Reading> batch;
    while (m_next < m_data.readings.size() && batch.size() < m_options.maxBatch) {
        const Reading &r = m_data.readings[m_next];
        if (!fastest && r.timestampMs > m_replayClockMs) {
            const qint64 gap = r.timestampMs - m_replayClockMs;
            if (m_options.maxGapMs > 0 && gap > m_options.maxGapMs) {
                // Skip the recording pause, but keep emitted times monotonic.
                m_skippedMs += gap - m_options.maxGapMs;
                m_replayClockMs = r.timestampMs - m_options.maxGapMs;
            }
            break;
        }
        Reading out = r;
        out.timestampMs = emittedTime(r.timestampMs);
        batch.append(std::move(out));
        ++m_next;
    }
    if (!batch.isEmpty()) {
        countEmitted(batch.size());
        setState(State::Ok);
        emit readingsReady(batch);
        emit progress(m_next, m_data.readings.size());
    }
    if (m_next < m_data.readings.size())
        return;

    if (m_options.loop && m_options.shiftToNow) {
        // Continue after the last emitted time so event time keeps increasing across loops.
        const qint64 span = m_data.readings.last().timestampMs - m_data.readings.first().timestampMs;
        m_skippedMs -= span + 60'000;
        m_replayClockMs = m_data.readings.first().timestampMs;
        m_next = 0;
        return;
    }
    m_timer.stop();
    setState(State::Finished);
    emit finished();
}

} // namespace stratus
