#pragma once

#include "Reading.h"
#include "Result.h"

#include <QByteArray>

namespace stratus {

// The raw message format of the reference system's NWS producer (one JSON object per line):
//   {"station_id": "KMSN", "station_name": "Madison", "timestamp": "2026-01-28T01:20:00+00:00",
//    "temperature": -14, "humidity": 55.45, "wind_speed": 12.96, "wind_direction": 280,
//    "sea_level_pressure": 1026.41, "precipitation_last_hour": 0.0}
// Units as that producer wrote them: wind km/h, pressure hPa, temperature °F up to its unit change
// (see decode()), °C after it.
class ReferenceMessageCodec
{
public:
    struct Decoded
    {
        Reading reading;
        QString stationName;
        QChar temperatureUnit; // 'F' or 'C' as detected, null when there was no temperature
    };

    // The producer converted °C to °F until 2026-01-27T23:10:00Z and wrote those values as Python
    // floats ("15.8"); afterwards it wrote °C as integers ("-13"). The KMSP 23:10 observation exists
    // in both forms, so the time alone cannot decide: a value is °F when it is at or before the
    // change AND written with a decimal point. An explicit "temperature_unit" ("C"/"F") wins.
    static constexpr qint64 kFahrenheitUntilMs = 1769555400000; // 2026-01-27T23:10:00Z

    static Result<Decoded> decode(QByteArrayView line);
    // Writes the reference format in °C (integers are not forced), with "temperature_unit":"C".
    static QByteArray encode(const Reading &reading, const QString &stationName);
};

} // namespace stratus
