#include "PartitionTask.h"

#include <QElapsedTimer>

namespace stratus {

namespace {

// Adds the elapsed time of a stage to its counters when it goes out of scope.
class StageClock
{
public:
    StageClock(PartitionTask::StageTimes &times, PartitionTask::Stage stage, qint64 items)
        : m_times(times), m_stage(stage)
    {
        m_times.items[stage] += items;
        m_timer.start();
    }
    ~StageClock() { m_times.ns[m_stage] += m_timer.nsecsElapsed(); }

private:
    PartitionTask::StageTimes &m_times;
    PartitionTask::Stage m_stage;
    QElapsedTimer m_timer;
};

} // namespace

PartitionTask::PartitionTask(int partition, Options options, Services services)
    : m_partition(partition), m_options(std::move(options)), m_services(services), m_windows(m_options.windows),
      m_detect(m_options.detect, services.alerts), m_forecast(services.models, *services.table), m_rules(services.alerts)
{
}

void PartitionTask::setStations(const QList<Station> &stations)
{
    m_detect.setStations(stations);
}

void PartitionTask::process(const QList<Reading> &readings, StageOutput &out)
{
    if (readings.isEmpty())
        return;
    // Stage by stage over the batch: each stage sees the readings in order, and nothing a stage
    // reads from the table lies after the time it decides about, so this equals reading by reading.
    m_closed.clear();
    {
        StageClock clock(m_times, Aggregate, readings.size());
        for (const Reading &r : readings)
            m_windows.process(r, m_closed);
        if (m_options.emitWindows)
            out.windows += m_closed;
    }
    if (m_options.detectAnomalies) {
        StageClock clock(m_times, Detect, readings.size());
        for (const Reading &r : readings) {
            m_newestMs = std::max(m_newestMs, r.timestampMs);
            m_detect.process(r, m_newestMs, out);
            if (m_detect.needsSpatialCheck(r)) {
                const quint64 inputs = m_detect.spatialInputs(r.stationId, *m_services.table);
                m_deferred.emplace(DeferredKey{r.timestampMs, 0, r.stationId}, Pending{inputs, r});
            }
        }
    }
    if (m_options.forecast) {
        StageClock clock(m_times, Forecast, readings.size());
        for (const Reading &r : readings)
            m_forecast.observe(r);
        m_steps.clear();
        m_forecast.stepsOf(m_closed, m_steps);
        for (ForecastStage::Due &due : m_steps) {
            const quint64 inputs = m_forecast.inputs(due.stationId);
            DeferredKey key{due.issuedAtMs, 1, due.stationId};
            m_deferred.emplace(std::move(key), Pending{inputs, std::move(due)});
        }
    }
    if (m_options.rules) {
        StageClock clock(m_times, Rules, readings.size());
        m_rules.process(readings, out);
    }
    drain(out);
}

void PartitionTask::drain(StageOutput &out)
{
    if (m_deferred.empty())
        return;
    StageClock clock(m_times, Deferred, 0);
    // Every item whose inputs are final, in key order; an item still waiting does not hold back
    // later ones on other partitions (a model forecast waiting for hourly neighbours must not delay a
    // five-minute station's). One station's items of one kind share their inputs, so they still run
    // in time order.
    // Nothing later than the newest partition's watermark can be due: the scan stops there (the
    // queue of a 2,000-station replay holds thousands of spatial checks not yet due).
    const NeighbourTable &table = *m_services.table;
    qint64 horizon = NeighbourTable::kNever;
    for (int p = 0; p < table.options().partitions; ++p)
        horizon = std::max(horizon, table.watermark(p));
    for (auto it = m_deferred.begin(); it != m_deferred.end() && it->first.atMs <= horizon;) {
        const bool due = m_services.isFinal ? m_services.isFinal(it->second.inputs, it->first.atMs)
                                            : m_services.table->isFinal(it->second.inputs, it->first.atMs);
        if (!due) {
            ++it;
            continue;
        }
        runDeferred(it->second.work, out);
        ++m_times.items[Deferred];
        it = m_deferred.erase(it);
    }
}

void PartitionTask::runDeferred(const Work &work, StageOutput &out)
{
    if (const Reading *r = std::get_if<Reading>(&work))
        m_detect.checkSpatial(*r, *m_services.table, out);
    else
        m_forecast.issue(std::get<ForecastStage::Due>(work), out);
}

void PartitionTask::finish(StageOutput &out)
{
    m_closed.clear();
    m_windows.flush(m_closed);
    if (m_options.emitWindows)
        out.windows += m_closed;
    if (m_options.forecast) {
        m_steps.clear();
        m_forecast.stepsOf(m_closed, m_steps);
        for (ForecastStage::Due &due : m_steps) {
            DeferredKey key{due.issuedAtMs, 1, due.stationId};
            m_deferred.emplace(std::move(key), Pending{0, std::move(due)});
        }
    }
    // The stream ended: every input is as final as it will ever be.
    for (const auto &[key, pending] : m_deferred) {
        runDeferred(pending.work, out);
    }
    m_deferred.clear();
}

void PartitionTask::checkSilence(qint64 nowMs, StageOutput &out)
{
    if (m_options.detectAnomalies)
        m_detect.checkSilence(nowMs, out);
}

} // namespace stratus
