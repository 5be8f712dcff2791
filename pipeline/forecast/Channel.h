#pragma once

#include "Variable.h"

#include <QString>

#include <limits>
#include <optional>

namespace stratus {

// The quantities the forecaster reads, each in the internal unit (°C, %, m/s, hPa, mm, degrees).
// Daily files add the day's extremes. A channel a file does not have stays all-missing.
enum class Channel : int {
    Temperature, // hourly: the observation; daily: the day's mean (TAVG)
    Dewpoint,
    Humidity,
    WindSpeed,
    WindDirection,
    Pressure,
    Precipitation, // mm in the slot (hour or day)
    TempMax,       // daily only
    TempMin,       // daily only
};
inline constexpr int kChannelCount = 9;
inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

QString channelKey(Channel c);
// The channel a live reading's variable feeds; none for variables the forecaster does not read.
std::optional<Channel> channelOf(Variable v);
constexpr int ch(Channel c) { return static_cast<int>(c); }

} // namespace stratus
