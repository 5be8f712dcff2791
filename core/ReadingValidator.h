#pragma once

#include "Reading.h"

#include <QStringList>

#include <bitset>

namespace stratus {

// What is wrong with a reading. A fatal problem (no usable station id or time) rejects the whole
// reading; an impossible value rejects only that value, so the valid rest is not lost.
struct Validation
{
    QStringList problems;                      // one sentence per problem, naming field and value
    std::bitset<kVariableCount> invalidValues; // variables whose value must be dropped
    bool fatal = false;

    bool clean() const { return problems.isEmpty(); }
};

class ReadingValidator
{
public:
    struct Range
    {
        double min;
        double max;
    };

    // Physical limits in internal units; beyond them a sensor or decoder is wrong, not the weather.
    static Range physicalRange(Variable v);
    static bool isValidStationId(QStringView id);

    Validation validate(const Reading &reading) const;
    // The sentence explaining why `variable` of `reading` is invalid (empty when it is valid).
    QString describe(const Reading &reading, Variable variable) const;
    // Returns the reading with invalid values set missing; the Validation says what was dropped.
    Reading sanitized(const Reading &reading, const Validation &validation) const;
};

} // namespace stratus
