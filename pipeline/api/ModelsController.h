#pragma once

#include "ApiContext.h"
#include "ApiReply.h"
#include "ApiRequest.h"

namespace stratus {

// /models and POST /models/{version}/activate. Versions are the built-in baseline plus those
// registered in the history store's model_versions table (the forecast registry fills it).
class ModelsController
{
public:
    explicit ModelsController(ApiContext &ctx) : m_ctx(ctx) {}
    ApiReply list(ApiRequest &req);
    ApiReply activate(ApiRequest &req, const QString &version);

    static inline const QString kBuiltin = QStringLiteral("persistence");

private:
    ApiContext &m_ctx;
};

} // namespace stratus
