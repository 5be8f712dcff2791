#pragma once

#include "Forecast.h"
#include "WindowStats.h"

#include <QByteArray>

namespace stratus {

// The compact JSON of windows and forecasts on the Kafka topics, written straight into a byte
// array. Profiling `stratus-bench kafka` showed two thirds of a JSON worker's time in building
// QJsonObjects and serialising them (JsonCodec::toJson + QJsonDocument::toJson) for its outputs;
// this writes the same bytes (keys in QJsonObject's sorted order, numbers through
// QByteArray::number as Qt's writer does, non-finite numbers left out like JsonCodec) without
// the intermediate objects. Any string that would need escaping takes the JsonCodec path, so the
// output always equals JsonCodec::compact(JsonCodec::toJson(x)) (a unit test checks it on real data).
class KafkaJsonWriter
{
public:
    static QByteArray encode(const WindowStats &w);
    static QByteArray encode(const Forecast &f);
};

} // namespace stratus
