#include "RetrainController.h"

#include "models/RetrainCoordinator.h"

namespace stratus {

namespace {
ApiReply noScheduler()
{
    return ApiReply::error(ApiError::NotFound, QStringLiteral("no model registry: start with --models DIR"));
}
} // namespace

ApiReply RetrainController::start(ApiRequest &)
{
    if (!m_ctx.retrain)
        return noScheduler();
    const auto r = m_ctx.retrain->startJob(QStringLiteral("api"));
    if (!r) {
        const bool busy = r.errorMessage().contains(QLatin1String("already running"));
        return ApiReply::error(busy ? ApiError::Conflict : ApiError::BadRequest, r.errorMessage());
    }
    QJsonObject o;
    o.insert(QStringLiteral("id"), *r);
    o.insert(QStringLiteral("status"), QString(QStringLiteral("/models/retrain/") + *r));
    o.insert(QStringLiteral("job"), m_ctx.retrain->jobStatus(*r));
    return ApiReply::json(o, 202);
}

ApiReply RetrainController::status(ApiRequest &)
{
    if (!m_ctx.retrain)
        return noScheduler();
    return ApiReply::json(m_ctx.retrain->status());
}

ApiReply RetrainController::job(ApiRequest &, const QString &id)
{
    if (!m_ctx.retrain)
        return noScheduler();
    const QJsonObject o = m_ctx.retrain->jobStatus(id);
    if (o.isEmpty())
        return ApiReply::error(ApiError::NotFound, QStringLiteral("no retrain job \"%1\"").arg(id.left(64)));
    return ApiReply::json(o);
}

ApiReply RetrainController::cancel(ApiRequest &, const QString &id)
{
    if (!m_ctx.retrain)
        return noScheduler();
    const auto r = m_ctx.retrain->cancel(id);
    if (!r)
        return ApiReply::error(ApiError::NotFound, r.errorMessage());
    QJsonObject o;
    o.insert(QStringLiteral("id"), *r);
    o.insert(QStringLiteral("cancelled"), true);
    return ApiReply::json(o);
}

} // namespace stratus
