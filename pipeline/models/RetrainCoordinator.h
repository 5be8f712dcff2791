#pragma once

#include "Anomaly.h"
#include "ModelDriftMonitor.h"
#include "Reading.h"
#include "RetrainJob.h"
#include "RetrainOptions.h"
#include "RetrainSchedule.h"

#include <QFutureWatcher>
#include <QJsonObject>
#include <QMutex>
#include <QObject>
#include <QTimer>

#include <memory>

namespace stratus {

class LiveState;
class ModelRegistry;

// Runs RetrainJobs on the global QThreadPool (never on the ingest thread) when the schedule says
// so, on request (API, GUI), or on a drift alert (retrain/on_drift); one job at a time. On
// start it resumes a job a previous process left unfinished. A finished job is published here, on
// the registry's thread: a promoted candidate is hot-swapped in by ModelRegistry::activate, so
// readings keep flowing. Also owns the ModelDriftMonitor of the active model; its alerts leave
// through alerts(), which the engine publishes on the bus like any anomaly.
// startJob(), cancel() and status() may be called from any thread.
class RetrainCoordinator : public QObject
{
    Q_OBJECT
public:
    RetrainCoordinator(RetrainOptions options, ModelRegistry *registry, QString storePath, LiveState *state = nullptr,
                     QObject *parent = nullptr);
    ~RetrainCoordinator() override;

    // Timers, and the resume of an interrupted job.
    void start();
    // Starts a job now; its id, or why not (one is running, no store).
    Result<QString> startJob(const QString &reason);
    // Cancels the running job (its checkpoint is discarded); an error if `id` is not running.
    Result<QString> cancel(const QString &id = QString());
    // {"schedule", "running", "job": {progress}, "jobs": {id: {…}}, "decisions": […], "drift": {…}}
    QJsonObject status() const;
    // One job's progress or outcome; empty if unknown.
    QJsonObject jobStatus(const QString &id) const;
    // Engine thread: counts readings for the schedule and feeds the drift monitor.
    void observe(const QList<Reading> &readings);
    bool isRunning() const;

signals:
    void alerts(const QList<Anomaly> &anomalies);
    void decided(const QJsonObject &decision);
    void statusChanged();

private:
    Result<QString> startHere(const QString &reason);
    Result<QString> cancelHere(const QString &id);
    void finished();
    void checkSchedule();
    void publishStatus();

    RetrainOptions m_options;
    RetrainSchedule m_schedule;
    ModelRegistry *m_registry;
    QString m_storePath;
    LiveState *m_state;
    ModelDriftMonitor m_drift;
    QTimer m_timer;
    qint64 m_nextDailyMs = -1;
    std::shared_ptr<RetrainJob> m_job;
    QFutureWatcher<Result<QJsonObject>> m_watcher;
    mutable QMutex m_mutex; // guards m_jobs, m_driftStatus, m_job pointer copies for other threads
    QJsonObject m_jobs;     // id → final outcome
    QJsonObject m_driftStatus;
    bool m_discardOnFinish = false;
};

} // namespace stratus
