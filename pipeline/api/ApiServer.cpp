#include "ApiServer.h"

#include "JsonCodec.h"
#include "LiveState.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaEnum>

namespace stratus {

using Status = QHttpServerResponse::StatusCode;

ApiServer::ApiServer(const LiveState &state, QObject *parent)
    : QObject(parent), m_state(state), m_startedMs(QDateTime::currentMSecsSinceEpoch())
{
    registerRoutes();
}

QHttpServerResponse ApiServer::errorResponse(Status status, const QString &message)
{
    QJsonObject o;
    o.insert(QLatin1String("status"), static_cast<int>(status));
    o.insert(QLatin1String("message"), message);
    return QHttpServerResponse(o, status);
}

void ApiServer::registerRoutes()
{
    m_server.route(QStringLiteral("/health"), QHttpServerRequest::Method::Get, [this] { return health(); });
    m_server.route(QStringLiteral("/stations"), QHttpServerRequest::Method::Get, [this] { return stations(); });
    m_server.route(QStringLiteral("/cluster"), QHttpServerRequest::Method::Get, [this] {
        // In-process there is no cluster; with --connect, the ClusterMonitor's latest snapshot.
        QJsonObject o = m_state.cluster();
        o.insert(QLatin1String("mode"), m_state.mode());
        return QHttpServerResponse(o);
    });
    m_server.route(QStringLiteral("/predictions/<arg>"), QHttpServerRequest::Method::Get,
                   [this](const QString &id) { return predictions(id); });
    m_server.setMissingHandler([](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        const QHttpServerResponse r = errorResponse(
            Status::NotFound, QStringLiteral("no route for %1 %2")
                                  .arg(QString::fromLatin1(QMetaEnum::fromType<QHttpServerRequest::Method>()
                                                               .valueToKey(int(request.method()))),
                                       request.url().path()));
        responder.write(r.data(), r.mimeType(), Status::NotFound);
    });
}

Result<quint16> ApiServer::listen(const QHostAddress &address, quint16 port)
{
    const quint16 bound = m_server.listen(address, port);
    if (bound == 0)
        return makeError(QStringLiteral("cannot listen on %1:%2 (port in use or not permitted)")
                             .arg(address.toString())
                             .arg(port));
    return bound;
}

QHttpServerResponse ApiServer::health() const
{
    const auto sources = m_state.sources();
    QJsonArray sourceList;
    int down = 0, degraded = 0;
    for (const auto &s : sources) {
        QJsonObject o;
        o.insert(QLatin1String("name"), s.name);
        o.insert(QLatin1String("state"), s.state);
        if (!s.lastError.isEmpty())
            o.insert(QLatin1String("last_error"), s.lastError);
        o.insert(QLatin1String("readings"), s.readings);
        if (s.lastSuccessMs)
            o.insert(QLatin1String("last_success"), QDateTime::fromMSecsSinceEpoch(s.lastSuccessMs, Qt::UTC).toString(Qt::ISODate));
        sourceList.append(o);
        down += s.state == QLatin1String("down");
        degraded += s.state == QLatin1String("degraded");
    }
    const QString busProblem = m_state.busProblem();
    QString status = QStringLiteral("ok");
    if (!busProblem.isEmpty() || (!sources.isEmpty() && down == sources.size()))
        status = QStringLiteral("down");
    else if (down > 0 || degraded > 0)
        status = QStringLiteral("degraded");

    const auto c = m_state.counters();
    QJsonObject bus;
    bus.insert(QLatin1String("kind"), m_state.busKind());
    bus.insert(QLatin1String("state"), busProblem.isEmpty() ? QStringLiteral("ok") : QStringLiteral("down"));
    if (!busProblem.isEmpty())
        bus.insert(QLatin1String("last_error"), busProblem);

    QJsonObject counters;
    counters.insert(QLatin1String("readings_in"), c.readingsIn);
    counters.insert(QLatin1String("readings_rejected"), c.readingsRejected);
    counters.insert(QLatin1String("values_rejected"), c.valuesRejected);
    counters.insert(QLatin1String("late_dropped"), c.lateDropped);
    counters.insert(QLatin1String("dead_lettered"), c.deadLettered);
    counters.insert(QLatin1String("windows_out"), c.windowsOut);
    counters.insert(QLatin1String("forecasts_out"), c.forecastsOut);

    QJsonObject o;
    o.insert(QLatin1String("status"), status);
    o.insert(QLatin1String("version"), QStringLiteral(STRATUS_VERSION));
    o.insert(QLatin1String("api_version"), kApiVersion);
    o.insert(QLatin1String("mode"), m_state.mode());
    o.insert(QLatin1String("uptime_s"), (QDateTime::currentMSecsSinceEpoch() - m_startedMs) / 1000.0);
    o.insert(QLatin1String("stations"), m_state.catalogue().size());
    o.insert(QLatin1String("sources"), sourceList);
    o.insert(QLatin1String("bus"), bus);
    o.insert(QLatin1String("counters"), counters);
    // A load balancer takes a node out only when it cannot serve at all.
    return QHttpServerResponse(o, status == QLatin1String("down") ? Status::ServiceUnavailable : Status::Ok);
}

QHttpServerResponse ApiServer::stations() const
{
    const StationCatalogue catalogue = m_state.catalogue();
    QJsonArray list;
    for (const Station &s : catalogue.stations()) {
        QJsonObject o = JsonCodec::toJson(s);
        if (const auto latest = m_state.latestReading(s.id))
            o.insert(QLatin1String("latest"), JsonCodec::toJson(*latest));
        list.append(o);
    }
    QJsonObject o;
    o.insert(QLatin1String("count"), list.size());
    o.insert(QLatin1String("stations"), list);
    return QHttpServerResponse(o);
}

QHttpServerResponse ApiServer::predictions(const QString &stationId) const
{
    if (!m_state.hasStation(stationId))
        return errorResponse(Status::NotFound, QStringLiteral("unknown station \"%1\"").arg(stationId));
    QJsonArray list;
    for (const Forecast &f : m_state.forecasts(stationId))
        list.append(JsonCodec::toJson(f));
    QJsonObject o;
    o.insert(QLatin1String("station"), stationId);
    o.insert(QLatin1String("predictions"), list);
    if (list.isEmpty())
        o.insert(QLatin1String("note"), QStringLiteral("no forecast yet: the first window has not closed"));
    return QHttpServerResponse(o);
}

} // namespace stratus
