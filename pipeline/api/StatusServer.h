#pragma once

#include "Result.h"
#include "WorkerStatus.h"

#include <QHostAddress>
#include <QHttpServer>
#include <QObject>

#include <functional>
#include <memory>

namespace stratus {

// A small HTTP server for a process that has no REST API (a --worker): GET /metrics (Prometheus
// text) and GET /health (JSON, 503 when down) from a snapshot taken on each request. Serves on the
// thread that owns it, which must run an event loop.
class StatusServer : public QObject
{
    Q_OBJECT
public:
    using Snapshot = std::function<WorkerStatus()>;

    explicit StatusServer(Snapshot snapshot, QObject *parent = nullptr);

    Result<quint16> listen(const QHostAddress &address, quint16 port);

    // The server for --metrics-port: none when port < 0; otherwise listening on bind:port (0 = any
    // free port) and the address printed ("stratus: metrics on http://ADDR:PORT"), or why not.
    static Result<std::shared_ptr<StatusServer>> serve(const QString &bind, int port, Snapshot snapshot);

private:
    Snapshot m_snapshot;
    QHttpServer m_server;
};

} // namespace stratus
