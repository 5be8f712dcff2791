#pragma once

#include "Anomaly.h"
#include "Forecast.h"
#include "Reading.h"
#include "Result.h"
#include "SqliteStatement.h"
#include "StoreOptions.h"
#include "WindowStats.h"

#include <QObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QHash>
#include <QTimer>

#include <atomic>
#include <memory>

namespace stratus {

// Counters the writer publishes for /health and /metrics; written by the writer thread only.
struct StoreCounters
{
    std::atomic<qint64> readingsAcked{0};
    std::atomic<qint64> featuresAcked{0};
    std::atomic<qint64> predictionsAcked{0};
    std::atomic<qint64> anomaliesAcked{0};
    std::atomic<qint64> batches{0};
    std::atomic<qint64> pendingRows{0};     // received, not yet committed
    std::atomic<qint64> failedBatches{0};
    std::atomic<qint64> droppedRows{0};     // rows of batches that failed every retry (never for a full disk)
    std::atomic<bool> diskFull{false};      // the last commit failed for want of space (or another disk fault)
    std::atomic<qint64> ackedReadingMs{0};  // high-water mark: newest reading time committed
    std::atomic<qint64> retentionDeleted{0};
    std::atomic<qint64> lastCommitMs{0};    // wall clock of the last commit
};

// Lives on the store's own thread: buffers what the bus publishes and commits it in batches, one
// transaction per batch. Nothing here is called from another thread except through queued calls.
class StoreWriter : public QObject
{
    Q_OBJECT
public:
    StoreWriter(StoreOptions options, std::shared_ptr<StoreCounters> counters);
    ~StoreWriter() override;

    // Called on the writer thread (queued) before anything else.
    Result<bool> open();
    void close();

public slots:
    void addReadings(const QList<stratus::Reading> &readings);
    void addFeatures(const QList<stratus::WindowStats> &windows);
    void addForecasts(const QList<stratus::Forecast> &forecasts);
    void addAnomalies(const QList<stratus::Anomaly> &anomalies);
    // Commits whatever is buffered now.
    void flush();
    void applyRetention();
    Result<bool> registerModel(const QString &version, const QString &model, qint64 trainedAtMs,
                               const QString &metadataJson);
    Result<bool> activateModel(const QString &version);

private:
    // Commits at most kMaxTransactionRows of the buffer (its oldest rows); false when the commit failed
    // (the rows stay buffered and a retry is scheduled).
    bool commitChunk();
    static constexpr qsizetype kMaxTransactionRows = 20000;
    void scheduleFlush();
    bool prepare();
    qsizetype buffered() const
    {
        return m_readings.size() + m_features.size() + m_forecastRows + m_anomalies.size();
    }

    StoreOptions m_options;
    std::shared_ptr<StoreCounters> m_counters;
    QString m_connection;
    QSqlDatabase m_db;
    SqliteStatement m_insReading, m_insFeature, m_insPrediction, m_insAnomaly, m_setMeta;
    QList<Reading> m_readings;
    QList<WindowStats> m_features;
    QList<Forecast> m_forecasts;
    qsizetype m_forecastRows = 0;
    QList<Anomaly> m_anomalies;
    // Issue time of the last forecast kept per station/variable/model (prediction decimation).
    QHash<QString, qint64> m_lastForecastKept;
    int m_failedAttempts = 0;
    int m_retryMs = 0; // back-off while the disk refuses writes
    QTimer m_flushTimer;
    QTimer m_retentionTimer;
};

} // namespace stratus
