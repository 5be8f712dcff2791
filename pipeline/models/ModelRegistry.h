#pragma once

#include "forecast/ForecastModel.h"
#include "LiveAccuracy.h"

#include <QFileSystemWatcher>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QTimer>

#include <memory>

namespace stratus {

// Model versions kept as subdirectories of one root (ROOT/<version>/model.json + weights.json).
// Serves the active model, and optionally a candidate that an A/B split routes a share of stations
// to (by a stable hash of the station id, so a station always sees the same variant). A version
// that is corrupt, of another format, or trained for none of the served stations is refused with a
// reason and the running model stays in service. New versions dropped into the root are picked
// up by a file watcher and activated (hot reload, no restart); activate() does it on request (API).
// Model pointers are shared_ptr<const>, so a forecast in flight keeps the model it started with.
class ModelRegistry : public QObject
{
    Q_OBJECT
public:
    struct VersionInfo
    {
        QString version;
        QString dir;
        bool loadable = false;
        QString error;          // why it was refused, when it was
        QJsonObject metadata;   // model.json as written (offline metrics included)
    };

    explicit ModelRegistry(QString rootDir, QObject *parent = nullptr);

    QString rootDir() const { return m_root; }
    // Stations this engine serves; a model that knows none of them is refused. Empty: no check.
    void setServedStations(const QStringList &ids);

    // Re-reads the root; returns every version found, loadable or not.
    QList<VersionInfo> versions() const;
    // Loads and activates a version; on any failure the current model stays and the error says why.
    Result<QString> activate(const QString &version);
    // Activates the newest loadable version (by trained-at); an error if there is none.
    Result<QString> activateNewest();
    // A/B: routes `share` (0..1) of stations to `version`, the rest to the active model.
    Result<QString> setCandidate(const QString &version, double share);
    void clearCandidate();
    // Watches the root for new versions and activates each good one as it arrives.
    void watch(bool enabled = true);

    std::shared_ptr<const ForecastModel> active() const;
    std::shared_ptr<const ForecastModel> candidate() const;
    double candidateShare() const;
    // The model that serves a station: the A/B candidate for its share, else its group's model (a
    // retrain of a station group promoted for those stations only), else the active model (null if
    // none is loaded).
    std::shared_ptr<const ForecastModel> modelFor(const QString &stationId) const;
    // Group models live in ROOT/groups/<dir> (outside the version scan, so they never become the
    // active model) and are listed in ROOT/groups/active.json, read again at construction. Loads
    // the model (checksums and all) and routes `stations` to it; on failure nothing changes.
    Result<QString> setGroupModel(const QString &group, const QStringList &stations, const QString &dir);
    // The model serving a group now, if one was promoted for it (null otherwise).
    std::shared_ptr<const ForecastModel> groupModel(const QString &group) const;
    static constexpr const char *kGroupsDir = "groups";
    // Stable across runs and platforms (FNV-1a of the UTF-8 id), mapped to [0, 1).
    static double stationBucket(const QString &stationId);

    LiveAccuracy &liveAccuracy() { return m_live; }
    const LiveAccuracy &liveAccuracy() const { return m_live; }
    // For GET /models: versions with offline metrics, which is active/candidate, the split, and each
    // variant's live error.
    QJsonObject toJson() const;

signals:
    void activeChanged(const QString &version);
    void candidateChanged(const QString &version, double share);
    void refused(const QString &version, const QString &reason);

private:
    Result<std::shared_ptr<const ForecastModel>> loadChecked(const QString &version) const;
    void rescan();

    QString m_root;
    mutable QMutex m_mutex;
    QStringList m_served;
    std::shared_ptr<const ForecastModel> m_active;
    std::shared_ptr<const ForecastModel> m_candidate;
    double m_share = 0;
    QFileSystemWatcher *m_watcher = nullptr;
    QTimer m_debounce;
    struct GroupModel
    {
        QStringList stations;
        QString dir;
        std::shared_ptr<const ForecastModel> model;
    };
    void loadGroups();
    QHash<QString, GroupModel> m_groups;                               // group → model
    QHash<QString, std::shared_ptr<const ForecastModel>> m_byStation; // station → its group's model
    QHash<QString, QString> m_seen; // version → "ok" or the refusal, so each drop is handled once
    LiveAccuracy m_live;
};

} // namespace stratus
