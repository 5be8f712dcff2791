#pragma once

#include "Bus.h"
#include "DuplicateFilter.h"
#include "KafkaSettings.h"
#include "ReadingValidator.h"

#include <QMutex>
#include <QSet>

#include <atomic>
#include <thread>

namespace stratus {

// The Bus on a Kafka cluster (librdkafka). publish*() writes one record per item, keyed by station
// id, with an idempotent acks=all producer. A service thread polls the producer's delivery reports
// and, when topics are subscribed, consumes them (read_committed) and emits the Bus signals in
// batches. problem() says when the cluster cannot be reached or records are not delivered.
// Copies of worker outputs re-sent in at-least-once delivery are dropped (DuplicateFilter) before
// they become signals, so LiveState, the store and the API see each result once.
class KafkaBus final : public Bus
{
    Q_OBJECT
public:
    struct Options
    {
        KafkaSettings kafka;
        QList<Topic> subscribe;  // topics whose records become signals; empty = publish only
        QString groupId;         // empty = a private group that starts at the beginning, never commits
        bool fromBeginning = true;
        // Consumed records name at most this many stations: anyone who can write to the topics could
        // otherwise grow a viewer's state without bound with made-up ids. Records of further new
        // stations are refused (counted, and said in problem()).
        int maxStations = 100000;
    };

    explicit KafkaBus(Options options, QObject *parent = nullptr);
    ~KafkaBus() override;

    // Creates the topics (idempotent) and starts the service thread. Fails with a clear message
    // when the cluster is not reachable or refuses the topics.
    Result<bool> start();
    void stop();

    QString kind() const override { return QStringLiteral("kafka"); }
    QString problem() const override;

    void publishReadings(const QList<Reading> &readings) override;
    void publishFeatures(const QList<WindowStats> &windows) override;
    void publishForecasts(const QList<Forecast> &forecasts) override;
    void publishAnomalies(const QList<Anomaly> &anomalies) override;
    void publishDeadLetter(const DeadLetter &letter) override;
    // Writes the end-of-stream control record into every raw partition (after the readings).
    void publishEndOfStream();
    // The bus of `stratus --connect`: every topic subscribed, from the beginning, in a private group.
    static KafkaBus *viewer(const KafkaSettings &settings, QObject *parent);
    // Waits until every published record is acknowledged (or the timeout passes); false on timeout.
    bool flush(int timeoutMs = 30000);
    // Records handed to the producer and not yet delivered or failed.
    int inFlight() const;
    // How long the producer retries a record (through leader changes and broker restarts) before it
    // reports it failed.
    static constexpr int kMessageTimeoutMs = 60000;

    qint64 delivered() const { return m_delivered.load(); }
    qint64 deliveryFailures() const { return m_failed.load(); }
    // Consumed records dropped as copies of results already emitted (at-least-once workers).
    qint64 duplicatesDropped() const { return m_dedup.dropped(); }
    // Consumed records refused: a bad station id, a reading with no usable time, or a new station
    // past Options::maxStations. Impossible values of an otherwise good reading are dropped alone.
    qint64 recordsRefused() const { return m_refused.load(); }

private:
    void produce(const QString &topic, const QByteArray &key, const QByteArray &value, int partition = -1);
    Result<bool> startClients();
    void run();
    void setProblem(const QString &p);
    static void onDelivery(rd_kafka_s *rk, const void *message, void *opaque);
    // Service thread: whether a consumed record of this station may become a signal.
    bool admitStation(const QString &id);

    Options m_options;
    KafkaHandle m_producer;
    KafkaHandle m_consumer;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<qint64> m_delivered{0};
    std::atomic<qint64> m_failed{0};
    std::atomic<qint64> m_lastOkMs{0};
    mutable QMutex m_problemLock;
    QString m_problem;
    DuplicateFilter m_dedup; // used by the service thread only (dropped() is atomic)
    int m_rawPartitions = 0;  // of the raw topic, read once (0 = not yet, -1 = unknown)
    ReadingValidator m_validator;  // consumed readings are validated like any input
    QSet<QString> m_stations;      // stations seen in consumed records (service thread)
    std::atomic<qint64> m_refused{0};
    std::atomic<bool> m_stationCapHit{false};
};

} // namespace stratus
