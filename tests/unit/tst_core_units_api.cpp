// units::toInternal with the unit spellings the real API answers use (values from the fixtures in
// ../shared/fixtures/api): NWS wmoUnit:/unit: codes, Open-Meteo strings, and unknown units.
#include "Units.h"

#include <QTest>

using namespace stratus;

class TestCoreUnitsApi : public QObject
{
    Q_OBJECT
private slots:
    void conversions_data()
    {
        QTest::addColumn<int>("variable");
        QTest::addColumn<QString>("unit");
        QTest::addColumn<double>("value");
        QTest::addColumn<double>("expected");
        const auto row = [](const char *name, Variable v, const char16_t *unit, double value, double expected) {
            QTest::newRow(name) << index(v) << QString::fromUtf16(unit) << value << expected;
        };
        row("KLIT wind 5.4 km/h", Variable::WindSpeed, u"wmoUnit:km_h-1", 5.4, 1.5);
        row("KSEC2 gust 28.98 km/h", Variable::WindGust, u"wmoUnit:km_h-1", 28.98, 8.05);
        row("legacy unit:m_s-1", Variable::WindSpeed, u"unit:m_s-1", 4.1, 4.1);
        row("KLIT sea-level 102430 Pa", Variable::Pressure, u"wmoUnit:Pa", 102430, 1024.3);
        row("legacy unit:Pa", Variable::Pressure, u"unit:Pa", 101860, 1018.6);
        row("KLIT 12.8 degC", Variable::Temperature, u"wmoUnit:degC", 12.8, 12.8);
        row("legacy unit:degC", Variable::Temperature, u"unit:degC", -6.11, -6.11);
        row("KLIT RH percent", Variable::Humidity, u"wmoUnit:percent", 43.2403, 43.2403);
        row("KLIT 270 degree_(angle)", Variable::WindDirection, u"wmoUnit:degree_(angle)", 270, 270);
        row("K0CO precip 0 wmoUnit:m", Variable::Precipitation, u"wmoUnit:m", 0.0025, 2.5);
        row("KLIT precip wmoUnit:mm", Variable::Precipitation, u"wmoUnit:mm", 2.5, 2.5);
        row("K0CO visibility 400 m", Variable::Visibility, u"wmoUnit:m", 400, 0.4);
        row("Open-Meteo 84.1 °F", Variable::Temperature, u"°F", 84.1, 28.944444444444443);
        row("Open-Meteo 7.6 mp/h", Variable::WindSpeed, u"mp/h", 7.6, 3.397504);
        row("Open-Meteo 10 kn", Variable::WindSpeed, u"kn", 10, 5.144444444444445);
        row("Open-Meteo 3.1 km/h", Variable::WindSpeed, u"km/h", 3.1, 0.8611111111111112);
        row("Open-Meteo 1 inch", Variable::Precipitation, u"inch", 1, 25.4);
        row("Open-Meteo 291 °", Variable::WindDirection, u"°", 291, 291);
        row("Open-Meteo 1012.7 hPa", Variable::Pressure, u"hPa", 1012.7, 1012.7);
        row("Open-Meteo 21800 m visibility", Variable::Visibility, u"m", 21800, 21.8);
        row("Open-Meteo 1000 ft visibility", Variable::Visibility, u"ft", 1000, 0.3048);
        row("Chicago 30.43 inHg", Variable::Pressure, u"inHg", 30.43, 1030.478071);
    }

    void conversions()
    {
        QFETCH(int, variable);
        QFETCH(QString, unit);
        QFETCH(double, value);
        QFETCH(double, expected);
        const auto r = units::toInternal(static_cast<Variable>(variable), unit, value);
        QVERIFY2(r, qPrintable(r.errorMessage()));
        QVERIFY2(qAbs(*r - expected) < 1e-6, qPrintable(QStringLiteral("%1 → %2").arg(value).arg(*r, 0, 'g', 17)));
    }

    void unknownOrIncompatibleUnitsAreErrors_data()
    {
        QTest::addColumn<int>("variable");
        QTest::addColumn<QString>("unit");
        QTest::newRow("unknown code") << index(Variable::Temperature) << QStringLiteral("wmoUnit:degRe");
        QTest::newRow("speed unit for a temperature") << index(Variable::Temperature) << QStringLiteral("wmoUnit:km_h-1");
        QTest::newRow("empty") << index(Variable::WindSpeed) << QString();
        QTest::newRow("length for a pressure") << index(Variable::Pressure) << QStringLiteral("wmoUnit:m");
        QTest::newRow("Open-Meteo wmo code") << index(Variable::Humidity) << QStringLiteral("wmo code");
    }

    void unknownOrIncompatibleUnitsAreErrors()
    {
        QFETCH(int, variable);
        QFETCH(QString, unit);
        const auto r = units::toInternal(static_cast<Variable>(variable), unit, 1.0);
        QVERIFY(!r);
        QVERIFY(r.errorMessage().contains(QStringLiteral("unknown or incompatible unit")));
    }
};

QTEST_APPLESS_MAIN(TestCoreUnitsApi)
#include "tst_core_units_api.moc"
