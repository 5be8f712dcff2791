#include "StoreWriter.h"

#include "StoreSchema.h"
#include "TimeUtil.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QThread>

#include <algorithm>
#include <cmath>

namespace stratus {

Q_LOGGING_CATEGORY(lcStore, "stratus.store")

StoreWriter::StoreWriter(StoreOptions options, std::shared_ptr<StoreCounters> counters)
    : m_options(std::move(options)), m_counters(std::move(counters)), m_flushTimer(this), m_retentionTimer(this)
{
    // The timers are children so that moveToThread() takes them along to the writer thread.
    m_connection = QStringLiteral("stratus-writer-%1").arg(reinterpret_cast<quintptr>(this));
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &StoreWriter::flush);
    connect(&m_retentionTimer, &QTimer::timeout, this, &StoreWriter::applyRetention);
}

StoreWriter::~StoreWriter()
{
    close();
}

Result<bool> StoreWriter::open()
{
    auto db = storeschema::open(m_connection, m_options.path, false);
    if (!db)
        return db.error();
    m_db = *db;
    const auto created = storeschema::create(m_db);
    if (!created)
        return created;
    if (!prepare())
        return makeError(QStringLiteral("history store: cannot prepare its statements (see the log)"));
    QSqlQuery mark(m_db);
    if (mark.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'acked_reading_ms'")) && mark.next())
        m_counters->ackedReadingMs = mark.value(0).toLongLong();
    applyRetention();
    m_retentionTimer.start(10 * 60'000);
    return true;
}

bool StoreWriter::prepare()
{
    // The inserts bind through SQLite's C API on the driver's own connection (SqliteStatement).
    sqlite3 *handle = nullptr;
    if (const QVariant v = m_db.driver()->handle(); v.isValid() && qstrcmp(v.typeName(), "sqlite3*") == 0)
        handle = *static_cast<sqlite3 *const *>(v.constData());
    bool ok = handle != nullptr;
    if (!ok)
        qCWarning(lcStore) << "history store: the SQL driver gave no SQLite handle";
    auto make = [&](const QString &sql) {
        auto q = SqliteStatement::prepare(handle, sql);
        if (!q) {
            qCWarning(lcStore).noquote() << q.errorMessage();
            ok = false;
            return SqliteStatement();
        }
        return std::move(q).value();
    };
    QString cols, marks;
    for (Variable v : kAllVariables) {
        cols += QStringLiteral(", ") + storeschema::column(v);
        marks += QStringLiteral(", ?");
    }
    m_insReading = make(QStringLiteral("INSERT OR REPLACE INTO readings (station, ts") + cols
                        + QStringLiteral(") VALUES (?, ?") + marks + QStringLiteral(")"));
    m_insFeature = make(QStringLiteral(
        "INSERT OR REPLACE INTO features (station, variable, start_ms, end_ms, count, mean, std, min, max, first, last, "
        "resultant_length, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    m_insPrediction = make(QStringLiteral(
        "INSERT OR REPLACE INTO predictions (station, variable, issued_ms, model, version, horizon_h, target_ms, value, "
        "lower, upper) VALUES (?, ?, ?, ?, COALESCE(?, ''), ?, ?, ?, ?, ?)"));
    m_insAnomaly = make(QStringLiteral(
        "INSERT OR IGNORE INTO anomalies (station, ts, variable, kind, severity, score, value, reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    m_setMeta = make(QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"));
    return ok;
}

void StoreWriter::close()
{
    if (!m_db.isValid())
        return;
    flush();
    m_insReading = SqliteStatement();
    m_insFeature = SqliteStatement();
    m_insPrediction = SqliteStatement();
    m_insAnomaly = SqliteStatement();
    m_setMeta = SqliteStatement();
    // Fold the WAL back into the main file so a clean shutdown leaves one self-contained file.
    storeschema::exec(m_db, QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connection);
}

void StoreWriter::addReadings(const QList<Reading> &readings)
{
    m_readings.append(readings);
    m_counters->pendingRows += readings.size();
    scheduleFlush();
}

void StoreWriter::addFeatures(const QList<WindowStats> &windows)
{
    m_features.append(windows);
    m_counters->pendingRows += windows.size();
    scheduleFlush();
}

void StoreWriter::addForecasts(const QList<Forecast> &forecasts)
{
    qsizetype rows = 0;
    for (const Forecast &f : forecasts) {
        if (m_options.predictionEveryMs > 0) {
            const QString key = f.stationId + QLatin1Char('|') + variableKey(f.variable) + QLatin1Char('|') + f.model;
            auto it = m_lastForecastKept.find(key);
            if (it != m_lastForecastKept.end() && f.issuedAtMs >= *it && f.issuedAtMs - *it < m_options.predictionEveryMs)
                continue;
            m_lastForecastKept.insert(key, f.issuedAtMs);
        }
        m_forecasts.append(f);
        rows += f.points.size();
    }
    if (rows == 0)
        return;
    m_forecastRows += rows;
    m_counters->pendingRows += rows;
    scheduleFlush();
}

void StoreWriter::addAnomalies(const QList<Anomaly> &anomalies)
{
    m_anomalies.append(anomalies);
    m_counters->pendingRows += anomalies.size();
    scheduleFlush();
}

void StoreWriter::scheduleFlush()
{
    if (m_retryMs > 0)
        return; // the disk refused the last batch: the back-off timer retries, not every new row
    if (buffered() >= m_options.batchRows)
        flush();
    else if (!m_flushTimer.isActive())
        m_flushTimer.start(m_options.batchIntervalMs);
}

void StoreWriter::flush()
{
    m_flushTimer.stop();
    if (!m_db.isValid() || buffered() == 0)
        return;
    // A backlog (a burst, or the rows kept through a disk outage) goes in bounded transactions: the
    // WAL is checkpointed between them instead of growing by the whole backlog, which on a disk that
    // just ran full may not fit at all.
    while (buffered() > 0 && commitChunk()) {
    }
}

bool StoreWriter::commitChunk()
{
    // Take a prefix of each buffer: readings first, so the acknowledged mark advances in order.
    qsizetype budget = kMaxTransactionRows;
    const qsizetype nReadings = std::min(m_readings.size(), budget);
    budget -= nReadings;
    const qsizetype nFeatures = std::min(m_features.size(), budget);
    budget -= nFeatures;
    qsizetype nForecasts = 0, forecastRows = 0;
    while (nForecasts < m_forecasts.size() && budget > 0) {
        const qsizetype points = m_forecasts[nForecasts++].points.size();
        forecastRows += points;
        budget -= points;
    }
    const qsizetype nAnomalies = std::min(m_anomalies.size(), std::max<qsizetype>(budget, 0));
    const qsizetype rows = nReadings + nFeatures + forecastRows + nAnomalies;

    bool ok = m_db.transaction();
    qint64 newestReading = m_counters->ackedReadingMs.load();
    QString failure;
    int failureCode = 0;
    auto run = [&](SqliteStatement &q) {
        if (ok && !q.exec()) {
            ok = false;
            failure = q.error();
            failureCode = q.code();
        }
    };
    for (qsizetype i = 0; i < nReadings && ok; ++i) {
        const Reading &r = m_readings[i];
        if (r.stationId.isEmpty())
            continue; // the engine's validator refuses these; a direct publisher may not
        SqliteStatement &q = m_insReading;
        q.bind(0, r.stationId);
        q.bind(1, r.timestampMs);
        for (int v = 0; v < kVariableCount; ++v)
            q.bind(2 + v, double(r.values[v]));
        run(q);
        newestReading = std::max(newestReading, r.timestampMs);
    }
    for (qsizetype i = 0; i < nFeatures && ok; ++i) {
        const WindowStats &w = m_features[i];
        SqliteStatement &q = m_insFeature;
        q.bind(0, w.stationId);
        q.bind(1, variableKey(w.variable));
        q.bind(2, w.startMs);
        q.bind(3, w.endMs);
        q.bind(4, w.count);
        q.bind(5, double(w.mean));
        q.bind(6, double(w.stddev));
        q.bind(7, double(w.min));
        q.bind(8, double(w.max));
        q.bind(9, double(w.first));
        q.bind(10, double(w.last));
        q.bind(11, double(w.resultantLength));
        q.bind(12, w.revision);
        run(q);
    }
    for (qsizetype i = 0; i < nForecasts && ok; ++i) {
        const Forecast &f = m_forecasts[i];
        for (const ForecastPoint &p : f.points) {
            SqliteStatement &q = m_insPrediction;
            q.bind(0, f.stationId);
            q.bind(1, variableKey(f.variable));
            q.bind(2, f.issuedAtMs);
            q.bind(3, f.model);
            q.bind(4, f.modelVersion);
            q.bind(5, p.horizonH);
            q.bind(6, p.targetMs);
            q.bind(7, double(p.value));
            q.bind(8, double(p.lower));
            q.bind(9, double(p.upper));
            run(q);
        }
    }
    for (qsizetype i = 0; i < nAnomalies && ok; ++i) {
        const Anomaly &a = m_anomalies[i];
        SqliteStatement &q = m_insAnomaly;
        q.bind(0, a.stationId);
        q.bind(1, a.timestampMs);
        q.bind(2, variableKey(a.variable));
        q.bind(3, anomalyKindKey(a.kind));
        q.bind(4, severityKey(a.severity));
        q.bind(5, double(a.score));
        q.bind(6, double(a.value));
        q.bind(7, a.reason);
        run(q);
    }
    // The acknowledged high-water mark commits in the same transaction as the rows it covers.
    m_setMeta.bind(0, QStringLiteral("acked_reading_ms"));
    m_setMeta.bind(1, QString::number(newestReading));
    run(m_setMeta);
    if (ok)
        ok = m_db.commit();
    auto dropPrefix = [&] {
        m_readings.remove(0, nReadings);
        m_features.remove(0, nFeatures);
        m_forecasts.remove(0, nForecasts);
        m_forecastRows -= forecastRows;
        m_anomalies.remove(0, nAnomalies);
    };
    if (!ok) {
        if (failure.isEmpty()) {
            failure = m_db.lastError().text();
            failureCode = m_db.lastError().nativeErrorCode().toInt();
        }
        m_db.rollback();
        ++m_counters->failedBatches;
        // A full, failing or locked disk heals: keep every row (the engine pauses the sources once
        // the backlog passes its high-water mark) and retry with a growing pause until it does.
        if (SqliteStatement::isTransient(failureCode)) {
            m_retryMs = std::clamp(m_retryMs * 2, 500, 5000);
            if (!m_counters->diskFull.exchange(true))
                qCWarning(lcStore).noquote() << "history store: cannot write (" << failure << "); keeping" << buffered()
                                             << "rows and retrying until the disk accepts them";
            m_flushTimer.start(m_retryMs);
            return false;
        }
        qCWarning(lcStore).noquote() << "history store: batch of" << rows << "rows not committed:" << failure;
        // A batch that keeps failing for its own rows is dropped after a few attempts (counted in
        // /metrics) so one bad row cannot wedge the store.
        if (++m_failedAttempts < 3) {
            m_flushTimer.start(1000);
            return false;
        }
        m_counters->droppedRows += rows;
        m_counters->pendingRows -= rows;
        m_failedAttempts = 0;
        dropPrefix();
        return true;
    }
    m_failedAttempts = 0;
    m_retryMs = 0;
    if (m_counters->diskFull.exchange(false))
        qCInfo(lcStore).noquote() << "history store: writing again";
    m_counters->readingsAcked += nReadings;
    m_counters->featuresAcked += nFeatures;
    m_counters->predictionsAcked += forecastRows;
    m_counters->anomaliesAcked += nAnomalies;
    m_counters->pendingRows -= rows;
    m_counters->ackedReadingMs = newestReading;
    m_counters->lastCommitMs = QDateTime::currentMSecsSinceEpoch();
    ++m_counters->batches;
    dropPrefix();
    return true;
}

void StoreWriter::applyRetention()
{
    if (!m_db.isValid() || m_options.retentionDays <= 0)
        return;
    // Age is measured from the newest reading, not the wall clock, so a replay of old recorded data
    // keeps its history while a live feed ages out exactly as configured.
    QSqlQuery newest(m_db);
    if (!newest.exec(QStringLiteral("SELECT max(ts) FROM readings")) || !newest.next() || newest.value(0).isNull())
        return;
    const qint64 cutoff = newest.value(0).toLongLong() - qint64(m_options.retentionDays) * timeutil::kMsPerDay;
    qint64 deleted = 0;
    m_db.transaction();
    for (const auto &[table, column] : {std::pair{"readings", "ts"}, std::pair{"features", "end_ms"},
                                        std::pair{"predictions", "issued_ms"}, std::pair{"anomalies", "ts"}}) {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("DELETE FROM %1 WHERE %2 < ?").arg(QLatin1String(table), QLatin1String(column)));
        q.addBindValue(cutoff);
        if (q.exec())
            deleted += q.numRowsAffected();
    }
    m_db.commit();
    m_counters->retentionDeleted += deleted;
}

Result<bool> StoreWriter::registerModel(const QString &version, const QString &model, qint64 trainedAtMs,
                                        const QString &metadataJson)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO model_versions (version, model, trained_at_ms, metadata, active, "
                             "registered_ms) VALUES (?, ?, ?, ?, COALESCE((SELECT active FROM model_versions WHERE "
                             "version = ?), 0), ?)"));
    q.addBindValue(version);
    q.addBindValue(model);
    q.addBindValue(trainedAtMs);
    q.addBindValue(metadataJson);
    q.addBindValue(version);
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!q.exec())
        return makeError(QStringLiteral("cannot register model %1: %2").arg(version, q.lastError().text()));
    return true;
}

Result<bool> StoreWriter::activateModel(const QString &version)
{
    m_db.transaction();
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("UPDATE model_versions SET active = (version = ?)"));
    q.addBindValue(version);
    if (!q.exec() || !m_db.commit()) {
        m_db.rollback();
        return makeError(QStringLiteral("cannot activate model %1: %2").arg(version, q.lastError().text()));
    }
    return true;
}

} // namespace stratus
