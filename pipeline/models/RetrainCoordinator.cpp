#include "RetrainCoordinator.h"

#include "LiveState.h"
#include "ModelRegistry.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QThread>
#include <QtConcurrent>

namespace stratus {

Q_DECLARE_LOGGING_CATEGORY(lcRetrain)

RetrainCoordinator::RetrainCoordinator(RetrainOptions options, ModelRegistry *registry, QString storePath, LiveState *state,
                                   QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_registry(registry), m_storePath(std::move(storePath)),
      m_state(state), m_drift(m_options)
{
    if (auto s = RetrainSchedule::parse(m_options.schedule))
        m_schedule = *s;
    connect(&m_watcher, &QFutureWatcher<Result<QJsonObject>>::finished, this, &RetrainCoordinator::finished);
    connect(&m_timer, &QTimer::timeout, this, &RetrainCoordinator::checkSchedule);
    if (m_registry) {
        m_drift.setModel(m_registry->active());
        // Stations served by a group model (or an A/B candidate) are judged by that model's numbers.
        m_drift.setServingLookup([registry = m_registry](const QString &id) { return registry->modelFor(id); });
        connect(m_registry, &ModelRegistry::activeChanged, this, [this] { m_drift.setModel(m_registry->active()); });
    }
}

RetrainCoordinator::~RetrainCoordinator()
{
    // A job still training keeps its checkpoint; the next start resumes it.
    if (m_job)
        m_job->cancel();
    m_watcher.waitForFinished();
}

void RetrainCoordinator::start()
{
    m_nextDailyMs = m_schedule.nextDailyMs(QDateTime::currentMSecsSinceEpoch());
    m_timer.start(1000);
    if (m_registry && !m_storePath.isEmpty() && !RetrainJob::interrupted(m_registry->rootDir()).isEmpty()) {
        const auto r = startHere(QStringLiteral("resume"));
        if (!r)
            qCWarning(lcRetrain).noquote() << "cannot resume the interrupted retrain:" << r.errorMessage();
    }
    publishStatus();
}

bool RetrainCoordinator::isRunning() const
{
    QMutexLocker lock(&m_mutex);
    return m_job != nullptr;
}

Result<QString> RetrainCoordinator::startJob(const QString &reason)
{
    if (QThread::currentThread() == thread())
        return startHere(reason);
    std::optional<Result<QString>> r;
    QMetaObject::invokeMethod(this, [&] { r = startHere(reason); }, Qt::BlockingQueuedConnection);
    return *r;
}

Result<QString> RetrainCoordinator::cancel(const QString &id)
{
    if (QThread::currentThread() == thread())
        return cancelHere(id);
    std::optional<Result<QString>> r;
    QMetaObject::invokeMethod(this, [&] { r = cancelHere(id); }, Qt::BlockingQueuedConnection);
    return *r;
}

Result<QString> RetrainCoordinator::startHere(const QString &reason)
{
    if (!m_registry)
        return makeError(QStringLiteral("no model registry: start with --models DIR"));
    if (m_storePath.isEmpty())
        return makeError(QStringLiteral("retraining needs the history store (--db FILE)"));
    if (m_job)
        return makeError(QStringLiteral("retrain job %1 is already running").arg(m_job->id()));
    RetrainJob::Request req;
    req.storePath = m_storePath;
    req.modelsRoot = m_registry->rootDir();
    req.options = m_options;
    req.reason = reason;
    if (const auto active = m_registry->active())
        req.activeVersion = active->version;
    auto job = std::make_shared<RetrainJob>(req);
    job->setProgressCallback([this](const RetrainJob::Progress &) {
        QMetaObject::invokeMethod(this, [this] { publishStatus(); }, Qt::QueuedConnection);
    });
    {
        QMutexLocker lock(&m_mutex);
        m_job = job;
    }
    m_discardOnFinish = false;
    m_watcher.setFuture(QtConcurrent::run(QThreadPool::globalInstance(), [job] { return job->run(); }));
    publishStatus();
    return job->id();
}

Result<QString> RetrainCoordinator::cancelHere(const QString &id)
{
    if (!m_job)
        return makeError(QStringLiteral("no retrain job is running"));
    if (!id.isEmpty() && id != m_job->id())
        return makeError(QStringLiteral("retrain job %1 is not running (running: %2)").arg(id, m_job->id()));
    m_job->cancel();
    m_discardOnFinish = true;
    publishStatus();
    return m_job->id();
}

void RetrainCoordinator::finished()
{
    std::shared_ptr<RetrainJob> job;
    {
        QMutexLocker lock(&m_mutex);
        job = std::exchange(m_job, nullptr);
    }
    if (!job)
        return;
    const Result<QJsonObject> r = m_watcher.result();
    QJsonObject outcome = job->progressJson();
    if (r) {
        const QJsonObject decision = RetrainJob::publish(m_registry->rootDir(), *r, m_registry);
        outcome[QStringLiteral("stage")] = QStringLiteral("done");
        outcome[QStringLiteral("decision")] = decision;
        emit decided(decision);
    } else {
        outcome[QStringLiteral("error")] = r.errorMessage();
        if (job->isCancelled()) {
            outcome[QStringLiteral("stage")] = QStringLiteral("cancelled");
            if (m_discardOnFinish)
                RetrainJob::discard(m_registry->rootDir(), job->id());
        } else {
            // A failed job (no data, bad store) must not be resumed forever.
            RetrainJob::discard(m_registry->rootDir(), job->id());
        }
    }
    {
        QMutexLocker lock(&m_mutex);
        m_jobs[job->id()] = outcome;
        while (m_jobs.size() > 20)
            m_jobs.remove(m_jobs.begin().key());
    }
    publishStatus();
}

void RetrainCoordinator::checkSchedule()
{
    {
        QMutexLocker lock(&m_mutex);
        m_driftStatus = m_drift.status();
    }
    if (m_state) {
        const QString request = m_state->takeRetrainRequest();
        if (request == QLatin1String("start")) {
            if (const auto r = startHere(QStringLiteral("gui")); !r)
                qCWarning(lcRetrain).noquote() << r.errorMessage();
        } else if (request == QLatin1String("cancel")) {
            (void)cancelHere(QString());
        }
    }
    if (m_nextDailyMs > 0 && QDateTime::currentMSecsSinceEpoch() >= m_nextDailyMs) {
        m_nextDailyMs = m_schedule.nextDailyMs(QDateTime::currentMSecsSinceEpoch());
        if (!m_job)
            (void)startHere(QStringLiteral("schedule"));
    }
}

void RetrainCoordinator::observe(const QList<Reading> &readings)
{
    bool due = false;
    for (const Reading &r : readings)
        due = m_schedule.countReading(r.stationId) || due;
    if (due && !m_job && !m_storePath.isEmpty())
        (void)startHere(QStringLiteral("schedule"));
    const QList<Anomaly> found = m_drift.observe(readings, m_registry ? &m_registry->liveAccuracy() : nullptr);
    if (!found.isEmpty()) {
        {
            QMutexLocker lock(&m_mutex);
            m_driftStatus = m_drift.status();
        }
        emit alerts(found);
        if (m_options.retrainOnDrift && !m_job && !m_storePath.isEmpty())
            (void)startHere(QStringLiteral("drift"));
        publishStatus();
    }
}

QJsonObject RetrainCoordinator::jobStatus(const QString &id) const
{
    QMutexLocker lock(&m_mutex);
    if (m_job && m_job->id() == id) {
        QJsonObject o = m_job->progressJson();
        o[QStringLiteral("running")] = true;
        return o;
    }
    return m_jobs.value(id).toObject();
}

QJsonObject RetrainCoordinator::status() const
{
    QJsonObject o;
    o[QStringLiteral("schedule")] = m_schedule.text();
    o[QStringLiteral("margin")] = m_options.margin;
    o[QStringLiteral("train_days")] = m_options.trainDays;
    o[QStringLiteral("held_back_days")] = m_options.heldBackDays;
    {
        QMutexLocker lock(&m_mutex);
        o[QStringLiteral("running")] = m_job != nullptr;
        if (m_job)
            o[QStringLiteral("job")] = m_job->progressJson();
        o[QStringLiteral("jobs")] = m_jobs;
        o[QStringLiteral("drift")] = m_driftStatus;
    }
    o[QStringLiteral("decisions")] = m_registry ? RetrainJob::decisions(m_registry->rootDir()) : QJsonArray();
    return o;
}

void RetrainCoordinator::publishStatus()
{
    if (m_state)
        m_state->setRetrainStatus(status());
    emit statusChanged();
}

} // namespace stratus
