#include "HistoryPaging.h"

#include "ApiKeys.h"

#include <limits>

namespace stratus::HistoryPaging {

HistoryQuery query(ApiRequest &req, const QString &fromKey, const QString &toKey, qint64 defaultLimit)
{
    HistoryQuery q;
    q.fromMs = req.time(fromKey, q.fromMs);
    q.toMs = req.time(toKey, q.toMs);
    q.limit = req.integer(QStringLiteral("limit"), defaultLimit, 1, kMaxLimit);
    q.offset = req.integer(QStringLiteral("offset"), 0, 0, std::numeric_limits<int>::max());
    return q;
}

void addPage(QJsonObject &o, qsizetype count, qint64 limit, qint64 offset)
{
    o.insert(ApiKeys::count, count);
    o.insert(ApiKeys::limit, limit);
    o.insert(ApiKeys::offset, offset);
    if (count == limit)
        o.insert(ApiKeys::nextOffset, offset + count);
}

} // namespace stratus::HistoryPaging
