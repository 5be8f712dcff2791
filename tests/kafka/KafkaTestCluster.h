#pragma once

// Test support for the `kafka` label: a real broker for the test executable, and helpers to run
// stratus workers and to read topics.
//
// Brokers: when STRATUS_KAFKA_BOOTSTRAP is set, the tests use that cluster (e.g. one `.ci/run`
// started once with scripts/kafka.sh). Otherwise each test executable starts its own with
// scripts/kafka.sh in a temporary state directory and stops it at the end. Either way every test
// uses its own topic namespace (--namespace), so tests never see each other's records.

#include "TestData.h"
#include "bus/KafkaSettings.h"

#include <librdkafka/rdkafka.h>

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <memory>

class KafkaTestCluster
{
public:
    // Empty string = ready; otherwise the reason (the test then fails with it).
    QString start(int brokers = 1)
    {
        const QByteArray env = qgetenv("STRATUS_KAFKA_BOOTSTRAP");
        if (!env.isEmpty() && brokers == 1) {
            m_bootstrap = QString::fromUtf8(env);
            return QString();
        }
        m_stateDir = std::make_unique<QTemporaryDir>();
        QProcess p;
        p.setProcessChannelMode(QProcess::SeparateChannels);
        p.setProcessEnvironment(env_());
        p.start(QStringLiteral("bash"), {testdata::source("scripts/kafka.sh"), QStringLiteral("up"), QStringLiteral("--brokers"),
                                         QString::number(brokers)});
        if (!p.waitForFinished(300000) || p.exitCode() != 0)
            return QStringLiteral("scripts/kafka.sh up failed: ") + QString::fromUtf8(p.readAllStandardError());
        m_bootstrap = QString::fromUtf8(p.readAllStandardOutput()).trimmed().split(QLatin1Char('\n')).last();
        m_owned = true;
        return QString();
    }

    void stop()
    {
        if (!m_owned)
            return;
        script({QStringLiteral("down")});
        m_owned = false;
    }

    // stop-node / start-node / kill-node N (only for clusters this object started).
    bool script(const QStringList &args, int timeoutMs = 120000)
    {
        QProcess p;
        p.setProcessEnvironment(env_());
        p.start(QStringLiteral("bash"), QStringList{testdata::source("scripts/kafka.sh")} + args);
        return p.waitForFinished(timeoutMs) && p.exitCode() == 0;
    }

    ~KafkaTestCluster() { stop(); }

    QString bootstrap() const { return m_bootstrap; }
    bool owned() const { return m_owned; }

    static QString newNamespace()
    {
        return QStringLiteral("t") + QUuid::createUuid().toString(QUuid::Id128).left(10) + QLatin1Char('.');
    }

    stratus::KafkaSettings settings(const QString &ns) const
    {
        stratus::KafkaSettings k;
        k.bootstrap = m_bootstrap;
        k.topicNamespace = ns;
        return k;
    }

    // Every value of a topic (read_committed), waiting until `expected` records arrived and then
    // `settleMs` more without new ones (so duplicates would be seen), or until the timeout. With
    // settleMs 0 it returns as soon as `expected` arrived.
    static QList<QByteArray> readTopic(const stratus::KafkaSettings &k, const QString &topic, qsizetype expected, int timeoutMs,
                                       int settleMs = 1500)
    {
        QList<QByteArray> out;
        auto c = stratus::kafka::makeConsumer(k, {{QStringLiteral("group.id"), k.topicNamespace + QStringLiteral("reader-") + QUuid::createUuid().toString()},
                                                  {QStringLiteral("isolation.level"), QStringLiteral("read_committed")}});
        if (!c)
            return out;
        rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(sub, topic.toUtf8().constData(), RD_KAFKA_PARTITION_UA);
        rd_kafka_subscribe(c->get(), sub);
        rd_kafka_topic_partition_list_destroy(sub);
        QElapsedTimer clock, idle;
        clock.start();
        idle.start();
        while (clock.elapsed() < timeoutMs) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(c->get(), 100);
            if (m) {
                if (!m->err) {
                    out.append(QByteArray(static_cast<const char *>(m->payload), static_cast<qsizetype>(m->len)));
                    idle.restart();
                }
                rd_kafka_message_destroy(m);
                if (settleMs == 0 && out.size() >= expected)
                    break; // "as soon as": a steady stream never leaves the 100 ms gap checked below
                continue;
            }
            if (out.size() >= expected && idle.elapsed() > settleMs)
                break;
        }
        rd_kafka_consumer_close(c->get());
        return out;
    }

    // Delivers one record with an idempotent producer, as every stage's producer is. The first
    // one on a fresh broker waits for the transaction coordinator to load ("Coordinator load in
    // progress" for seconds on a busy machine); a test that times a kill must not pay that inside
    // its stream. Returns the problem, or empty.
    QString warmUp() const
    {
        stratus::KafkaSettings k;
        k.bootstrap = m_bootstrap;
        k.topicNamespace = newNamespace();
        auto p = stratus::kafka::makeProducer(k, {});
        if (!p)
            return p.errorMessage();
        const QString topic = k.topicNamespace + QStringLiteral("warmup");
        if (auto t = stratus::kafka::ensureTopics(p->get(), k, {topic}, 60000); !t)
            return t.errorMessage();
        const QByteArray name = topic.toUtf8();
        rd_kafka_producev(p->get(), RD_KAFKA_V_TOPIC(name.constData()), RD_KAFKA_V_VALUE(const_cast<char *>("x"), size_t(1)),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (rd_kafka_flush(p->get(), 120000) != RD_KAFKA_RESP_ERR_NO_ERROR)
            return QStringLiteral("an idempotent producer delivered nothing in 120 s");
        return QString();
    }

    // A stratus process (worker or collector) with output kept for failure messages.
    static std::unique_ptr<QProcess> stratus(const QStringList &args)
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->start(testdata::stratusBinary(), args);
        p->waitForStarted(10000);
        return p;
    }

private:
    QProcessEnvironment env_() const
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        if (m_stateDir)
            e.insert(QStringLiteral("STRATUS_KAFKA_STATE"), m_stateDir->path());
        return e;
    }

    std::unique_ptr<QTemporaryDir> m_stateDir;
    QString m_bootstrap;
    bool m_owned = false;
};
