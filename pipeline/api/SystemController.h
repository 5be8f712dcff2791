#pragma once

#include "ApiContext.h"
#include "ApiReply.h"
#include "ApiRequest.h"

namespace stratus {

// /health, /cluster, /openapi.json: the process's own state.
class SystemController
{
public:
    explicit SystemController(ApiContext &ctx) : m_ctx(ctx) {}

    ApiReply health(ApiRequest &req);
    ApiReply cluster(ApiRequest &req);
    ApiReply openapi(ApiRequest &req);
    // The bundled OpenAPI document (empty if it is missing from the resources).
    static QByteArray openApiDocument();

    static constexpr int kApiVersion = 1;

private:
    ApiContext &m_ctx;
    QByteArray m_openapi;
};

} // namespace stratus
