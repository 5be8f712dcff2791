#include "KafkaSettings.h"

#include <librdkafka/rdkafka.h>

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QThread>

namespace stratus {

// librdkafka's own log lines (connection failures, broker state changes, …) in Qt's categorized
// logging, so QT_LOGGING_RULES and the app's message handler see them like any other message.
Q_LOGGING_CATEGORY(lcKafka, "stratus.kafka")

namespace {
void logToQt(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    const char *name = rk ? rd_kafka_name(rk) : "rdkafka";
    // syslog levels: 0-3 emergency..error, 4 warning, 5-6 notice/info, 7 debug.
    if (level <= 4)
        qCWarning(lcKafka).noquote() << name << fac << buf;
    else if (level <= 6)
        qCInfo(lcKafka).noquote() << name << fac << buf;
    else
        qCDebug(lcKafka).noquote() << name << fac << buf;
}
} // namespace

QStringList KafkaSettings::allTopics() const
{
    return {topic(Bus::Topic::Raw), topic(Bus::Topic::Features), topic(Bus::Topic::Predictions),
            topic(Bus::Topic::Anomalies), topic(Bus::Topic::DeadLetter), heartbeatTopic()};
}

bool KafkaSettings::isSecretProperty(const QString &key)
{
    const QString k = key.trimmed().toLower();
    return k.contains(QLatin1String("password")) || k.contains(QLatin1String("secret")) || k.endsWith(QLatin1String(".pem"))
           || k == QLatin1String("sasl.oauthbearer.config") || k == QLatin1String("sasl.jaas.config")
           || k.contains(QLatin1String("token"));
}

QString KafkaSettings::describeProperty(const QString &key, const QString &value)
{
    return key + u'=' + (isSecretProperty(key) ? QStringLiteral("***") : value);
}

Result<bool> KafkaSettings::addExtra(const QString &keyValue)
{
    const qsizetype eq = keyValue.indexOf(QLatin1Char('='));
    if (eq <= 0)
        return makeError(QStringLiteral("Kafka property \"%1\": expected KEY=VALUE (a librdkafka property)")
                             .arg(keyValue.size() > 64 ? keyValue.left(64) + QStringLiteral("…") : keyValue));
    extra.insert(keyValue.left(eq).trimmed(), keyValue.mid(eq + 1));
    return true;
}

void KafkaHandleDeleter::operator()(rd_kafka_s *rk) const
{
    if (!rk)
        return;
    if (rd_kafka_type(rk) == RD_KAFKA_PRODUCER)
        rd_kafka_flush(rk, 10000);
    rd_kafka_destroy(rk);
}

namespace kafka {

QString errorText(int code)
{
    return QString::fromUtf8(rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(code)));
}

Result<rd_kafka_conf_s *> makeConf(const KafkaSettings &settings, const QMap<QString, QString> &overrides)
{
    if (settings.bootstrap.trimmed().isEmpty())
        return makeError(QStringLiteral("no Kafka bootstrap servers given (HOST:PORT)"));
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, &logToQt);
    char err[512];
    auto set = [&](const QString &k, const QString &v) -> bool {
        return rd_kafka_conf_set(conf, k.toUtf8().constData(), v.toUtf8().constData(), err, sizeof err) == RD_KAFKA_CONF_OK;
    };
    QMap<QString, QString> all;
    all.insert(QStringLiteral("bootstrap.servers"), settings.bootstrap);
    // Loopback brokers answer in microseconds; a dead one should be noticed in seconds, not minutes.
    all.insert(QStringLiteral("socket.connection.setup.timeout.ms"), QStringLiteral("5000"));
    all.insert(QStringLiteral("reconnect.backoff.max.ms"), QStringLiteral("2000"));
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
        all.insert(it.key(), it.value());
    for (auto it = settings.extra.begin(); it != settings.extra.end(); ++it)
        all.insert(it.key(), it.value());
    for (auto it = all.begin(); it != all.end(); ++it) {
        if (!set(it.key(), it.value())) {
            rd_kafka_conf_destroy(conf);
            return makeError(QStringLiteral("Kafka property %1: %2")
                                 .arg(KafkaSettings::describeProperty(it.key(), it.value()), QString::fromUtf8(err)));
        }
    }
    return conf;
}

Result<KafkaHandle> makeProducer(const KafkaSettings &settings, const QMap<QString, QString> &overrides, void *opaque,
                                 void (*deliveryCb)(rd_kafka_s *, const void *, void *))
{
    QMap<QString, QString> o{{QStringLiteral("enable.idempotence"), QStringLiteral("true")},
                             {QStringLiteral("acks"), QStringLiteral("all")},
                             {QStringLiteral("linger.ms"), QStringLiteral("5")},
                             {QStringLiteral("compression.codec"), QStringLiteral("lz4")},
                             // Above the ~3 s a 3-node cluster stalls when a broker dies.
                             {QStringLiteral("message.timeout.ms"), QStringLiteral("60000")}};
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
        o.insert(it.key(), it.value());
    auto conf = makeConf(settings, o);
    if (!conf)
        return conf.error();
    if (opaque)
        rd_kafka_conf_set_opaque(*conf, opaque);
    if (deliveryCb)
        rd_kafka_conf_set_dr_msg_cb(*conf, reinterpret_cast<void (*)(rd_kafka_t *, const rd_kafka_message_t *, void *)>(deliveryCb));
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(*conf);
        return makeError(QStringLiteral("cannot create Kafka producer: %1").arg(QString::fromUtf8(err)));
    }
    return KafkaHandle(rk);
}

Result<KafkaHandle> makeConsumer(const KafkaSettings &settings, const QMap<QString, QString> &overrides)
{
    QMap<QString, QString> o{{QStringLiteral("enable.auto.commit"), QStringLiteral("false")},
                             {QStringLiteral("isolation.level"), QStringLiteral("read_committed")},
                             {QStringLiteral("auto.offset.reset"), QStringLiteral("earliest")},
                             {QStringLiteral("enable.partition.eof"), QStringLiteral("false")},
                             {QStringLiteral("fetch.wait.max.ms"), QStringLiteral("10")}};
    for (auto it = overrides.begin(); it != overrides.end(); ++it)
        o.insert(it.key(), it.value());
    if (!o.contains(QStringLiteral("group.id")))
        o.insert(QStringLiteral("group.id"), settings.group(QStringLiteral("unused")));
    auto conf = makeConf(settings, o);
    if (!conf)
        return conf.error();
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, *conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(*conf);
        return makeError(QStringLiteral("cannot create Kafka consumer: %1").arg(QString::fromUtf8(err)));
    }
    rd_kafka_poll_set_consumer(rk);
    return KafkaHandle(rk);
}

Result<bool> ensureTopics(rd_kafka_s *rk, const KafkaSettings &settings, const QStringList &topics, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    QString lastError;
    // The broker may still be starting; retry until the deadline rather than failing on the first try.
    while (clock.elapsed() < timeoutMs) {
        std::vector<rd_kafka_NewTopic_t *> newTopics;
        char err[512];
        for (const QString &t : topics) {
            const int parts = t.endsWith(QLatin1String("stratus.heartbeats")) ? 1 : settings.partitions;
            rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(t.toUtf8().constData(), parts, settings.replication, err, sizeof err);
            if (!nt) {
                for (auto *x : newTopics)
                    rd_kafka_NewTopic_destroy(x);
                return makeError(QStringLiteral("topic %1: %2").arg(t, QString::fromUtf8(err)));
            }
            newTopics.push_back(nt);
        }
        rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
        rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
        rd_kafka_AdminOptions_set_operation_timeout(opts, 10000, err, sizeof err);
        rd_kafka_AdminOptions_set_request_timeout(opts, 10000, err, sizeof err);
        rd_kafka_CreateTopics(rk, newTopics.data(), newTopics.size(), opts, q);
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeoutMs);
        bool retry = false;
        QStringList failures;
        if (!ev) {
            lastError = QStringLiteral("no answer from %1").arg(settings.bootstrap);
            retry = true;
        } else if (rd_kafka_event_error(ev)) {
            lastError = QString::fromUtf8(rd_kafka_event_error_string(ev));
            retry = true;
        } else {
            size_t n = 0;
            const rd_kafka_topic_result_t **res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
            for (size_t i = 0; i < n; ++i) {
                const rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);
                if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
                    continue;
                const QString msg = QStringLiteral("%1: %2").arg(QString::fromUtf8(rd_kafka_topic_result_name(res[i])),
                                                                QString::fromUtf8(rd_kafka_topic_result_error_string(res[i])));
                if (e == RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR || e == RD_KAFKA_RESP_ERR_INVALID_PARTITIONS
                    || e == RD_KAFKA_RESP_ERR_INVALID_CONFIG || e == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
                    failures << msg;
                else {
                    lastError = msg;
                    retry = true;
                }
            }
        }
        if (ev)
            rd_kafka_event_destroy(ev);
        rd_kafka_AdminOptions_destroy(opts);
        rd_kafka_queue_destroy(q);
        for (auto *x : newTopics)
            rd_kafka_NewTopic_destroy(x);
        if (!failures.isEmpty())
            return makeError(QStringLiteral("cannot create topics: %1").arg(failures.join(QStringLiteral("; "))));
        if (!retry)
            return true;
        QThread::msleep(250);
    }
    return makeError(QStringLiteral("cannot create topics on %1: %2").arg(settings.bootstrap, lastError));
}

Result<int> partitionCount(rd_kafka_s *rk, const QString &topic, int timeoutMs)
{
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic.toUtf8().constData(), nullptr);
    const rd_kafka_metadata_t *md = nullptr;
    const rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, timeoutMs);
    rd_kafka_topic_destroy(t);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        return makeError(QStringLiteral("metadata of %1: %2").arg(topic, errorText(e)));
    int n = 0;
    QString err;
    if (md->topic_cnt == 1) {
        if (md->topics[0].err)
            err = errorText(md->topics[0].err);
        n = md->topics[0].partition_cnt;
    }
    rd_kafka_metadata_destroy(md);
    if (n <= 0)
        return makeError(QStringLiteral("topic %1 has no partitions%2").arg(topic, err.isEmpty() ? QString() : QStringLiteral(": ") + err));
    return n;
}

Result<qint64> endOffset(rd_kafka_s *rk, const QString &topic, int partition, int timeoutMs)
{
    int64_t low = 0, high = 0;
    const rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk, topic.toUtf8().constData(), partition, &low, &high, timeoutMs);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        return makeError(QStringLiteral("end offset of %1[%2]: %3").arg(topic).arg(partition).arg(errorText(e)));
    return static_cast<qint64>(high);
}

} // namespace kafka
} // namespace stratus
