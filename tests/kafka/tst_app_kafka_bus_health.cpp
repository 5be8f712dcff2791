// KafkaBus health: with the broker gone, problem() names the unreachable cluster (what /health and
// `stratus --connect` show); with it back, the problem clears. Always starts (and stops) its own
// one-node cluster with scripts/kafka.sh, since it takes the broker away (label `kafka`).
#include "KafkaTestCluster.h"
#include "bus/KafkaBus.h"

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
