#include "DetectStage.h"

#include "alerts/AlertManager.h"

namespace stratus {

DetectStage::DetectStage(Options options, const AlertManager *silences)
    : m_options(std::move(options)), m_silences(silences), m_detector(m_options.detector), m_spatial(m_options.spatial)
{
    if (m_options.eventTimeDropouts) {
        m_dropoutClock = std::make_unique<DropoutWatch>(DropoutWatch::Clock::EventTime, m_options.dropoutCheckMs,
                                                        [this](qint64 nowMs) {
                                                            if (m_dropoutOut)
                                                                checkSilence(nowMs, *m_dropoutOut);
                                                        });
    }
}

void DetectStage::setStations(const QList<Station> &stations)
{
    m_detector.setStations(stations);
    m_spatial.upsertStations(stations);
}

void DetectStage::appendUnsilenced(const QList<Anomaly> &found, StageOutput &out) const
{
    for (const Anomaly &a : found) {
        // A silenced station (maintenance) raises no dropout notices, as it raises no rule notices.
        if (a.kind == AnomalyKind::Dropout && m_silences && m_silences->isSilenced(a.stationId, a.timestampMs))
            continue;
        out.anomalies.append(a);
    }
}

void DetectStage::process(const Reading &reading, qint64 newestMs, StageOutput &out)
{
    if (m_dropoutClock) {
        // The watch sees event time move before the reading is scored, so a replay flags the same
        // silences at the same instants whatever its batching.
        m_dropoutOut = &out;
        m_dropoutClock->observe(newestMs);
        m_dropoutOut = nullptr;
    }
    appendUnsilenced(m_detector.process(reading), out);
}

bool DetectStage::needsSpatialCheck(const Reading &reading) const
{
    return m_options.spatialCheck && m_spatial.applies(reading);
}

quint64 DetectStage::spatialInputs(const QString &stationId, const NeighbourTable &table)
{
    quint64 mask = table.maskOf(stationId);
    for (const NearStation &n : m_spatial.candidates(stationId))
        mask |= table.maskOf(n.station.id);
    return mask;
}

void DetectStage::checkSpatial(const Reading &reading, const NeighbourTable &table, StageOutput &out)
{
    const SpatialConsistencyCheck::Lookup lookup = [&table](const QString &id, Variable v, qint64 atMs, qint64 maxAgeMs)
        -> std::optional<SpatialConsistencyCheck::NeighbourValue> {
        if (const auto t = table.latestAtOrBefore(id, v, atMs, maxAgeMs))
            return SpatialConsistencyCheck::NeighbourValue{t->value, t->timestampMs};
        return std::nullopt;
    };
    out.anomalies += m_spatial.check(reading, lookup);
}

void DetectStage::checkSilence(qint64 nowMs, StageOutput &out)
{
    appendUnsilenced(m_detector.checkSilence(nowMs), out);
}

} // namespace stratus
