#pragma once

#include "Reading.h"

#include <QByteArrayView>

#include <optional>

namespace stratus {

// The fast path for the JSON readings on stratus.raw: a single pass over the bytes of the flat
// object the collector writes ({"station":…,"ts":…,<variable>:number|null,…,"qc":{<variable>:"X"}}),
// without building a QJsonDocument (after KafkaJsonWriter, parsing was the largest cost of a JSON
// worker). It returns nothing for anything it does not handle exactly like the general path —
// escapes, nested values, true/false, duplicate keys, a missing station, a malformed document —
// and the caller then takes JsonCodec, which also words the errors. When it returns a reading,
// that reading equals JsonCodec::readingFromJson's bit for bit (a unit test checks it on the
// real data).
class KafkaJsonReader
{
public:
    static std::optional<Reading> decodeReading(QByteArrayView json);
};

} // namespace stratus
