#include "ModelRegistry.h"

#include "TimeUtil.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSaveFile>

namespace stratus {

Q_LOGGING_CATEGORY(lcModels, "stratus.models")

ModelRegistry::ModelRegistry(QString rootDir, QObject *parent) : QObject(parent), m_root(std::move(rootDir))
{
    // Files of a dropped version arrive one by one; wait until the burst settles.
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(250);
    connect(&m_debounce, &QTimer::timeout, this, &ModelRegistry::rescan);
    loadGroups();
}

void ModelRegistry::loadGroups()
{
    QFile f(QDir(m_root).filePath(QLatin1String(kGroupsDir) + QStringLiteral("/active.json")));
    if (!f.open(QIODevice::ReadOnly))
        return;
    const QJsonObject groups = QJsonDocument::fromJson(f.readAll()).object();
    for (auto it = groups.begin(); it != groups.end(); ++it) {
        const QJsonObject g = it.value().toObject();
        QStringList stations;
        for (const QJsonValue &v : g.value(QStringLiteral("stations")).toArray())
            stations << v.toString();
        if (const auto r = setGroupModel(it.key(), stations, g.value(QStringLiteral("dir")).toString()); !r)
            qCWarning(lcModels).noquote() << "group" << it.key() << "keeps the active model:" << r.errorMessage();
    }
}

Result<QString> ModelRegistry::setGroupModel(const QString &group, const QStringList &stations, const QString &dir)
{
    if (dir.isEmpty() || dir.contains(QLatin1Char('/')) || dir.contains(QLatin1String("..")))
        return makeError(QStringLiteral("\"%1\" is not a group model folder name").arg(dir));
    const QString groupsRoot = QDir(m_root).filePath(QLatin1String(kGroupsDir));
    auto model = ForecastModel::load(QDir(groupsRoot).filePath(dir));
    if (!model)
        return makeError(QStringLiteral("group model %1 refused: %2").arg(dir, model.errorMessage()));
    QJsonObject all;
    {
        QMutexLocker lock(&m_mutex);
        if (const auto old = m_groups.constFind(group); old != m_groups.cend()) {
            for (const QString &s : old->stations)
                m_byStation.remove(s);
        }
        m_groups.insert(group, GroupModel{stations, dir, *model});
        for (const QString &s : stations)
            m_byStation.insert(s, *model);
        for (auto it = m_groups.cbegin(); it != m_groups.cend(); ++it)
            all[it.key()] = QJsonObject{{QStringLiteral("stations"), QJsonArray::fromStringList(it->stations)},
                                        {QStringLiteral("dir"), it->dir},
                                        {QStringLiteral("version"), it->model->version}};
    }
    // Written whole or not at all, so a restart serves the same groups.
    QSaveFile out(QDir(groupsRoot).filePath(QStringLiteral("active.json")));
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(all).toJson(QJsonDocument::Indented)) < 0 || !out.commit())
        qCWarning(lcModels).noquote() << "cannot record the group models in" << groupsRoot << out.errorString();
    qCInfo(lcModels).noquote() << "group" << group << "is now served by" << (*model)->version;
    return (*model)->version;
}

std::shared_ptr<const ForecastModel> ModelRegistry::groupModel(const QString &group) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_groups.constFind(group);
    return it == m_groups.cend() ? nullptr : it->model;
}

void ModelRegistry::setServedStations(const QStringList &ids)
{
    QMutexLocker lock(&m_mutex);
    m_served = ids;
}

QList<ModelRegistry::VersionInfo> ModelRegistry::versions() const
{
    QList<VersionInfo> out;
    const QDir root(m_root);
    for (const QString &name : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        VersionInfo v;
        v.version = name;
        v.dir = root.filePath(name);
        QFile meta(QDir(v.dir).filePath(QLatin1String(ForecastModel::kMetadataFile)));
        if (!meta.exists())
            continue;
        if (meta.open(QIODevice::ReadOnly))
            v.metadata = QJsonDocument::fromJson(meta.readAll()).object();
        const auto loaded = loadChecked(name);
        v.loadable = loaded.ok();
        v.error = loaded.errorMessage();
        out.append(v);
    }
    return out;
}

Result<std::shared_ptr<const ForecastModel>> ModelRegistry::loadChecked(const QString &version) const
{
    if (version.isEmpty() || version.contains(QLatin1Char('/')) || version.contains(QLatin1String("..")))
        return makeError(QStringLiteral("\"%1\" is not a model version name").arg(version));
    const QString dir = QDir(m_root).filePath(version);
    if (!QFileInfo(dir).isDir())
        return makeError(QStringLiteral("no model version \"%1\" in %2").arg(version, m_root));
    auto model = ForecastModel::load(dir);
    if (!model)
        return makeError(QStringLiteral("model %1 refused: %2").arg(version, model.errorMessage()));
    if ((*model)->version != version) {
        // The folder names the version everywhere (listing, activation, live accuracy); a model
        // trained as "v1" and installed as "beijing-2013-2015" is that folder's version.
        auto renamed = std::make_shared<ForecastModel>(**model);
        renamed->version = version;
        model = std::shared_ptr<const ForecastModel>(std::move(renamed));
    }
    QStringList served;
    {
        QMutexLocker lock(&m_mutex);
        served = m_served;
    }
    if (!served.isEmpty()) {
        bool any = false;
        for (const QString &s : served)
            any = any || (*model)->knowsStation(s);
        if (!any)
            return makeError(QStringLiteral("model %1 refused: it was trained for stations %2, none of the %3 served "
                                            "here (%4)")
                                 .arg(version, (*model)->stations.join(u','))
                                 .arg(served.size())
                                 .arg(served.mid(0, 8).join(u',')));
    }
    return model;
}

Result<QString> ModelRegistry::activate(const QString &version)
{
    auto model = loadChecked(version);
    if (!model) {
        qCWarning(lcModels).noquote() << model.errorMessage() << "; keeping"
                                      << (active() ? active()->version : QStringLiteral("no model"));
        emit refused(version, model.errorMessage());
        return model.error();
    }
    {
        QMutexLocker lock(&m_mutex);
        m_active = *model;
        m_seen.insert(version, QStringLiteral("ok"));
        if (m_candidate && m_candidate->version == version) {
            m_candidate.reset();
            m_share = 0;
        }
    }
    qCInfo(lcModels).noquote() << "active model is now" << version;
    emit activeChanged(version);
    return version;
}

Result<QString> ModelRegistry::activateNewest()
{
    QList<VersionInfo> vs = versions();
    std::sort(vs.begin(), vs.end(), [](const VersionInfo &a, const VersionInfo &b) {
        return a.metadata.value(QStringLiteral("trained_at")).toString()
               < b.metadata.value(QStringLiteral("trained_at")).toString();
    });
    for (auto it = vs.crbegin(); it != vs.crend(); ++it) {
        if (it->loadable)
            return activate(it->version);
    }
    return makeError(QStringLiteral("no loadable model version in %1").arg(m_root));
}

Result<QString> ModelRegistry::setCandidate(const QString &version, double share)
{
    if (!(share >= 0 && share <= 1))
        return makeError(QStringLiteral("A/B share %1 is not between 0 and 1").arg(share));
    auto model = loadChecked(version);
    if (!model) {
        emit refused(version, model.errorMessage());
        return model.error();
    }
    {
        QMutexLocker lock(&m_mutex);
        m_candidate = *model;
        m_share = share;
    }
    emit candidateChanged(version, share);
    return version;
}

void ModelRegistry::clearCandidate()
{
    {
        QMutexLocker lock(&m_mutex);
        m_candidate.reset();
        m_share = 0;
    }
    emit candidateChanged(QString(), 0);
}

void ModelRegistry::watch(bool enabled)
{
    if (!enabled) {
        delete m_watcher;
        m_watcher = nullptr;
        return;
    }
    if (m_watcher)
        return;
    QDir().mkpath(m_root);
    {
        // What is there already counts as seen: only new drops are auto-activated.
        const auto existing = versions();
        QMutexLocker lock(&m_mutex);
        for (const auto &v : existing)
            m_seen.insert(v.version, v.loadable ? QStringLiteral("ok") : v.error);
    }
    m_watcher = new QFileSystemWatcher(this);
    m_watcher->addPath(m_root);
    for (const QString &d : QDir(m_root).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        m_watcher->addPath(QDir(m_root).filePath(d));
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] { m_debounce.start(); });
}

void ModelRegistry::rescan()
{
    if (!m_watcher)
        return;
    const QDir root(m_root);
    for (const QString &d : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QString path = root.filePath(d);
        if (!m_watcher->directories().contains(path))
            m_watcher->addPath(path); // files may still be arriving inside it
        if (!QFileInfo::exists(QDir(path).filePath(QLatin1String(ForecastModel::kMetadataFile))))
            continue;
        QString seen;
        {
            QMutexLocker lock(&m_mutex);
            seen = m_seen.value(d);
        }
        if (seen == QLatin1String("ok"))
            continue;
        // New, or refused before (maybe caught half-copied): try again; only a changed verdict is news.
        auto model = loadChecked(d);
        if (model) {
            activate(d);
        } else if (seen != model.errorMessage()) {
            {
                QMutexLocker lock(&m_mutex);
                m_seen.insert(d, model.errorMessage());
            }
            qCWarning(lcModels).noquote() << model.errorMessage() << "; keeping"
                                          << (active() ? active()->version : QStringLiteral("no model"));
            emit refused(d, model.errorMessage());
        }
    }
}

std::shared_ptr<const ForecastModel> ModelRegistry::active() const
{
    QMutexLocker lock(&m_mutex);
    return m_active;
}

std::shared_ptr<const ForecastModel> ModelRegistry::candidate() const
{
    QMutexLocker lock(&m_mutex);
    return m_candidate;
}

double ModelRegistry::candidateShare() const
{
    QMutexLocker lock(&m_mutex);
    return m_candidate ? m_share : 0.0;
}

double ModelRegistry::stationBucket(const QString &stationId)
{
    quint64 h = 1469598103934665603ULL;
    for (char c : stationId.toUtf8()) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return static_cast<double>(h % 10000) / 10000.0;
}

std::shared_ptr<const ForecastModel> ModelRegistry::modelFor(const QString &stationId) const
{
    QMutexLocker lock(&m_mutex);
    if (m_candidate && stationBucket(stationId) < m_share)
        return m_candidate;
    if (const auto g = m_byStation.constFind(stationId); g != m_byStation.cend())
        return *g;
    return m_active;
}

QJsonObject ModelRegistry::toJson() const
{
    const auto act = active();
    const auto cand = candidate();
    QJsonArray list;
    for (const VersionInfo &v : versions()) {
        QJsonObject o;
        o[QStringLiteral("version")] = v.version;
        o[QStringLiteral("loadable")] = v.loadable;
        if (!v.loadable)
            o[QStringLiteral("error")] = v.error;
        o[QStringLiteral("active")] = act && act->version == v.version;
        o[QStringLiteral("candidate")] = cand && cand->version == v.version;
        for (const char *k : {"trained_at", "data_from", "data_to", "resolution", "stations", "variables", "format_version"})
            o[QLatin1String(k)] = v.metadata.value(QLatin1String(k));
        o[QStringLiteral("offline_metrics")] = v.metadata.value(QStringLiteral("metrics"));
        // Live temperature error of this version's forecasts so far (all variables: live_accuracy).
        QJsonObject live;
        for (int h : {1, 3, 6, 12, 24}) {
            const LiveAccuracy::Cell c = m_live.cell(v.version, Variable::Temperature, h);
            live[QString::number(h)] = QJsonObject{{QStringLiteral("n"), c.n},
                                                   {QStringLiteral("mae"), c.n ? QJsonValue(c.mae()) : QJsonValue()}};
        }
        o[QStringLiteral("live_temperature_mae_by_horizon_h")] = live;
        list.append(o);
    }
    QJsonObject ab;
    ab[QStringLiteral("active")] = act ? act->version : QString();
    ab[QStringLiteral("candidate")] = cand ? cand->version : QString();
    ab[QStringLiteral("candidate_share")] = candidateShare();
    QJsonObject groups;
    {
        QMutexLocker lock(&m_mutex);
        for (auto it = m_groups.cbegin(); it != m_groups.cend(); ++it)
            groups[it.key()] = QJsonObject{{QStringLiteral("stations"), QJsonArray::fromStringList(it->stations)},
                                           {QStringLiteral("version"), it->model->version},
                                           {QStringLiteral("offline_metrics"), it->model->metrics.value(QStringLiteral("holdout"))}};
    }
    return QJsonObject{{QStringLiteral("root"), m_root},
                       {QStringLiteral("versions"), list},
                       {QStringLiteral("groups"), groups},
                       {QStringLiteral("ab"), ab},
                       {QStringLiteral("live_accuracy"), m_live.toJson()}};
}

} // namespace stratus
