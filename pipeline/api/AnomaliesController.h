#pragma once

#include "ApiContext.h"
#include "ApiReply.h"
#include "ApiRequest.h"

namespace stratus {

// /anomalies?since=&station=&limit=&offset=, newest first.
class AnomaliesController
{
public:
    explicit AnomaliesController(ApiContext &ctx) : m_ctx(ctx) {}
    ApiReply list(ApiRequest &req);

private:
    ApiContext &m_ctx;
};

} // namespace stratus
