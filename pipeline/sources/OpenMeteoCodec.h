#pragma once

#include "Reading.h"
#include "Result.h"

#include <QJsonObject>
#include <QStringList>

namespace stratus {

// Decodes Open-Meteo forecast/archive answers into readings. Each variable is converted by the unit
// string its "*_units" block gives ("°F", "mp/h", "kn", "inch" ...). Times are wall-clock times in
// the answer's `timezone`; they are turned into instants with that zone's rules for each row, so a
// stale single `utc_offset_seconds` (a summer offset sent with December data) cannot shift them.
// "timeformat=unixtime" answers are read as epoch seconds.
class OpenMeteoCodec
{
public:
    // The comma-separated variable list Stratus requests (per endpoint: the archive has no visibility).
    static QString currentVariables();
    static QString hourlyVariables();
    static QString archiveVariables();

    static Result<QJsonObject> parseObject(const QByteArray &body);
    // The "reason" of an {"error":true,"reason":...} body, or empty.
    static QString errorReason(const QByteArray &body);

    // The `current` block (or the legacy `current_weather` block) as one reading; nullopt-like
    // empty list when the answer has neither.
    static QList<Reading> current(const QJsonObject &root, const QString &stationId, QStringList *problems);
    // The rows of the `hourly` block, in time order; rows whose every value is null are left out.
    static QList<Reading> hourly(const QJsonObject &root, const QString &stationId, QStringList *problems);
    // Wall-clock "2022-12-29T00:00" (or epoch seconds) of `root` → UTC ms.
    static std::optional<qint64> instant(const QJsonObject &root, const QJsonValue &time, bool unixtime);
};

} // namespace stratus
