#pragma once

#include "Variable.h"

#include <QMetaType>
#include <QString>

#include <array>
#include <cmath>
#include <limits>

namespace stratus {

// One observation of one station at one instant, in internal units (see Variable.h).
// A missing quantity is NaN, never 0.
struct Reading
{
    QString stationId;
    qint64 timestampMs = 0; // UTC, milliseconds since the Unix epoch
    std::array<double, kVariableCount> values = missingValues();
    // Per-variable quality-control flag as the source gave it (NWS qc letters: V, C, S, Z, ...); 0 = none.
    std::array<char, kVariableCount> quality{};

    static constexpr std::array<double, kVariableCount> missingValues()
    {
        std::array<double, kVariableCount> v{};
        v.fill(std::numeric_limits<double>::quiet_NaN());
        return v;
    }

    double value(Variable v) const { return values[index(v)]; }
    bool has(Variable v) const { return !std::isnan(values[index(v)]); }
    void set(Variable v, double x) { values[index(v)] = x; }
    bool isEmpty() const
    {
        for (double x : values) {
            if (!std::isnan(x))
                return false;
        }
        return true;
    }
};

} // namespace stratus

Q_DECLARE_METATYPE(stratus::Reading)
