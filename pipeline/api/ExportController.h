#pragma once

#include "ApiContext.h"
#include "ApiReply.h"
#include "ApiRequest.h"
#include "store/CsvExporter.h"

#include <variant>

namespace stratus {

// /export.csv?station=ID|all&from=&to=&kind=: validates here, on the API thread; the export itself
// runs on a worker thread with its own store connection (ApiServer sends the file when done).
class ExportController
{
public:
    explicit ExportController(ApiContext &ctx) : m_ctx(ctx) {}
    std::variant<ApiReply, CsvExporter::Request> prepare(ApiRequest &req);

    // Runs on any thread: writes the CSV into a temporary file and returns its path, or an error reply.
    // cancel, when set (the client hung up), stops the export early and removes its file.
    static std::variant<ApiReply, QString> run(const QString &dbPath, const CsvExporter::Request &request,
                                               const std::atomic<bool> *cancel = nullptr);

private:
    ApiContext &m_ctx;
};

} // namespace stratus
