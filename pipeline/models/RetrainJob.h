#pragma once

#include "forecast/ForecastDataLoader.h"
#include "RetrainOptions.h"
#include "Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMutex>

#include <atomic>
#include <functional>
#include <optional>

namespace stratus {

class ForecastModel;
class ModelRegistry;

// One retraining run: reads the stations' hourly history from the store, trains a candidate on the
// training span, scores it and the active model on the most recent held-back span (which the
// candidate never saw) and decides with PromotionPolicy. run() is blocking and meant for a pool
// thread; it opens its own store connection and touches no engine state.
//
// Checkpoints: every finished step is written atomically under MODELS/.retrain/<job>/ — job.json
// (the spans, frozen when the job starts), stations/<id>.bin (each station's series), candidate/
// (the trained model with its held-back scores), eval_active.json, decision.json. A job killed part
// way is resumed by the next run() in the same models directory: finished steps are loaded, not
// redone, so the resumed job gives the same model. Training itself (one ForecastTrainer::train
// call) is the unit: a kill during it repeats the training, but not the history reads. cancel()
// stops at the next step boundary.
//
// publish() then puts the candidate in place on the registry's thread: promoted → MODELS/<version>
// and activated (hot swap; readings keep flowing), rejected → MODELS/rejected/<version>. Either way
// the decision goes into the version's model.json ("retrain_decision") and MODELS/retrain_decisions.json.
class RetrainJob
{
public:
    struct Request
    {
        QString storePath;
        QString modelsRoot;
        RetrainOptions options;
        QString activeVersion; // scored beside the candidate; empty = none
        QString reason = QStringLiteral("manual"); // schedule, api, drift, cli, gui …
    };
    struct Progress
    {
        QString jobId;
        QString stage = QStringLiteral("queued"); // queued, reading, training, evaluating, decided, failed, cancelled
        QString message;
        int done = 0, total = 0;
        QStringList resumed; // steps taken from a checkpoint
    };

    explicit RetrainJob(Request request);

    // Runs (or resumes) the job; returns the decision record (not yet published).
    Result<QJsonObject> run();
    void cancel() { m_cancel.store(true); }
    bool isCancelled() const { return m_cancel.load(); }
    Progress progress() const;
    QJsonObject progressJson() const;
    QString id() const;
    // Called from the job's thread after each step (tests, the CLI's log lines).
    void setProgressCallback(std::function<void(const Progress &)> cb) { m_callback = std::move(cb); }

    // The newest interrupted job in MODELS/.retrain (empty if none).
    static QString interrupted(const QString &modelsRoot);
    static QString checkpointDir(const QString &modelsRoot, const QString &jobId);
    // Removes a job's checkpoint (after cancel, or once published).
    static void discard(const QString &modelsRoot, const QString &jobId);
    // Moves the candidate into place and records the decision; `registry` (may be null) activates a
    // promoted version. A candidate that does not load (corrupt, altered) is never promoted.
    static QJsonObject publish(const QString &modelsRoot, QJsonObject decision, ModelRegistry *registry);
    // MODELS/retrain_decisions.json, newest last.
    static QJsonArray decisions(const QString &modelsRoot);

private:
    // A candidate's score on the held-back span (the --evaluate metrics) and how long it trained.
    struct CandidateScore
    {
        QJsonObject evaluation;
        double trainSeconds = 0;
    };
    // The model serving the stations now, scored on the same span; a note when the score is
    // optimistic or missing.
    struct ServingScore
    {
        QJsonObject evaluation;
        QString note;
        QString version;
    };

    Result<QJsonObject> setUp();
    // Each station's series: from its checkpoint, or read from the store and checkpointed.
    Result<ForecastDataset> readStations(const QString &dir);
    // The whole-model path: one candidate, the active model, one decision.
    Result<CandidateScore> wholeCandidate(const ForecastDataset &ds, const QString &dir);
    Result<ServingScore> activeScore(const ForecastDataset &ds, const QString &dir);
    Result<QJsonObject> decide(const CandidateScore &candidate, const ServingScore &active, const QString &dir);
    // Station groups (RetrainOptions::groups): a candidate, an evaluation and a decision per group.
    Result<QJsonObject> runGroups(const ForecastDataset &ds, const QString &dir);
    Result<QJsonObject> decideGroup(const ForecastDataset &ds, const QString &dir, const QJsonObject &group, int index,
                                    int count, const QJsonObject &served);
    Result<ServingScore> servingScore(const ForecastDataset &ds, const ForecastDataset &groupDs, const QString &dir,
                                      const QString &group, const QStringList &stations, const QJsonObject &served);
    // Shared by both paths.
    Result<CandidateScore> scoreAndSave(ForecastModel &model, const ForecastDataset &ds, const QString &candDir,
                                        const QString &evalPath, const QString &who);
    QJsonObject jobRecord(double trainSeconds) const;
    Result<QJsonObject> conclude(const QString &dir, const QJsonObject &record, const QString &summary, int done, int total);
    std::optional<Error> cancelled();
    Error failed(const QString &message);
    void markResumed(const QString &step);

    static void recordDecision(const QString &modelsRoot, const QString &jobId, const QJsonObject &decision);
    static QJsonObject publishGroups(const QString &modelsRoot, QJsonObject decision, ModelRegistry *registry);
    void report(const QString &stage, const QString &message, int done = 0, int total = 0);

    Request m_request;
    QString m_resumeId; // the interrupted job found at construction
    QJsonObject m_job; // job.json
    mutable QMutex m_mutex;
    Progress m_progress;
    std::atomic<bool> m_cancel{false};
    std::function<void(const Progress &)> m_callback;
};

} // namespace stratus
