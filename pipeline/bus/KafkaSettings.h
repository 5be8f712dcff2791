#pragma once

#include "Bus.h"
#include "Result.h"

#include <QList>
#include <QMap>
#include <QString>

#include <memory>

struct rd_kafka_s;
struct rd_kafka_conf_s;

namespace stratus {

// How to reach a Kafka cluster and how Stratus's topics are laid out on it. Shared by KafkaBus,
// the workers and the cluster monitor so they all agree on names, partitioning and security.
struct KafkaSettings
{
    QString bootstrap;                // host:port[,host:port…]
    int partitions = 4;               // of every stratus.* topic created here
    int replication = -1;             // -1 = the broker's default.replication.factor
    QString topicNamespace;           // prefix of topic and group names, so pipelines can share a cluster
    // Write readings, windows and forecasts in KafkaBinaryCodec's compact format instead of JSON.
    // Readers accept both, so a cluster can switch while it runs.
    bool binary = false;
    // [kafka] delivery = at_least_once: workers write with an idempotent producer and no
    // transactions and commit input offsets once their outputs are delivered; a crash re-sends
    // some outputs, which carry a deterministic id (DuplicateFilter) that readers drop. Results are
    // visible as soon as they are delivered instead of after a transaction commit.
    bool atLeastOnce = false;
    int atLeastOnceCommitMs = 200; // [kafka] commit_interval_ms: TransactionalStage::checkpointIntervalMs
    // librdkafka properties passed through unchanged (security.protocol, sasl.*, ssl.*, …): [kafka]
    // properties (file or STRATUS_KAFKA_PROPERTIES), then --kafka KEY=VALUE, so real clusters with
    // SASL/SSL work without code here.
    QMap<QString, QString> extra;

    QString topic(Bus::Topic t) const { return topicNamespace + Bus::topicName(t); }
    QString topic(const QString &bareName) const { return topicNamespace + bareName; }
    QString heartbeatTopic() const { return topicNamespace + QStringLiteral("stratus.heartbeats"); }
    QString group(const QString &stage) const { return topicNamespace + QStringLiteral("stratus.") + stage; }
    QStringList allTopics() const;

    // Parses "key=value"; the error names the bad argument (never its value).
    Result<bool> addExtra(const QString &keyValue);
    // librdkafka properties whose values are secrets (passwords, keys, tokens): never printed.
    static bool isSecretProperty(const QString &key);
    // "key=value", or "key=***" for a secret.
    static QString describeProperty(const QString &key, const QString &value);
};

// RAII handle for rd_kafka_t; destroys (and for producers, flushes) on scope exit.
struct KafkaHandleDeleter
{
    void operator()(rd_kafka_s *rk) const;
};
using KafkaHandle = std::unique_ptr<rd_kafka_s, KafkaHandleDeleter>;

namespace kafka {
// A conf with bootstrap, the pass-through properties and then `overrides` applied; the error names
// the property librdkafka refused.
Result<rd_kafka_conf_s *> makeConf(const KafkaSettings &settings, const QMap<QString, QString> &overrides);
Result<KafkaHandle> makeProducer(const KafkaSettings &settings, const QMap<QString, QString> &overrides, void *opaque = nullptr,
                                 void (*deliveryCb)(rd_kafka_s *, const void *, void *) = nullptr);
Result<KafkaHandle> makeConsumer(const KafkaSettings &settings, const QMap<QString, QString> &overrides);
// Creates the topics that do not exist yet (an existing topic is success). Heartbeats get one
// partition; everything else settings.partitions.
Result<bool> ensureTopics(rd_kafka_s *rk, const KafkaSettings &settings, const QStringList &topics, int timeoutMs = 15000);
// Number of partitions of a topic (from metadata), or an error.
Result<int> partitionCount(rd_kafka_s *rk, const QString &topic, int timeoutMs = 5000);
// The offset the next record of a partition will get (its high watermark), asked of the broker.
Result<qint64> endOffset(rd_kafka_s *rk, const QString &topic, int partition, int timeoutMs = 5000);
QString errorText(int code);
} // namespace kafka

} // namespace stratus
