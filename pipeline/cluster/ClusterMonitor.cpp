#include "ClusterMonitor.h"

#include <librdkafka/rdkafka.h>

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <optional>

namespace stratus {

namespace {

// Whether a consumer group has live members right now (a group that never committed may still be
// starting up: its members say it exists).
bool hasMembers(rd_kafka_t *rk, const QString &group, int timeoutMs)
{
    const rd_kafka_group_list *groups = nullptr;
    if (rd_kafka_list_groups(rk, group.toUtf8().constData(), &groups, timeoutMs) != RD_KAFKA_RESP_ERR_NO_ERROR || !groups)
        return false;
    bool members = false;
    for (int i = 0; i < groups->group_cnt; ++i)
        members = members || groups->groups[i].member_cnt > 0;
    rd_kafka_group_list_destroy(groups);
    return members;
}

const ClusterHealth::Topic *findTopic(const ClusterHealth &h, const QString &name)
{
    for (const auto &t : h.topics) {
        if (t.name == name)
            return &t;
    }
    return nullptr;
}

ClusterHealth::Partition partitionOf(rd_kafka_t *rk, const rd_kafka_metadata_topic_t &t, const rd_kafka_metadata_partition_t &p)
{
    ClusterHealth::Partition part;
    part.id = p.id;
    part.leader = p.leader;
    for (int r = 0; r < p.replica_cnt; ++r)
        part.replicas.append(p.replicas[r]);
    for (int r = 0; r < p.isr_cnt; ++r)
        part.isr.append(p.isrs[r]);
    if (p.err)
        part.error = kafka::errorText(p.err);
    int64_t lo = 0, hi = -1;
    if (rd_kafka_query_watermark_offsets(rk, t.topic, p.id, &lo, &hi, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR)
        part.endOffset = hi;
    return part;
}

// Brokers (with the controller) and the stratus topics with each partition's leader, replicas,
// in-sync replicas and end offset, sorted so consecutive snapshots line up.
Result<bool> readMetadata(rd_kafka_t *rk, const KafkaSettings &settings, ClusterHealth &h, int timeoutMs)
{
    const rd_kafka_metadata_t *md = nullptr;
    if (const rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, nullptr, &md, timeoutMs))
        return makeError(QStringLiteral("Kafka cluster %1 unreachable: %2").arg(settings.bootstrap, kafka::errorText(e)));
    h.controllerId = rd_kafka_controllerid(rk, 1000);
    for (int i = 0; i < md->broker_cnt; ++i)
        h.brokers.append({md->brokers[i].id, QString::fromUtf8(md->brokers[i].host), md->brokers[i].port});
    std::sort(h.brokers.begin(), h.brokers.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    const QStringList ours = settings.allTopics();
    for (int i = 0; i < md->topic_cnt; ++i) {
        const rd_kafka_metadata_topic_t &t = md->topics[i];
        ClusterHealth::Topic topic;
        topic.name = QString::fromUtf8(t.topic);
        if (!ours.contains(topic.name))
            continue;
        for (int j = 0; j < t.partition_cnt; ++j)
            topic.partitions.append(partitionOf(rk, t, t.partitions[j]));
        std::sort(topic.partitions.begin(), topic.partitions.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
        h.topics.append(topic);
    }
    rd_kafka_metadata_destroy(md);
    std::sort(h.topics.begin(), h.topics.end(), [](const auto &a, const auto &b) { return a.name < b.name; });
    return true;
}

// The age of the oldest unprocessed record of each lagging partition: one record per partition,
// read from the committed offset; its timestamp says how long it has been waiting.
void measureLagAge(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *lagging, ClusterHealth::Group &g, qint64 takenAtMs)
{
    QHash<int, qsizetype> index;
    for (qsizetype i = 0; i < g.lag.size(); ++i)
        index.insert(g.lag[i].partition, i);
    rd_kafka_assign(rk, lagging);
    QElapsedTimer clock;
    clock.start();
    QSet<int> done;
    while (done.size() < lagging->cnt && clock.elapsed() < 2000) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        const bool first = !done.contains(m->partition);
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && first) {
            // Nothing but transaction markers after the committed offset: no real lag.
            done.insert(m->partition);
            if (index.contains(m->partition)) {
                g.totalRecords -= g.lag[index[m->partition]].records;
                g.lag[index[m->partition]].records = 0;
            }
        } else if (!m->err && first) {
            done.insert(m->partition);
            const qint64 ts = rd_kafka_message_timestamp(m, nullptr);
            if (ts > 0 && index.contains(m->partition)) {
                const double age = std::max(0.0, (takenAtMs - ts) / 1000.0);
                g.lag[index[m->partition]].seconds = age;
                g.maxSeconds = std::max(g.maxSeconds, age);
            }
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_assign(rk, nullptr);
}

// A worker group's lag per partition: committed offsets (read with a consumer carrying the group's
// id, which does not join the group) against the end offsets, in records and in seconds. Empty when
// the group does not exist.
std::optional<ClusterHealth::Group> groupLag(rd_kafka_t *rk, const KafkaSettings &settings, const QString &group,
                                             const ClusterHealth::Topic &topic, qint64 takenAtMs, int timeoutMs)
{
    auto gc = kafka::makeConsumer(settings, {{QStringLiteral("group.id"), group}});
    if (!gc)
        return std::nullopt;
    ClusterHealth::Group g;
    g.name = group;
    g.topic = topic.name;
    const QByteArray topicName = topic.name.toUtf8();
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(topic.partitions.size());
    for (const auto &p : topic.partitions)
        rd_kafka_topic_partition_list_add(list, topicName.constData(), p.id);
    rd_kafka_committed(gc->get(), list, timeoutMs);
    rd_kafka_topic_partition_list_t *lagging = rd_kafka_topic_partition_list_new(list->cnt);
    for (int i = 0; i < list->cnt; ++i) {
        ClusterHealth::Lag l;
        l.partition = list->elems[i].partition;
        l.committed = list->elems[i].offset >= 0 ? list->elems[i].offset : -1;
        for (const auto &p : topic.partitions) {
            if (p.id == l.partition)
                l.endOffset = std::max<qint64>(0, p.endOffset);
        }
        l.records = std::max<qint64>(0, l.endOffset - std::max<qint64>(0, l.committed));
        if (l.records > 0)
            rd_kafka_topic_partition_list_add(lagging, topicName.constData(), l.partition)->offset = std::max<qint64>(0, l.committed);
        g.lag.append(l);
        g.totalRecords += l.records;
    }
    rd_kafka_topic_partition_list_destroy(list);
    // `--role all` workers fuse both stages into the aggregate group: an infer group that has
    // committed nothing and has no members does not exist, and must not show as lagging by the
    // whole raw topic.
    const bool committedNothing = std::all_of(g.lag.cbegin(), g.lag.cend(), [](const auto &l) { return l.committed < 0; });
    const bool exists = !committedNothing || hasMembers(rk, group, timeoutMs);
    if (exists && lagging->cnt > 0)
        measureLagAge(rk, lagging, g, takenAtMs);
    rd_kafka_topic_partition_list_destroy(lagging);
    rd_kafka_consumer_close(gc->get());
    if (!exists)
        return std::nullopt;
    return g;
}

// Reads each heartbeat partition from `list` to its end (at most 3 s); the latest heartbeat per worker.
QHash<QString, ClusterHealth::WorkerInfo> latestHeartbeats(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *list,
                                                           const QHash<int, qint64> &ends)
{
    QHash<QString, ClusterHealth::WorkerInfo> byId;
    rd_kafka_assign(rk, list);
    QElapsedTimer clock;
    clock.start();
    QHash<int, qint64> at;
    auto finished = [&] {
        for (auto it = ends.cbegin(); it != ends.cend(); ++it) {
            if (at.value(it.key(), -1) + 1 < it.value())
                return false;
        }
        return true;
    };
    while (!finished() && clock.elapsed() < 3000) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            at[m->partition] = ends.value(m->partition);
        } else if (!m->err) {
            at[m->partition] = m->offset;
            const QJsonObject o = QJsonDocument::fromJson(QByteArray(static_cast<const char *>(m->payload), static_cast<qsizetype>(m->len))).object();
            ClusterHealth::WorkerInfo w;
            w.id = o.value(QStringLiteral("worker")).toString();
            w.role = o.value(QStringLiteral("role")).toString();
            w.lastSeenMs = static_cast<qint64>(o.value(QStringLiteral("ts")).toDouble());
            w.heartbeat = o;
            if (!w.id.isEmpty() && w.lastSeenMs >= byId.value(w.id).lastSeenMs)
                byId.insert(w.id, w);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_assign(rk, nullptr);
    return byId;
}

// The workers: the heartbeats of the last three live windows, latest per worker, sorted by id.
QList<ClusterHealth::WorkerInfo> readWorkers(rd_kafka_t *rk, const ClusterHealth::Topic &hb, qint64 takenAtMs, qint64 liveWindowMs,
                                             int timeoutMs)
{
    const QByteArray topicName = hb.name.toUtf8();
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(hb.partitions.size());
    for (const auto &p : hb.partitions)
        rd_kafka_topic_partition_list_add(list, topicName.constData(), p.id)->offset = takenAtMs - 3 * liveWindowMs;
    rd_kafka_offsets_for_times(rk, list, timeoutMs);
    QHash<int, qint64> ends;
    for (const auto &p : hb.partitions)
        ends.insert(p.id, p.endOffset);
    int open = 0;
    for (int i = 0; i < list->cnt; ++i) {
        if (list->elems[i].offset < 0 || list->elems[i].offset >= ends.value(list->elems[i].partition))
            list->elems[i].offset = RD_KAFKA_OFFSET_END;
        else
            ++open;
    }
    const QHash<QString, ClusterHealth::WorkerInfo> byId = open > 0 ? latestHeartbeats(rk, list, ends) : QHash<QString, ClusterHealth::WorkerInfo>();
    rd_kafka_topic_partition_list_destroy(list);
    QList<ClusterHealth::WorkerInfo> workers;
    for (ClusterHealth::WorkerInfo w : byId) {
        w.alive = takenAtMs - w.lastSeenMs < liveWindowMs;
        workers.append(w);
    }
    std::sort(workers.begin(), workers.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    return workers;
}

QJsonArray ints(const QList<int> &xs)
{
    QJsonArray a;
    for (int x : xs)
        a.append(x);
    return a;
}
} // namespace

QJsonObject ClusterHealth::toJson() const
{
    QJsonArray bs;
    for (const Broker &b : brokers)
        bs.append(QJsonObject{{QStringLiteral("id"), b.id}, {QStringLiteral("host"), b.host}, {QStringLiteral("port"), b.port},
                              {QStringLiteral("controller"), b.id == controllerId}});
    QJsonArray ts;
    for (const Topic &t : topics) {
        QJsonArray ps;
        for (const Partition &p : t.partitions) {
            QJsonObject o{{QStringLiteral("partition"), p.id},
                          {QStringLiteral("leader"), p.leader},
                          {QStringLiteral("replicas"), ints(p.replicas)},
                          {QStringLiteral("isr"), ints(p.isr)},
                          {QStringLiteral("under_replicated"), p.isr.size() < p.replicas.size()},
                          {QStringLiteral("end_offset"), static_cast<double>(p.endOffset)}};
            if (!p.error.isEmpty())
                o.insert(QStringLiteral("error"), p.error);
            ps.append(o);
        }
        ts.append(QJsonObject{{QStringLiteral("name"), t.name}, {QStringLiteral("partitions"), ps}});
    }
    QJsonArray gs;
    for (const Group &g : groups) {
        QJsonArray ls;
        for (const Lag &l : g.lag)
            ls.append(QJsonObject{{QStringLiteral("partition"), l.partition},
                                  {QStringLiteral("committed"), static_cast<double>(l.committed)},
                                  {QStringLiteral("end_offset"), static_cast<double>(l.endOffset)},
                                  {QStringLiteral("lag_records"), static_cast<double>(l.records)},
                                  {QStringLiteral("lag_seconds"), l.seconds}});
        gs.append(QJsonObject{{QStringLiteral("group"), g.name},
                              {QStringLiteral("topic"), g.topic},
                              {QStringLiteral("lag_records"), static_cast<double>(g.totalRecords)},
                              {QStringLiteral("lag_seconds_max"), g.maxSeconds},
                              {QStringLiteral("partitions"), ls}});
    }
    QJsonArray ws;
    for (const WorkerInfo &w : workers)
        ws.append(QJsonObject{{QStringLiteral("id"), w.id},
                              {QStringLiteral("role"), w.role},
                              {QStringLiteral("alive"), w.alive},
                              {QStringLiteral("last_seen_ms"), static_cast<double>(w.lastSeenMs)},
                              {QStringLiteral("stages"), w.heartbeat.value(QStringLiteral("stages"))}});
    QJsonObject o{{QStringLiteral("bootstrap"), bootstrap},
                  {QStringLiteral("taken_at_ms"), static_cast<double>(takenAtMs)},
                  {QStringLiteral("controller"), controllerId},
                  {QStringLiteral("brokers"), bs},
                  {QStringLiteral("topics"), ts},
                  {QStringLiteral("groups"), gs},
                  {QStringLiteral("workers"), ws}};
    if (!error.isEmpty())
        o.insert(QStringLiteral("error"), error);
    return o;
}

ClusterMonitor::ClusterMonitor(KafkaSettings settings) : m_settings(std::move(settings)) {}

ClusterHealth ClusterMonitor::snapshot(int timeoutMs)
{
    ClusterHealth h;
    h.bootstrap = m_settings.bootstrap;
    h.takenAtMs = QDateTime::currentMSecsSinceEpoch();
    auto probe = kafka::makeConsumer(m_settings, {{QStringLiteral("group.id"), m_settings.group(QStringLiteral("monitor"))},
                                                  {QStringLiteral("isolation.level"), QStringLiteral("read_uncommitted")},
                                                  {QStringLiteral("enable.partition.eof"), QStringLiteral("true")}});
    if (!probe) {
        h.error = probe.errorMessage();
        return h;
    }
    rd_kafka_t *rk = probe->get();
    if (const auto e = readMetadata(rk, m_settings, h, timeoutMs); !e) {
        h.error = e.errorMessage();
        return h;
    }
    // Lag of each worker group over the topic it consumes.
    const QList<std::pair<QString, QString>> groups = {
        {m_settings.group(QStringLiteral("aggregate")), m_settings.topic(Bus::Topic::Raw)},
        {m_settings.group(QStringLiteral("infer")), m_settings.topic(Bus::Topic::Raw)}};
    for (const auto &[group, topicName] : groups) {
        if (const ClusterHealth::Topic *topic = findTopic(h, topicName)) {
            if (auto g = groupLag(rk, m_settings, group, *topic, h.takenAtMs, timeoutMs))
                h.groups.append(*g);
        }
    }
    if (const ClusterHealth::Topic *hb = findTopic(h, m_settings.heartbeatTopic()))
        h.workers = readWorkers(rk, *hb, h.takenAtMs, liveWindowMs, timeoutMs);
    rd_kafka_consumer_close(rk);
    return h;
}

} // namespace stratus
