#pragma once

#include "Result.h"

#include <QHostAddress>
#include <QHttpServer>
#include <QHttpServerResponse>
#include <QObject>

namespace stratus {

class LiveState;
class ModelRegistry;

// The REST API over QHttpServer. It only reads LiveState, so it serves the in-process engine and a
// --connect'ed cluster alike.
class ApiServer : public QObject
{
    Q_OBJECT
public:
    static constexpr int kApiVersion = 1;

    explicit ApiServer(const LiveState &state, QObject *parent = nullptr);

    // Listens on address:port (port 0 = any free port) and returns the port actually bound.
    Result<quint16> listen(const QHostAddress &address, quint16 port);

    // The one place that turns an error into an HTTP answer: JSON {"error": status text, "message": …}.
    static QHttpServerResponse errorResponse(QHttpServerResponse::StatusCode status, const QString &message);
    // Adds the /models routes (see ModelsController) for the engine's model registry.
    void setModelRegistry(ModelRegistry *registry);

private:
    void registerRoutes();
    QHttpServerResponse health() const;
    QHttpServerResponse stations() const;
    QHttpServerResponse predictions(const QString &stationId) const;

    const LiveState &m_state;
    QHttpServer m_server;
    qint64 m_startedMs;
};

} // namespace stratus
