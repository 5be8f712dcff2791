#include "Variable.h"

namespace stratus {

namespace {
struct VariableInfo
{
    const char *key;
    const char *unit;
};

constexpr std::array<VariableInfo, kVariableCount> kInfo = {{
    {"temperature", "°C"},
    {"dewpoint", "°C"},
    {"humidity", "%"},
    {"wind_speed", "m/s"},
    {"wind_gust", "m/s"},
    {"wind_direction", "deg"},
    {"pressure", "hPa"},
    {"precipitation", "mm"},
    {"visibility", "km"},
}};
} // namespace

QString variableKey(Variable v)
{
    return QString::fromLatin1(kInfo[index(v)].key);
}

std::optional<Variable> variableFromKey(QStringView key)
{
    for (Variable v : kAllVariables) {
        if (key == QLatin1String(kInfo[index(v)].key))
            return v;
    }
    return std::nullopt;
}

QString unitSymbol(Variable v)
{
    return QString::fromUtf8(kInfo[index(v)].unit);
}

} // namespace stratus
