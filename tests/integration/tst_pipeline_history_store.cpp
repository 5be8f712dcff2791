// The history store on a real SQLite file, fed with the real recorded NWS stream: batched commits,
// reads on separate connections while the writer commits, retention by age, model versions.
#include "StoreFeed.h"
#include "TestData.h"
#include "bus/LocalBus.h"
#include "sources/RecordedDataReader.h"
#include "store/HistoryReader.h"
#include "store/HistoryStore.h"
#include "TimeUtil.h"

#include <QTemporaryDir>
#include <QtConcurrent>
#include <QtTest>

using namespace stratus;

class TstHistoryStore : public QObject
{
    Q_OBJECT
private:
    QList<Reading> m_readings;

    // One reading per (station, ts): the recording has one pair twice (the KMSP unit change).
    static QSet<QPair<QString, qint64>> keys(const QList<Reading> &readings)
    {
        QSet<QPair<QString, qint64>> k;
        for (const Reading &r : readings)
            k.insert({r.stationId, r.timestampMs});
        return k;
    }

private slots:
    void initTestCase()
    {
        const auto data = RecordedDataReader::read(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
        QVERIFY(data.ok());
        m_readings = data->readings;
        QCOMPARE(m_readings.size(), 524);
    }

    void writesAndReadsBack()
    {
        QTemporaryDir dir;
        StoreOptions o;
        o.path = dir.filePath(QStringLiteral("h.sqlite"));
        o.retentionDays = 0;
        o.batchRows = 100; // several batches for 524 readings
        HistoryStore store(o);
        QVERIFY(store.open().ok());
        LocalBus bus;
        feedStoreFromBus(bus, store);
        for (qsizetype i = 0; i < m_readings.size(); i += 50)
            bus.publishReadings(m_readings.mid(i, 50));
        store.flush();
        QCOMPARE(store.counters().readingsAcked.load(), qint64(524));
        QVERIFY(store.counters().batches.load() >= 5);
        QCOMPARE(store.counters().pendingRows.load(), qint64(0));
        QCOMPARE(store.counters().ackedReadingMs.load(), m_readings.last().timestampMs);

        HistoryReader reader(o.path);
        HistoryQuery q;
        q.station = QStringLiteral("KMSN");
        q.limit = 1000;
        const auto kmsn = reader.readings(q);
        QVERIFY(kmsn.ok());
        qsizetype expected = 0;
        for (const auto &k : keys(m_readings))
            expected += k.first == QLatin1String("KMSN");
        QCOMPARE(kmsn->size(), expected);
        // Values come back exactly, missing stays missing (NaN, not 0).
        const Reading &first = *std::find_if(m_readings.begin(), m_readings.end(),
                                             [](const Reading &r) { return r.stationId == QLatin1String("KMSN"); });
        QCOMPARE(kmsn->first().timestampMs, first.timestampMs);
        for (Variable v : kAllVariables) {
            if (first.has(v))
                QCOMPARE(kmsn->first().value(v), first.value(v));
            else
                QVERIFY(!kmsn->first().has(v));
        }
        // Pages: limit/offset walk the same rows in order.
        q.limit = 10;
        q.offset = 10;
        const auto page = reader.readings(q);
        QCOMPARE(page->size(), 10);
        QCOMPARE(page->first().timestampMs, kmsn->at(10).timestampMs);
        QCOMPARE(reader.stations()->size(), 5);
    }

    void readersNeverBlockTheWriter()
    {
        QTemporaryDir dir;
        StoreOptions o;
        o.path = dir.filePath(QStringLiteral("h.sqlite"));
        o.retentionDays = 0;
        o.batchRows = 20;
        o.batchIntervalMs = 1;
        HistoryStore store(o);
        QVERIFY(store.open().ok());
        LocalBus bus;
        feedStoreFromBus(bus, store);
        std::atomic<bool> stop{false};
        std::atomic<int> reads{0}, failures{0};
        // Another thread reads continuously on its own connection while batches commit.
        auto readerJob = QtConcurrent::run([&] {
            HistoryReader reader(o.path);
            while (!stop) {
                HistoryQuery q;
                q.limit = 100000;
                const auto r = reader.readings(q);
                r.ok() ? ++reads : ++failures;
            }
        });
        // Shifted copies of the real readings, so each round adds new rows.
        for (int round = 0; round < 20; ++round) {
            QList<Reading> batch = m_readings;
            for (Reading &r : batch)
                r.timestampMs += round * 100LL * timeutil::kMsPerDay;
            bus.publishReadings(batch);
            QTest::qWait(5);
        }
        store.flush();
        stop = true;
        readerJob.waitForFinished();
        QCOMPARE(failures.load(), 0);
        QVERIFY(reads.load() > 0);
        QCOMPARE(store.counters().readingsAcked.load(), qint64(20 * 524));
        QCOMPARE(store.counters().failedBatches.load(), qint64(0));
        HistoryReader check(o.path);
        QCOMPARE(*check.count(QStringLiteral("readings")), qint64(20 * 523));
    }

    void retentionByAge()
    {
        QTemporaryDir dir;
        StoreOptions o;
        o.path = dir.filePath(QStringLiteral("h.sqlite"));
        o.retentionDays = 0;
        {
            HistoryStore store(o);
            QVERIFY(store.open().ok());
            LocalBus bus;
            feedStoreFromBus(bus, store);
            bus.publishReadings(m_readings);
            store.close();
        }
        // Reopen keeping 3 days: age counts from the newest reading (2026-01-29T07:35Z), so a
        // replay of old recordings keeps its last days.
        o.retentionDays = 3;
        const qint64 newest = m_readings.last().timestampMs;
        const qint64 cutoff = newest - 3 * timeutil::kMsPerDay;
        QSet<QPair<QString, qint64>> kept;
        for (const auto &k : keys(m_readings)) {
            if (k.second >= cutoff)
                kept.insert(k);
        }
        {
            HistoryStore store(o);
            QVERIFY(store.open().ok());
            QVERIFY(store.counters().retentionDeleted.load() > 0);
        }
        HistoryReader reader(o.path);
        HistoryQuery q;
        q.limit = 100000;
        const auto left = reader.readings(q);
        QCOMPARE(keys(*left), kept);
        QVERIFY(kept.size() < 523);
    }

    void modelVersions()
    {
        QTemporaryDir dir;
        StoreOptions o;
        o.path = dir.filePath(QStringLiteral("h.sqlite"));
        HistoryStore store(o);
        QVERIFY(store.open().ok());
        QVERIFY(store.registerModel(QStringLiteral("ridge-1"), QStringLiteral("ridge"), 1769558400000LL,
                                    QStringLiteral("{\"mae\": 1.2}")).ok());
        QVERIFY(store.registerModel(QStringLiteral("ridge-2"), QStringLiteral("ridge"), 1769644800000LL,
                                    QStringLiteral("{}")).ok());
        QVERIFY(store.activateModel(QStringLiteral("ridge-2")).ok());
        HistoryReader reader(o.path);
        const auto rows = reader.modelVersions();
        QCOMPARE(rows->size(), 2);
        QCOMPARE(rows->at(0).active, false);
        QCOMPARE(rows->at(1).active, true);
        QCOMPARE(rows->at(0).metadata.value(QLatin1String("mae")).toDouble(), 1.2);
    }

    void openFailsClearly()
    {
        StoreOptions o;
        o.path = QStringLiteral("/proc/stratus-cannot-write-here/h.sqlite");
        HistoryStore store(o);
        const auto r = store.open();
        QVERIFY(!r.ok());
        QVERIFY2(r.errorMessage().contains(QLatin1String("stratus-cannot-write-here")), qPrintable(r.errorMessage()));
    }
};

QTEST_GUILESS_MAIN(TstHistoryStore)
#include "tst_pipeline_history_store.moc"
