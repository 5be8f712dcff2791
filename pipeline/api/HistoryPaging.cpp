#include "HistoryPaging.h"

#include "ApiKeys.h"


namespace stratus::HistoryPaging {

HistoryQuery query(ApiRequest &req, const QString &fromKey, const QString &toKey, qint64 defaultLimit)
{
    HistoryQuery q;
    q.fromMs = req.time(fromKey, q.fromMs);
    q.toMs = req.time(toKey, q.toMs);
    q.limit = req.integer(QStringLiteral("limit"), defaultLimit, 1, kMaxLimit);
    q.offset = offset(req);
    return q;
}

qint64 offset(ApiRequest &req)
{
    const QString key = QStringLiteral("offset");
    if (req.has(key) && req.string(key).toLongLong() > kMaxOffset) {
        req.fail(QStringLiteral("parameter \"offset\" is limited to %1; narrow the time range (from/to) to page further")
                     .arg(kMaxOffset));
        return 0;
    }
    return req.integer(key, 0, 0, kMaxOffset);
}

void addPage(QJsonObject &o, qsizetype count, qint64 limit, qint64 offset)
{
    o.insert(ApiKeys::count, count);
    o.insert(ApiKeys::limit, limit);
    o.insert(ApiKeys::offset, offset);
    if (count == limit && offset + count <= kMaxOffset)
        o.insert(ApiKeys::nextOffset, offset + count);
}

} // namespace stratus::HistoryPaging
