#pragma once

#include "NeighbourTable.h"
#include "StageOutput.h"
#include "forecast/ForecastService.h"

#include <QHash>

namespace stratus {

class ModelRegistry;

// Forecasts for one partition's stations, issued once per forecast step of the station's model, not
// on every window slide: hourly models forecast once an hour, on the first of the station's windows
// that closes in a new hour (issued at that window's end, from the hourly history up to it). The
// forecast waits until every station whose history it reads is final through its issue time (the
// model's group for a model with neighbour terms; see PartitionTask); the windows it was triggered
// by are kept for the persistence fallback.
class ForecastStage
{
public:
    // A forecast to issue once its inputs are final.
    struct Due
    {
        QString stationId;
        qint64 issuedAtMs = 0;
        QList<WindowStats> windows; // the station's windows closed at issuedAtMs
    };

    ForecastStage(ModelRegistry *models, const NeighbourTable &table);

    // Scores earlier forecasts against the readings (live accuracy).
    void observe(const Reading &reading);
    // Picks, among closed windows, the ones that start a new forecast step of their station.
    void stepsOf(const QList<WindowStats> &closed, QList<Due> &due);
    // The partitions whose data the forecast reads.
    quint64 inputs(const QString &stationId) const;
    void issue(const Due &due, StageOutput &out);

    ForecastService &service() { return m_service; }

private:
    const NeighbourTable &m_table;
    ForecastService m_service;
    QHash<QString, qint64> m_lastStepSlot; // station → hour slot of its last issued forecast
};

} // namespace stratus
