#pragma once

#include "ApiContext.h"
#include "ApiReply.h"
#include "ApiRequest.h"

namespace stratus {

// GET /metrics: the process's state in the Prometheus text exposition format (version 0.0.4).
// Kept apart from SystemController (/health, /cluster) so the exposition can grow on its own.
class MetricsController
{
public:
    explicit MetricsController(ApiContext &ctx) : m_ctx(ctx) {}

    ApiReply metrics(ApiRequest &req);

private:
    ApiContext &m_ctx;
};

} // namespace stratus
