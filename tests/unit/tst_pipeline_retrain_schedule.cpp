// RetrainSchedule: the [retrain] schedule text, when a daily job is next due (UTC, across midnight
// and the epoch), and counting readings per station for "every N readings".
#include "TimeUtil.h"
#include "models/RetrainSchedule.h"

#include <QTest>

using namespace stratus;

namespace {
qint64 at(const char *iso)
{
    return *timeutil::parseIsoUtc(QString::fromLatin1(iso));
}
} // namespace

class TestRetrainSchedule : public QObject
{
    Q_OBJECT
private slots:
    void parses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("normalised");
        QTest::newRow("off") << "off" << int(RetrainSchedule::Kind::Off) << "off";
        QTest::newRow("empty") << "  " << int(RetrainSchedule::Kind::Off) << "off";
        QTest::newRow("daily") << "daily 03:00" << int(RetrainSchedule::Kind::Daily) << "daily 03:00";
        QTest::newRow("daily, one-digit hour, upper case") << " DAILY  3:05 " << int(RetrainSchedule::Kind::Daily) << "daily 03:05";
        QTest::newRow("last minute of the day") << "daily 23:59" << int(RetrainSchedule::Kind::Daily) << "daily 23:59";
        QTest::newRow("every") << "every 500 readings" << int(RetrainSchedule::Kind::EveryReadings) << "every 500 readings";
        QTest::newRow("every, per station") << "every 2 readings per station" << int(RetrainSchedule::Kind::EveryReadings)
                                            << "every 2 readings";
    }
    void parses()
    {
        QFETCH(QString, text);
        QFETCH(int, kind);
        QFETCH(QString, normalised);
        const auto s = RetrainSchedule::parse(text);
        QVERIFY2(s, qPrintable(s.errorMessage()));
        QCOMPARE(int(s->kind()), kind);
        QCOMPARE(s->text(), normalised);
        // What text() writes reads back the same.
        const auto again = RetrainSchedule::parse(s->text());
        QVERIFY(again);
        QCOMPARE(again->text(), normalised);
    }

    void refuses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("hour 24") << "daily 24:00" << "from 00:00 to 23:59";
        QTest::newRow("minute 60") << "daily 12:60" << "from 00:00 to 23:59";
        QTest::newRow("no minutes") << "daily 3" << "expected off, daily HH:MM (UTC) or every N readings";
        QTest::newRow("zero readings") << "every 0 readings" << "N must be a positive whole number";
        QTest::newRow("too many readings") << "every 99999999999 readings" << "N must be a positive whole number";
        QTest::newRow("weekly") << "weekly" << "expected off, daily HH:MM (UTC) or every N readings";
        QTest::newRow("negative") << "every -5 readings" << "expected off";
    }
    void refuses()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        const auto s = RetrainSchedule::parse(text);
        QVERIFY(!s);
        QVERIFY2(s.errorMessage().contains(message), qPrintable(s.errorMessage()));
        QVERIFY2(s.errorMessage().contains(text), qPrintable(s.errorMessage())); // names what was written
    }

    void nextDailyRunIsStrictlyAfter_data()
    {
        QTest::addColumn<QString>("schedule");
        QTest::addColumn<qint64>("after");
        QTest::addColumn<qint64>("next");
        QTest::newRow("later today") << "daily 03:00" << at("2015-01-30T01:59:59.999Z") << at("2015-01-30T03:00:00Z");
        QTest::newRow("exactly then: tomorrow") << "daily 03:00" << at("2015-01-30T03:00:00Z") << at("2015-01-31T03:00:00Z");
        QTest::newRow("just after: tomorrow") << "daily 03:00" << at("2015-01-30T03:00:00.001Z") << at("2015-01-31T03:00:00Z");
        QTest::newRow("midnight run") << "daily 00:00" << at("2015-02-28T23:30:00Z") << at("2015-03-01T00:00:00Z");
        QTest::newRow("leap day") << "daily 23:59" << at("2016-02-28T23:59:00Z") << at("2016-02-29T23:59:00Z");
        QTest::newRow("before the epoch") << "daily 12:00" << at("1969-12-31T18:00:00Z") << at("1970-01-01T12:00:00Z");
        QTest::newRow("the epoch") << "daily 00:00" << qint64(0) << at("1970-01-02T00:00:00Z");
    }
    void nextDailyRunIsStrictlyAfter()
    {
        QFETCH(QString, schedule);
        QFETCH(qint64, after);
        QFETCH(qint64, next);
        QCOMPARE(timeutil::toIsoUtc(RetrainSchedule::parse(schedule)->nextDailyMs(after)), timeutil::toIsoUtc(next));
    }

    void onlyDailySchedulesHaveARunTime()
    {
        QCOMPARE(RetrainSchedule::parse(QStringLiteral("off"))->nextDailyMs(at("2015-01-30T00:00:00Z")), -1);
        QCOMPARE(RetrainSchedule::parse(QStringLiteral("every 3 readings"))->nextDailyMs(at("2015-01-30T00:00:00Z")), -1);
    }

    void countsReadingsPerStation()
    {
        auto s = *RetrainSchedule::parse(QStringLiteral("every 3 readings"));
        QCOMPARE(s.everyReadings(), 3);
        // Two stations interleaved: the first to reach 3 of its own triggers, then every count restarts.
        QVERIFY(!s.countReading(QStringLiteral("KMSN")));
        QVERIFY(!s.countReading(QStringLiteral("KMKE")));
        QVERIFY(!s.countReading(QStringLiteral("KMSN")));
        QVERIFY(!s.countReading(QStringLiteral("KMKE")));
        QVERIFY(s.countReading(QStringLiteral("KMSN")));
        QVERIFY(!s.countReading(QStringLiteral("KMKE"))); // its 2 were reset with the trigger
        QVERIFY(!s.countReading(QStringLiteral("KMKE")));
        QVERIFY(s.countReading(QStringLiteral("KMKE")));
        s.countReading(QStringLiteral("KMSN"));
        s.countReading(QStringLiteral("KMSN"));
        s.resetCounts();
        QVERIFY(!s.countReading(QStringLiteral("KMSN")));
        // Other kinds never trigger on readings.
        auto daily = *RetrainSchedule::parse(QStringLiteral("daily 03:00"));
        for (int i = 0; i < 10; ++i)
            QVERIFY(!daily.countReading(QStringLiteral("KMSN")));
    }
};

QTEST_APPLESS_MAIN(TestRetrainSchedule)
#include "tst_pipeline_retrain_schedule.moc"
