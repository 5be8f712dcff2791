#include "Units.h"

#include <QString>

namespace stratus::units {

namespace {

// Strips the vocabulary prefix of an NWS unit code: "wmoUnit:degC", "unit:degC", "nwsUnit:..." → "degC".
QStringView bareUnit(QStringView unit)
{
    const qsizetype colon = unit.indexOf(u':');
    return colon >= 0 ? unit.mid(colon + 1) : unit;
}

bool isOneOf(QStringView u, std::initializer_list<const char16_t *> names)
{
    for (const char16_t *n : names) {
        if (u == QStringView(n))
            return true;
    }
    return false;
}

Error incompatible(Variable variable, QStringView unit)
{
    return makeError(QStringLiteral("unknown or incompatible unit \"%1\" for %2")
                         .arg(unit.toString(), variableKey(variable)));
}

} // namespace

Result<double> toInternal(Variable variable, QStringView unit, double value)
{
    const QStringView u = bareUnit(unit);
    switch (variable) {
    case Variable::Temperature:
    case Variable::Dewpoint:
        if (isOneOf(u, {u"degC", u"°C", u"Cel", u"C", u"celsius"}))
            return value;
        if (isOneOf(u, {u"degF", u"°F", u"[degF]", u"F", u"fahrenheit"}))
            return fahrenheitToCelsius(value);
        if (isOneOf(u, {u"K", u"degK"}))
            return value - 273.15;
        break;
    case Variable::Humidity:
        if (isOneOf(u, {u"percent", u"%"}))
            return value;
        break;
    case Variable::WindSpeed:
    case Variable::WindGust:
        if (isOneOf(u, {u"m_s-1", u"m/s", u"ms", u"m.s-1"}))
            return value;
        if (isOneOf(u, {u"km_h-1", u"km/h", u"kmh", u"km.h-1"}))
            return kmhToMs(value);
        if (isOneOf(u, {u"mp/h", u"mph", u"[mi_i]/h"}))
            return mphToMs(value);
        if (isOneOf(u, {u"kn", u"kt", u"knots", u"[kn_i]"}))
            return knotsToMs(value);
        break;
    case Variable::WindDirection:
        if (isOneOf(u, {u"degree_(angle)", u"°", u"deg", u"degrees"}))
            return value;
        break;
    case Variable::Pressure:
        if (isOneOf(u, {u"hPa", u"mbar", u"mb"}))
            return value;
        if (isOneOf(u, {u"Pa"}))
            return paToHpa(value);
        if (isOneOf(u, {u"inHg", u"[in_i'Hg]"}))
            return inHgToHpa(value);
        break;
    case Variable::Precipitation:
        if (isOneOf(u, {u"mm"}))
            return value;
        if (isOneOf(u, {u"m"}))
            return metresToMm(value);
        if (isOneOf(u, {u"inch", u"in", u"[in_i]"}))
            return inchToMm(value);
        if (isOneOf(u, {u"cm"}))
            return value * 10.0;
        break;
    case Variable::Visibility:
        if (isOneOf(u, {u"km"}))
            return value;
        if (isOneOf(u, {u"m"}))
            return metresToKm(value);
        if (isOneOf(u, {u"ft", u"[ft_i]"})) // Open-Meteo's visibility with imperial units
            return value * 0.0003048;
        if (isOneOf(u, {u"mi", u"[mi_i]"}))
            return value * 1.609344;
        break;
    }
    return incompatible(variable, unit);
}

} // namespace stratus::units
