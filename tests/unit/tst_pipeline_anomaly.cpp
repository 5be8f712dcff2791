// The anomaly detector on real data: the labelled mote deployment (per-reading F1 above the floor
// measured when it was built), and real Beijing / NWS streams with seeded injected faults (the
// only synthetic part, said so), each kind detected; the reasons are in words.
#include "BeijingSixSites.h"
#include "TestData.h"
#include "TimeUtil.h"
#include "anomaly/AnomalyDetector.h"
#include "anomaly/AnomalyEvaluator.h"
#include "anomaly/DropoutWatch.h"
#include "anomaly/FaultInjector.h"
#include "anomaly/IsolationForest.h"
#include "anomaly/NabCorpus.h"
#include "anomaly/RollingWindow.h"
#include "sources/RecordedDataReader.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace stratus;

class TestAnomaly : public QObject
{
    Q_OBJECT

private:
    QList<Reading> m_beijing; // six Beijing sites, 2013-03 … 2013-10 (real hourly data)
    QList<Station> m_beijingStations;

private slots:
    void initTestCase()
    {
        auto sample = testdata::beijingSixSites();
        QVERIFY2(sample.error.isEmpty(), qPrintable(sample.error));
        m_beijing = std::move(sample.readings);
        m_beijingStations = std::move(sample.stations);
        QVERIFY(m_beijing.size() > 6 * 5000);
    }

    // The rolling windows against the oracle (a sorted copy each time) on real values: every
    // median and MAD equal, over windows of every fill level, evictions by time and clears.
    void rollingWindowMatchesSortedCopies()
    {
        RollingWindow w(60);
        int checked = 0;
        qint64 t = 0;
        for (qsizetype i = 0; i < m_beijing.size(); ++i) {
            const Reading &r = m_beijing[i];
            if (r.stationId != m_beijing.first().stationId || !r.has(Variable::Temperature))
                continue;
            t += 3600'000;
            w.push(r.value(Variable::Temperature), t);
            if (i % 7 == 0)
                w.evictBefore(t - 40 * 3600'000LL);
            if (i % 5000 == 0)
                w.clear();
            QCOMPARE(w.medianMad(), w.medianMadByCopy());
            ++checked;
        }
        QVERIFY(checked > 5000);
    }

    // The detector with its fast windows and the same detector recomputing every statistic from a
    // sorted copy (as before the windows) raise exactly the same anomalies, scores and reasons on
    // real data: the labelled motes and six Beijing sites.
    void fastWindowsScoreLikeTheOracle()
    {
        const auto set = AnomalyEvaluator::readLabelledCsv(testdata::shared("data/labelled_anomalies/single_hop.csv"));
        QVERIFY(set.ok());
        const QList<Reading> *sets[] = {&set->readings, &m_beijing};
        for (const QList<Reading> *data : sets) {
            AnomalyDetector fast;
            AnomalyDetector::Options o;
            o.referenceStatistics = true;
            AnomalyDetector oracle(o);
            fast.setStations(data == &m_beijing ? m_beijingStations : set->stations);
            oracle.setStations(data == &m_beijing ? m_beijingStations : set->stations);
            qsizetype anomalies = 0;
            for (const Reading &r : *data) {
                const QList<Anomaly> a = fast.process(r), b = oracle.process(r);
                QCOMPARE(a.size(), b.size());
                for (qsizetype k = 0; k < a.size(); ++k) {
                    QCOMPARE(a[k].kind, b[k].kind);
                    QCOMPARE(a[k].timestampMs, b[k].timestampMs);
                    QCOMPARE(a[k].score, b[k].score);
                    QCOMPARE(a[k].reason, b[k].reason);
                }
                anomalies += a.size();
            }
            QVERIFY(anomalies > 100);
        }
    }

    // The METAR day replayed on event time with the engine's silence check every minute: part-time
    // stations closing for the night raise hundreds of dropout warnings (462 here); with schedules
    // (here, before a day is seen: no report yet in the core of the local night) fewer than half stay
    // (206: stations with no position at all, and closures before 21:00 local), while dropouts
    // injected into the same real stream are all still found.
    void partTimeStationsAreNotDropouts()
    {
        const auto metar = RecordedDataReader::read(testdata::shared("data/sao_19950318/observations.csv"));
        QVERIFY2(metar.ok(), qPrintable(metar.errorMessage()));
        const auto silences = [&](bool learn) {
            AnomalyDetector::Options o;
            o.learnSchedule = learn;
            AnomalyDetector detector(o);
            detector.setStations(metar->stations);
            int n = 0, located = 0;
            QSet<QString> withPlace;
            for (const Station &st : metar->stations)
                if (st.hasLocation())
                    withPlace.insert(st.id);
            DropoutWatch watch(DropoutWatch::Clock::EventTime, 60'000, [&](qint64 now) {
                for (const Anomaly &a : detector.checkSilence(now)) {
                    ++n;
                    located += withPlace.contains(a.stationId) ? 1 : 0;
                }
            });
            for (const Reading &r : metar->readings) {
                watch.observe(r.timestampMs);
                for (const Anomaly &a : detector.process(r))
                    n += a.kind == AnomalyKind::Dropout ? 1 : 0;
            }
            qInfo("  learn %d: %d warnings, %d of stations with a position", learn, n, located);
            return n;
        };
        const int before = silences(false), after = silences(true);
        qInfo("METAR day dropout warnings: %d without schedules, %d with", before, after);
        QVERIFY(before > 400);
        QVERIFY(after < before / 2);
        const auto rep = AnomalyEvaluator::evaluateInjected(metar->readings, metar->stations, 1, 40,
                                                            {FaultInjector::Kind::Dropout});
        const auto &k = rep.byKind.value(QStringLiteral("dropout"));
        qInfo("injected dropouts: %d, found %lld, false %lld", k.faults, k.rules.tp, k.rules.fp);
        QVERIFY(k.faults >= 30);
        QVERIFY(k.rules.recall() >= 0.95);
    }

    // NAB's standard profile on hand-placed detections: the bounds and the sigmoid's weights.
    void nabStandardProfileScore()
    {
        NabCorpus::Series s;
        for (int i = 0; i < 1000; ++i) {
            s.timesMs.push_back(i * 60'000LL);
            s.values.push_back(0);
        }
        s.windows = {{500 * 60'000LL, 599 * 60'000LL}}; // points 500 … 599
        std::vector<bool> none(1000, false), atStart = none, late = none, withFp = none, inProbation = none;
        atStart[500] = true;
        late[590] = true;
        withFp = atStart;
        withFp[300] = true; // before the window: −0.11
        inProbation[10] = true;
        QCOMPARE(NabCorpus::score(s, none).nab, 0.0);
        QCOMPARE(NabCorpus::score(s, atStart).nab, 100.0);
        QVERIFY(qAbs(NabCorpus::score(s, withFp).nab - 94.5) < 1e-9);
        const double lateScore = NabCorpus::score(s, late).nab;
        QVERIFY(lateScore > 50 && lateScore < 70); // sigmoid near the window's end
        QCOMPARE(NabCorpus::score(s, inProbation).nab, 0.0); // the first 15 % are not scored
        QCOMPARE(NabCorpus::score(s, atStart).tp, qint64(1));
        QCOMPARE(NabCorpus::score(s, atStart).fn, qint64(99));
    }

    void labelledF1AboveFloor()
    {
        const auto set = AnomalyEvaluator::readLabelledCsv(testdata::shared("data/labelled_anomalies/single_hop.csv"));
        QVERIFY2(set.ok(), qPrintable(set.errorMessage()));
        QCOMPARE(set->readings.size(), 18914);
        QCOMPARE(std::count(set->labels.begin(), set->labels.end(), true), 149);
        const auto rep = AnomalyEvaluator::evaluateLabelled(*set);
        qInfo("labelled: rules P %.3f R %.3f F1 %.3f; ml F1 %.3f; combined F1 %.3f", rep.rules.precision(),
              rep.rules.recall(), rep.rules.f1(), rep.ml.f1(), rep.combined.f1());
        // Measured 0.980 (P 0.993, R 0.966) when written; the bar from the brief is 0.92.
        QVERIFY(rep.rules.f1() >= 0.95);
        QVERIFY(rep.rules.precision() >= 0.95);
        // Ablation: without hysteresis (leave the event as soon as the reading is within the entry
        // threshold) the slow tail of the events is lost: measured F1 0.85.
        AnomalyDetector::Options noHysteresis;
        noHysteresis.exitScore = noHysteresis.enterScore;
        const auto plain = AnomalyEvaluator::evaluateLabelled(*set, noHysteresis);
        qInfo("labelled without hysteresis: P %.3f R %.3f F1 %.3f", plain.rules.precision(), plain.rules.recall(),
              plain.rules.f1());
        QVERIFY(plain.rules.f1() < rep.rules.f1());
        // The ML detector alone is weaker here (measured F1 0.70), and adding it costs precision.
        QVERIFY(rep.ml.f1() > 0.5);
        QVERIFY(rep.combined.f1() < rep.rules.f1());
    }

    void badLabelledFileIsRefusedWithReason()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.csv"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("reading,offset_s,mote_id,indoor,temperature_c,humidity_pct,label\n1,0,1,1,27.9,45.9,0\n2,5,1,1,warm,45.9,0\n");
        f.close();
        const auto set = AnomalyEvaluator::readLabelledCsv(path);
        QVERIFY(!set.ok());
        QVERIFY2(set.errorMessage().contains(QStringLiteral(":3: temperature_c \"warm\" is not a number")),
                 qPrintable(set.errorMessage()));
    }

    void injectedFaultsEachKindDetected_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<double>("minRecall");
        QTest::addColumn<double>("minPrecision");
        // Floors a little under what was measured on this subset with seed 7 (spike P 0.94 R 0.80,
        // stuck P 1.00 R 0.95, dropout 1.00/1.00, drift P 0.80 R 1.00; the full set is in RESULTS.md).
        QTest::newRow("spike") << "spike" << 0.75 << 0.85;
        QTest::newRow("stuck") << "stuck" << 0.9 << 0.9;
        QTest::newRow("dropout") << "dropout" << 0.9 << 0.9;
        // Drift: the peer check takes out the offset's hour-of-day shape and waits for 10 readings
        // beyond 3.5 spreads and 1.5 units (it was 6 beyond 3: P 0.80 R 1.00 here, 673 episodes on the
        // unmodified full record); now P 1.00 R 1.00 here, 269 episodes on the full record.
        QTest::newRow("drift") << "drift" << 0.85 << 0.9;
    }
    void injectedFaultsEachKindDetected()
    {
        QFETCH(QString, kind);
        QFETCH(double, minRecall);
        QFETCH(double, minPrecision);
        const auto k = FaultInjector::kindFromKey(kind);
        QVERIFY(k);
        const auto rep = AnomalyEvaluator::evaluateInjected(m_beijing, m_beijingStations, 7, 20, {*k});
        const auto &r = rep.byKind.value(kind);
        qInfo("%s: %d faults, rules P %.3f R %.3f F1 %.3f (base alarms %lld); ml F1 %.3f; combined F1 %.3f",
              qPrintable(kind), r.faults, r.rules.precision(), r.rules.recall(), r.rules.f1(), r.baseAlarms, r.ml.f1(),
              r.combined.f1());
        QVERIFY(r.faults >= 15);
        QVERIFY2(r.rules.recall() >= minRecall, qPrintable(QString::number(r.rules.recall())));
        QVERIFY2(r.rules.precision() >= minPrecision, qPrintable(QString::number(r.rules.precision())));
    }

    void injectionIsSeeded()
    {
        const auto a = FaultInjector::inject(m_beijing, FaultInjector::Kind::Spike, {3, 10, 48});
        const auto b = FaultInjector::inject(m_beijing, FaultInjector::Kind::Spike, {3, 10, 48});
        const auto c = FaultInjector::inject(m_beijing, FaultInjector::Kind::Spike, {4, 10, 48});
        QCOMPARE(a.faults.size(), 10);
        for (int i = 0; i < a.faults.size(); ++i) {
            QCOMPARE(a.faults[i].stationId, b.faults[i].stationId);
            QCOMPARE(a.faults[i].startMs, b.faults[i].startMs);
            QCOMPARE(a.faults[i].magnitude, b.faults[i].magnitude);
        }
        QVERIFY(a.faults.first().startMs != c.faults.first().startMs || a.faults.first().stationId != c.faults.first().stationId);
    }

    void stuckSensorNamedInWords()
    {
        // Real Dongsi temperatures; from 2013-06-01T00:00Z the sensor is made to repeat its value
        // for 12 hours (injected fault).
        const qint64 from = *timeutil::parseIsoUtc(QStringLiteral("2013-06-01T00:00:00Z"));
        AnomalyDetector detector;
        double stuckAt = qQNaN();
        QList<Anomaly> stuck;
        for (Reading r : std::as_const(m_beijing)) {
            if (r.stationId != QLatin1String("Dongsi"))
                continue;
            if (r.timestampMs >= from && r.timestampMs <= from + 12 * timeutil::kMsPerHour) {
                if (std::isnan(stuckAt))
                    stuckAt = r.value(Variable::Temperature);
                r.set(Variable::Temperature, stuckAt);
            }
            for (const Anomaly &a : detector.process(r)) {
                if (a.kind == AnomalyKind::Stuck)
                    stuck.append(a);
            }
        }
        QVERIFY(!stuck.isEmpty());
        const Anomaly &a = stuck.first();
        QCOMPARE(a.variable, Variable::Temperature);
        QCOMPARE(a.value, stuckAt);
        QVERIFY(a.timestampMs > from && a.timestampMs <= from + 12 * timeutil::kMsPerHour);
        QVERIFY2(a.reason.contains(QStringLiteral("temperature has read exactly %1 °C").arg(stuckAt)), qPrintable(a.reason));
        QVERIFY2(a.reason.contains(QStringLiteral("the sensor looks stuck")), qPrintable(a.reason));
        QVERIFY2(a.reason.contains(QStringLiteral("since 2013-06-01T00:00:00Z")), qPrintable(a.reason));
    }

    void dropoutAndSilence()
    {
        // Real NWS stream: the recording's pauses are station silences.
        const auto data = RecordedDataReader::read(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
        QVERIFY(data.ok());
        AnomalyDetector detector;
        QList<Anomaly> dropouts;
        for (const Reading &r : data->readings) {
            for (const Anomaly &a : detector.process(r)) {
                if (a.kind == AnomalyKind::Dropout)
                    dropouts.append(a);
            }
        }
        QVERIFY(!dropouts.isEmpty());
        QVERIFY2(dropouts.first().reason.contains(QStringLiteral("sent nothing for")), qPrintable(dropouts.first().reason));
        // After the last reading, a timer asking at +1 day learns every station is silent, once.
        const qint64 later = data->readings.last().timestampMs + timeutil::kMsPerDay;
        const QList<Anomaly> silent = detector.checkSilence(later);
        QCOMPARE(silent.size(), 5);
        for (const Anomaly &a : silent)
            QCOMPARE(a.kind, AnomalyKind::Dropout);
        QVERIFY(detector.checkSilence(later + 1000).isEmpty());
    }

    void forecastResidual()
    {
        // A real KMSN reading against an expectation 8 °C warmer with a ±2 °C 10–90 % interval.
        const auto data = RecordedDataReader::read(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
        QVERIFY(data.ok());
        Reading r;
        for (const Reading &x : data->readings) {
            if (x.stationId == QLatin1String("KMSN") && x.has(Variable::Temperature))
                r = x;
        }
        const double t = r.value(Variable::Temperature);
        const auto far = AnomalyDetector::residualAnomaly(r, Variable::Temperature, t + 8, t + 6, t + 10, 0.8, 3.5);
        QVERIFY(far);
        QCOMPARE(far->kind, AnomalyKind::ForecastResidual);
        QVERIFY(far->score > 1);
        QVERIFY2(far->reason.contains(QStringLiteral("from the forecast")), qPrintable(far->reason));
        QVERIFY(!AnomalyDetector::residualAnomaly(r, Variable::Temperature, t + 1, t - 1, t + 3, 0.8, 3.5));
        // Through the detector's expect(): the reading at the expected time is flagged.
        AnomalyDetector detector;
        detector.expect(r.stationId, Variable::Temperature, r.timestampMs, t + 8, t + 6, t + 10);
        bool found = false;
        for (const Anomaly &a : detector.process(r))
            found = found || a.kind == AnomalyKind::ForecastResidual;
        QVERIFY(found);
    }

    void outOfOrderAndImpossibleValues()
    {
        AnomalyDetector detector;
        const Reading first = m_beijing.first();
        detector.process(first);
        Reading late = first;
        late.timestampMs -= timeutil::kMsPerHour;
        late.set(Variable::Temperature, 75.0); // impossible, and out of order
        const QList<Anomaly> a = detector.process(late);
        QCOMPARE(a.size(), 1);
        QCOMPARE(a.first().kind, AnomalyKind::OutOfRange);
        QVERIFY2(a.first().reason.contains(QStringLiteral("physical range")), qPrintable(a.first().reason));
    }

    void isolationForestSeparatesOutliers()
    {
        // Property check on synthetic points (allowed: a property, not a claim about weather):
        // a far point scores higher than the bulk, and the same seed gives the same forest.
        std::vector<double> rows;
        for (int i = 0; i < 500; ++i) {
            rows.push_back(std::sin(i * 0.1));
            rows.push_back(std::cos(i * 0.07));
        }
        IsolationForest a, b;
        QVERIFY(a.train(rows, 2));
        QVERIFY(b.train(rows, 2));
        const double inside[] = {std::sin(10.0), std::cos(7.0)}; // a point of the bulk (i = 100)
        const double outside[] = {8.0, -9.0};
        qInfo("forest score inside %.3f outside %.3f", a.score(inside), a.score(outside));
        QVERIFY(a.score(inside) + 0.05 < a.score(outside));
        QCOMPARE(a.score(inside), b.score(inside));
    }
};

QTEST_APPLESS_MAIN(TestAnomaly)
#include "tst_pipeline_anomaly.moc"
