#pragma once

#include "ApiContext.h"
#include "ApiReply.h"
#include "ApiRequest.h"

namespace stratus {

// POST /models/retrain (start a retrain now: 202 with the job id), GET /models/retrain (schedule,
// running job, decisions), GET /models/retrain/{id} (one job's progress or outcome),
// POST /models/retrain/{id}/cancel. The writes need the bearer token like the other writes.
class RetrainController
{
public:
    explicit RetrainController(ApiContext &ctx) : m_ctx(ctx) {}
    ApiReply start(ApiRequest &req);
    ApiReply status(ApiRequest &req);
    ApiReply job(ApiRequest &req, const QString &id);
    ApiReply cancel(ApiRequest &req, const QString &id);

private:
    ApiContext &m_ctx;
};

} // namespace stratus
