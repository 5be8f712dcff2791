#include "ModelsController.h"

#include "ApiKeys.h"
#include "TimeUtil.h"

namespace stratus {

ApiReply ModelsController::list(ApiRequest &)
{
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
    QJsonObject builtin;
    builtin.insert(ApiKeys::version, kBuiltin);
    builtin.insert(ApiKeys::model, kBuiltin);
    builtin.insert(ApiKeys::builtin, true);
    builtin.insert(ApiKeys::active, !anyActive);
    list.append(builtin);
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

} // namespace stratus
