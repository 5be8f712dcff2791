#include "ForecastStage.h"

#include "TimeUtil.h"
#include "forecast/PersistenceForecaster.h"

namespace stratus {

ForecastStage::ForecastStage(ModelRegistry *models, const NeighbourTable &table) : m_table(table), m_service(models)
{
    m_service.setTable(&table);
}

void ForecastStage::observe(const Reading &reading)
{
    m_service.observe({reading});
}

void ForecastStage::stepsOf(const QList<WindowStats> &closed, QList<Due> &due)
{
    for (const WindowStats &w : closed) {
        if (w.revision > 0 || w.count <= 0 || !PersistenceForecaster::isForecastVariable(w.variable))
            continue;
        // A station's windows closed at one instant arrive together: they join that step.
        if (!due.isEmpty() && due.back().stationId == w.stationId && due.back().issuedAtMs == w.endMs) {
            due.back().windows.append(w);
            continue;
        }
        const qint64 t = w.endMs - 1;
        const qint64 slot = t >= 0 ? t / timeutil::kMsPerHour : -((-t + timeutil::kMsPerHour - 1) / timeutil::kMsPerHour);
        auto last = m_lastStepSlot.find(w.stationId);
        if (last != m_lastStepSlot.end() && *last >= slot)
            continue;
        m_lastStepSlot.insert(w.stationId, slot);
        due.append(Due{w.stationId, w.endMs, {w}});
    }
}

quint64 ForecastStage::inputs(const QString &stationId) const
{
    quint64 mask = 0;
    for (const QString &id : m_service.inputStations(stationId))
        mask |= m_table.maskOf(id);
    return mask;
}

void ForecastStage::issue(const Due &due, StageOutput &out)
{
    out.forecasts += m_service.forecastStation(due.stationId, due.issuedAtMs, due.windows);
}

} // namespace stratus
