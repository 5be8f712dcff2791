#include "ModelsController.h"

#include "ApiServer.h"
#include "infer/ModelRegistry.h"

#include <QHttpServerRequest>
#include <QJsonObject>
#include <QUrlQuery>

namespace stratus {

using Status = QHttpServerResponse::StatusCode;

void ModelsController::registerRoutes(QHttpServer &server, ModelRegistry *registry)
{
    server.route(QStringLiteral("/models"), QHttpServerRequest::Method::Get,
                 [registry] { return QHttpServerResponse(registry->toJson()); });
    server.route(QStringLiteral("/models/live"), QHttpServerRequest::Method::Get, [registry](const QHttpServerRequest &req) {
        const QString station = QUrlQuery(req.url()).queryItemValue(QStringLiteral("station"));
        return QHttpServerResponse(registry->liveAccuracy().toJson(station));
    });
    server.route(QStringLiteral("/models/candidate/clear"), QHttpServerRequest::Method::Post, [registry] {
        registry->clearCandidate();
        return QHttpServerResponse(QJsonObject{{QStringLiteral("candidate"), QString()}});
    });
    server.route(QStringLiteral("/models/<arg>/activate"), QHttpServerRequest::Method::Post,
                 [registry](const QString &version) {
                     const auto r = registry->activate(version);
                     if (!r) {
                         const bool missing = r.errorMessage().startsWith(QLatin1String("no model version"));
                         return ApiServer::errorResponse(missing ? Status::NotFound : Status::UnprocessableEntity,
                                                         r.errorMessage());
                     }
                     return QHttpServerResponse(QJsonObject{{QStringLiteral("active"), *r}});
                 });
    server.route(QStringLiteral("/models/<arg>/candidate"), QHttpServerRequest::Method::Post,
                 [registry](const QString &version, const QHttpServerRequest &req) {
                     bool ok = false;
                     const double share = QUrlQuery(req.url()).queryItemValue(QStringLiteral("share")).toDouble(&ok);
                     if (!ok)
                         return ApiServer::errorResponse(Status::BadRequest,
                                                         QStringLiteral("?share= must be a number from 0 to 1"));
                     const auto r = registry->setCandidate(version, share);
                     if (!r)
                         return ApiServer::errorResponse(Status::UnprocessableEntity, r.errorMessage());
                     return QHttpServerResponse(
                         QJsonObject{{QStringLiteral("candidate"), *r}, {QStringLiteral("share"), share}});
                 });
}

} // namespace stratus
