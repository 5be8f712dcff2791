#include "ExportController.h"

#include <QDir>
#include <QTemporaryFile>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace stratus {

std::variant<ApiReply, CsvExporter::Request> ExportController::prepare(ApiRequest &req)
{
    CsvExporter::Request r;
    if (!req.has(QStringLiteral("station")))
        req.fail(QStringLiteral("parameter \"station\" is required: a station id or all"));
    const QString station = req.string(QStringLiteral("station"));
    r.fromMs = req.time(QStringLiteral("from"), r.fromMs);
    r.toMs = req.time(QStringLiteral("to"), r.toMs);
    const QString kind = req.choice(QStringLiteral("kind"), CsvExporter::kindKeys(), QStringLiteral("readings"));
    if (req.has(QStringLiteral("station")) && station.isEmpty())
        req.fail(QStringLiteral("parameter \"station\" is empty"));
    if (r.fromMs > r.toMs)
        req.fail(QStringLiteral("parameter \"from\" is after \"to\""));
    if (req.failed())
        return req.badRequest();
    r.kind = *CsvExporter::kindFromKey(kind);
    if (station != QLatin1String("all")) {
        if (!m_ctx.state().hasStation(station))
            return ApiReply::error(ApiError::NotFound, QStringLiteral("unknown station \"%1\"").arg(station.left(64)));
        r.station = station;
    }
    if (!m_ctx.store() || !m_ctx.store()->isOpen())
        return ApiReply::error(ApiError::Unavailable, QStringLiteral("no history store in this process"));
    return r;
}

std::variant<ApiReply, QString> ExportController::run(const QString &dbPath, const CsvExporter::Request &request,
                                                      const std::atomic<bool> *cancel)
{
    // An export is background work: on Linux a thread has its own nice value, so this pool thread
    // yields the CPU to ingestion (the store writer and the engine) while it runs, then is reset.
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    const int oldNice = ::getpriority(PRIO_PROCESS, tid);
    ::setpriority(PRIO_PROCESS, tid, 10);
    struct Restore
    {
        id_t tid;
        int nice;
        ~Restore() { ::setpriority(PRIO_PROCESS, tid, nice); }
    } restore{tid, oldNice};

    QTemporaryFile file(QDir::tempPath() + QStringLiteral("/stratus-export-XXXXXX.csv"));
    file.setAutoRemove(false);
    if (!file.open())
        return ApiReply::error(ApiError::Internal, QStringLiteral("cannot create a temporary file for the export"));
    HistoryReader reader(dbPath);
    CsvExporter exporter(reader);
    const auto written = exporter.write(request, &file, cancel);
    file.close();
    if (!written || (cancel && cancel->load())) {
        QFile::remove(file.fileName());
        if (written)
            return ApiReply::error(ApiError::Unavailable, QStringLiteral("the export was cancelled"));
        return ApiReply::error(ApiError::Internal, written.errorMessage());
    }
    return file.fileName();
}

} // namespace stratus
