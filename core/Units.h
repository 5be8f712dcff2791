#pragma once

#include "Result.h"
#include "Variable.h"

#include <QStringView>

namespace stratus::units {

// Conversions into the internal units. Each is exact to the definition of the foreign unit.
constexpr double fahrenheitToCelsius(double f) { return (f - 32.0) * 5.0 / 9.0; }
constexpr double celsiusToFahrenheit(double c) { return c * 9.0 / 5.0 + 32.0; }
constexpr double kmhToMs(double kmh) { return kmh / 3.6; }
constexpr double msToKmh(double ms) { return ms * 3.6; }
constexpr double mphToMs(double mph) { return mph * 0.44704; }
constexpr double msToMph(double ms) { return ms / 0.44704; }
constexpr double knotsToMs(double kn) { return kn * 1852.0 / 3600.0; }
constexpr double paToHpa(double pa) { return pa / 100.0; }
constexpr double inHgToHpa(double inHg) { return inHg * 33.8638866667; }
constexpr double inchToMm(double in) { return in * 25.4; }
constexpr double metresToMm(double m) { return m * 1000.0; }
constexpr double metresToKm(double m) { return m / 1000.0; }

// Converts a value given in a named foreign unit into the internal unit of `variable`.
// Accepts the NWS/WMO codes ("wmoUnit:km_h-1", legacy "unit:m_s-1"), UCUM-ish spellings and the
// Open-Meteo unit strings ("°F", "mp/h", "kn", "inch"). An unknown or incompatible unit is an error,
// never a guess.
Result<double> toInternal(Variable variable, QStringView unit, double value);

} // namespace stratus::units
