#include "DisplayUnits.h"

#include "Units.h"

#include <cmath>

namespace stratus {

namespace {
bool isTemperature(Variable v) { return v == Variable::Temperature || v == Variable::Dewpoint; }
bool isSpeed(Variable v) { return v == Variable::WindSpeed || v == Variable::WindGust; }
} // namespace

void DisplayUnits::setTemperature(Temperature t)
{
    if (t == m_temperature)
        return;
    m_temperature = t;
    emit changed();
}

void DisplayUnits::setSpeed(Speed s)
{
    if (s == m_speed)
        return;
    m_speed = s;
    emit changed();
}

double DisplayUnits::toDisplay(Variable v, double x) const
{
    if (isTemperature(v) && m_temperature == Temperature::Fahrenheit)
        return units::celsiusToFahrenheit(x);
    if (isSpeed(v)) {
        switch (m_speed) {
        case Speed::KilometresPerHour: return units::msToKmh(x);
        case Speed::MilesPerHour: return units::msToMph(x);
        case Speed::MetresPerSecond: break;
        }
    }
    return x;
}

double DisplayUnits::fromDisplay(Variable v, double x) const
{
    if (isTemperature(v) && m_temperature == Temperature::Fahrenheit)
        return units::fahrenheitToCelsius(x);
    if (isSpeed(v)) {
        switch (m_speed) {
        case Speed::KilometresPerHour: return units::kmhToMs(x);
        case Speed::MilesPerHour: return units::mphToMs(x);
        case Speed::MetresPerSecond: break;
        }
    }
    return x;
}

QString DisplayUnits::symbol(Variable v) const
{
    if (isTemperature(v))
        return m_temperature == Temperature::Fahrenheit ? QStringLiteral("°F") : QStringLiteral("°C");
    if (isSpeed(v)) {
        switch (m_speed) {
        case Speed::KilometresPerHour: return QStringLiteral("km/h");
        case Speed::MilesPerHour: return QStringLiteral("mph");
        case Speed::MetresPerSecond: break;
        }
    }
    return unitSymbol(v);
}

QString DisplayUnits::format(Variable v, double x) const
{
    if (std::isnan(x))
        return QStringLiteral("—");
    const int decimals = v == Variable::WindDirection || v == Variable::Humidity ? 0 : 1;
    return QString::number(toDisplay(v, x), 'f', decimals) + QChar(0x202F) + symbol(v);
}

QString DisplayUnits::variableLabel(Variable v)
{
    switch (v) {
    case Variable::Temperature: return tr("Temperature");
    case Variable::Dewpoint: return tr("Dew point");
    case Variable::Humidity: return tr("Humidity");
    case Variable::WindSpeed: return tr("Wind speed");
    case Variable::WindGust: return tr("Wind gust");
    case Variable::WindDirection: return tr("Wind direction");
    case Variable::Pressure: return tr("Pressure");
    case Variable::Precipitation: return tr("Precipitation");
    case Variable::Visibility: return tr("Visibility");
    }
    return variableKey(v);
}

QString DisplayUnits::temperatureKey(Temperature t)
{
    return t == Temperature::Fahrenheit ? QStringLiteral("F") : QStringLiteral("C");
}

QString DisplayUnits::speedKey(Speed s)
{
    switch (s) {
    case Speed::KilometresPerHour: return QStringLiteral("km/h");
    case Speed::MilesPerHour: return QStringLiteral("mph");
    case Speed::MetresPerSecond: break;
    }
    return QStringLiteral("m/s");
}

DisplayUnits::Temperature DisplayUnits::temperatureFromKey(const QString &key)
{
    return key == QLatin1String("F") ? Temperature::Fahrenheit : Temperature::Celsius;
}

DisplayUnits::Speed DisplayUnits::speedFromKey(const QString &key)
{
    if (key == QLatin1String("km/h"))
        return Speed::KilometresPerHour;
    if (key == QLatin1String("mph"))
        return Speed::MilesPerHour;
    return Speed::MetresPerSecond;
}

} // namespace stratus
