#pragma once

#include <QString>

#include <array>
#include <cstdint>
#include <optional>

namespace stratus {

// Every quantity Stratus carries, each in exactly one internal unit (see unitSymbol()).
enum class Variable : std::uint8_t {
    Temperature,   // °C
    Dewpoint,      // °C
    Humidity,      // % relative humidity
    WindSpeed,     // m/s
    WindGust,      // m/s
    WindDirection, // degrees true, 0..360, direction the wind blows from
    Pressure,      // hPa, sea level
    Precipitation, // mm in the last hour
    Visibility,    // km
};

inline constexpr int kVariableCount = 9;

inline constexpr std::array<Variable, kVariableCount> kAllVariables = {
    Variable::Temperature, Variable::Dewpoint,      Variable::Humidity,
    Variable::WindSpeed,   Variable::WindGust,      Variable::WindDirection,
    Variable::Pressure,    Variable::Precipitation, Variable::Visibility,
};

constexpr int index(Variable v) { return static_cast<int>(v); }

// Stable snake_case key used in JSON, CSV headers, the API and metric labels.
QString variableKey(Variable v);
std::optional<Variable> variableFromKey(QStringView key);
// Internal unit of the variable, as printed in CSV headers and the UI ("°C", "m/s", ...).
QString unitSymbol(Variable v);
// Angular quantities must be averaged as vectors, never arithmetically.
constexpr bool isAngular(Variable v) { return v == Variable::WindDirection; }

} // namespace stratus
