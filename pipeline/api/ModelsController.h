#pragma once

#include "ApiContext.h"
#include "ApiReply.h"
#include "ApiRequest.h"

namespace stratus {

// /models, /models/live and the model writes. With the engine's ModelRegistry the versions are its
// model folders (activation hot-loads, refused versions leave the running one in service); without
// one, the built-in baseline plus the versions recorded in the history store.
class ModelsController
{
public:
    explicit ModelsController(ApiContext &ctx) : m_ctx(ctx) {}
    ApiReply list(ApiRequest &req);
    ApiReply activate(ApiRequest &req, const QString &version);
    ApiReply live(ApiRequest &req);
    ApiReply candidate(ApiRequest &req, const QString &version);
    ApiReply clearCandidate(ApiRequest &req);

    static inline const QString kBuiltin = QStringLiteral("persistence");

private:
    ApiContext &m_ctx;
};

} // namespace stratus
