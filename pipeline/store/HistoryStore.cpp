#include "HistoryStore.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace stratus {

namespace {
template<class T> qint64 rowsOf(const QList<T> &items)
{
    return items.size();
}
// A forecast is stored as one row per horizon.
qint64 rowsOf(const QList<Forecast> &forecasts)
{
    qint64 n = 0;
    for (const Forecast &f : forecasts)
        n += f.points.size();
    return n;
}
} // namespace

HistoryStore::HistoryStore(StoreOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_counters(std::make_shared<StoreCounters>()),
      m_thread(new QThread)
{
    m_thread->setObjectName(QStringLiteral("stratus-store"));
    m_writer = new StoreWriter(m_options, m_counters);
    m_writer->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_writer, &QObject::deleteLater);
    m_thread->start();
}

HistoryStore::~HistoryStore()
{
    close();
}

QString HistoryStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/history.sqlite");
}

Result<bool> HistoryStore::open()
{
    const QFileInfo info(m_options.path);
    if (m_options.path.isEmpty())
        return makeError(QStringLiteral("history store: no file given"));
    if (!QDir().mkpath(info.absolutePath()))
        return makeError(QStringLiteral("history store: cannot create folder %1").arg(info.absolutePath()));
    Result<bool> result = makeError(QStringLiteral("history store thread did not answer"));
    QMetaObject::invokeMethod(m_writer, [&] { result = m_writer->open(); }, Qt::BlockingQueuedConnection);
    m_open = result.ok();
    m_openError = result.errorMessage();
    m_resumeMarkMs = m_counters->ackedReadingMs.load();
    return result;
}

void HistoryStore::addReadings(const QList<Reading> &readings)
{
    const qint64 n = rowsOf(readings);
    *m_inFlight += n;
    QMetaObject::invokeMethod(
        m_writer, [w = m_writer, readings, n, inFlight = m_inFlight] {
            *inFlight -= n;
            w->addReadings(readings);
        },
        Qt::QueuedConnection);
}

void HistoryStore::addFeatures(const QList<WindowStats> &windows)
{
    const qint64 n = rowsOf(windows);
    *m_inFlight += n;
    QMetaObject::invokeMethod(
        m_writer, [w = m_writer, windows, n, inFlight = m_inFlight] {
            *inFlight -= n;
            w->addFeatures(windows);
        },
        Qt::QueuedConnection);
}

void HistoryStore::addForecasts(const QList<Forecast> &forecasts)
{
    const qint64 n = rowsOf(forecasts);
    *m_inFlight += n;
    QMetaObject::invokeMethod(
        m_writer, [w = m_writer, forecasts, n, inFlight = m_inFlight] {
            *inFlight -= n;
            w->addForecasts(forecasts);
        },
        Qt::QueuedConnection);
}

void HistoryStore::addAnomalies(const QList<Anomaly> &anomalies)
{
    const qint64 n = rowsOf(anomalies);
    *m_inFlight += n;
    QMetaObject::invokeMethod(
        m_writer, [w = m_writer, anomalies, n, inFlight = m_inFlight] {
            *inFlight -= n;
            w->addAnomalies(anomalies);
        },
        Qt::QueuedConnection);
}

void HistoryStore::flush()
{
    if (m_open)
        QMetaObject::invokeMethod(m_writer, &StoreWriter::flush, Qt::BlockingQueuedConnection);
}

void HistoryStore::close()
{
    if (!m_thread)
        return;
    // Queued after every batch already sent, so everything published before close() is committed.
    QMetaObject::invokeMethod(m_writer, &StoreWriter::close, Qt::BlockingQueuedConnection);
    m_open = false;
    m_thread.reset();
}

Result<bool> HistoryStore::registerModel(const QString &version, const QString &model, qint64 trainedAtMs,
                                         const QString &metadataJson)
{
    Result<bool> result = makeError(QStringLiteral("history store is closed"));
    if (m_open)
        QMetaObject::invokeMethod(
            m_writer, [&] { result = m_writer->registerModel(version, model, trainedAtMs, metadataJson); },
            Qt::BlockingQueuedConnection);
    return result;
}

Result<bool> HistoryStore::activateModel(const QString &version)
{
    Result<bool> result = makeError(QStringLiteral("history store is closed"));
    if (m_open)
        QMetaObject::invokeMethod(m_writer, [&] { result = m_writer->activateModel(version); },
                                  Qt::BlockingQueuedConnection);
    return result;
}

QString HistoryStore::problem() const
{
    if (!m_open)
        return m_openError.isEmpty() ? QStringLiteral("closed") : m_openError;
    if (m_counters->droppedRows.load() > 0)
        return QStringLiteral("%1 rows could not be stored").arg(m_counters->droppedRows.load());
    if (m_counters->diskFull.load())
        return QStringLiteral("cannot write to the disk (full?): %1 rows wait in memory and are written when it "
                              "accepts them again; sources pause while the backlog is above its high-water mark")
            .arg(m_counters->pendingRows.load());
    if (m_counters->failedBatches.load() > 0 && m_counters->pendingRows.load() > 0)
        return QStringLiteral("%1 batch commits failed; %2 rows waiting")
            .arg(m_counters->failedBatches.load())
            .arg(m_counters->pendingRows.load());
    return QString();
}

} // namespace stratus
