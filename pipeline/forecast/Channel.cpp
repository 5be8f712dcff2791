#include "Channel.h"

namespace stratus {

QString channelKey(Channel c)
{
    switch (c) {
    case Channel::Temperature: return QStringLiteral("temperature");
    case Channel::Dewpoint: return QStringLiteral("dewpoint");
    case Channel::Humidity: return QStringLiteral("humidity");
    case Channel::WindSpeed: return QStringLiteral("wind_speed");
    case Channel::WindDirection: return QStringLiteral("wind_direction");
    case Channel::Pressure: return QStringLiteral("pressure");
    case Channel::Precipitation: return QStringLiteral("precipitation");
    case Channel::TempMax: return QStringLiteral("temperature_max");
    case Channel::TempMin: return QStringLiteral("temperature_min");
    }
    return QString();
}

std::optional<Channel> channelOf(Variable v)
{
    switch (v) {
    case Variable::Temperature: return Channel::Temperature;
    case Variable::Dewpoint: return Channel::Dewpoint;
    case Variable::Humidity: return Channel::Humidity;
    case Variable::WindSpeed: return Channel::WindSpeed;
    case Variable::WindDirection: return Channel::WindDirection;
    case Variable::Pressure: return Channel::Pressure;
    case Variable::Precipitation: return Channel::Precipitation;
    default: return std::nullopt;
    }
}

} // namespace stratus
