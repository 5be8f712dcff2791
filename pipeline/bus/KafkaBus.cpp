#include "KafkaBus.h"

#include "stages/Partitioner.h"

#include "KafkaCodec.h"

#include <librdkafka/rdkafka.h>

#include <QDateTime>
#include <QHash>
#include <QLoggingCategory>
#include <QUuid>

namespace stratus {

Q_LOGGING_CATEGORY(lcKafkaBus, "stratus.kafka.bus")

namespace {
constexpr int kMaxBatch = 2000;
}

KafkaBus::KafkaBus(Options options, QObject *parent)
    : Bus(parent), m_options(std::move(options)),
      // Results are computed from the raw topic, so a result's input offset must lie below its end.
      m_dedup([this](int partition) -> std::optional<qint64> {
          if (!m_consumer)
              return std::nullopt;
          const auto end = kafka::endOffset(m_consumer.get(), m_options.kafka.topic(Topic::Raw), partition);
          return end ? std::optional<qint64>(*end) : std::nullopt;
      })
{
}

KafkaBus::~KafkaBus()
{
    stop();
}

Result<bool> KafkaBus::start()
{
    const auto r = startClients();
    if (!r)
        setProblem(r.errorMessage());
    return r;
}

Result<bool> KafkaBus::startClients()
{
    if (m_producer)
        return true;
    auto producer = kafka::makeProducer(m_options.kafka, {{QStringLiteral("message.timeout.ms"), QString::number(kMessageTimeoutMs)}},
                                        this, &KafkaBus::onDelivery);
    if (!producer)
        return producer.error();
    const auto topics = kafka::ensureTopics(producer->get(), m_options.kafka, m_options.kafka.allTopics());
    if (!topics)
        return topics.error();
    if (!m_options.subscribe.isEmpty()) {
        const bool privateGroup = m_options.groupId.isEmpty();
        QMap<QString, QString> o;
        o.insert(QStringLiteral("group.id"), privateGroup ? m_options.kafka.group(QStringLiteral("view-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
                                                          : m_options.groupId);
        o.insert(QStringLiteral("auto.offset.reset"), m_options.fromBeginning ? QStringLiteral("earliest") : QStringLiteral("latest"));
        o.insert(QStringLiteral("enable.auto.commit"), privateGroup ? QStringLiteral("false") : QStringLiteral("true"));
        auto consumer = kafka::makeConsumer(m_options.kafka, o);
        if (!consumer)
            return consumer.error();
        rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(m_options.subscribe.size());
        for (Topic t : std::as_const(m_options.subscribe))
            rd_kafka_topic_partition_list_add(list, m_options.kafka.topic(t).toUtf8().constData(), RD_KAFKA_PARTITION_UA);
        const rd_kafka_resp_err_t e = rd_kafka_subscribe(consumer->get(), list);
        rd_kafka_topic_partition_list_destroy(list);
        if (e)
            return makeError(QStringLiteral("cannot subscribe: %1").arg(kafka::errorText(e)));
        m_consumer = std::move(consumer).value();
    }
    m_producer = std::move(producer).value();
    m_stop = false;
    m_thread = std::thread([this] { run(); });
    return true;
}

KafkaBus *KafkaBus::viewer(const KafkaSettings &settings, QObject *parent)
{
    Options o;
    o.kafka = settings;
    o.subscribe = {Topic::Raw, Topic::Features, Topic::Predictions, Topic::Anomalies, Topic::DeadLetter};
    auto *bus = new KafkaBus(o, parent);
    bus->start(); // a failure is kept as problem() for /health and the caller
    return bus;
}

void KafkaBus::stop()
{
    m_stop = true;
    if (m_thread.joinable())
        m_thread.join();
    if (m_consumer)
        rd_kafka_consumer_close(m_consumer.get());
    m_consumer.reset();
    m_producer.reset(); // flushes
}

QString KafkaBus::problem() const
{
    QMutexLocker lock(&m_problemLock);
    if (m_problem.isEmpty() && m_stationCapHit.load())
        return QStringLiteral("the topics name more than %1 stations: records of further new stations are ignored")
            .arg(m_options.maxStations);
    return m_problem;
}

void KafkaBus::setProblem(const QString &p)
{
    QMutexLocker lock(&m_problemLock);
    if (p != m_problem && !p.isEmpty())
        qCWarning(lcKafkaBus).noquote() << p;
    m_problem = p;
}

void KafkaBus::onDelivery(rd_kafka_s *, const void *message, void *opaque)
{
    auto *self = static_cast<KafkaBus *>(opaque);
    const auto *m = static_cast<const rd_kafka_message_t *>(message);
    if (m->err) {
        ++self->m_failed;
        self->setProblem(QStringLiteral("Kafka delivery to %1 failed: %2")
                             .arg(QString::fromUtf8(rd_kafka_topic_name(m->rkt)), kafka::errorText(m->err)));
    } else {
        ++self->m_delivered;
        self->m_lastOkMs = QDateTime::currentMSecsSinceEpoch();
    }
}

void KafkaBus::produce(const QString &topic, const QByteArray &key, const QByteArray &value, int partition)
{
    if (!m_producer) {
        setProblem(QStringLiteral("Kafka bus not started; record for %1 dropped").arg(topic));
        ++m_failed;
        return;
    }
    const QByteArray t = topic.toUtf8();
    for (;;) {
        const rd_kafka_resp_err_t e = rd_kafka_producev(
            m_producer.get(), RD_KAFKA_V_TOPIC(t.constData()), RD_KAFKA_V_PARTITION(partition),
            RD_KAFKA_V_KEY(key.constData(), static_cast<size_t>(key.size())),
            RD_KAFKA_V_VALUE(const_cast<char *>(value.constData()), static_cast<size_t>(value.size())),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
            return;
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            // Back-pressure: wait for deliveries instead of dropping readings.
            rd_kafka_poll(m_producer.get(), 50);
            continue;
        }
        ++m_failed;
        setProblem(QStringLiteral("cannot produce to %1: %2").arg(topic, kafka::errorText(e)));
        return;
    }
}

void KafkaBus::publishReadings(const QList<Reading> &readings)
{
    const QString t = m_options.kafka.topic(Topic::Raw);
    // Partitioned by the engine's own hash, not the client's: an in-process engine with as many
    // partitions as the topic splits stations the same way (see Partitioner).
    if (m_rawPartitions == 0 && m_producer) {
        const auto n = kafka::partitionCount(m_producer.get(), t);
        m_rawPartitions = n ? *n : -1;
    }
    for (const Reading &r : readings) {
        const int partition = m_rawPartitions > 0 ? Partitioner::partitionOf(r.stationId, m_rawPartitions) : -1;
        produce(t, r.stationId.toUtf8(), KafkaCodec::encode(r, m_options.kafka.binary), partition);
    }
}

void KafkaBus::publishFeatures(const QList<WindowStats> &windows)
{
    const QString t = m_options.kafka.topic(Topic::Features);
    for (const WindowStats &w : windows)
        produce(t, w.stationId.toUtf8(), KafkaCodec::encode(w, m_options.kafka.binary));
}

void KafkaBus::publishForecasts(const QList<Forecast> &forecasts)
{
    const QString t = m_options.kafka.topic(Topic::Predictions);
    for (const Forecast &f : forecasts)
        produce(t, f.stationId.toUtf8(), KafkaCodec::encode(f, m_options.kafka.binary));
}

void KafkaBus::publishAnomalies(const QList<Anomaly> &anomalies)
{
    const QString t = m_options.kafka.topic(Topic::Anomalies);
    for (const Anomaly &a : anomalies)
        produce(t, a.stationId.toUtf8(), KafkaCodec::encode(a));
}

void KafkaBus::publishDeadLetter(const DeadLetter &letter)
{
    produce(m_options.kafka.topic(Topic::DeadLetter), letter.key, KafkaCodec::encode(letter));
}

void KafkaBus::publishEndOfStream()
{
    if (!m_producer)
        return;
    const QString t = m_options.kafka.topic(Topic::Raw);
    const auto n = kafka::partitionCount(m_producer.get(), t);
    if (!n) {
        setProblem(n.errorMessage());
        return;
    }
    for (int p = 0; p < *n; ++p)
        produce(t, QByteArray(), KafkaCodec::endOfStream(), p);
}

bool KafkaBus::flush(int timeoutMs)
{
    return m_producer && rd_kafka_flush(m_producer.get(), timeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

int KafkaBus::inFlight() const
{
    return m_producer ? rd_kafka_outq_len(m_producer.get()) : 0;
}

void KafkaBus::run()
{
    const QString tRaw = m_options.kafka.topic(Topic::Raw), tFeatures = m_options.kafka.topic(Topic::Features),
                  tPredictions = m_options.kafka.topic(Topic::Predictions), tAnomalies = m_options.kafka.topic(Topic::Anomalies),
                  tDead = m_options.kafka.topic(Topic::DeadLetter);
    qint64 lastProbeMs = 0;
    while (!m_stop) {
        rd_kafka_poll(m_producer.get(), m_consumer ? 0 : 50);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        // Health: ask the cluster for its brokers every 2 s; an unreachable cluster is a problem
        // even when nothing is being published.
        if (now - lastProbeMs > 2000) {
            lastProbeMs = now;
            const rd_kafka_metadata_t *md = nullptr;
            const rd_kafka_resp_err_t e = rd_kafka_metadata(m_producer.get(), 0, nullptr, &md, 1500);
            if (e) {
                setProblem(QStringLiteral("Kafka cluster %1 unreachable: %2").arg(m_options.kafka.bootstrap, kafka::errorText(e)));
            } else {
                rd_kafka_metadata_destroy(md);
                if (m_failed.load() == 0 || now - m_lastOkMs.load() < 5000)
                    setProblem(QString());
            }
        }
        if (!m_consumer)
            continue;
        QList<Reading> rs;
        QList<WindowStats> ws;
        QList<Forecast> fs;
        QList<Anomaly> as;
        QList<DeadLetter> ds;
        for (int i = 0; i < kMaxBatch && !m_stop; ++i) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(m_consumer.get(), i == 0 ? 50 : 0);
            if (!m)
                break;
            if (m->err) {
                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    setProblem(QStringLiteral("Kafka consumer: %1").arg(QString::fromUtf8(rd_kafka_message_errstr(m))));
                rd_kafka_message_destroy(m);
                continue;
            }
            const QString topic = QString::fromUtf8(rd_kafka_topic_name(m->rkt));
            if (topic != tRaw && !m_dedup.accept(topic, m)) {
                rd_kafka_message_destroy(m);
                continue;
            }
            const QByteArrayView value(static_cast<const char *>(m->payload), static_cast<qsizetype>(m->len));
            QString error;
            if (topic == tRaw) {
                if (!KafkaCodec::isEndOfStream(value)) {
                    if (auto r = KafkaCodec::decodeReading(value)) {
                        const Validation v = m_validator.validate(*r);
                        if (v.fatal)
                            error = v.problems.join(u' ');
                        else if (admitStation(r->stationId))
                            rs.append(v.clean() ? *r : m_validator.sanitized(*r, v));
                    } else {
                        error = r.errorMessage();
                    }
                }
            } else if (topic == tFeatures) {
                if (auto w = KafkaCodec::decodeWindow(value)) {
                    if (admitStation(w->stationId))
                        ws.append(*w);
                } else {
                    error = w.errorMessage();
                }
            } else if (topic == tPredictions) {
                if (auto f = KafkaCodec::decodeForecast(value)) {
                    if (admitStation(f->stationId))
                        fs.append(*f);
                } else {
                    error = f.errorMessage();
                }
            } else if (topic == tAnomalies) {
                if (auto a = KafkaCodec::decodeAnomaly(value)) {
                    if (admitStation(a->stationId))
                        as.append(*a);
                } else {
                    error = a.errorMessage();
                }
            } else if (topic == tDead) {
                if (auto d = KafkaCodec::decodeDeadLetter(value))
                    ds.append(*d);
                else
                    error = d.errorMessage();
            }
            if (!error.isEmpty()) {
                ++m_refused;
                qCWarning(lcKafkaBus).noquote() << "skipping record on" << topic << "offset" << m->offset << ":" << error;
            }
            rd_kafka_message_destroy(m);
        }
        if (!rs.isEmpty())
            emit readings(rs);
        if (!ws.isEmpty())
            emit features(ws);
        if (!fs.isEmpty())
            emit forecasts(fs);
        if (!as.isEmpty())
            emit anomalies(as);
        for (const DeadLetter &d : std::as_const(ds))
            emit deadLetter(d);
    }
}

bool KafkaBus::admitStation(const QString &id)
{
    if (m_stations.contains(id))
        return true;
    if (!ReadingValidator::isValidStationId(id)) {
        ++m_refused;
        return false;
    }
    if (m_stations.size() >= m_options.maxStations) {
        ++m_refused;
        m_stationCapHit = true;
        return false;
    }
    m_stations.insert(id);
    return true;
}

} // namespace stratus
