#include "AnomaliesController.h"

#include "ApiKeys.h"
#include "JsonCodec.h"
#include "HistoryPaging.h"

namespace stratus {

ApiReply AnomaliesController::list(ApiRequest &req)
{
    HistoryQuery q = HistoryPaging::query(req, QStringLiteral("since"), QStringLiteral("until"), HistoryPaging::kDefaultLimit);
    q.station = req.string(QStringLiteral("station"));
    if (req.has(QStringLiteral("station")) && q.station.isEmpty())
        req.fail(QStringLiteral("parameter \"station\" is empty"));
    if (req.failed())
        return req.badRequest();
    if (!q.station.isEmpty() && !m_ctx.state().hasStation(q.station))
        return ApiReply::error(ApiError::NotFound, QStringLiteral("unknown station \"%1\"").arg(q.station.left(64)));

    QList<Anomaly> rows;
    if (HistoryReader *reader = m_ctx.reader()) {
        auto r = reader->anomalies(q);
        if (!r)
            return ApiReply::error(ApiError::Internal, r.errorMessage());
        rows = std::move(*r);
    } else {
        const qint64 want = std::min<qint64>(q.offset + q.limit, LiveState::kAnomalyHistory);
        const QList<Anomaly> recent = m_ctx.state().anomalies(q.fromMs, q.station, int(want));
        for (qsizetype i = q.offset; i < recent.size(); ++i) {
            if (recent[i].timestampMs < q.toMs)
                rows.append(recent[i]);
        }
    }
    QJsonArray list;
    for (const Anomaly &a : std::as_const(rows))
        list.append(JsonCodec::toJson(a));
    QJsonObject o;
    HistoryPaging::addPage(o, list.size(), q.limit, q.offset);
    o.insert(ApiKeys::anomalies, list);
    return ApiReply::json(o);
}

} // namespace stratus
