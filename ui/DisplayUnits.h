#pragma once

#include "Variable.h"

#include <QObject>

namespace stratus {

// The units the user wants to see. Display only: every value inside Stratus stays in its internal unit
// (Variable.h); views convert at the last moment with toDisplay()/format().
class DisplayUnits : public QObject
{
    Q_OBJECT
public:
    enum class Temperature { Celsius, Fahrenheit };
    enum class Speed { MetresPerSecond, KilometresPerHour, MilesPerHour };

    explicit DisplayUnits(QObject *parent = nullptr) : QObject(parent) {}

    Temperature temperature() const { return m_temperature; }
    Speed speed() const { return m_speed; }
    void setTemperature(Temperature t);
    void setSpeed(Speed s);

    double toDisplay(Variable v, double internal) const;
    double fromDisplay(Variable v, double shown) const;
    QString symbol(Variable v) const;
    // "21.3 °C", "—" for a missing value.
    QString format(Variable v, double internal) const;
    static QString variableLabel(Variable v); // "Temperature", "Wind speed", ...

    static QString temperatureKey(Temperature t);
    static QString speedKey(Speed s);
    static Temperature temperatureFromKey(const QString &key);
    static Speed speedFromKey(const QString &key);

signals:
    void changed();

private:
    Temperature m_temperature = Temperature::Celsius;
    Speed m_speed = Speed::MetresPerSecond;
};

} // namespace stratus
