#pragma once

#include "ReadingValidator.h"
#include "StageOutput.h"

#include <QString>

namespace stratus {

// The first stage: a reading without a usable station id or time is refused whole; an impossible
// value is dropped from an otherwise good reading and is itself an out_of_range alert (the sensor or
// its decoder is broken). Everything refused goes to the dead letters with the reason. The
// collector runs it before publishing; a worker runs it again on what it consumes, so nothing that
// reached the raw topic another way enters a window unchecked.
class ValidateStage
{
public:
    struct Counters
    {
        qint64 accepted = 0;
        qint64 readingsRejected = 0; // whole readings
        qint64 valuesRejected = 0;   // single values of otherwise good readings
    };

    // Appends the reading (sanitised) to out.accepted, or the dead letter; `origin` names where it
    // came from in the dead letter. Returns whether anything of the reading was accepted.
    bool process(const Reading &reading, const QString &origin, StageOutput &out);

    const Counters &counters() const { return m_counters; }
    const ReadingValidator &validator() const { return m_validator; }

private:
    ReadingValidator m_validator;
    Counters m_counters;
};

} // namespace stratus
