#pragma once

#include "ApiRequest.h"
#include "store/HistoryReader.h"

#include <QJsonObject>

namespace stratus::HistoryPaging {

inline constexpr qint64 kDefaultLimit = 100;
inline constexpr qint64 kMaxLimit = 10000;
// SQLite walks every skipped row, so a deep offset is a cheap request for an expensive answer; past
// this, a client narrows the time range instead (the rows are in time order).
inline constexpr qint64 kMaxOffset = 100000;

// The offset parameter, 0..kMaxOffset; a larger one is an error in req that says how to page further.
qint64 offset(ApiRequest &req);

// The time range and limit/offset every history endpoint reads the same way; errors stay in req.
// The range's parameter names differ by endpoint (from/to, since/until) for compatibility.
HistoryQuery query(ApiRequest &req, const QString &fromKey, const QString &toKey, qint64 defaultLimit);

// Adds count/limit/offset (and next_offset when a next page may exist) to a paged answer.
void addPage(QJsonObject &o, qsizetype count, qint64 limit, qint64 offset);

} // namespace stratus::HistoryPaging
