#include "StationsController.h"

#include "NearQuery.h"

#include "ApiKeys.h"
#include "HistoryPaging.h"
#include "JsonCodec.h"

namespace stratus {

using HistoryPaging::addPage;

std::optional<ApiReply> StationsController::unknownStation(const QString &id) const
{
    if (m_ctx.state().hasStation(id))
        return std::nullopt;
    return ApiReply::error(ApiError::NotFound, QStringLiteral("unknown station \"%1\"").arg(id.left(64)));
}

ApiReply StationsController::list(ApiRequest &req)
{
    const qint64 limit = req.integer(QStringLiteral("limit"), HistoryPaging::kMaxLimit, 1, HistoryPaging::kMaxLimit);
    const qint64 offset = HistoryPaging::offset(req);
    if (NearQuery::isNearRequest(req.query())) {
        // Nearest first, with distance_km and bearing_deg (see NearQuery); a bad point is a 400.
        const auto query = NearQuery::parse(req.query());
        if (!query)
            return ApiReply::error(ApiError::BadRequest, query.errorMessage());
        const LiveState &state = m_ctx.state();
        return ApiReply::json(NearQuery::toJson(*query, NearQuery::run(state.catalogue(), *query), &state));
    }
    if (req.failed())
        return req.badRequest();
    const StationCatalogue catalogue = m_ctx.state().catalogue();
    const QList<Station> all = catalogue.stations();
    QJsonArray list;
    for (qsizetype i = offset; i < all.size() && list.size() < limit; ++i) {
        QJsonObject o = JsonCodec::toJson(all[i]);
        if (const auto latest = m_ctx.state().latestReading(all[i].id))
            o.insert(ApiKeys::latest, JsonCodec::toJson(*latest));
        list.append(o);
    }
    QJsonObject o;
    addPage(o, list.size(), limit, offset);
    o.insert(ApiKeys::total, all.size());
    o.insert(ApiKeys::stations, list);
    return ApiReply::json(o);
}

ApiReply StationsController::station(ApiRequest &, const QString &id)
{
    if (auto missing = unknownStation(id))
        return *missing;
    const StationCatalogue catalogue = m_ctx.state().catalogue();
    QJsonObject o;
    for (const Station &s : catalogue.stations()) {
        if (s.id == id) {
            o = JsonCodec::toJson(s);
            break;
        }
    }
    if (const auto latest = m_ctx.state().latestReading(id))
        o.insert(ApiKeys::latest, JsonCodec::toJson(*latest));
    QList<WindowStats> windows = m_ctx.state().latestWindows(id);
    std::sort(windows.begin(), windows.end(), [](const auto &a, const auto &b) { return a.variable < b.variable; });
    QJsonArray w;
    for (const WindowStats &x : windows)
        w.append(JsonCodec::toJson(x));
    o.insert(ApiKeys::windows, w);
    return ApiReply::json(o);
}

ApiReply StationsController::predictions(ApiRequest &, const QString &id)
{
    if (auto missing = unknownStation(id))
        return *missing;
    QJsonArray list;
    for (const Forecast &f : m_ctx.state().forecasts(id))
        list.append(JsonCodec::toJson(f));
    QJsonObject o;
    o.insert(ApiKeys::station, id);
    o.insert(ApiKeys::predictions, list);
    if (list.isEmpty())
        o.insert(ApiKeys::note, QStringLiteral("no forecast yet: the first window has not closed"));
    return ApiReply::json(o);
}

ApiReply StationsController::predictionHistory(ApiRequest &req, const QString &id)
{
    HistoryQuery q = HistoryPaging::query(req, QStringLiteral("from"), QStringLiteral("to"), HistoryPaging::kDefaultLimit);
    q.station = id;
    if (req.failed())
        return req.badRequest();
    if (auto missing = unknownStation(id))
        return *missing;
    HistoryReader *reader = m_ctx.reader();
    if (!reader)
        return ApiReply::error(ApiError::Unavailable, QStringLiteral("no history store in this process"));
    const auto rows = reader->predictions(q);
    if (!rows)
        return ApiReply::error(ApiError::Internal, rows.errorMessage());
    QJsonArray list;
    for (const Forecast &f : *rows)
        list.append(JsonCodec::toJson(f));
    QJsonObject o;
    o.insert(ApiKeys::station, id);
    addPage(o, list.size(), q.limit, q.offset);
    o.insert(ApiKeys::predictions, list);
    return ApiReply::json(o);
}

ApiReply StationsController::features(ApiRequest &req, const QString &id)
{
    HistoryQuery q = HistoryPaging::query(req, QStringLiteral("from"), QStringLiteral("to"), HistoryPaging::kDefaultLimit * 10);
    q.station = id;
    if (req.failed())
        return req.badRequest();
    if (auto missing = unknownStation(id))
        return *missing;
    QJsonArray list;
    HistoryReader *reader = m_ctx.reader();
    if (reader) {
        const auto rows = reader->features(q);
        if (!rows)
            return ApiReply::error(ApiError::Internal, rows.errorMessage());
        for (const WindowStats &w : *rows)
            list.append(JsonCodec::toJson(w));
    } else {
        // No store: the latest window per variable is all there is.
        QList<WindowStats> windows = m_ctx.state().latestWindows(id);
        std::sort(windows.begin(), windows.end(), [](const auto &a, const auto &b) { return a.endMs < b.endMs; });
        qint64 skipped = 0;
        for (const WindowStats &w : windows) {
            if (w.endMs < q.fromMs || w.endMs >= q.toMs || skipped++ < q.offset || list.size() >= q.limit)
                continue;
            list.append(JsonCodec::toJson(w));
        }
    }
    QJsonObject o;
    o.insert(ApiKeys::station, id);
    addPage(o, list.size(), q.limit, q.offset);
    o.insert(ApiKeys::features, list);
    return ApiReply::json(o);
}

} // namespace stratus
