// The periodic silent-station check (DropoutWatch + AnomalyDetector::checkSilence): a station that
// stops reporting is flagged while it is silent, once per silence, in event time for replays.
// Real streams: Beijing hourly (six sites, 2013) with FaultInjector dropouts (the faults are
// synthetic, said so; the stream is real), and the recorded NWS stream with one station cut out.
#include "BeijingSixSites.h"
#include "Engine.h"
#include "TestData.h"
#include "TimeUtil.h"
#include "anomaly/AnomalyDetector.h"
#include "anomaly/DropoutWatch.h"
#include "anomaly/FaultInjector.h"
#include "sources/RecordedDataReader.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace stratus;

namespace {
// The Engine's order (Engine::detect): per reading, the watch sees the watermark, then the detector
// scores the reading. Returns every dropout anomaly, from the timer and from the detector.
QList<Anomaly> runDetector(const QList<Reading> &readings, bool withWatch, qint64 periodMs = 60'000)
{
    AnomalyDetector detector;
    QList<Anomaly> out;
    DropoutWatch watch(DropoutWatch::Clock::EventTime, periodMs, [&](qint64 nowMs) { out += detector.checkSilence(nowMs); });
    qint64 watermark = 0;
    for (const Reading &r : readings) {
        watermark = std::max(watermark, r.timestampMs);
        if (withWatch)
            watch.observe(watermark);
        for (const Anomaly &a : detector.process(r)) {
            if (a.kind == AnomalyKind::Dropout)
                out.append(a);
        }
    }
    return out;
}
} // namespace

class TestDropoutWatch : public QObject
{
    Q_OBJECT

    QList<Reading> m_beijing;

    // Replays `path` through a whole Engine at full speed; the KMSN dropouts after `cut`.
    void kmsnDropoutsAfter(const QString &path, qint64 cut, QList<qint64> &at)
    {
        EngineOptions o;
        o.replayFile = path;
        o.replaySpeed = 0;
        Engine engine(o);
        QVERIFY2(engine.dropoutsOnEventTime(), "a replay runs on event time");
        QSignalSpy finished(&engine, &Engine::sourceFinished);
        engine.start();
        QVERIFY(finished.count() > 0 || finished.wait(60'000));
        QTest::qWait(200); // queued bus deliveries
        for (const Anomaly &a : engine.state().anomalies(0, QStringLiteral("KMSN"), LiveState::kAnomalyHistory)) {
            if (a.kind == AnomalyKind::Dropout && a.timestampMs > cut) {
                at.append(a.timestampMs);
                QVERIFY2(a.reason.contains(QLatin1String("last reading 2026-01-28T03:40:00Z")), qPrintable(a.reason));
            }
        }
        std::sort(at.begin(), at.end());
    }

private slots:
    void initTestCase()
    {
        auto sample = testdata::beijingSixSites();
        QVERIFY2(sample.error.isEmpty(), qPrintable(sample.error));
        m_beijing = std::move(sample.readings);
        QVERIFY(m_beijing.size() > 6 * 5000);
    }

    void injectedDropoutsAreFlaggedWhileSilent()
    {
        FaultInjector::Options o;
        o.seed = 7;
        o.count = 12;
        const auto injected = FaultInjector::inject(m_beijing, FaultInjector::Kind::Dropout, o);
        // Hourly stations: the detector's limit is 4 usual intervals = 4 h; shorter silences are
        // within what the station normally does and are not dropouts.
        const qint64 limit = 4 * 3600'000LL;
        QList<FaultInjector::Fault> long_;
        for (const auto &f : injected.faults) {
            if (f.endMs - f.startMs > limit + 3600'000LL)
                long_.append(f);
        }
        QVERIFY2(long_.size() >= 5, qPrintable(QString::number(long_.size())));

        const QList<Anomaly> timed = runDetector(injected.readings, true);
        const QList<Anomaly> untimed = runDetector(injected.readings, false);
        for (const auto &f : std::as_const(long_)) {
            const auto inside = [&](const QList<Anomaly> &list, qint64 from, qint64 to) {
                QList<Anomaly> hits;
                for (const Anomaly &a : list) {
                    if (a.stationId == f.stationId && a.timestampMs >= from && a.timestampMs <= to)
                        hits.append(a);
                }
                return hits;
            };
            const QString what = QStringLiteral("%1 silent %2 … %3").arg(f.stationId, timeutil::toIsoUtc(f.startMs),
                                                                         timeutil::toIsoUtc(f.endMs));
            // With the watch: flagged while the station is still silent, once for the whole silence
            // (its return does not raise a second one).
            const QList<Anomaly> hits = inside(timed, f.startMs, f.endMs);
            QVERIFY2(hits.size() == 1, qPrintable(what + QStringLiteral(": %1 dropouts").arg(hits.size())));
            QVERIFY2(hits.first().timestampMs < f.endMs, qPrintable(what));
            // Flagged within one check period of crossing the limit after the last reading.
            QVERIFY2(hits.first().timestampMs - f.startMs <= limit + 3600'000LL + 60'000, qPrintable(what));
            QVERIFY2(hits.first().reason.contains(QLatin1String("has sent nothing for")), qPrintable(hits.first().reason));
            // Without it the detector learns of the silence only when the station comes back.
            const QList<Anomaly> late = inside(untimed, f.startMs, f.endMs);
            QCOMPARE(late.size(), 1);
            QCOMPARE(late.first().timestampMs, f.endMs);
        }
    }

    void eventTimeChecksDoNotDependOnThePeriodsPhase()
    {
        // The same stream, checked every 1 min or every 7 min of event time: the same stations and
        // silences are flagged (hourly data: both periods are far below the 4 h limit).
        const auto injected = FaultInjector::inject(m_beijing, FaultInjector::Kind::Dropout, {11, 8, 48});
        const auto keyOf = [](const QList<Anomaly> &list) {
            QStringList keys;
            for (const Anomaly &a : list)
                keys << a.stationId + u'@' + QString::number(a.timestampMs / 3600'000LL); // the hour it was flagged in
            keys.sort();
            return keys;
        };
        QCOMPARE(keyOf(runDetector(injected.readings, true, 60'000)), keyOf(runDetector(injected.readings, true, 7 * 60'000)));
    }

    void stationCutOutIsFlaggedByTheEngine()
    {
        // The recorded NWS stream with KMSN's lines after 2026-01-28T03:40 removed: KMSN never comes
        // back, so only the periodic check can notice; the other four stations carry event time on
        // to 06:10.
        QFile in(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
        QVERIFY(in.open(QIODevice::ReadOnly));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("kmsn_cut.jsonl"));
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        const qint64 cut = *timeutil::parseIsoUtc(QStringLiteral("2026-01-28T03:40:00Z"));
        int dropped = 0;
        while (!in.atEnd()) {
            const QByteArray line = in.readLine();
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            const qint64 t = timeutil::parseIsoUtc(o.value(QLatin1String("timestamp")).toString()).value_or(0);
            if (o.value(QLatin1String("station_id")).toString() == QLatin1String("KMSN") && t > cut) {
                ++dropped;
                continue;
            }
            out.write(line);
        }
        out.close();
        QVERIFY(dropped >= 10);

        QList<qint64> first, second;
        kmsnDropoutsAfter(path, cut, first);
        if (QTest::currentTestFailed())
            return;
        // Once per silence, while silent: 30 min (the minimum limit) after its last reading, at the
        // first check after that.
        QCOMPARE(first.size(), 1);
        QVERIFY2(first.first() >= cut + 30 * 60'000 && first.first() <= cut + 40 * 60'000,
                 qPrintable(timeutil::toIsoUtc(first.first())));
        // Deterministic: a second replay flags the same instant.
        kmsnDropoutsAfter(path, cut, second);
        QCOMPARE(second, first);
    }
};

QTEST_GUILESS_MAIN(TestDropoutWatch)
#include "tst_pipeline_dropout_watch.moc"
