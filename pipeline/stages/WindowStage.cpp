#include "WindowStage.h"

namespace stratus {

WindowStage::WindowStage(const WindowOptions &options) : m_aggregator(options) {}

void WindowStage::process(const Reading &reading, QList<WindowStats> &closed)
{
    auto it = m_handles.constFind(reading.stationId);
    if (it == m_handles.cend())
        it = m_handles.insert(reading.stationId, m_aggregator.intern(reading.stationId));
    m_aggregator.add(*it, reading.timestampMs, reading.values, closed);
}

void WindowStage::flush(QList<WindowStats> &closed)
{
    closed += m_aggregator.flush();
}

} // namespace stratus
