#include "StatusServer.h"

#include "metrics/MetricsWriter.h"

#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QTextStream>

namespace stratus {

StatusServer::StatusServer(Snapshot snapshot, QObject *parent) : QObject(parent), m_snapshot(std::move(snapshot))
{
    m_server.route(QStringLiteral("/metrics"), QHttpServerRequest::Method::Get, [this] {
        return QHttpServerResponse(QByteArray(MetricsWriter::contentType()), m_snapshot().metricsText());
    });
    m_server.route(QStringLiteral("/health"), QHttpServerRequest::Method::Get, [this] {
        const QJsonObject health = m_snapshot().healthJson();
        const bool down = health.value(QLatin1String("status")).toString() == QLatin1String("down");
        return QHttpServerResponse(health, down ? QHttpServerResponder::StatusCode::ServiceUnavailable
                                                : QHttpServerResponder::StatusCode::Ok);
    });
}

Result<quint16> StatusServer::listen(const QHostAddress &address, quint16 port)
{
    const quint16 bound = m_server.listen(address, port);
    if (bound == 0)
        return makeError(QStringLiteral("metrics port: cannot listen on %1:%2 (port in use or not permitted)")
                             .arg(address.toString())
                             .arg(port));
    return bound;
}

Result<std::shared_ptr<StatusServer>> StatusServer::serve(const QString &bind, int port, Snapshot snapshot)
{
    if (port < 0)
        return std::shared_ptr<StatusServer>();
    const QHostAddress address(bind);
    if (address.isNull())
        return makeError(QStringLiteral("bind address \"%1\" is not an IP address").arg(bind));
    auto server = std::make_shared<StatusServer>(std::move(snapshot));
    const auto bound = server->listen(address, static_cast<quint16>(port));
    if (!bound)
        return bound.error();
    QTextStream(stdout) << "stratus: metrics on http://" << address.toString() << ':' << *bound << '\n' << Qt::flush;
    return server;
}

} // namespace stratus
