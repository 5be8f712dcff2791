#include "ClusterStatusConverter.h"

#include <QJsonArray>

#include <algorithm>

namespace stratus {

namespace {
QList<int> ints(const QJsonValue &v)
{
    QList<int> out;
    for (const QJsonValue &x : v.toArray())
        out.append(x.toInt());
    return out;
}

qint64 int64(const QJsonValue &v, qint64 fallback)
{
    return v.isDouble() ? static_cast<qint64>(v.toDouble()) : fallback;
}
} // namespace

LiveState::ClusterStatus ClusterStatusConverter::fromHealthJson(const QJsonObject &health)
{
    using Status = LiveState::ClusterStatus;
    Status s;
    if (health.isEmpty())
        return s; // in-process, or no snapshot yet
    s.connected = true;
    s.bootstrap = health.value(QStringLiteral("bootstrap")).toString();
    s.problem = health.value(QStringLiteral("error")).toString();
    s.updatedMs = int64(health.value(QStringLiteral("taken_at_ms")), 0);
    const int controller = health.value(QStringLiteral("controller")).toInt(-1);

    for (const QJsonValue &v : health.value(QStringLiteral("brokers")).toArray()) {
        const QJsonObject b = v.toObject();
        Status::Broker broker;
        broker.id = b.value(QStringLiteral("id")).toInt(-1);
        broker.host = b.value(QStringLiteral("host")).toString();
        broker.port = b.value(QStringLiteral("port")).toInt();
        broker.controller = b.value(QStringLiteral("controller")).toBool(broker.id == controller && controller >= 0);
        s.brokers.append(broker);
    }

    // Which groups consume which topic, and their lag per partition.
    struct GroupLag
    {
        QString group;
        QHash<int, QJsonObject> partitions;
    };
    QHash<QString, QList<GroupLag>> consumers; // topic → groups
    for (const QJsonValue &v : health.value(QStringLiteral("groups")).toArray()) {
        const QJsonObject g = v.toObject();
        GroupLag lag{g.value(QStringLiteral("group")).toString(), {}};
        for (const QJsonValue &p : g.value(QStringLiteral("partitions")).toArray())
            lag.partitions.insert(p.toObject().value(QStringLiteral("partition")).toInt(), p.toObject());
        consumers[g.value(QStringLiteral("topic")).toString()].append(lag);
    }

    for (const QJsonValue &tv : health.value(QStringLiteral("topics")).toArray()) {
        const QJsonObject t = tv.toObject();
        const QString topic = t.value(QStringLiteral("name")).toString();
        const QList<GroupLag> groups = consumers.value(topic);
        for (const QJsonValue &pv : t.value(QStringLiteral("partitions")).toArray()) {
            const QJsonObject p = pv.toObject();
            Status::Partition row;
            row.topic = topic;
            row.partition = p.value(QStringLiteral("partition")).toInt();
            row.leader = p.value(QStringLiteral("leader")).toInt(-1);
            row.replicas = ints(p.value(QStringLiteral("replicas")));
            row.isr = ints(p.value(QStringLiteral("isr")));
            row.endOffset = int64(p.value(QStringLiteral("end_offset")), -1);
            row.error = p.value(QStringLiteral("error")).toString();
            if (groups.isEmpty()) {
                // Nobody consumes it (heartbeats, outputs read by viewers): no lag to speak of.
                row.committedOffset = -1;
                row.lagRecords = 0;
                s.partitions.append(row);
                continue;
            }
            for (const GroupLag &g : groups) {
                Status::Partition r = row;
                r.group = g.group;
                const QJsonObject l = g.partitions.value(r.partition);
                r.committedOffset = int64(l.value(QStringLiteral("committed")), -1);
                if (l.contains(QStringLiteral("end_offset")))
                    r.endOffset = int64(l.value(QStringLiteral("end_offset")), r.endOffset);
                r.lagRecords = int64(l.value(QStringLiteral("lag_records")), -1);
                r.lagSeconds = l.value(QStringLiteral("lag_seconds")).toDouble();
                s.partitions.append(r);
            }
        }
    }

    for (const QJsonValue &v : health.value(QStringLiteral("workers")).toArray()) {
        const QJsonObject w = v.toObject();
        Status::Worker worker;
        worker.id = w.value(QStringLiteral("id")).toString();
        worker.role = w.value(QStringLiteral("role")).toString();
        worker.lastHeartbeatMs = int64(w.value(QStringLiteral("last_seen_ms")), 0);
        worker.alive = w.value(QStringLiteral("alive")).toBool();
        for (const QJsonValue &sv : w.value(QStringLiteral("stages")).toArray()) {
            const QJsonObject st = sv.toObject();
            Status::Worker::Stage stage;
            stage.name = st.value(QStringLiteral("stage")).toString();
            stage.in = int64(st.value(QStringLiteral("in")), 0);
            stage.out = int64(st.value(QStringLiteral("out")), 0);
            stage.inPerS = st.value(QStringLiteral("in_per_s")).toDouble();
            stage.outPerS = st.value(QStringLiteral("out_per_s")).toDouble();
            worker.stages.append(stage);
            for (int p : ints(st.value(QStringLiteral("partitions")))) {
                if (!worker.partitions.contains(p))
                    worker.partitions.append(p);
            }
        }
        std::sort(worker.partitions.begin(), worker.partitions.end());
        s.workers.append(worker);
    }
    return s;
}

} // namespace stratus
