#include "Units.h"

#include <QTest>

using namespace stratus;

class TestUnits : public QObject
{
    Q_OBJECT
private slots:
    void conversions_data();
    void conversions();
    void unknownUnitsAreErrors_data();
    void unknownUnitsAreErrors();
    void roundTrips();
};

void TestUnits::conversions_data()
{
    QTest::addColumn<int>("variable");
    QTest::addColumn<QString>("unit");
    QTest::addColumn<double>("value");
    QTest::addColumn<double>("expected");
    // Values taken from the recorded API fixtures (../shared/fixtures/api) where one exists.
    QTest::newRow("nws degC") << index(Variable::Temperature) << "wmoUnit:degC" << 22.8 << 22.8;
    QTest::newRow("legacy unit:degC") << index(Variable::Temperature) << "unit:degC" << -3.0 << -3.0;
    QTest::newRow("open-meteo °F") << index(Variable::Temperature) << "°F" << 50.0 << 10.0;
    QTest::newRow("freezing °F") << index(Variable::Temperature) << "°F" << 32.0 << 0.0;
    QTest::newRow("KLIT 27003KT as km/h") << index(Variable::WindSpeed) << "wmoUnit:km_h-1" << 5.4 << 1.5;
    QTest::newRow("legacy m_s-1") << index(Variable::WindSpeed) << "unit:m_s-1" << 3.1 << 3.1;
    QTest::newRow("mp/h") << index(Variable::WindSpeed) << "mp/h" << 10.0 << 4.4704;
    QTest::newRow("knots") << index(Variable::WindGust) << "kn" << 10.0 << 5.144444;
    QTest::newRow("Pa to hPa") << index(Variable::Pressure) << "wmoUnit:Pa" << 101860.0 << 1018.6;
    QTest::newRow("inHg") << index(Variable::Pressure) << "inHg" << 30.0 << 1015.9166;
    QTest::newRow("precip metres (2022)") << index(Variable::Precipitation) << "wmoUnit:m" << 0.0025 << 2.5;
    QTest::newRow("precip mm (2024)") << index(Variable::Precipitation) << "wmoUnit:mm" << 2.5 << 2.5;
    QTest::newRow("precip inch") << index(Variable::Precipitation) << "inch" << 1.0 << 25.4;
    QTest::newRow("direction") << index(Variable::WindDirection) << "wmoUnit:degree_(angle)" << 270.0 << 270.0;
    QTest::newRow("humidity") << index(Variable::Humidity) << "wmoUnit:percent" << 55.45 << 55.45;
    QTest::newRow("visibility m") << index(Variable::Visibility) << "wmoUnit:m" << 400.0 << 0.4;
}

void TestUnits::conversions()
{
    QFETCH(int, variable);
    QFETCH(QString, unit);
    QFETCH(double, value);
    QFETCH(double, expected);
    const auto r = units::toInternal(static_cast<Variable>(variable), unit, value);
    QVERIFY2(r.ok(), qPrintable(r.errorMessage()));
    QVERIFY2(std::abs(*r - expected) < 1e-3, qPrintable(QStringLiteral("%1 != %2").arg(*r).arg(expected)));
}

void TestUnits::unknownUnitsAreErrors_data()
{
    QTest::addColumn<int>("variable");
    QTest::addColumn<QString>("unit");
    QTest::newRow("pressure in km/h") << index(Variable::Pressure) << "wmoUnit:km_h-1";
    QTest::newRow("temperature in Pa") << index(Variable::Temperature) << "wmoUnit:Pa";
    QTest::newRow("made-up") << index(Variable::WindSpeed) << "wmoUnit:furlong_fortnight-1";
    QTest::newRow("empty") << index(Variable::Humidity) << "";
}

void TestUnits::unknownUnitsAreErrors()
{
    QFETCH(int, variable);
    QFETCH(QString, unit);
    const auto r = units::toInternal(static_cast<Variable>(variable), unit, 1.0);
    QVERIFY(!r.ok());
    QVERIFY2(r.errorMessage().contains(variableKey(static_cast<Variable>(variable))), qPrintable(r.errorMessage()));
}

void TestUnits::roundTrips()
{
    for (double c : {-40.0, -13.0, 0.0, 21.5, 56.7})
        QCOMPARE(qRound(units::fahrenheitToCelsius(units::celsiusToFahrenheit(c)) * 1000), qRound(c * 1000));
    QCOMPARE(units::fahrenheitToCelsius(-40.0), -40.0);
    QVERIFY(std::abs(units::msToMph(units::mphToMs(17.0)) - 17.0) < 1e-12);
    QVERIFY(std::abs(units::msToKmh(units::kmhToMs(16.668)) - 16.668) < 1e-12);
}

QTEST_APPLESS_MAIN(TestUnits)
#include "tst_core_units.moc"
