// KafkaBus health: with the broker gone, problem() names the unreachable cluster (what /health and
// `stratus --connect` show); with it back, the problem clears. Always starts (and stops) its own
// one-node cluster with scripts/kafka.sh, since it takes the broker away (label `kafka`). And what a
// viewer (`stratus --connect`) reads from the topics is validated like any input.
#include "KafkaTestCluster.h"
#include "ReadingValidator.h"
#include "bus/KafkaBus.h"
#include "sources/RecordedDataReader.h"

#include <QtTest>

using namespace stratus;

class TestKafkaBusHealth : public QObject
{
    Q_OBJECT
private slots:
    void problemWhenBrokerGoesAway()
    {
        qunsetenv("STRATUS_KAFKA_BOOTSTRAP"); // this test needs a broker it may stop
        KafkaTestCluster cluster;
        const QString problem = cluster.start(1);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));

        KafkaBus::Options o;
        o.kafka = cluster.settings(KafkaTestCluster::newNamespace());
        o.subscribe = {Bus::Topic::Features};
        KafkaBus bus(o);
        QVERIFY2(bus.start(), qPrintable(bus.problem()));
        QTRY_VERIFY_WITH_TIMEOUT(bus.problem().isEmpty(), 10000);

        QVERIFY(cluster.script({QStringLiteral("stop-node"), QStringLiteral("1")}));
        QTRY_VERIFY_WITH_TIMEOUT(bus.problem().contains(QLatin1String("unreachable")), 15000);
        QVERIFY(bus.problem().contains(o.kafka.bootstrap));

        QVERIFY(cluster.script({QStringLiteral("start-node"), QStringLiteral("1")}));
        QTRY_VERIFY_WITH_TIMEOUT(bus.problem().isEmpty(), 30000);
        bus.stop();
        cluster.stop();
    }

    // Anyone who can write to the topics can write anything: a viewer refuses readings without a
    // usable station id, drops impossible values, and follows at most maxStations stations. Real NWS
    // readings plus two forged records; the viewer here may follow 3 of the 5 stations.
    void viewerValidatesWhatItReads()
    {
        qunsetenv("STRATUS_KAFKA_BOOTSTRAP");
        KafkaTestCluster cluster;
        const QString problem = cluster.start(1);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const auto data = RecordedDataReader::read(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
        QVERIFY2(data, qPrintable(data.errorMessage()));
        QList<Reading> published = data->readings;
        QVERIFY(published.size() > 100);
        Reading noId = published.front();
        noId.stationId = QStringLiteral("x'); DROP TABLE readings;--");
        Reading hot = published.front();
        hot.timestampMs += 1; // another reading of the same station, with an impossible temperature
        hot.set(Variable::Temperature, 900.0);
        published << noId << hot;

        KafkaBus::Options po;
        po.kafka = cluster.settings(KafkaTestCluster::newNamespace());
        KafkaBus publisher(po);
        QVERIFY2(publisher.start(), qPrintable(publisher.problem()));
        publisher.publishReadings(published);
        QVERIFY(publisher.flush(60000));

        KafkaBus::Options vo;
        vo.kafka = po.kafka;
        vo.subscribe = {Bus::Topic::Raw};
        vo.maxStations = 3;
        KafkaBus viewer(vo);
        QList<Reading> received;
        connect(&viewer, &Bus::readings, this, [&](const QList<Reading> &rs) { received += rs; });
        QVERIFY2(viewer.start(), qPrintable(viewer.problem()));

        // Which three stations the viewer follows depends on the order partitions are read in; what
        // it delivers must be exactly the valid readings of those three.
        ReadingValidator validator;
        auto expectedFor = [&](const QSet<QString> &stations) {
            qsizetype n = 0;
            for (const Reading &r : std::as_const(published))
                n += !validator.validate(r).fatal && stations.contains(r.stationId);
            return n;
        };
        QSet<QString> followed;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                followed.clear();
                for (const Reading &r : std::as_const(received))
                    followed.insert(r.stationId);
                return followed.size() == 3 && received.size() == expectedFor(followed)
                       && viewer.recordsRefused() > 0;
            }(),
            60000);
        QTest::qWait(1000); // nothing more arrives
        QCOMPARE(received.size(), expectedFor(followed));
        for (const Reading &r : std::as_const(received)) {
            QVERIFY2(ReadingValidator::isValidStationId(r.stationId), qPrintable(r.stationId));
            QVERIFY(!r.has(Variable::Temperature) || r.value(Variable::Temperature) < 100);
        }
        if (followed.contains(hot.stationId)) {
            // The forged hot reading arrives without its impossible temperature, the rest kept.
            bool seen = false;
            for (const Reading &r : std::as_const(received))
                seen = seen || (r.stationId == hot.stationId && r.timestampMs == hot.timestampMs && !r.has(Variable::Temperature));
            QVERIFY(seen);
        }
        QVERIFY2(viewer.problem().contains(QLatin1String("more than 3 stations")), qPrintable(viewer.problem()));
        viewer.stop();
        publisher.stop();
        cluster.stop();
    }

    void clearErrorWhenNoBroker()
    {
        // Nothing listens on port 1 of loopback: start() fails with a message naming the address.
        KafkaBus::Options o;
        o.kafka.bootstrap = QStringLiteral("127.0.0.1:1");
        KafkaBus bus(o);
        const auto r = bus.start();
        QVERIFY(!r);
        QVERIFY2(r.errorMessage().contains(QLatin1String("127.0.0.1:1")), qPrintable(r.errorMessage()));
        QCOMPARE(bus.problem(), r.errorMessage());
    }
};

QTEST_GUILESS_MAIN(TestKafkaBusHealth)
#include "tst_app_kafka_bus_health.moc"
