#include "LiveState.h"


#include <QDateTime>
#include <QThread>

#include <algorithm>

namespace stratus {

void LiveState::yieldToReaders() const
{
    for (int i = 0; i < 50 && m_readersWaiting.load(std::memory_order_acquire) > 0; ++i)
        QThread::usleep(100);
}

void LiveState::upsertStations(const QList<Station> &stations)
{
    QWriteLocker lock(&m_lock);
    for (const Station &s : stations)
        m_catalogue.upsert(s);
    touch();
}

void LiveState::recordReadings(const QList<Reading> &readings)
{
    for (qsizetype from = 0; from < readings.size(); from += kWriteChunk) {
        if (from > 0)
            yieldToReaders();
        QWriteLocker lock(&m_lock);
        const qsizetype to = std::min(readings.size(), from + kWriteChunk);
        for (qsizetype i = from; i < to; ++i) {
            const Reading &r = readings[i];
            if (!m_catalogue.contains(r.stationId)) {
                Station s;
                s.id = r.stationId;
                m_catalogue.upsert(s);
            }
            StationData &d = m_data[r.stationId];
            if (!d.latest || d.latest->timestampMs <= r.timestampMs)
                d.latest = r;
            d.history.push_back(r);
            if (d.history.size() > kHistoryPerStation)
                d.history.pop_front();
            ++d.revision;
        }
    }
    touch();
}

void LiveState::recordWindows(const QList<WindowStats> &windows)
{
    for (qsizetype from = 0; from < windows.size(); from += kWriteChunk) {
        if (from > 0)
            yieldToReaders();
        QWriteLocker lock(&m_lock);
        const qsizetype to = std::min(windows.size(), from + kWriteChunk);
        for (qsizetype i = from; i < to; ++i) {
            const WindowStats &w = windows[i];
            StationData &d = m_data[w.stationId];
            ++d.revision;
            // A late revision of an older window must not replace the newest one.
            std::optional<WindowStats> &latest = d.windows[index(w.variable)];
            if (!latest || latest->endMs <= w.endMs)
                latest = w;
            WindowRing &h = d.windowHistory[index(w.variable)];
            const WindowPoint point{w.startMs, static_cast<qint32>(w.endMs - w.startMs), static_cast<qint32>(w.count),
                                    static_cast<float>(w.mean), static_cast<float>(w.stddev)};
            if (!h.empty() && h.newest().startMs == w.startMs && h.newest().lengthMs == point.lengthMs) {
                h.newest() = point; // a late reading revised the window
                continue;
            }
            h.push(point);
        }
        m_counters.windowsOut += to - from;
    }
    touch();
}

void LiveState::recordForecasts(const QList<Forecast> &forecasts)
{
    for (qsizetype from = 0; from < forecasts.size(); from += kWriteChunk) {
        if (from > 0)
            yieldToReaders();
        QWriteLocker lock(&m_lock);
        const qsizetype to = std::min(forecasts.size(), from + kWriteChunk);
        for (qsizetype i = from; i < to; ++i) {
            const Forecast &f = forecasts[i];
            StationData &d = m_data[f.stationId];
            d.forecasts[index(f.variable)] = f;
            ++d.revision;
        }
        m_counters.forecastsOut += to - from;
    }
    touch();
}

void LiveState::recordAnomalies(const QList<Anomaly> &anomalies)
{
    QWriteLocker lock(&m_lock);
    for (const Anomaly &a : anomalies) {
        ++m_data[a.stationId].revision;
        m_anomalies.push_back(a);
        if (m_anomalies.size() > kAnomalyHistory)
            m_anomalies.pop_front();
    }
    m_counters.anomaliesOut += anomalies.size();
    touch();
}

void LiveState::setSourceStatus(const SourceStatus &status)
{
    QWriteLocker lock(&m_lock);
    m_sources.insert(status.name, status);
    touch();
}

void LiveState::setCluster(const QJsonObject &cluster, const ClusterStatus &status)
{
    QWriteLocker lock(&m_lock);
    m_cluster = cluster;
    m_clusterStatus = status; // no touch(): the views poll the cluster on their own timer
}

QJsonObject LiveState::cluster() const
{
    QReadLocker lock(&m_lock);
    return m_cluster;
}

void LiveState::setRetrainStatus(const QJsonObject &status)
{
    QWriteLocker lock(&m_lock);
    m_retrain = status;
    touch();
}

QJsonObject LiveState::retrainStatus() const
{
    QReadLocker lock(&m_lock);
    return m_retrain;
}

void LiveState::requestRetrain(const QString &action) const
{
    QWriteLocker lock(&m_lock);
    m_retrainRequest = action;
}

QString LiveState::takeRetrainRequest()
{
    QWriteLocker lock(&m_lock);
    return std::exchange(m_retrainRequest, QString());
}

void LiveState::setMode(const QString &mode)
{
    QWriteLocker lock(&m_lock);
    m_mode = mode;
}

void LiveState::setBusKind(const QString &kind, const QString &problem)
{
    QWriteLocker lock(&m_lock);
    m_busKind = kind;
    m_busProblem = problem;
}

void LiveState::addCounters(const Counters &d)
{
    QWriteLocker lock(&m_lock);
    m_counters.readingsIn += d.readingsIn;
    m_counters.readingsRejected += d.readingsRejected;
    m_counters.valuesRejected += d.valuesRejected;
    m_counters.deadLettered += d.deadLettered;
    touch();
}

void LiveState::setLateDropped(qint64 total)
{
    QWriteLocker lock(&m_lock);
    m_counters.lateDropped = total;
}

void LiveState::recordStage(const QString &name, qint64 items, double latencyMs, qint64 queueDepth)
{
    QWriteLocker lock(&m_lock);
    auto it = std::find_if(m_stages.begin(), m_stages.end(), [&](const StageStats &s) { return s.name == name; });
    if (it == m_stages.end()) {
        StageStats s;
        s.name = name;
        m_stages.append(s);
        it = m_stages.end() - 1;
    }
    it->processed += items;
    ++it->batches;
    it->queueDepth = queueDepth;
    it->lastLatencyMs = latencyMs;
    it->maxLatencyMs = std::max(it->maxLatencyMs, latencyMs);
    it->busyMs += latencyMs;
}

void LiveState::setQueue(const QString &name, qint64 depth, qint64 capacity)
{
    QWriteLocker lock(&m_lock);
    for (Queue &q : m_queues) {
        if (q.name == name) {
            q.depth = depth;
            q.capacity = capacity;
            return;
        }
    }
    m_queues.append(Queue{name, depth, capacity});
}

void LiveState::setBackPressure(bool on, const QString &reason)
{
    QWriteLocker lock(&m_lock);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (on && !m_backPressure.on) {
        ++m_backPressure.episodes;
        m_backPressure.sinceMs = now;
    } else if (!on && m_backPressure.on) {
        m_backPressure.pausedMs += now - m_backPressure.sinceMs;
    }
    m_backPressure.on = on;
    m_backPressure.reason = reason;
}

QList<LiveState::Queue> LiveState::queues() const
{
    QReadLocker lock(&m_lock);
    return m_queues;
}

LiveState::BackPressure LiveState::backPressure() const
{
    QReadLocker lock(&m_lock);
    return m_backPressure;
}

void LiveState::setNotifyStatus(const NotifyStatus &status)
{
    QWriteLocker lock(&m_lock);
    m_notify = status; // no touch(): nothing a view draws from changed
}

NotifyStatus LiveState::notifyStatus() const
{
    ReadGuard lock(this);
    return m_notify;
}

void LiveState::setClusterStatus(const ClusterStatus &status)
{
    QWriteLocker lock(&m_lock);
    m_clusterStatus = status;
    touch();
}

QList<WindowStats> LiveState::windowHistory(const QString &id, Variable variable) const
{
    ReadGuard lock(this);
    const auto it = m_data.constFind(id);
    if (it == m_data.cend())
        return {};
    const WindowRing &h = it->windowHistory[index(variable)];
    QList<WindowStats> out;
    out.reserve(static_cast<qsizetype>(h.points.size()));
    h.forEach([&](const WindowPoint &p) {
        WindowStats w;
        w.stationId = id;
        w.variable = variable;
        w.startMs = p.startMs;
        w.endMs = p.startMs + p.lengthMs;
        w.count = p.count;
        w.mean = p.mean;
        w.stddev = p.stddev;
        out.append(std::move(w));
    });
    return out;
}

QHash<QString, Reading> LiveState::latestReadings() const
{
    ReadGuard lock(this);
    QHash<QString, Reading> out;
    out.reserve(m_data.size());
    for (auto it = m_data.cbegin(); it != m_data.cend(); ++it) {
        if (it->latest)
            out.insert(it.key(), *it->latest);
    }
    return out;
}

QList<LiveState::StageStats> LiveState::stages() const
{
    ReadGuard lock(this);
    return m_stages;
}

LiveState::ClusterStatus LiveState::clusterStatus() const
{
    ReadGuard lock(this);
    return m_clusterStatus;
}

StationCatalogue LiveState::catalogue() const
{
    ReadGuard lock(this);
    return m_catalogue;
}

bool LiveState::hasStation(const QString &id) const
{
    ReadGuard lock(this);
    return m_catalogue.contains(id);
}

qsizetype LiveState::stationCount() const
{
    ReadGuard lock(this);
    return m_catalogue.size();
}

std::optional<Station> LiveState::station(const QString &id) const
{
    ReadGuard lock(this);
    const Station *s = m_catalogue.find(id);
    return s ? std::optional<Station>(*s) : std::nullopt;
}

quint64 LiveState::stationRevision(const QString &id) const
{
    ReadGuard lock(this);
    const auto it = m_data.constFind(id);
    return it == m_data.cend() ? 0 : it->revision;
}

std::optional<Reading> LiveState::latestReading(const QString &id) const
{
    ReadGuard lock(this);
    const auto it = m_data.constFind(id);
    return it == m_data.cend() ? std::nullopt : it->latest;
}

QList<Reading> LiveState::history(const QString &id) const
{
    ReadGuard lock(this);
    const auto it = m_data.constFind(id);
    if (it == m_data.cend())
        return {};
    return QList<Reading>(it->history.begin(), it->history.end());
}

QList<WindowStats> LiveState::latestWindows(const QString &id) const
{
    ReadGuard lock(this);
    const auto it = m_data.constFind(id);
    QList<WindowStats> out;
    if (it == m_data.cend())
        return out;
    for (const auto &w : it->windows) {
        if (w)
            out.append(*w);
    }
    return out;
}

QList<Forecast> LiveState::forecasts(const QString &id) const
{
    ReadGuard lock(this);
    const auto it = m_data.constFind(id);
    if (it == m_data.cend())
        return {};
    QList<Forecast> out; // by variable, as the array is
    for (const auto &f : it->forecasts) {
        if (f)
            out.append(*f);
    }
    return out;
}

QList<Anomaly> LiveState::anomalies(qint64 sinceMs, const QString &station, int limit) const
{
    ReadGuard lock(this);
    QList<Anomaly> out;
    for (auto it = m_anomalies.rbegin(); it != m_anomalies.rend() && out.size() < limit; ++it) {
        if (it->timestampMs >= sinceMs && (station.isEmpty() || it->stationId == station))
            out.append(*it);
    }
    return out;
}

QList<LiveState::SourceStatus> LiveState::sources() const
{
    ReadGuard lock(this);
    return m_sources.values();
}

LiveState::Counters LiveState::counters() const
{
    ReadGuard lock(this);
    return m_counters;
}

QString LiveState::mode() const
{
    ReadGuard lock(this);
    return m_mode;
}

QString LiveState::busKind() const
{
    ReadGuard lock(this);
    return m_busKind;
}

QString LiveState::busProblem() const
{
    ReadGuard lock(this);
    return m_busProblem;
}

} // namespace stratus
