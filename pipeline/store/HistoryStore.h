#pragma once

#include "Result.h"
#include "StoreOptions.h"
#include "StoreWriter.h"

#include <QObject>
#include <QThread>

#include <atomic>

#include <memory>

namespace stratus {

// The history store: SQLite in WAL mode on its own thread. The engine feeds it its topics; rows are
// committed in batches, one transaction each, and a batch is "acknowledged" once committed. Reads go
// through HistoryReader, on separate connections, so an export never stalls ingestion.
//
// Crash safety: a kill -9 loses at most the rows received but not yet committed (the current batch).
// The newest committed reading time is kept in meta.acked_reading_ms in the same transaction as the
// rows. For a time-ordered source every reading strictly older than that mark is stored (readings at
// the mark itself may sit in the next batch). On restart Engine skips source readings older than the
// mark (resumeMarkMs()) and replays the rest; readings are keyed by (station, ts), so the re-sent
// tail of the last batch is an upsert, never a duplicate. tst_app_store_crash_recovery proves it.
class HistoryStore : public QObject
{
    Q_OBJECT
public:
    explicit HistoryStore(StoreOptions options, QObject *parent = nullptr);
    ~HistoryStore() override;

    // Opens the file on the writer thread (blocking until it is open or failed).
    Result<bool> open();
    bool isOpen() const { return m_open; }
    // Rows to store, handed to the writer thread (queued; callable from any thread). The engine
    // connects its topics here; the store knows nothing of the bus.
    void addReadings(const QList<Reading> &readings);
    void addFeatures(const QList<WindowStats> &windows);
    void addForecasts(const QList<Forecast> &forecasts);
    void addAnomalies(const QList<Anomaly> &anomalies);
    // Commits what is buffered and waits until it is on disk (used on shutdown and by tests).
    void flush();
    // Flushes, checkpoints and closes; the store is unusable afterwards.
    void close();

    Result<bool> registerModel(const QString &version, const QString &model, qint64 trainedAtMs,
                               const QString &metadataJson);
    Result<bool> activateModel(const QString &version);

    const StoreOptions &options() const { return m_options; }
    QString path() const { return m_options.path; }
    const StoreCounters &counters() const { return *m_counters; }
    // Rows handed to the store and not yet committed (queued for the writer thread, or in its
    // batch): what the engine's back-pressure watches.
    qint64 backlogRows() const { return m_inFlight->load() + m_counters->pendingRows.load(); }
    // Newest reading time committed before this process started (or since): the replay resume point.
    qint64 resumeMarkMs() const { return m_resumeMarkMs; }
    // Human-readable problem for /health; empty when fine.
    QString problem() const;

    // Default file: <AppDataLocation>/history.sqlite.
    static QString defaultPath();

private:
    struct ThreadStopper
    {
        void operator()(QThread *thread) const
        {
            thread->quit();
            thread->wait();
            delete thread;
        }
    };

    StoreOptions m_options;
    std::shared_ptr<StoreCounters> m_counters;
    std::unique_ptr<QThread, ThreadStopper> m_thread;
    StoreWriter *m_writer = nullptr; // lives on m_thread, deleted by its finished() signal
    bool m_open = false;
    QString m_openError;
    qint64 m_resumeMarkMs = 0;
    // Rows queued to the writer thread and not yet received by it (shared with the queued calls).
    std::shared_ptr<std::atomic<qint64>> m_inFlight = std::make_shared<std::atomic<qint64>>(0);
};

} // namespace stratus
