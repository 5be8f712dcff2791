#include "RetrainJob.h"

#include "FeatureStabilityIndex.h"
#include "forecast/ForecastEvaluator.h"
#include "forecast/ForecastTrainer.h"
#include "HistoryDataset.h"
#include "ModelRegistry.h"
#include "PromotionPolicy.h"
#include "TimeUtil.h"
#include "store/HistoryReader.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSaveFile>

#include <memory>
#include <optional>

namespace stratus {

Q_LOGGING_CATEGORY(lcRetrain, "stratus.retrain")

namespace {

constexpr const char *kCheckpointRoot = ".retrain";
constexpr const char *kDecisionsFile = "retrain_decisions.json";
constexpr int kKeptDecisions = 200;

Result<bool> writeJson(const QString &path, const QJsonDocument &doc)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(doc.toJson(QJsonDocument::Indented)) < 0 || !f.commit())
        return makeError(QStringLiteral("cannot write %1: %2").arg(path, f.errorString()));
    return true;
}

std::optional<QJsonDocument> readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    QJsonParseError e;
    QJsonDocument d = QJsonDocument::fromJson(f.readAll(), &e);
    if (e.error != QJsonParseError::NoError)
        return std::nullopt;
    return d;
}

// A station id as a file name: anything but letters, digits, '-' and '_' is hex-escaped.
QString fileNameOf(const QString &id)
{
    QString out;
    for (const QChar c : id) {
        if (c.isLetterOrNumber() && c.unicode() < 128)
            out += c;
        else if (c == u'-' || c == u'_')
            out += c;
        else
            out += QStringLiteral("%%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
    }
    return out + QStringLiteral(".bin");
}

qint64 isoMs(const QJsonObject &o, const char *key)
{
    return timeutil::parseIsoUtc(QStringView(o.value(QLatin1String(key)).toString())).value_or(0);
}


// A candidate the registry refused after it was moved into place goes to rejected/ like any other
// rejected candidate; returns where it now is.
QString moveToRejected(const QString &modelsRoot, const QString &dir, const QString &version)
{
    const QString rejected = QDir(modelsRoot).filePath(QStringLiteral("rejected/") + version);
    QDir().mkpath(QFileInfo(rejected).absolutePath());
    QDir().rename(dir, rejected);
    return rejected;
}

// Trains a candidate on [fromMs, toMs) and stamps what the registry and the drift monitor read from
// it: version, data description, training time, and the input reference over the training span.
Result<std::shared_ptr<ForecastModel>> trainCandidate(const ForecastDataset &ds, qint64 fromMs, qint64 toMs, const QString &version)
{
    TrainOptions o;
    o.fromMs = fromMs;
    o.toMs = toMs;
    o.version = version;
    QElapsedTimer timer;
    timer.start();
    auto model = ForecastTrainer::train(ds, o);
    if (!model)
        return model;
    (*model)->version = version;
    (*model)->trainedOn = ds.description;
    (*model)->metrics[QStringLiteral("train_seconds")] = static_cast<double>(timer.elapsed()) / 1000.0;
    (*model)->metrics[QStringLiteral("input_reference")] = FeatureStabilityIndex::reference(ds, fromMs, toMs);
    return model;
}

// A candidate checkpointed by an earlier run of the job: the model loads whole and its held-back
// evaluation was written. Anything less is trained again.
struct Checkpointed
{
    QJsonObject evaluation;
    double trainSeconds = 0;
};

std::optional<Checkpointed> resumeCandidate(const QString &candDir, const QString &evalPath)
{
    if (!QFile::exists(QDir(candDir).filePath(QLatin1String(ForecastModel::kMetadataFile))))
        return std::nullopt;
    const auto loaded = ForecastModel::load(candDir);
    const auto eval = readJson(evalPath);
    if (!loaded || !eval) {
        qCWarning(lcRetrain).noquote() << "checkpointed candidate refused:"
                                       << (loaded ? QStringLiteral("no evaluation") : loaded.errorMessage()) << "; training again";
        return std::nullopt;
    }
    return Checkpointed{eval->object(), (*loaded)->metrics.value(QStringLiteral("train_seconds")).toDouble()};
}

// Candidate, active model and baselines side by side, for the Models dock and GET /models.
QJsonArray temperatureMaeByHorizon(const QJsonObject &candidate, const QJsonObject &active)
{
    const auto mae = [](const QJsonObject &horizon, const char *which) {
        return horizon.value(QLatin1String(which)).toObject().value(QStringLiteral("mae"));
    };
    QJsonArray byH;
    const QJsonArray ch = candidate.value(QStringLiteral("horizons")).toArray();
    const QJsonArray ah = active.value(QStringLiteral("horizons")).toArray();
    for (qsizetype i = 0; i < ch.size(); ++i) {
        const QJsonObject c = ch[i].toObject();
        QJsonObject h{{QStringLiteral("h"), c.value(QStringLiteral("h"))},
                      {QStringLiteral("candidate"), mae(c, "model")},
                      {QStringLiteral("persistence"), mae(c, "persistence")},
                      {QStringLiteral("same_hour_yesterday"), mae(c, "same_hour_yesterday")}};
        if (i < ah.size())
            h[QStringLiteral("active")] = mae(ah[i].toObject(), "model");
        byH.append(h);
    }
    return byH;
}

} // namespace

RetrainJob::RetrainJob(Request request) : m_request(std::move(request))
{
    // Named now, so the API can answer with the id before the job has touched the store: an
    // interrupted job's own id when there is one to resume, else a new one.
    m_resumeId = interrupted(m_request.modelsRoot);
    m_progress.jobId = !m_resumeId.isEmpty() ? m_resumeId
                                             : QStringLiteral("retrain-")
                                                   + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd'T'HHmmsszzz"));
}

QString RetrainJob::checkpointDir(const QString &modelsRoot, const QString &jobId)
{
    return QDir(modelsRoot).filePath(QLatin1String(kCheckpointRoot) + u'/' + jobId);
}

QString RetrainJob::interrupted(const QString &modelsRoot)
{
    const QDir root(QDir(modelsRoot).filePath(QLatin1String(kCheckpointRoot)));
    QStringList jobs = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (auto it = jobs.crbegin(); it != jobs.crend(); ++it) {
        if (QFile::exists(root.filePath(*it + QStringLiteral("/job.json"))))
            return *it;
    }
    return {};
}

void RetrainJob::discard(const QString &modelsRoot, const QString &jobId)
{
    if (!jobId.isEmpty())
        QDir(checkpointDir(modelsRoot, jobId)).removeRecursively();
}

QString RetrainJob::id() const
{
    QMutexLocker lock(&m_mutex);
    return m_progress.jobId;
}

RetrainJob::Progress RetrainJob::progress() const
{
    QMutexLocker lock(&m_mutex);
    return m_progress;
}

QJsonObject RetrainJob::progressJson() const
{
    const Progress p = progress();
    return QJsonObject{{QStringLiteral("id"), p.jobId},
                       {QStringLiteral("stage"), p.stage},
                       {QStringLiteral("message"), p.message},
                       {QStringLiteral("done"), p.done},
                       {QStringLiteral("total"), p.total},
                       {QStringLiteral("resumed"), QJsonArray::fromStringList(p.resumed)},
                       {QStringLiteral("reason"), m_request.reason}};
}

void RetrainJob::report(const QString &stage, const QString &message, int done, int total)
{
    Progress copy;
    {
        QMutexLocker lock(&m_mutex);
        m_progress.stage = stage;
        m_progress.message = message;
        m_progress.done = done;
        m_progress.total = total;
        copy = m_progress;
    }
    qCInfo(lcRetrain).noquote() << copy.jobId << stage << message;
    if (m_callback)
        m_callback(copy);
}

Result<QJsonObject> RetrainJob::setUp()
{
    const QString resumeId = m_resumeId;
    if (!resumeId.isEmpty()) {
        const auto job = readJson(QDir(checkpointDir(m_request.modelsRoot, resumeId)).filePath(QStringLiteral("job.json")));
        if (job && job->isObject()) {
            QMutexLocker lock(&m_mutex);
            m_progress.jobId = resumeId;
            m_progress.resumed << QStringLiteral("job");
            return job->object();
        }
        qCWarning(lcRetrain).noquote() << "checkpoint" << resumeId << "has an unreadable job.json; starting a new job";
        discard(m_request.modelsRoot, resumeId);
    }
    HistoryReader reader(m_request.storePath);
    if (const auto opened = reader.open(); !opened)
        return opened.error();
    const auto newest = HistoryDataset::newestReadingMs(reader);
    if (!newest)
        return newest.error();
    if (*newest <= 0)
        return makeError(QStringLiteral("the history store %1 holds no readings to train on").arg(m_request.storePath));
    auto all = reader.stations();
    if (!all)
        return all.error();
    QStringList stations;
    QStringList wanted = m_request.options.stations;
    int longest = m_request.options.trainDays;
    for (const RetrainOptions::Group &g : m_request.options.groups) {
        wanted += g.stations;
        longest = std::max(longest, g.trainDays);
    }
    for (const QString &s : std::as_const(*all)) {
        if (wanted.isEmpty() || wanted.contains(s))
            stations << s;
    }
    if (stations.isEmpty())
        return makeError(QStringLiteral("none of the stations %1 are in the history store")
                             .arg(wanted.join(u',')));
    constexpr qint64 kHour = timeutil::kMsPerHour;
    const qint64 heldTo = *newest - *newest % kHour + kHour;
    const qint64 heldFrom = heldTo - m_request.options.heldBackDays * timeutil::kMsPerDay;
    const qint64 trainFrom = heldFrom - longest * timeutil::kMsPerDay;
    const QString id = resumeId.isEmpty() ? this->id()
                                          : QStringLiteral("retrain-")
                                                + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd'T'HHmmsszzz"));
    QJsonObject job{{QStringLiteral("id"), id},
                    {QStringLiteral("version"), id},
                    {QStringLiteral("created_at"), timeutil::toIsoUtc(QDateTime::currentMSecsSinceEpoch())},
                    {QStringLiteral("reason"), m_request.reason},
                    {QStringLiteral("stations"), QJsonArray::fromStringList(stations)},
                    {QStringLiteral("train_from"), timeutil::toIsoUtc(trainFrom)},
                    {QStringLiteral("train_to"), timeutil::toIsoUtc(heldFrom)},
                    {QStringLiteral("held_back_from"), timeutil::toIsoUtc(heldFrom)},
                    {QStringLiteral("held_back_to"), timeutil::toIsoUtc(heldTo)},
                    {QStringLiteral("active_version"), m_request.activeVersion},
                    {QStringLiteral("margin"), m_request.options.margin},
                    {QStringLiteral("store"), m_request.storePath}};
    if (!m_request.options.groups.isEmpty()) {
        // Frozen with the job, so a resumed job decides for the same groups.
        QJsonArray groups;
        for (const RetrainOptions::Group &g : m_request.options.groups)
            groups.append(QJsonObject{{QStringLiteral("name"), g.name},
                                      {QStringLiteral("stations"), QJsonArray::fromStringList(g.stations)},
                                      {QStringLiteral("train_days"), g.trainDays > 0 ? g.trainDays : m_request.options.trainDays}});
        job[QStringLiteral("groups")] = groups;
    }
    const QString dir = checkpointDir(m_request.modelsRoot, id);
    if (!QDir().mkpath(dir + QStringLiteral("/stations")))
        return makeError(QStringLiteral("cannot create the checkpoint folder %1").arg(dir));
    if (const auto w = writeJson(QDir(dir).filePath(QStringLiteral("job.json")), QJsonDocument(job)); !w)
        return w.error();
    QMutexLocker lock(&m_mutex);
    m_progress.jobId = id;
    return job;
}

Result<QJsonObject> RetrainJob::run()
{
    auto set = setUp();
    if (!set)
        return failed(set.errorMessage());
    m_job = *set;
    const QString dir = checkpointDir(m_request.modelsRoot, m_job.value(QStringLiteral("id")).toString());
    const auto ds = readStations(dir);
    if (!ds)
        return ds.error();
    if (auto e = cancelled())
        return *e;
    if (m_job.contains(QStringLiteral("groups")))
        return runGroups(*ds, dir);
    const auto candidate = wholeCandidate(*ds, dir);
    if (!candidate)
        return candidate.error();
    if (auto e = cancelled())
        return *e;
    const auto active = activeScore(*ds, dir);
    if (!active)
        return active.error();
    if (auto e = cancelled())
        return *e;
    return decide(*candidate, *active, dir);
}

std::optional<Error> RetrainJob::cancelled()
{
    if (!isCancelled())
        return std::nullopt;
    report(QStringLiteral("cancelled"), QStringLiteral("cancelled; the checkpoint stays for a resume unless discarded"));
    return makeError(QStringLiteral("retrain job %1 was cancelled").arg(id()));
}

Error RetrainJob::failed(const QString &message)
{
    report(QStringLiteral("failed"), message);
    return makeError(message);
}

void RetrainJob::markResumed(const QString &step)
{
    QMutexLocker lock(&m_mutex);
    m_progress.resumed << step;
}

Result<ForecastDataset> RetrainJob::readStations(const QString &dir)
{
    const qint64 trainFrom = isoMs(m_job, "train_from");
    const qint64 heldTo = isoMs(m_job, "held_back_to");
    QStringList stations;
    for (const QJsonValue &v : m_job.value(QStringLiteral("stations")).toArray())
        stations << v.toString();
    ForecastDataset ds;
    ds.description = QStringLiteral("history store, %1 stations").arg(stations.size());
    std::unique_ptr<HistoryReader> reader;
    int fromCheckpoint = 0;
    for (int i = 0; i < stations.size(); ++i) {
        if (auto e = cancelled())
            return *e;
        const QString path = QDir(dir).filePath(QStringLiteral("stations/") + fileNameOf(stations[i]));
        if (QFile::exists(path)) {
            auto s = HistoryDataset::load(path);
            if (s) {
                ds.stations.push_back(std::move(*s));
                ++fromCheckpoint;
                continue;
            }
            qCWarning(lcRetrain).noquote() << s.errorMessage() << "; reading the station again";
        }
        if (!reader) {
            reader = std::make_unique<HistoryReader>(m_request.storePath);
            if (const auto opened = reader->open(); !opened)
                return failed(opened.errorMessage());
        }
        auto s = HistoryDataset::readStation(*reader, stations[i], trainFrom, heldTo);
        if (!s)
            return failed(s.errorMessage());
        if (const auto w = HistoryDataset::save(*s, path); !w)
            return failed(w.errorMessage());
        ds.stations.push_back(std::move(*s));
        report(QStringLiteral("reading"), QStringLiteral("checkpoint: station %1 read (%2/%3)").arg(stations[i]).arg(i + 1).arg(stations.size()),
               i + 1, stations.size());
    }
    if (fromCheckpoint > 0) {
        markResumed(QStringLiteral("stations"));
        report(QStringLiteral("reading"),
               QStringLiteral("resumed: %1/%2 stations from the checkpoint").arg(fromCheckpoint).arg(stations.size()),
               stations.size(), stations.size());
    }
    return ds;
}

// Scores a freshly trained candidate on the held-back span and checkpoints it; `who` names it in
// the error ("the candidate", "group north's candidate").
Result<RetrainJob::CandidateScore> RetrainJob::scoreAndSave(ForecastModel &model, const ForecastDataset &ds, const QString &candDir,
                                                            const QString &evalPath, const QString &who)
{
    const qint64 heldFrom = isoMs(m_job, "held_back_from");
    const qint64 heldTo = isoMs(m_job, "held_back_to");
    auto ev = ForecastEvaluator::evaluate(model, ds, heldFrom, heldTo - timeutil::kMsPerHour);
    if (!ev)
        return failed(QStringLiteral("%1 cannot be scored on the held-back span: %2").arg(who, ev.errorMessage()));
    CandidateScore score{ev->toJson(), model.metrics.value(QStringLiteral("train_seconds")).toDouble()};
    model.metrics[QStringLiteral("holdout")] = score.evaluation;
    if (const auto w = writeJson(evalPath, QJsonDocument(score.evaluation)); !w)
        return failed(w.errorMessage());
    // model.json is written last by save(): its presence marks a whole candidate.
    if (const auto saved = model.save(candDir); !saved)
        return failed(saved.errorMessage());
    return score;
}

// The candidate, trained on [train_from, held_back_from) and scored on the held-back span.
Result<RetrainJob::CandidateScore> RetrainJob::wholeCandidate(const ForecastDataset &ds, const QString &dir)
{
    const QString version = m_job.value(QStringLiteral("version")).toString();
    const QString candDir = QDir(dir).filePath(QStringLiteral("candidate"));
    const QString evalPath = QDir(dir).filePath(QStringLiteral("eval_candidate.json"));
    if (const auto resumed = resumeCandidate(candDir, evalPath)) {
        markResumed(QStringLiteral("candidate"));
        report(QStringLiteral("evaluating"), QStringLiteral("resumed: candidate %1 from the checkpoint").arg(version), 2, 4);
        return CandidateScore{resumed->evaluation, resumed->trainSeconds};
    }
    QDir(candDir).removeRecursively();
    const qint64 trainFrom = isoMs(m_job, "train_from");
    const qint64 heldFrom = isoMs(m_job, "held_back_from");
    report(QStringLiteral("training"),
           QStringLiteral("training candidate %1 on %2 … %3 (%4 stations)")
               .arg(version, timeutil::toIsoUtc(trainFrom), timeutil::toIsoUtc(heldFrom))
               .arg(ds.stations.size()),
           1, 4);
    auto model = trainCandidate(ds, trainFrom, heldFrom, version);
    if (!model)
        return failed(QStringLiteral("training failed: %1").arg(model.errorMessage()));
    if (auto e = cancelled())
        return *e;
    report(QStringLiteral("evaluating"), QStringLiteral("scoring candidate %1 on the held-back span").arg(version), 2, 4);
    auto score = scoreAndSave(**model, ds, candDir, evalPath, QStringLiteral("the candidate"));
    if (score)
        report(QStringLiteral("evaluating"), QStringLiteral("checkpoint: candidate trained in %1 s").arg(score->trainSeconds, 0, 'f', 1), 2, 4);
    return score;
}

// The active model on the same span.
Result<RetrainJob::ServingScore> RetrainJob::activeScore(const ForecastDataset &ds, const QString &dir)
{
    const QString activeVersion = m_job.value(QStringLiteral("active_version")).toString();
    const QString path = QDir(dir).filePath(QStringLiteral("eval_active.json"));
    ServingScore score;
    if (const auto e = readJson(path); e && e->isObject()) {
        score.evaluation = e->object().value(QStringLiteral("evaluation")).toObject();
        score.note = e->object().value(QStringLiteral("note")).toString();
        markResumed(QStringLiteral("active_evaluation"));
        return score;
    }
    if (activeVersion.isEmpty())
        return score;
    const qint64 heldFrom = isoMs(m_job, "held_back_from");
    const qint64 heldTo = isoMs(m_job, "held_back_to");
    report(QStringLiteral("evaluating"), QStringLiteral("scoring the active model %1 on the held-back span").arg(activeVersion), 3, 4);
    const auto active = ForecastModel::load(QDir(m_request.modelsRoot).filePath(activeVersion));
    if (!active) {
        score.note = QStringLiteral("the active model could not be loaded: %1").arg(active.errorMessage());
    } else {
        if ((*active)->dataToMs >= heldFrom)
            score.note = QStringLiteral("the active model was trained on part of the held-back span: its score is optimistic");
        auto ev = ForecastEvaluator::evaluate(**active, ds, heldFrom, heldTo - timeutil::kMsPerHour);
        if (ev)
            score.evaluation = ev->toJson();
        else
            score.note = QStringLiteral("the active model cannot be scored here: %1").arg(ev.errorMessage());
    }
    const QJsonObject saved{{QStringLiteral("evaluation"), score.evaluation}, {QStringLiteral("note"), score.note}};
    if (const auto w = writeJson(path, QJsonDocument(saved)); !w)
        return failed(w.errorMessage());
    return score;
}

// What every decision record carries from the job.
QJsonObject RetrainJob::jobRecord(double trainSeconds) const
{
    QJsonObject record;
    for (const char *k : {"id", "version", "stations", "train_from", "train_to", "held_back_from", "held_back_to", "active_version",
                          "margin"})
        record[QLatin1String(k)] = m_job.value(QLatin1String(k));
    record[QStringLiteral("job")] = m_job.value(QStringLiteral("id"));
    record[QStringLiteral("started_by")] = m_job.value(QStringLiteral("reason"));
    record[QStringLiteral("decided_at")] = timeutil::toIsoUtc(QDateTime::currentMSecsSinceEpoch());
    record[QStringLiteral("train_seconds")] = trainSeconds;
    record[QStringLiteral("resumed")] = QJsonArray::fromStringList(progress().resumed);
    return record;
}

Result<QJsonObject> RetrainJob::conclude(const QString &dir, const QJsonObject &record, const QString &summary, int done, int total)
{
    if (const auto w = writeJson(QDir(dir).filePath(QStringLiteral("decision.json")), QJsonDocument(record)); !w)
        return failed(w.errorMessage());
    report(QStringLiteral("decided"), summary, done, total);
    return record;
}

Result<QJsonObject> RetrainJob::decide(const CandidateScore &candidate, const ServingScore &active, const QString &dir)
{
    const PromotionPolicy::Decision d = PromotionPolicy::decide(candidate.evaluation, active.evaluation, m_request.options.margin);
    QJsonObject record = d.toJson();
    const QJsonObject job = jobRecord(candidate.trainSeconds);
    for (auto it = job.begin(); it != job.end(); ++it)
        record[it.key()] = it.value();
    if (!active.note.isEmpty())
        record[QStringLiteral("note")] = active.note;
    record[QStringLiteral("temperature_mae_by_horizon")] = temperatureMaeByHorizon(candidate.evaluation, active.evaluation);
    return conclude(dir, record, (d.promote ? QStringLiteral("promote: ") : QStringLiteral("reject: ")) + d.reason, 4, 4);
}

QJsonObject RetrainJob::publish(const QString &modelsRoot, QJsonObject decision, ModelRegistry *registry)
{
    if (decision.contains(QStringLiteral("groups")))
        return publishGroups(modelsRoot, std::move(decision), registry);
    const QString jobId = decision.value(QStringLiteral("job")).toString();
    const QString version = decision.value(QStringLiteral("version")).toString();
    const QString candDir = QDir(checkpointDir(modelsRoot, jobId)).filePath(QStringLiteral("candidate"));
    bool promote = decision.value(QStringLiteral("promoted")).toBool();
    // The files are checked again here: whatever happened to them since the evaluation, a candidate
    // that does not load whole is never put in service.
    if (const auto loaded = ForecastModel::load(candDir); !loaded) {
        if (promote)
            decision[QStringLiteral("reason")] = QStringLiteral("not promoted: the candidate's files do not load (%1)").arg(loaded.errorMessage());
        promote = false;
    }
    auto recordInModel = [&](const QString &modelDir) {
        const QString metaPath = QDir(modelDir).filePath(QLatin1String(ForecastModel::kMetadataFile));
        if (auto meta = readJson(metaPath); meta && meta->isObject()) {
            QJsonObject m = meta->object();
            m[QStringLiteral("retrain_decision")] = decision;
            (void)writeJson(metaPath, QJsonDocument(m)); // model.json's own keys are not checksummed
        }
    };
    decision[QStringLiteral("promoted")] = promote;
    QString target = promote ? QDir(modelsRoot).filePath(version) : QDir(modelsRoot).filePath(QStringLiteral("rejected/") + version);
    QDir().mkpath(QFileInfo(target).absolutePath());
    QDir(target).removeRecursively();
    recordInModel(candDir);
    if (QFileInfo::exists(candDir) && !QDir().rename(candDir, target)) {
        decision[QStringLiteral("promoted")] = false;
        decision[QStringLiteral("reason")] = QStringLiteral("could not move the candidate to %1").arg(target);
        promote = false;
    }
    if (promote && registry) {
        const auto activated = registry->activate(version);
        if (!activated) {
            decision[QStringLiteral("promoted")] = false;
            decision[QStringLiteral("reason")] = QStringLiteral("refused by the registry: %1").arg(activated.errorMessage());
            target = moveToRejected(modelsRoot, target, version);
            recordInModel(target);
        }
    }
    decision[QStringLiteral("model_dir")] = target;
    recordDecision(modelsRoot, jobId, decision);
    qCInfo(lcRetrain).noquote() << "retrain" << jobId << (decision.value(QStringLiteral("promoted")).toBool() ? "promoted" : "rejected")
                                << version << "-" << decision.value(QStringLiteral("reason")).toString();
    return decision;
}

Result<QJsonObject> RetrainJob::runGroups(const ForecastDataset &ds, const QString &dir)
{
    const QJsonArray groups = m_job.value(QStringLiteral("groups")).toArray();
    const int count = static_cast<int>(groups.size());
    // The models serving each group now: its own group model if one was promoted, else the active one.
    QJsonObject served;
    if (const auto g = readJson(QDir(m_request.modelsRoot).filePath(QLatin1String(ModelRegistry::kGroupsDir) + QStringLiteral("/active.json"))))
        served = g->object();
    QJsonArray out;
    QStringList summary;
    bool any = false;
    double trainSeconds = 0;
    for (int i = 0; i < count; ++i) {
        if (auto e = cancelled())
            return *e;
        const auto record = decideGroup(ds, dir, groups[i].toObject(), i, count, served);
        if (!record)
            return record.error();
        const bool promoted = record->value(QStringLiteral("promoted")).toBool();
        any = any || promoted;
        trainSeconds += record->value(QStringLiteral("train_seconds")).toDouble();
        summary << record->value(QStringLiteral("group")).toString() + (promoted ? QStringLiteral(": promote: ") : QStringLiteral(": reject: "))
                       + record->value(QStringLiteral("reason")).toString();
        out.append(*record);
    }
    QJsonObject record = jobRecord(trainSeconds);
    record[QStringLiteral("promoted")] = any;
    record[QStringLiteral("reason")] = summary.join(QStringLiteral("; "));
    record[QStringLiteral("groups")] = out;
    return conclude(dir, record, summary.join(QStringLiteral("; ")), count, count);
}

// One group: its stations' candidate (from its checkpoint, or trained on the group's stations
// only), the model serving the group now, and the decision. A group that cannot have a candidate
// (no stations in the store, too little data) is that group's rejection, not the job's failure.
Result<QJsonObject> RetrainJob::decideGroup(const ForecastDataset &ds, const QString &dir, const QJsonObject &group, int index,
                                            int count, const QJsonObject &served)
{
    const QString name = group.value(QStringLiteral("name")).toString();
    const int days = group.value(QStringLiteral("train_days")).toInt();
    QStringList stations;
    for (const QJsonValue &v : group.value(QStringLiteral("stations")).toArray())
        stations << v.toString();
    const QString gVersion = m_job.value(QStringLiteral("version")).toString() + u'-' + name;
    const qint64 heldFrom = isoMs(m_job, "held_back_from");
    const qint64 trainFrom = heldFrom - days * timeutil::kMsPerDay;
    ForecastDataset dsg;
    dsg.description = QStringLiteral("history store, group %1 (%2)").arg(name, stations.join(u','));
    for (const StationSeries &s : ds.stations) {
        if (stations.contains(s.stationId))
            dsg.stations.push_back(s);
    }
    QJsonObject record{{QStringLiteral("group"), name},
                       {QStringLiteral("stations"), QJsonArray::fromStringList(stations)},
                       {QStringLiteral("version"), gVersion},
                       {QStringLiteral("train_from"), timeutil::toIsoUtc(trainFrom)},
                       {QStringLiteral("train_days"), days}};
    const auto rejected = [&record](const QString &reason) {
        record[QStringLiteral("promoted")] = false;
        record[QStringLiteral("reason")] = reason;
        return record;
    };
    if (dsg.stations.empty())
        return rejected(QStringLiteral("none of its stations are in the history store"));
    const QString candDir = QDir(dir).filePath(QStringLiteral("candidates/") + name);
    const QString evalPath = QDir(dir).filePath(QStringLiteral("eval_candidate_%1.json").arg(name));
    CandidateScore candidate;
    if (const auto resumed = resumeCandidate(candDir, evalPath)) {
        candidate = {resumed->evaluation, resumed->trainSeconds};
        markResumed(QStringLiteral("candidate:") + name);
    } else {
        QDir(candDir).removeRecursively();
        report(QStringLiteral("training"),
               QStringLiteral("training candidate %1 for group %2 on %3 … %4 (%5 stations)")
                   .arg(gVersion, name, timeutil::toIsoUtc(trainFrom), timeutil::toIsoUtc(heldFrom))
                   .arg(dsg.stations.size()),
               index, count);
        auto model = trainCandidate(dsg, trainFrom, heldFrom, gVersion);
        if (!model)
            return rejected(QStringLiteral("no candidate: training failed: %1").arg(model.errorMessage()));
        (*model)->metrics[QStringLiteral("group")] = name;
        const auto scored = scoreAndSave(**model, dsg, candDir, evalPath, QStringLiteral("group %1's candidate").arg(name));
        if (!scored)
            return scored.error();
        candidate = *scored;
        report(QStringLiteral("evaluating"),
               QStringLiteral("checkpoint: group %1's candidate trained in %2 s").arg(name).arg(candidate.trainSeconds, 0, 'f', 1),
               index + 1, count);
    }
    const auto serving = servingScore(ds, dsg, dir, name, stations, served);
    if (!serving)
        return serving.error();
    const QJsonObject decision = PromotionPolicy::decide(candidate.evaluation, serving->evaluation, m_request.options.margin).toJson();
    for (auto it = decision.begin(); it != decision.end(); ++it)
        record[it.key()] = it.value();
    record[QStringLiteral("active_version")] = serving->version;
    record[QStringLiteral("train_seconds")] = candidate.trainSeconds;
    if (!serving->note.isEmpty())
        record[QStringLiteral("note")] = serving->note;
    return record;
}

// The model serving a group now (its own group model if one was promoted, else the active model),
// on the group's stations over the held-back span.
Result<RetrainJob::ServingScore> RetrainJob::servingScore(const ForecastDataset &ds, const ForecastDataset &groupDs, const QString &dir,
                                                          const QString &group, const QStringList &stations, const QJsonObject &served)
{
    const QString path = QDir(dir).filePath(QStringLiteral("eval_active_%1.json").arg(group));
    ServingScore score;
    if (const auto e = readJson(path); e && e->isObject()) {
        score.evaluation = e->object().value(QStringLiteral("evaluation")).toObject();
        score.note = e->object().value(QStringLiteral("note")).toString();
        score.version = e->object().value(QStringLiteral("serving")).toString();
        return score;
    }
    const QString activeVersion = m_job.value(QStringLiteral("active_version")).toString();
    const QJsonObject own = served.value(group).toObject();
    Result<std::shared_ptr<const ForecastModel>> serving = makeError(QString());
    bool isGroupModel = false;
    if (!own.isEmpty()) {
        serving = ForecastModel::load(QDir(m_request.modelsRoot).filePath(QLatin1String(ModelRegistry::kGroupsDir) + u'/'
                                                                        + own.value(QStringLiteral("dir")).toString()));
        isGroupModel = serving.ok();
    }
    if (!isGroupModel && !activeVersion.isEmpty())
        serving = ForecastModel::load(QDir(m_request.modelsRoot).filePath(activeVersion));
    const qint64 heldFrom = isoMs(m_job, "held_back_from");
    const qint64 heldTo = isoMs(m_job, "held_back_to") - timeutil::kMsPerHour;
    if (serving) {
        score.version = (*serving)->version;
        if ((*serving)->dataToMs >= heldFrom)
            score.note = QStringLiteral("the serving model was trained on part of the held-back span: its score is optimistic");
        // A group model is scored on its own stations; the all-station model with every station as
        // context (as it serves them), counting the group's only.
        auto ev = isGroupModel ? ForecastEvaluator::evaluate(**serving, groupDs, heldFrom, heldTo)
                               : ForecastEvaluator::evaluate(**serving, ds, heldFrom, heldTo, stations);
        if (ev)
            score.evaluation = ev->toJson();
        else
            score.note = QStringLiteral("the serving model cannot be scored here: %1").arg(ev.errorMessage());
    } else if (!activeVersion.isEmpty() || isGroupModel) {
        score.note = QStringLiteral("the serving model could not be loaded: %1").arg(serving.errorMessage());
    }
    const QJsonObject saved{{QStringLiteral("evaluation"), score.evaluation},
                            {QStringLiteral("note"), score.note},
                            {QStringLiteral("serving"), score.version}};
    if (const auto w = writeJson(path, QJsonDocument(saved)); !w)
        return failed(w.errorMessage());
    return score;
}

QJsonObject RetrainJob::publishGroups(const QString &modelsRoot, QJsonObject decision, ModelRegistry *registry)
{
    const QString jobId = decision.value(QStringLiteral("job")).toString();
    std::unique_ptr<ModelRegistry> own;
    if (!registry) {
        own = std::make_unique<ModelRegistry>(modelsRoot);
        registry = own.get();
    }
    QJsonArray groups = decision.value(QStringLiteral("groups")).toArray();
    bool any = false;
    QStringList summary;
    for (qsizetype i = 0; i < groups.size(); ++i) {
        QJsonObject g = groups[i].toObject();
        const QString name = g.value(QStringLiteral("group")).toString();
        const QString gVersion = g.value(QStringLiteral("version")).toString();
        const QString candDir = QDir(checkpointDir(modelsRoot, jobId)).filePath(QStringLiteral("candidates/") + name);
        bool promote = g.value(QStringLiteral("promoted")).toBool();
        if (!QFileInfo::exists(candDir)) {
            summary << name + QStringLiteral(": reject: ") + g.value(QStringLiteral("reason")).toString();
            continue; // no candidate (no stations in the store)
        }
        // Checked again, as for a whole model: a group candidate that does not load is never served.
        if (const auto loaded = ForecastModel::load(candDir); !loaded) {
            if (promote)
                g[QStringLiteral("reason")] = QStringLiteral("not promoted: the candidate's files do not load (%1)").arg(loaded.errorMessage());
            promote = false;
        }
        QString target = QDir(modelsRoot).filePath(promote ? QString(QLatin1String(ModelRegistry::kGroupsDir) + u'/' + gVersion)
                                                           : QString(QStringLiteral("rejected/") + gVersion));
        auto recordIn = [&](const QString &modelDir) {
            const QString metaPath = QDir(modelDir).filePath(QLatin1String(ForecastModel::kMetadataFile));
            if (auto meta = readJson(metaPath); meta && meta->isObject()) {
                QJsonObject m = meta->object();
                QJsonObject d = g;
                d[QStringLiteral("job")] = jobId;
                m[QStringLiteral("retrain_decision")] = d;
                (void)writeJson(metaPath, QJsonDocument(m));
            }
        };
        g[QStringLiteral("promoted")] = promote;
        QDir().mkpath(QFileInfo(target).absolutePath());
        QDir(target).removeRecursively();
        recordIn(candDir);
        if (!QDir().rename(candDir, target)) {
            g[QStringLiteral("promoted")] = promote = false;
            g[QStringLiteral("reason")] = QStringLiteral("could not move the candidate to %1").arg(target);
        }
        if (promote) {
            QStringList stations;
            for (const QJsonValue &v : g.value(QStringLiteral("stations")).toArray())
                stations << v.toString();
            if (const auto set = registry->setGroupModel(name, stations, gVersion); !set) {
                g[QStringLiteral("promoted")] = promote = false;
                g[QStringLiteral("reason")] = QStringLiteral("refused by the registry: %1").arg(set.errorMessage());
                target = moveToRejected(modelsRoot, target, gVersion);
                recordIn(target);
            }
        }
        g[QStringLiteral("model_dir")] = target;
        any = any || promote;
        summary << name + (promote ? QStringLiteral(": promote: ") : QStringLiteral(": reject: ")) + g.value(QStringLiteral("reason")).toString();
        groups[i] = g;
    }
    decision[QStringLiteral("groups")] = groups;
    decision[QStringLiteral("promoted")] = any;
    decision[QStringLiteral("reason")] = summary.join(QStringLiteral("; "));
    recordDecision(modelsRoot, jobId, decision);
    qCInfo(lcRetrain).noquote() << "retrain" << jobId << "by group -" << decision.value(QStringLiteral("reason")).toString();
    return decision;
}

// Appends to the decision log (the newest kKeptDecisions) and drops the job's checkpoints: a decided
// job must not resume.
void RetrainJob::recordDecision(const QString &modelsRoot, const QString &jobId, const QJsonObject &decision)
{
    QJsonArray all = decisions(modelsRoot);
    all.append(decision);
    while (all.size() > kKeptDecisions)
        all.removeFirst();
    if (const auto w = writeJson(QDir(modelsRoot).filePath(QLatin1String(kDecisionsFile)), QJsonDocument(all)); !w)
        qCWarning(lcRetrain).noquote() << w.errorMessage();
    discard(modelsRoot, jobId);
}

QJsonArray RetrainJob::decisions(const QString &modelsRoot)
{
    const auto d = readJson(QDir(modelsRoot).filePath(QLatin1String(kDecisionsFile)));
    return d && d->isArray() ? d->array() : QJsonArray();
}

} // namespace stratus
