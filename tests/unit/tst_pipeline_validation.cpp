// The validator against the real bad values kept in ../shared/data/sao_19950318 (see its README).
#include "ReadingValidator.h"
#include "TestData.h"
#include "sources/RecordedDataReader.h"

#include <QTest>

using namespace stratus;
using namespace Qt::StringLiterals;

class TestValidation : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void rejectsImpossibleTemperatures();
    void rejectsIdsThatAreNotStations();
    void countsEachKindOfBadValue();
    void keepsTheValidRestOfAReading();
    void stationIds_data();
    void stationIds();

private:
    RecordedDataReader::Data m_data;
    ReadingValidator m_validator;
};

void TestValidation::initTestCase()
{
    auto data = RecordedDataReader::read(testdata::shared("data/sao_19950318/observations.csv"));
    QVERIFY2(data.ok(), qPrintable(data.errorMessage()));
    m_data = std::move(data).value();
    QCOMPARE(m_data.readings.size() + m_data.rejected.size(), 38304);
}

void TestValidation::rejectsImpossibleTemperatures()
{
    QSet<QString> stations;
    for (const Reading &r : std::as_const(m_data.readings)) {
        const Validation v = m_validator.validate(r);
        if (v.invalidValues.test(index(Variable::Temperature))) {
            stations.insert(r.stationId);
            const QString why = m_validator.describe(r, Variable::Temperature);
            QVERIFY2(why.startsWith(QStringLiteral("temperature ")) && why.contains(QStringLiteral("physical range")),
                     qPrintable(why));
        }
    }
    QCOMPARE(stations, (QSet<QString>{u"KGSO"_s, u"KCGX"_s, u"KNEW"_s, u"KGPT"_s, u"KFTY"_s}));
}

void TestValidation::rejectsIdsThatAreNotStations()
{
    int fatal = 0;
    for (const Reading &r : std::as_const(m_data.readings)) {
        const Validation v = m_validator.validate(r);
        if (v.fatal) {
            ++fatal;
            QVERIFY(v.problems.first().contains(QStringLiteral("is not a station id")));
        }
    }
    // 81 rows under four-digit "ids" (times), one ".MRO", one empty id.
    QCOMPARE(fatal, 83);
}

void TestValidation::countsEachKindOfBadValue()
{
    int windDir = 0, slp = 0, visibility = 0;
    for (const Reading &r : std::as_const(m_data.readings)) {
        const Validation v = m_validator.validate(r);
        windDir += v.invalidValues.test(index(Variable::WindDirection));
        slp += v.invalidValues.test(index(Variable::Pressure));
        visibility += v.invalidValues.test(index(Variable::Visibility));
    }
    QCOMPARE(windDir, 19);    // 370–800, 999, −70
    QCOMPARE(slp, 2);         // the 2.59e-39 denormals
    QCOMPARE(visibility, 41); // 7 below 0, 34 above 200 km
}

void TestValidation::keepsTheValidRestOfAReading()
{
    // KGSO reported 76 °C: the temperature goes, its other values stay.
    for (const Reading &r : std::as_const(m_data.readings)) {
        if (r.stationId != QLatin1String("KGSO") || r.value(Variable::Temperature) != 76.0)
            continue;
        const Validation v = m_validator.validate(r);
        QVERIFY(!v.fatal);
        const Reading clean = m_validator.sanitized(r, v);
        QVERIFY(!clean.has(Variable::Temperature));
        for (Variable var : kAllVariables) {
            if (var != Variable::Temperature && !v.invalidValues.test(index(var)) && r.has(var))
                QCOMPARE(clean.value(var), r.value(var));
        }
        return;
    }
    QFAIL("the KGSO 76 °C report is not in the data");
}

void TestValidation::stationIds_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("valid");
    QTest::newRow("ICAO") << "KMSN" << true;
    QTest::newRow("3-letter") << "DUG" << true;
    QTest::newRow("alnum") << "5BI" << true;
    QTest::newRow("site name") << "Aotizhongxin" << true;
    QTest::newRow("ghcn") << "USW00014837" << true;
    QTest::newRow("time as id") << "0030" << false;
    QTest::newRow("dot") << ".MRO" << false;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("space") << "K MSN" << false;
    QTest::newRow("sql") << "KMSN';--" << false;
}

void TestValidation::stationIds()
{
    QFETCH(QString, id);
    QFETCH(bool, valid);
    QCOMPARE(ReadingValidator::isValidStationId(id), valid);
}

QTEST_APPLESS_MAIN(TestValidation)
#include "tst_pipeline_validation.moc"
