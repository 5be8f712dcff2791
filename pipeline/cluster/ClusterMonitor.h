#pragma once

#include "bus/KafkaSettings.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace stratus {

// What /cluster and the GUI's cluster view show about a Stratus Kafka cluster: brokers, the
// stratus topics with each partition's leader and in-sync replicas, each worker group's lag per
// partition (in records and in seconds), and the live workers from their heartbeats.
struct ClusterHealth
{
    struct Broker
    {
        int id = -1;
        QString host;
        int port = 0;
    };
    struct Partition
    {
        int id = 0;
        int leader = -1;
        QList<int> replicas;
        QList<int> isr;
        qint64 endOffset = -1;
        QString error;
    };
    struct Topic
    {
        QString name;
        QList<Partition> partitions;
    };
    struct Lag
    {
        int partition = 0;
        qint64 committed = -1; // -1 = nothing committed yet
        qint64 endOffset = 0;
        qint64 records = 0;    // end − committed
        double seconds = 0;    // age of the oldest unprocessed record; 0 when caught up
    };
    struct Group
    {
        QString name;  // e.g. stratus.aggregate
        QString topic; // what it consumes
        QList<Lag> lag;
        qint64 totalRecords = 0;
        double maxSeconds = 0;
    };
    struct WorkerInfo
    {
        QString id;
        QString role;
        qint64 lastSeenMs = 0;
        bool alive = false;
        QJsonObject heartbeat; // the worker's last heartbeat as sent (stages, partitions, rates)
    };

    qint64 takenAtMs = 0;
    QString bootstrap;
    QString error; // empty = the cluster answered
    int controllerId = -1;
    QList<Broker> brokers;
    QList<Topic> topics;
    QList<Group> groups;
    QList<WorkerInfo> workers;

    QJsonObject toJson() const;
};

class ClusterMonitor
{
public:
    explicit ClusterMonitor(KafkaSettings settings);

    // Blocking (up to a few seconds): call from a worker thread, never the GUI thread.
    ClusterHealth snapshot(int timeoutMs = 5000);

    // A worker is live when its last heartbeat is younger than this.
    qint64 liveWindowMs = 10000;

private:
    KafkaSettings m_settings;
};

} // namespace stratus
