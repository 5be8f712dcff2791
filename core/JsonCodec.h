#pragma once

#include "Anomaly.h"
#include "Forecast.h"
#include "Reading.h"
#include "Result.h"
#include "Station.h"
#include "WindowStats.h"

#include <QJsonObject>

namespace stratus {

// Stratus's own compact JSON for every value type: the wire format of the bus topics and the body
// of the REST API. Keys are the constants in JsonKeys; missing values are omitted, never written 0.
namespace JsonKeys {
inline constexpr QLatin1StringView station{"station"};
inline constexpr QLatin1StringView ts{"ts"};
inline constexpr QLatin1StringView time{"time"};
inline constexpr QLatin1StringView qc{"qc"};
inline constexpr QLatin1StringView variable{"variable"};
inline constexpr QLatin1StringView start{"start"};
inline constexpr QLatin1StringView end{"end"};
inline constexpr QLatin1StringView count{"count"};
inline constexpr QLatin1StringView mean{"mean"};
inline constexpr QLatin1StringView std{"std"};
inline constexpr QLatin1StringView min{"min"};
inline constexpr QLatin1StringView max{"max"};
inline constexpr QLatin1StringView first{"first"};
inline constexpr QLatin1StringView last{"last"};
inline constexpr QLatin1StringView resultant{"resultant_length"};
inline constexpr QLatin1StringView revision{"revision"};
inline constexpr QLatin1StringView issued{"issued"};
inline constexpr QLatin1StringView model{"model"};
inline constexpr QLatin1StringView version{"version"};
inline constexpr QLatin1StringView points{"points"};
inline constexpr QLatin1StringView horizon{"h"};
inline constexpr QLatin1StringView target{"target"};
inline constexpr QLatin1StringView value{"value"};
inline constexpr QLatin1StringView lower{"lower"};
inline constexpr QLatin1StringView upper{"upper"};
inline constexpr QLatin1StringView kind{"kind"};
inline constexpr QLatin1StringView severity{"severity"};
inline constexpr QLatin1StringView score{"score"};
inline constexpr QLatin1StringView reason{"reason"};
inline constexpr QLatin1StringView id{"id"};
inline constexpr QLatin1StringView name{"name"};
inline constexpr QLatin1StringView latitude{"latitude"};
inline constexpr QLatin1StringView longitude{"longitude"};
inline constexpr QLatin1StringView elevation{"elevation_m"};
inline constexpr QLatin1StringView source{"source"};
inline constexpr QLatin1StringView region{"region"};
inline constexpr QLatin1StringView country{"country"};
} // namespace JsonKeys

class JsonCodec
{
public:
    static QJsonObject toJson(const Reading &r);
    static QJsonObject toJson(const WindowStats &w);
    static QJsonObject toJson(const Forecast &f);
    static QJsonObject toJson(const Anomaly &a);
    static QJsonObject toJson(const Station &s);

    static Result<Reading> readingFromJson(const QJsonObject &o);
    static Result<WindowStats> windowFromJson(const QJsonObject &o);
    static Result<Forecast> forecastFromJson(const QJsonObject &o);
    static Result<Anomaly> anomalyFromJson(const QJsonObject &o);
    static Result<Station> stationFromJson(const QJsonObject &o);

    // Parses a whole message (bytes off a topic) into an object, with the reason when it is not one.
    static Result<QJsonObject> parseObject(QByteArrayView bytes);
    static QByteArray compact(const QJsonObject &o);
};

} // namespace stratus
