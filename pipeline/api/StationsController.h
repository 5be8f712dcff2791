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

    static constexpr qint64 kDefaultLimit = 100;
    static constexpr qint64 kMaxLimit = 10000;

private:
    std::optional<ApiReply> unknownStation(const QString &id) const;

    ApiContext &m_ctx;
};

// Adds count/limit/offset (and next_offset when a next page may exist) to a paged answer.
void addPage(QJsonObject &o, qsizetype count, qint64 limit, qint64 offset);

} // namespace stratus
