#include "ModelsController.h"

#include "ApiKeys.h"
#include "TimeUtil.h"
#include "models/ModelRegistry.h"
#include "models/RetrainCoordinator.h"

namespace stratus {

namespace {
// The persistence baseline, always available and active when no trained version is.
QJsonObject builtinEntry(bool active)
{
    QJsonObject o;
    o.insert(ApiKeys::version, ModelsController::kBuiltin);
    o.insert(ApiKeys::model, ModelsController::kBuiltin);
    o.insert(ApiKeys::builtin, true);
    o.insert(ApiKeys::active, active);
    return o;
}
} // namespace

ApiReply ModelsController::list(ApiRequest &)
{
    if (ModelRegistry *registry = m_ctx.models) {
        const QJsonObject reg = registry->toJson();
        QJsonArray list;
        bool anyActive = false;
        for (const QJsonValue &v : reg.value(QStringLiteral("versions")).toArray()) {
            QJsonObject o = v.toObject();
            anyActive = anyActive || o.value(ApiKeys::active).toBool();
            o.insert(ApiKeys::model, QStringLiteral("ridge"));
            o.insert(ApiKeys::builtin, false);
            list.append(o);
        }
        list.prepend(builtinEntry(!anyActive));
        QJsonObject o;
        o.insert(ApiKeys::count, list.size());
        o.insert(ApiKeys::models, list);
        o.insert(QStringLiteral("ab"), reg.value(QStringLiteral("ab")));
        // Retraining: the schedule, the running job and every promote/reject decision with its reason.
        if (m_ctx.retrain)
            o.insert(QStringLiteral("retrain"), m_ctx.retrain->status());
        return ApiReply::json(o);
    }
    QList<ModelVersionRow> rows;
    if (HistoryReader *reader = m_ctx.reader()) {
        auto r = reader->modelVersions();
        if (!r)
            return ApiReply::error(ApiError::Internal, r.errorMessage());
        rows = std::move(*r);
    }
    bool anyActive = false;
    for (const auto &m : rows)
        anyActive = anyActive || m.active;
    QJsonArray list;
    list.append(builtinEntry(!anyActive));
    for (const auto &m : std::as_const(rows)) {
        QJsonObject o;
        o.insert(ApiKeys::version, m.version);
        o.insert(ApiKeys::model, m.model);
        o.insert(ApiKeys::builtin, false);
        o.insert(ApiKeys::active, m.active);
        if (m.trainedAtMs)
            o.insert(ApiKeys::trainedAt, timeutil::toIsoUtc(m.trainedAtMs));
        o.insert(ApiKeys::metadata, m.metadata);
        list.append(o);
    }
    QJsonObject o;
    o.insert(ApiKeys::count, list.size());
    o.insert(ApiKeys::models, list);
    return ApiReply::json(o);
}

ApiReply ModelsController::activate(ApiRequest &, const QString &version)
{
    if (ModelRegistry *registry = m_ctx.models; registry && version != kBuiltin) {
        const auto r = registry->activate(version);
        if (!r) {
            const bool missing = r.errorMessage().startsWith(QLatin1String("no model version"));
            return ApiReply::error(missing ? ApiError::NotFound : ApiError::BadRequest, r.errorMessage());
        }
        QJsonObject o;
        o.insert(ApiKeys::version, *r);
        o.insert(ApiKeys::active, true);
        return ApiReply::json(o);
    }
    bool known = version == kBuiltin;
    if (!known) {
        if (HistoryReader *reader = m_ctx.reader()) {
            if (const auto rows = reader->modelVersions()) {
                for (const auto &m : *rows)
                    known = known || m.version == version;
            }
        }
    }
    if (!known)
        return ApiReply::error(ApiError::NotFound, QStringLiteral("unknown model version \"%1\"").arg(version.left(64)));
    if (HistoryStore *store = m_ctx.store()) {
        // Activating the built-in baseline clears every registered version's flag.
        const auto r = store->activateModel(version);
        if (!r)
            return ApiReply::error(ApiError::Internal, r.errorMessage());
    }
    QJsonObject o;
    o.insert(ApiKeys::version, version);
    o.insert(ApiKeys::active, true);
    return ApiReply::json(o);
}

ApiReply ModelsController::live(ApiRequest &req)
{
    if (!m_ctx.models)
        return ApiReply::error(ApiError::NotFound, QStringLiteral("no model registry: start with --models DIR"));
    return ApiReply::json(m_ctx.models->liveAccuracy().toJson(req.query().queryItemValue(QStringLiteral("station"))));
}

ApiReply ModelsController::candidate(ApiRequest &req, const QString &version)
{
    if (!m_ctx.models)
        return ApiReply::error(ApiError::NotFound, QStringLiteral("no model registry: start with --models DIR"));
    bool ok = false;
    const double share = req.query().queryItemValue(QStringLiteral("share")).toDouble(&ok);
    if (!ok || share < 0 || share > 1)
        return ApiReply::error(ApiError::BadRequest, QStringLiteral("share: expected a number from 0 to 1"));
    const auto r = m_ctx.models->setCandidate(version, share);
    if (!r)
        return ApiReply::error(ApiError::BadRequest, r.errorMessage());
    QJsonObject o;
    o.insert(QStringLiteral("candidate"), *r);
    o.insert(QStringLiteral("share"), share);
    return ApiReply::json(o);
}

ApiReply ModelsController::clearCandidate(ApiRequest &)
{
    if (!m_ctx.models)
        return ApiReply::error(ApiError::NotFound, QStringLiteral("no model registry: start with --models DIR"));
    m_ctx.models->clearCandidate();
    QJsonObject o;
    o.insert(QStringLiteral("candidate"), QString());
    return ApiReply::json(o);
}

} // namespace stratus
