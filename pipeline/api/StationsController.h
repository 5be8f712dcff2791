#pragma once

#include "ApiContext.h"
#include "ApiReply.h"
#include "ApiRequest.h"

namespace stratus {

// /stations, /stations/{id}, /predictions/{id}, /predictions/{id}/history, /features/{id}.
class StationsController
{
public:
    explicit StationsController(ApiContext &ctx) : m_ctx(ctx) {}

    ApiReply list(ApiRequest &req);
    ApiReply station(ApiRequest &req, const QString &id);
    ApiReply predictions(ApiRequest &req, const QString &id);
    ApiReply predictionHistory(ApiRequest &req, const QString &id);
    ApiReply features(ApiRequest &req, const QString &id);

private:
    std::optional<ApiReply> unknownStation(const QString &id) const;

    ApiContext &m_ctx;
};

} // namespace stratus
