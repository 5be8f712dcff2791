#pragma once

#include "NeighbourTable.h"
#include "StageOutput.h"
#include "anomaly/AnomalyDetector.h"
#include "anomaly/DropoutWatch.h"
#include "anomaly/SpatialConsistencyCheck.h"

#include <memory>

namespace stratus {

class AlertManager;

// Anomaly detection for one partition's stations: each reading against its own station's series
// (AnomalyDetector: limits, spikes, window deviation, stuck values, peer drift), silent stations
// (dropouts, checked as event time passes in a replay, or by the engine's wall-clock timer live),
// and against its neighbours (SpatialConsistencyCheck, through the NeighbourTable once the
// neighbours' data is final, see PartitionTask). Dropouts of a silenced station are not reported.
class DetectStage
{
public:
    struct Options
    {
        AnomalyDetector::Options detector;
        SpatialConsistencyCheck::Options spatial;
        bool spatialCheck = true;
        qint64 dropoutCheckMs = 60'000;
        bool eventTimeDropouts = true; // false: live, the engine's wall-clock timer calls checkSilence()
    };

    DetectStage(Options options, const AlertManager *silences);

    // Positions (the detector's drift peers, the spatial check's neighbours).
    void setStations(const QList<Station> &stations);
    // Scores the reading against its own station's series; `newestMs` is the partition's newest
    // event time (the dropout clock in a replay).
    void process(const Reading &reading, qint64 newestMs, StageOutput &out);
    // Whether the reading has a spatial check to wait for, and on which partitions' data.
    bool needsSpatialCheck(const Reading &reading) const;
    quint64 spatialInputs(const QString &stationId, const NeighbourTable &table);
    void checkSpatial(const Reading &reading, const NeighbourTable &table, StageOutput &out);
    // Stations silent for too long at `nowMs` (wall clock, live).
    void checkSilence(qint64 nowMs, StageOutput &out);

    AnomalyDetector &detector() { return m_detector; }

private:
    void appendUnsilenced(const QList<Anomaly> &found, StageOutput &out) const;

    Options m_options;
    const AlertManager *m_silences;
    AnomalyDetector m_detector;
    SpatialConsistencyCheck m_spatial;
    std::unique_ptr<DropoutWatch> m_dropoutClock; // event time only
    StageOutput *m_dropoutOut = nullptr;          // where the event-time check writes, during process()
};

} // namespace stratus
