#include "StoreSchema.h"

#include <QSqlError>
#include <QSqlQuery>

namespace stratus::storeschema {

Result<QSqlDatabase> open(const QString &connectionName, const QString &path, bool readOnly)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
    db.setDatabaseName(path);
    // A reader waits briefly for a checkpoint instead of failing with SQLITE_BUSY.
    QString options = QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000");
    if (readOnly)
        options += QStringLiteral(";QSQLITE_OPEN_READONLY");
    db.setConnectOptions(options);
    if (!db.open()) {
        const QString why = db.lastError().text();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(connectionName);
        return makeError(QStringLiteral("cannot open history store \"%1\": %2").arg(path, why));
    }
    return db;
}

Result<bool> exec(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    if (!q.exec(sql))
        return makeError(QStringLiteral("history store: %1 (in: %2)").arg(q.lastError().text(), sql.left(80)));
    return true;
}

Result<bool> create(QSqlDatabase &db)
{
    QString readingColumns;
    for (Variable v : kAllVariables)
        readingColumns += QStringLiteral(", ") + column(v) + QStringLiteral(" REAL");

    const QStringList statements = {
        // WAL: readers see the last commit while the writer appends; NORMAL sync is durable against
        // a process crash (kill -9) because committed pages are in the WAL file, only a power loss
        // can take the last commits.
        QStringLiteral("PRAGMA journal_mode=WAL"),
        QStringLiteral("PRAGMA synchronous=NORMAL"),
        // A WAL that grew during a long transaction or a disk outage is cut back to 16 MB when it is
        // reset, instead of keeping its largest size on a disk that may be short of space.
        QStringLiteral("PRAGMA journal_size_limit=16777216"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)"),
        // (station, ts) is the identity of a reading: replaying a batch after a crash is an upsert.
        QStringLiteral("CREATE TABLE IF NOT EXISTS readings (station TEXT NOT NULL, ts INTEGER NOT NULL")
            + readingColumns + QStringLiteral(", PRIMARY KEY (station, ts)) WITHOUT ROWID"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS readings_ts ON readings (ts)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS features (station TEXT NOT NULL, variable TEXT NOT NULL, "
                       "start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, count INTEGER, mean REAL, std REAL, "
                       "min REAL, max REAL, first REAL, last REAL, resultant_length REAL, revision INTEGER, "
                       "PRIMARY KEY (station, end_ms, variable)) WITHOUT ROWID"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS features_end ON features (end_ms)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS predictions (station TEXT NOT NULL, variable TEXT NOT NULL, "
                       "issued_ms INTEGER NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL, "
                       "horizon_h INTEGER NOT NULL, target_ms INTEGER, value REAL, lower REAL, upper REAL, "
                       "PRIMARY KEY (station, issued_ms, variable, model, version, horizon_h)) WITHOUT ROWID"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS predictions_issued ON predictions (issued_ms)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS anomalies (id INTEGER PRIMARY KEY, station TEXT NOT NULL, "
                       "ts INTEGER NOT NULL, variable TEXT NOT NULL, kind TEXT NOT NULL, severity TEXT, "
                       "score REAL, value REAL, reason TEXT, UNIQUE (station, ts, variable, kind))"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS anomalies_ts ON anomalies (ts)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS model_versions (version TEXT PRIMARY KEY, model TEXT NOT NULL, "
                       "trained_at_ms INTEGER, metadata TEXT, active INTEGER NOT NULL DEFAULT 0, "
                       "registered_ms INTEGER)"),
        QStringLiteral("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '%1')").arg(kSchemaVersion),
    };
    for (const QString &s : statements) {
        const auto r = exec(db, s);
        if (!r)
            return r;
    }
    return true;
}

} // namespace stratus::storeschema
