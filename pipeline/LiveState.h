#pragma once

#include "Anomaly.h"
#include "Forecast.h"
#include "Reading.h"
#include "StationCatalogue.h"
#include "WindowStats.h"
#include "notify/NotifyStatus.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QReadWriteLock>

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <optional>
#include <vector>

namespace stratus {

// What the engine knows right now, read by the REST API and the GUI alike. In-process it is fed by
// the engine; with --connect it is fed from the cluster's topics, so readers cannot tell the two
// apart. Every method is thread-safe; readers get copies.
class LiveState
{
public:
    struct SourceStatus
    {
        QString name;
        QString state; // ok / degraded / down / starting / finished
        QString lastError;
        qint64 lastSuccessMs = 0;
        qint64 readings = 0;
        qint64 progressDone = 0; // start-up work such as a history back-fill; total 0 = none
        qint64 progressTotal = 0;
    };

    struct Counters
    {
        qint64 readingsIn = 0;       // accepted onto the raw topic
        qint64 readingsRejected = 0; // whole readings refused (bad id/time/JSON)
        qint64 valuesRejected = 0;   // single impossible values dropped from otherwise good readings
        qint64 lateDropped = 0;      // beyond allowed lateness
        qint64 deadLettered = 0;
        qint64 windowsOut = 0;
        qint64 forecastsOut = 0;
        qint64 anomaliesOut = 0;
    };

    // One stage of the in-process pipeline (ingest, aggregate, infer, ...), for the health view.
    struct StageStats
    {
        QString name;
        qint64 processed = 0;       // items handled since start
        qint64 batches = 0;
        qint64 queueDepth = 0;      // items waiting for the stage (in-process: the last batch handed over)
        double lastLatencyMs = 0;   // wall time of the last batch
        double maxLatencyMs = 0;
        double busyMs = 0;          // total time spent in the stage since start (its CPU share)
    };

    // A bounded queue between stages (the history store's backlog, deferred work) and its limit.
    struct Queue
    {
        QString name;
        qint64 depth = 0;
        qint64 capacity = 0; // 0 = not bounded by a number of items
    };
    // Whether the engine is holding its sources back because a queue is full, and why.
    struct BackPressure
    {
        bool on = false;
        QString reason;
        qint64 sinceMs = 0;   // wall clock when it last went on
        qint64 episodes = 0;  // times it went on since start
        qint64 pausedMs = 0;  // total time on, closed episodes
    };

    // What a connected engine (--connect, Kafka) knows about its cluster. Empty/unconnected in-process.
    struct ClusterStatus
    {
        struct Broker
        {
            int id = -1;
            QString host;
            int port = 0;
            bool controller = false;
        };
        struct Partition
        {
            QString topic;
            int partition = 0;
            int leader = -1;
            QList<int> replicas;
            QList<int> isr;
            qint64 endOffset = 0;
            qint64 committedOffset = 0;
            QString group;          // the consumer group whose lag this row shows; empty = none consumes the topic
            qint64 lagRecords = -1; // as the cluster measured it; -1 = end − committed
            double lagSeconds = 0;  // age of the oldest unprocessed record
            QString error;
            qint64 lag() const
            {
                if (lagRecords >= 0)
                    return lagRecords;
                return endOffset > committedOffset ? endOffset - committedOffset : 0;
            }
        };
        struct Worker
        {
            struct Stage
            {
                QString name;
                qint64 in = 0;
                qint64 out = 0;
                double inPerS = 0;
                double outPerS = 0;
            };
            QString id;
            QString role;
            qint64 lastHeartbeatMs = 0;
            QList<int> partitions;
            bool alive = true;
            QList<Stage> stages; // from its last heartbeat
        };

        bool connected = false;
        QString bootstrap;       // as configured, e.g. "127.0.0.1:9092"
        QString problem;         // empty when fine, else in words
        qint64 updatedMs = 0;    // when this was last refreshed (UTC ms)
        QList<Broker> brokers;
        QList<Partition> partitions;
        QList<Worker> workers;
    };

    static constexpr int kHistoryPerStation = 2048;
    static constexpr int kAnomalyHistory = 10000;
    static constexpr int kWindowHistoryPerVariable = 360; // 6 h of 1-min slides

    void upsertStations(const QList<Station> &stations);
    void recordReadings(const QList<Reading> &readings);
    void recordWindows(const QList<WindowStats> &windows);
    void recordForecasts(const QList<Forecast> &forecasts);
    void recordAnomalies(const QList<Anomaly> &anomalies);
    void setSourceStatus(const SourceStatus &status);
    void setMode(const QString &mode);
    void setBusKind(const QString &kind, const QString &problem);
    void addCounters(const Counters &delta);
    void setLateDropped(qint64 total);
    // Distributed mode: the latest cluster health (ClusterHealth::toJson()) for /cluster and the GUI.
    void setCluster(const QJsonObject &cluster, const ClusterStatus &status);
    QJsonObject cluster() const;
    // Model retraining (RetrainCoordinator::status()) for the GUI, and the GUI's requests back to the
    // scheduler ("start" or "cancel"), taken by the engine thread.
    void setRetrainStatus(const QJsonObject &status);
    QJsonObject retrainStatus() const;
    void requestRetrain(const QString &action) const; // const: a view asks, it changes no state
    QString takeRetrainRequest();
    void recordStage(const QString &name, qint64 items, double latencyMs, qint64 queueDepth);
    void setQueue(const QString &name, qint64 depth, qint64 capacity);
    void setBackPressure(bool on, const QString &reason);
    void setClusterStatus(const ClusterStatus &status);
    // Alert notifications (NotificationService): firing alerts and the receivers' state.
    void setNotifyStatus(const NotifyStatus &status);
    NotifyStatus notifyStatus() const;

    StationCatalogue catalogue() const;
    bool hasStation(const QString &id) const;
    qsizetype stationCount() const; // cheap: lets views skip copying an unchanged catalogue
    std::optional<Station> station(const QString &id) const;
    // Bumped whenever anything of this station changes (readings, windows, forecasts, anomalies), so a
    // view of one station can skip refreshing while others change. 0 = unknown station.
    quint64 stationRevision(const QString &id) const;
    std::optional<Reading> latestReading(const QString &id) const;
    QList<Reading> history(const QString &id) const;
    QList<WindowStats> latestWindows(const QString &id) const;
    // The last kWindowHistoryPerVariable windows of one variable, oldest first (a late revision
    // replaces the window it revises). Kept compact: only start, end, count, mean and stddev are
    // filled; the other statistics are NaN (latestWindows() has them all for the newest window).
    QList<WindowStats> windowHistory(const QString &id, Variable variable) const;
    // The latest reading of every station in one lock, for views that draw all stations.
    QHash<QString, Reading> latestReadings() const;
    QList<StageStats> stages() const;
    QList<Queue> queues() const;
    BackPressure backPressure() const;
    ClusterStatus clusterStatus() const;
    QList<Forecast> forecasts(const QString &id) const;
    QList<Anomaly> anomalies(qint64 sinceMs, const QString &station, int limit) const;
    QList<SourceStatus> sources() const;
    Counters counters() const;
    QString mode() const;
    QString busKind() const;
    QString busProblem() const;
    // Bumped on every change, so views can skip redraws when nothing happened.
    quint64 generation() const { return m_generation.load(std::memory_order_relaxed); }

private:
    // 24 bytes instead of a full WindowStats: 10,000 stations × 9 variables × hundreds of windows.
    struct WindowPoint
    {
        qint64 startMs = 0;
        qint32 lengthMs = 0; // end − start (windows are minutes long)
        qint32 count = 0;
        float mean = 0;
        float stddev = 0;
    };
    static_assert(sizeof(WindowPoint) == 24);

    // The last kWindowHistoryPerVariable windows of one variable in one contiguous buffer: it grows
    // like a vector until full, then wraps. A std::deque spent a 512-byte node and a map on each of
    // ~60,000 short histories.
    struct WindowRing
    {
        std::vector<WindowPoint> points;
        quint32 head = 0; // index of the oldest point once full
        bool empty() const { return points.empty(); }
        WindowPoint &newest() { return points[(head + points.size() - 1) % points.size()]; }
        void push(const WindowPoint &p)
        {
            constexpr size_t capacity = kWindowHistoryPerVariable;
            if (points.size() < capacity) {
                if (points.size() == points.capacity()) // doubling, but never past the capacity
                    points.reserve(std::min(capacity, std::max<size_t>(8, points.capacity() * 2)));
                points.push_back(p);
                return;
            }
            points[head] = p;
            head = (head + 1) % points.size();
        }
        template<class F> void forEach(F &&f) const // oldest first
        {
            for (size_t i = 0; i < points.size(); ++i)
                f(points[(head + i) % points.size()]);
        }
    };

    // Per variable by index(variable): fixed arrays, not three QHash per station (each QHash
    // allocated 16-entry spans, ~13 KB per station, 130 MB at 10,000 stations).
    struct StationData
    {
        std::optional<Reading> latest;
        std::deque<Reading> history;
        std::array<std::optional<WindowStats>, kVariableCount> windows;
        std::array<WindowRing, kVariableCount> windowHistory;
        std::array<std::optional<Forecast>, kVariableCount> forecasts;
        quint64 revision = 0;
    };

    void touch() { m_generation.fetch_add(1, std::memory_order_relaxed); }
    // Writers take the lock for at most this many items at a time, so readers (the GUI thread) never
    // wait for a whole 10,000-reading batch.
    static constexpr qsizetype kWriteChunk = 256;

    // QReadWriteLock favours a writer that re-locks at once: under CPU contention a reader (the GUI
    // thread) woken between two chunks could wait a whole 100k-window batch. Readers announce
    // themselves; a writer between chunks steps aside (up to ~5 ms) while any reader waits.
    class ReadGuard
    {
    public:
        explicit ReadGuard(const LiveState *state) : m_state(state)
        {
            m_state->m_readersWaiting.fetch_add(1, std::memory_order_acq_rel);
            m_state->m_lock.lockForRead();
            m_state->m_readersWaiting.fetch_sub(1, std::memory_order_acq_rel);
        }
        ~ReadGuard() { m_state->m_lock.unlock(); }
        ReadGuard(const ReadGuard &) = delete;
        ReadGuard &operator=(const ReadGuard &) = delete;

    private:
        const LiveState *m_state;
    };
    void yieldToReaders() const;

    mutable QReadWriteLock m_lock;
    mutable std::atomic<int> m_readersWaiting{0};
    StationCatalogue m_catalogue;
    QHash<QString, StationData> m_data;
    std::deque<Anomaly> m_anomalies;
    QHash<QString, SourceStatus> m_sources;
    QList<StageStats> m_stages; // in first-seen order, so views keep a stable layout
    QList<Queue> m_queues;
    BackPressure m_backPressure;
    ClusterStatus m_clusterStatus; // for the GUI's cluster view
    Counters m_counters;
    QString m_mode = QStringLiteral("in-process");
    QString m_busKind = QStringLiteral("local");
    QString m_busProblem;
    QJsonObject m_cluster; // ClusterMonitor snapshot for /cluster
    QJsonObject m_retrain;
    NotifyStatus m_notify;
    mutable QString m_retrainRequest;
    std::atomic<quint64> m_generation{0};
};

} // namespace stratus
