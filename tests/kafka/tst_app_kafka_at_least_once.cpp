// [kafka] delivery = at_least_once on a real broker (label `kafka`): workers without transactions
// re-send some outputs after a crash; what a user sees (the KafkaBus of `--connect`, which feeds
// LiveState, the store and the API) must still hold every window and forecast exactly once, none
// lost. Real input: the METAR day's first 2,500 reports; the oracle is the in-process engine.
#include "KafkaPipelineHelpers.h"
#include "bus/DuplicateFilter.h"
#include "bus/KafkaBus.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QtTest>

#include <algorithm>
#include <csignal>
#include <iterator>

using namespace stratus;

class TestKafkaAtLeastOnce : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        const QString problem = m_cluster.start(1);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const QString cold = m_cluster.warmUp();
        QVERIFY2(cold.isEmpty(), qPrintable(cold));
        // The header and the first 2,500 reports of the METAR day.
        QFile in(testdata::shared("data/sao_19950318/observations.csv"));
        QVERIFY(in.open(QIODevice::ReadOnly));
        m_file = m_tmp.filePath(QStringLiteral("metar2500.csv"));
        {
            QFile out(m_file);
            QVERIFY(out.open(QIODevice::WriteOnly));
            for (int i = 0; i <= 2500 && !in.atEnd(); ++i)
                out.write(in.readLine());
        } // closed (flushed) before anything reads it
        m_expected = runInProcess(m_file);
        QVERIFY(!m_expected.windows.isEmpty());
    }
    void cleanupTestCase() { m_cluster.stop(); }

    void killWorkerEveryResultOnceForUsers_data()
    {
        QTest::addColumn<bool>("split");
        // Fused `--role all` workers; and `--role aggregate` + `--role infer`, two consumer groups on
        // the raw topic, each restoring its own state after the kill.
        QTest::newRow("role all") << false;
        QTest::newRow("role aggregate + infer") << true;
    }

    void killWorkerEveryResultOnceForUsers()
    {
        QFETCH(bool, split);
        qputenv("STRATUS_KAFKA_DELIVERY", "at_least_once");
        // Offsets committed every 3 s (default 200 ms) by the survivors, and by w1, the process
        // killed, only at a hand-over: everything w1 delivered after its last assignment is then
        // re-sent by the next owner, so the test surely exercises the duplicate filter (checked
        // below), not just a clean hand-over.
        qputenv("STRATUS_KAFKA_COMMIT_INTERVAL_MS", "3000");
        const auto restore = qScopeGuard([] {
            qunsetenv("STRATUS_KAFKA_DELIVERY");
            qunsetenv("STRATUS_KAFKA_COMMIT_INTERVAL_MS");
        });
        const QString ns = KafkaTestCluster::newNamespace();
        const KafkaSettings k = m_cluster.settings(ns);

        // The user's view, attached before anything runs, as `stratus --connect` does.
        QMutex lock;
        QList<QByteArray> windows, forecasts;
        std::unique_ptr<KafkaBus> view(KafkaBus::viewer(k, nullptr));
        QVERIFY2(view->problem().isEmpty(), qPrintable(view->problem()));
        connect(view.get(), &Bus::features, this, [&](const QList<WindowStats> &ws) {
            QMutexLocker l(&lock);
            for (const auto &w : ws)
                windows.append(KafkaCodec::encode(w));
        }, Qt::DirectConnection);
        connect(view.get(), &Bus::forecasts, this, [&](const QList<Forecast> &fs) {
            QMutexLocker l(&lock);
            for (const auto &f : fs)
                forecasts.append(KafkaCodec::encode(f));
        }, Qt::DirectConnection);

        // And `stratus --server --connect`: its REST API (LiveState) must count each result once.
        std::vector<std::unique_ptr<QProcess>> workers;
        auto server = KafkaTestCluster::stratus({QStringLiteral("--server"), QStringLiteral("--connect"), m_cluster.bootstrap(),
                                                 QStringLiteral("--namespace"), ns, QStringLiteral("--port"), QStringLiteral("0")});
        QString base;
        for (int i = 0; i < 200 && base.isEmpty(); ++i) {
            server->waitForReadyRead(100);
            while (server->canReadLine() && base.isEmpty()) {
                const QString line = QString::fromUtf8(server->readLine());
                if (line.startsWith(QLatin1String("stratus: serving ")))
                    base = line.mid(17).trimmed();
            }
        }
        QVERIFY2(!base.isEmpty(), "the connected server did not start");
        auto startWorker = [&](const QString &id) {
            qputenv("STRATUS_KAFKA_COMMIT_INTERVAL_MS", id == QLatin1String("w1") ? "600000" : "3000");
            if (split) {
                workers.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, id, QStringLiteral("aggregate"))));
                workers.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, id + QStringLiteral("i"), QStringLiteral("infer"))));
            } else {
                workers.push_back(KafkaTestCluster::stratus(workerArgs(m_cluster, ns, id)));
            }
        };
        startWorker(QStringLiteral("w1"));
        startWorker(QStringLiteral("w2"));
        // Paced (300× event time, ≈18 s for the 1.5 h of reports) so the kill lands mid-stream.
        QStringList collect = collectArgs(m_cluster, ns, m_file);
        collect.replace(collect.indexOf(QStringLiteral("max")), QStringLiteral("300"));
        auto collector = KafkaTestCluster::stratus(collect);

        // SIGKILL of w1 (its aggregate process) once it has produced results after its last
        // hand-over, as its heartbeats say: no commit of what it delivered, so the next owner
        // re-processes that part and re-sends those windows and forecasts. Waiting for a fixed
        // time instead failed on a slow machine, where w1 had delivered nothing yet when killed.
        QVERIFY2(waitForUncommittedOutput(k, QStringLiteral("w1"), 60000), "w1 produced nothing after its last rebalance in 60 s");
        QTest::qWait(500); // and its producer delivered them (linger 1 ms); nobody joins meanwhile
        {
            QMutexLocker l(&lock);
            QVERIFY2(windows.size() < m_expected.windows.size(), "stream finished before the kill; nothing was tested");
        }
        ::kill(static_cast<pid_t>(workers[0]->processId()), SIGKILL);
        workers[0]->waitForFinished(5000);
        if (split) // and the infer process of w1 too, in mid-stream
            ::kill(static_cast<pid_t>(workers[1]->processId()), SIGKILL);
        startWorker(QStringLiteral("w3"));
        QVERIFY2((collector->state() == QProcess::NotRunning || collector->waitForFinished(120000)) && collector->exitCode() == 0, collector->readAll().constData());

        // Wait for everything, then 3 s more so late copies would be seen.
        QElapsedTimer clock, idle;
        clock.start();
        qsizetype last = -1;
        while (clock.elapsed() < 180000) {
            qsizetype now;
            {
                QMutexLocker l(&lock);
                now = windows.size() + forecasts.size();
            }
            if (now != last) {
                last = now;
                idle.start();
            }
            if (now >= m_expected.windows.size() + m_expected.forecasts.size() && idle.elapsed() > 3000)
                break;
            QTest::qWait(100);
        }
        // The API's counters: every window and forecast counted once.
        QNetworkAccessManager net;
        auto counters = [&] {
            QNetworkReply *r = net.get(QNetworkRequest(QUrl(base + QStringLiteral("/health"))));
            QEventLoop loop;
            QObject::connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
            loop.exec();
            const QJsonObject o = QJsonDocument::fromJson(r->readAll()).object().value(QStringLiteral("counters")).toObject();
            r->deleteLater();
            return o;
        };
        QJsonObject c;
        for (int i = 0; i < 240; ++i) {
            c = counters();
            if (c.value(QStringLiteral("windows_out")).toInt() >= m_expected.windows.size()
                && c.value(QStringLiteral("forecasts_out")).toInt() >= m_expected.forecasts.size())
                break;
            QTest::qWait(250);
        }
        QTest::qWait(2000); // copies arriving late would be counted by now
        c = counters();
        QCOMPARE(c.value(QStringLiteral("windows_out")).toInt(), int(m_expected.windows.size()));
        QCOMPARE(c.value(QStringLiteral("forecasts_out")).toInt(), int(m_expected.forecasts.size()));
        server->terminate();
        server->waitForFinished(20000);

        // What the topics hold: the results plus the copies the crash caused.
        const auto onTopic = KafkaTestCluster::readTopic(k, k.topic(Bus::Topic::Features), m_expected.windows.size(), 60000, 1000);
        const qint64 dropped = view->duplicatesDropped();
        view.reset();
        stopAll(workers);

        QMutexLocker l(&lock);
        std::sort(windows.begin(), windows.end());
        std::sort(forecasts.begin(), forecasts.end());
        QVERIFY2(windows == m_expected.windows, qPrintable(QStringLiteral("windows differ: ") + difference(windows, m_expected.windows)));
        QVERIFY2(forecasts == m_expected.forecasts,
                 qPrintable(QStringLiteral("forecasts differ: ") + difference(forecasts, m_expected.forecasts)));
        // Every record on the topic is either a result or a copy the view dropped; and the crash
        // did make copies (else this tested nothing).
        QVERIFY(onTopic.size() >= m_expected.windows.size());
        QVERIFY2(dropped > 0, "the kill re-sent nothing: the duplicate filter was not exercised");
        qInfo() << (split ? "aggregate + infer:" : "role all:") << windows.size() << "windows and" << forecasts.size()
                << "forecasts reached the user exactly once;" << onTopic.size() - m_expected.windows.size()
                << "window copies on the features topic," << dropped << "copies dropped by the view in all";
    }

    // The id of a result survives the topic: what a worker writes is what a reader filters on.
    void idRoundTripAndOrder()
    {
        const DuplicateFilter::Id id{3, 1234567890123, 7};
        const QByteArray e = DuplicateFilter::encode(id);
        QCOMPARE(e.size(), DuplicateFilter::kEncodedSize);
        const auto d = DuplicateFilter::decode(e.constData(), size_t(e.size()));
        QVERIFY(d);
        QCOMPARE(d->partition, 3);
        QCOMPARE(d->offset, 1234567890123);
        QCOMPARE(d->index, 7);
        QVERIFY(!DuplicateFilter::decode(e.constData(), 15)); // a header of another size is no id
        DuplicateFilter f;
        const QString t = QStringLiteral("x");
        QVERIFY(f.accept(t, 0, {1, 10, 0}));
        QVERIFY(f.accept(t, 0, {1, 10, 1}));
        QVERIFY(f.accept(t, 0, {2, 5, 0}));  // another input partition: its own order
        QVERIFY(f.accept(t, 1, {1, 3, 0}));  // another output partition too
        QVERIFY(!f.accept(t, 0, {1, 10, 0})); // re-sent after a crash
        QVERIFY(!f.accept(t, 0, {1, 9, 4}));
        QVERIFY(f.accept(t, 0, {1, 11, 0}));
        QCOMPARE(f.dropped(), 2);
        f.forget(t, 0);
        QVERIFY(f.accept(t, 0, {1, 10, 0}));
    }

    // A record whose header claims an input offset the input topic has not reached yet cannot be a
    // result: it must not make every later result look like a copy. The filter asks the real broker
    // for the input partition's end, as KafkaBus does.
    void forgedIdCannotSilenceAPartition()
    {
        const KafkaSettings k = m_cluster.settings(KafkaTestCluster::newNamespace());
        auto p = kafka::makeProducer(k, {});
        QVERIFY2(p, qPrintable(p.errorMessage()));
        const QString input = k.topicNamespace + QStringLiteral("raw");
        QVERIFY(kafka::ensureTopics(p->get(), k, {input}, 60000));
        const QByteArray name = input.toUtf8();
        for (int i = 0; i < 5; ++i)
            rd_kafka_producev(p->get(), RD_KAFKA_V_TOPIC(name.constData()), RD_KAFKA_V_PARTITION(0),
                              RD_KAFKA_V_VALUE(const_cast<char *>("x"), size_t(1)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_END);
        QCOMPARE(rd_kafka_flush(p->get(), 60000), RD_KAFKA_RESP_ERR_NO_ERROR);
        int asked = 0;
        DuplicateFilter f([&](int partition) -> std::optional<qint64> {
            ++asked;
            const auto end = kafka::endOffset(p->get(), input, partition);
            return end ? std::optional<qint64>(*end) : std::nullopt;
        });
        const QString t = QStringLiteral("results");
        QVERIFY(f.accept(t, 0, {0, 1, 0}));
        QVERIFY(f.accept(t, 0, {0, qint64(1) << 50, 0})); // forged: claims an input offset far past the end (5)
        QVERIFY(f.accept(t, 0, {0, 2, 0}));               // a genuine result still passes
        QCOMPARE(f.forged(), 1);
        QVERIFY(!f.accept(t, 0, {0, 2, 0})); // and a genuine copy of it is still dropped
        QVERIFY(!f.accept(t, 0, {0, 1, 0}));
        QCOMPARE(f.dropped(), 2);
        QVERIFY(f.accept(t, 0, {0, 4, 0}));
        QCOMPARE(asked, 1); // the broker is asked only when a drop rests on a mark past the last known end
    }

private:
    // True once two successive heartbeats of the worker show a stage that produced results between
    // them without a rebalance in between (its "rebalances" counts every assignment and revocation):
    // those results came after its last hand-over, the only time the killed worker commits, so the
    // next owner must re-send them. (Waiting for "any output" was not enough: a hand-over could fall
    // between that output and the kill, and the run tested nothing.) One reader assigned to the
    // heartbeats' single partition (no group join to wait for).
    static bool waitForUncommittedOutput(const KafkaSettings &k, const QString &worker, int timeoutMs)
    {
        auto c = kafka::makeConsumer(k, {{QStringLiteral("group.id"), k.topicNamespace + QStringLiteral("hb-") + QUuid::createUuid().toString()}});
        if (!c)
            return false;
        rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(parts, k.heartbeatTopic().toUtf8().constData(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_assign(c->get(), parts);
        rd_kafka_topic_partition_list_destroy(parts);
        QHash<QString, std::pair<double, double>> last; // stage → (out, rebalances) at the previous beat
        bool ready = false;
        QElapsedTimer clock;
        clock.start();
        while (!ready && clock.elapsed() < timeoutMs) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(c->get(), 100);
            if (!m)
                continue;
            if (!m->err) {
                const QJsonObject hb = QJsonDocument::fromJson(QByteArray(static_cast<const char *>(m->payload), qsizetype(m->len))).object();
                if (hb.value(QStringLiteral("worker")).toString() == worker) {
                    for (const QJsonValue &v : hb.value(QStringLiteral("stages")).toArray()) {
                        const QJsonObject st = v.toObject();
                        const QString stage = st.value(QStringLiteral("stage")).toString();
                        const std::pair<double, double> now{st.value(QStringLiteral("out")).toDouble(),
                                                            st.value(QStringLiteral("rebalances")).toDouble()};
                        const auto before = last.find(stage);
                        if (before != last.end() && now.second == before->second && now.first > before->first)
                            ready = true;
                        last.insert(stage, now);
                    }
                }
            }
            rd_kafka_message_destroy(m);
        }
        rd_kafka_consumer_close(c->get());
        return ready;
    }

    QTemporaryDir m_tmp;
    QString m_file;
    Expected m_expected;
    KafkaTestCluster m_cluster;
};

QTEST_GUILESS_MAIN(TestKafkaAtLeastOnce)
#include "tst_app_kafka_at_least_once.moc"
