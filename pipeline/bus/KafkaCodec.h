#pragma once

#include "Anomaly.h"
#include "DeadLetter.h"
#include "Forecast.h"
#include "Reading.h"
#include "Result.h"
#include "WindowStats.h"

#include <QByteArray>

namespace stratus {

// The value bytes of the stratus.* topics: Stratus's compact JSON (core/JsonCodec) per record, key =
// station id. Two extras the in-process bus does not need: dead letters as JSON, and the
// end-of-stream control record a finite replay writes into every raw partition so aggregators close
// their open windows exactly like the in-process engine does when its replay ends.
//
// Readings, windows and forecasts can also be written in KafkaBinaryCodec's compact format
// (KafkaSettings::binary); the decoders take either, told apart by the first byte.
class KafkaCodec
{
public:
    static QByteArray encode(const Reading &r, bool binary = false);
    static QByteArray encode(const WindowStats &w, bool binary = false);
    static QByteArray encode(const Forecast &f, bool binary = false);
    static QByteArray encode(const Anomaly &a);
    static QByteArray encode(const DeadLetter &d);

    static Result<Reading> decodeReading(QByteArrayView bytes);
    static Result<WindowStats> decodeWindow(QByteArrayView bytes);
    static Result<Forecast> decodeForecast(QByteArrayView bytes);
    static Result<Anomaly> decodeAnomaly(QByteArrayView bytes);
    static Result<DeadLetter> decodeDeadLetter(QByteArrayView bytes);

    static QByteArray endOfStream();
    static bool isEndOfStream(QByteArrayView bytes);
};

} // namespace stratus
