#pragma once

#include "Forecast.h"
#include "Reading.h"
#include "Result.h"
#include "WindowStats.h"

#include <QByteArray>

namespace stratus {

// The compact binary record values of the stratus.* topics, beside JSON (KafkaCodec picks by the
// first byte, so a cluster can carry both while workers are upgraded). Little-endian, doubles as
// IEEE 754 binary64 so values round-trip exactly (the exactly-once tests compare windows bit for
// bit with the in-process engine):
//   header   0xB5 (never the first byte of UTF-8 text, so never JSON), type, version 1
//   string   u16 byte length + UTF-8
//   reading  (type 1) station, i64 ts, u16 mask of present values, u16 mask of quality flags,
//            f64 per present value, one byte per flag (variables in Variable order)
//   window   (type 2) station, u8 variable, i64 start, i64 end, i64 count, f64 mean, std, min, max,
//            first, last, resultant (NaN = none), i32 revision
//   forecast (type 3) station, u8 variable, i64 issued, model, version, u16 n,
//            n × (i32 horizon, i64 target, f64 value, lower, upper)
// A reading is ~40–90 bytes instead of ~90–200 of JSON; a 24-point forecast ~830 instead of ~2,000.
class KafkaBinaryCodec
{
public:
    static constexpr char kMagic = static_cast<char>(0xB5);
    enum Type : quint8 { ReadingType = 1, WindowType = 2, ForecastType = 3 };

    static bool isBinary(QByteArrayView bytes) { return !bytes.isEmpty() && bytes.front() == kMagic; }

    static QByteArray encode(const Reading &r);
    static QByteArray encode(const WindowStats &w);
    static QByteArray encode(const Forecast &f);

    // Errors name the record type and what is wrong (truncated at which byte, bad version, …).
    static Result<Reading> decodeReading(QByteArrayView bytes);
    static Result<WindowStats> decodeWindow(QByteArrayView bytes);
    static Result<Forecast> decodeForecast(QByteArrayView bytes);
};

} // namespace stratus
