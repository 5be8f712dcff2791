#include "TestData.h"
#include "sources/RecordedDataReader.h"
#include "sources/ReplaySource.h"

#include "TimeUtil.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace stratus;
using namespace Qt::StringLiterals;

class TestReplay : public QObject
{
    Q_OBJECT
private slots:
    void readsTheRecordedNwsStream();
    void readsTheHourlyCsvWithCrLf();
    void skipsMalformedLinesNamingFileAndLine();
    void replaysEverythingAtMaximumSpeed();
    void shiftsTimesToNow();
    void missingFileIsAClearError();
};

void TestReplay::readsTheRecordedNwsStream()
{
    const auto data = RecordedDataReader::read(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
    QVERIFY2(data.ok(), qPrintable(data.errorMessage()));
    QCOMPARE(data->readings.size(), 524);
    QCOMPARE(data->stations.size(), 5);
    QVERIFY(data->rejected.isEmpty());
    QVERIFY(std::is_sorted(data->readings.cbegin(), data->readings.cend(),
                           [](const Reading &a, const Reading &b) { return a.timestampMs < b.timestampMs; }));
    QHash<QString, int> perStation;
    for (const Reading &r : data->readings)
        ++perStation[r.stationId];
    // Row counts per station from ../shared/data/README.md.
    QCOMPARE(perStation.value(u"KMDW"_s), 112);
    QCOMPARE(perStation.value(u"KMSN"_s), 106);
    QCOMPARE(perStation.value(u"KMSP"_s), 105);
    QCOMPARE(perStation.value(u"KMKE"_s), 103);
    QCOMPARE(perStation.value(u"KDSM"_s), 98);
}

void TestReplay::readsTheHourlyCsvWithCrLf()
{
    const auto data = RecordedDataReader::read(testdata::shared("data/beijing_hourly/beijing_hourly_2013_2016.csv"));
    QVERIFY2(data.ok(), qPrintable(data.errorMessage()));
    QCOMPARE(data->readings.size(), 315648);
    QCOMPARE(data->stations.size(), 12);
    const Reading &first = data->readings.first();
    QCOMPARE(first.timestampMs, *timeutil::parseIsoUtc(QStringView(u"2013-02-28T16:00:00Z")));
    int missingTemperature = 0;
    for (const Reading &r : data->readings)
        missingTemperature += !r.has(Variable::Temperature);
    QCOMPARE(missingTemperature, 179); // empty cells stay missing
    // 16-point compass names become degrees: the first Aotizhongxin row says NNW.
    for (const Reading &r : data->readings) {
        if (r.stationId == QLatin1String("Aotizhongxin")) {
            QCOMPARE(r.value(Variable::WindDirection), 337.5);
            QCOMPARE(r.value(Variable::Temperature), -0.7);
            QVERIFY(r.has(Variable::Humidity)); // derived from temperature and dewpoint
            break;
        }
    }
}

void TestReplay::skipsMalformedLinesNamingFileAndLine()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("broken.jsonl"));
    QFile in(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
    QVERIFY(in.open(QIODevice::ReadOnly));
    QList<QByteArray> lines = in.readAll().split('\n');
    lines.insert(3, QByteArray("{\"station_id\": \"KMSN\", \"timestamp\": \"2026-01-28T01"));   // truncated
    lines.insert(7, QByteArray("{\"station_id\": \"KMSN\", \"timestamp\": \"2026-01-28T01:20:00+00:00\", \"humidity\": \"wet\"}"));
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(lines.join('\n'));
    out.close();

    const auto data = RecordedDataReader::read(path);
    QVERIFY(data.ok());
    QCOMPARE(data->readings.size(), 524); // nothing good lost
    QCOMPARE(data->rejected.size(), 2);
    QCOMPARE(data->rejected[0].origin, path + QStringLiteral(":4"));
    QVERIFY(data->rejected[0].reason.contains(QStringLiteral("malformed JSON")));
    QCOMPARE(data->rejected[1].origin, path + QStringLiteral(":8"));
    QVERIFY(data->rejected[1].reason.contains(QStringLiteral("humidity")));
}

void TestReplay::replaysEverythingAtMaximumSpeed()
{
    ReplaySource::Options o;
    o.path = testdata::shared("data/nws_recorded/nws_recorded.jsonl");
    o.speed = 0;
    o.maxBatch = 100;
    ReplaySource source(o);
    QSignalSpy batches(&source, &Source::readingsReady);
    QSignalSpy finished(&source, &Source::finished);
    source.start();
    QVERIFY(finished.wait(5000) || finished.count() == 1);
    qsizetype total = 0;
    qint64 last = 0;
    for (const auto &args : batches) {
        const auto batch = args.at(0).value<QList<Reading>>();
        QVERIFY(batch.size() <= 100);
        for (const Reading &r : batch) {
            QVERIFY(r.timestampMs >= last);
            last = r.timestampMs;
        }
        total += batch.size();
    }
    QCOMPARE(total, 524);
    QCOMPARE(source.health().state, Source::State::Finished);
}

void TestReplay::shiftsTimesToNow()
{
    ReplaySource::Options o;
    o.path = testdata::shared("data/nws_recorded/nws_recorded.jsonl");
    o.speed = 0;
    o.shiftToNow = true;
    ReplaySource source(o);
    QSignalSpy batches(&source, &Source::readingsReady);
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    source.start();
    QVERIFY(!batches.isEmpty());
    const Reading first = batches.first().at(0).value<QList<Reading>>().first();
    QVERIFY(first.timestampMs >= before && first.timestampMs < before + 5000);
}

void TestReplay::missingFileIsAClearError()
{
    ReplaySource::Options o;
    o.path = QStringLiteral("does/not/exist.jsonl");
    ReplaySource source(o);
    source.start();
    QCOMPARE(source.health().state, Source::State::Down);
    QVERIFY(source.health().lastError.contains(QStringLiteral("does/not/exist.jsonl")));
}

QTEST_GUILESS_MAIN(TestReplay)
#include "tst_pipeline_replay.moc"
