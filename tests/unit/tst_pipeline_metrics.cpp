// The Prometheus exposition: escaping and number formats, units in names, the per-station series
// (values equal to the readings, bit for bit where no unit changes, and the cap), process metrics,
// and the whole /metrics page over the real NWS recording, checked by Debian's promtool (the
// linter Prometheus ships: HELP/TYPE, names, units, counters' _total).
#include "LatencyHistogram.h"
#include "LiveState.h"
#include "TestData.h"
#include "api/MetricsController.h"
#include "metrics/ForecastMetrics.h"
#include "metrics/MetricUnits.h"
#include "models/LiveAccuracy.h"
#include "metrics/MetricsWriter.h"
#include "metrics/ProcessMetrics.h"
#include "metrics/StationMetrics.h"
#include "sources/RecordedDataReader.h"

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QtTest>

using namespace stratus;

namespace {
// name{labels} → value, from exposition text.
QHash<QString, double> samples(const QByteArray &text)
{
    QHash<QString, double> out;
    for (const QByteArray &line : text.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype space = line.lastIndexOf(' ');
        out.insert(QString::fromUtf8(line.left(space)), line.mid(space + 1).toDouble());
    }
    return out;
}
} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

private:
    LiveState m_state;
    QHash<QString, Reading> m_latest;

private slots:
    void initTestCase()
    {
        const auto data = RecordedDataReader::read(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
        QVERIFY2(data.ok(), qPrintable(data.errorMessage()));
        m_state.upsertStations(data->stations);
        m_state.recordReadings(data->readings);
        m_latest = m_state.latestReadings();
        QCOMPARE(m_latest.size(), 5);
    }

    void escapesAndFormats()
    {
        MetricsWriter w;
        w.family("stratus_test_value", MetricsWriter::Type::Gauge, "Help with a \\ backslash\nand a line feed.");
        w.sample({{"name", QStringLiteral("a\\b\"c\nd")}}, 3);
        w.sample({{"name", QStringLiteral("x")}}, 0.1);
        w.sample({{"name", QStringLiteral("nan")}}, std::nan(""));
        w.sample({{"name", QStringLiteral("inf")}}, INFINITY);
        w.sample({{"name", QStringLiteral("-inf")}}, -INFINITY);
        w.sample({{"name", QStringLiteral("big")}}, 1e20);
        w.sample({{"name", QStringLiteral("Zürich")}}, -13);
        QCOMPARE(w.text(), QByteArray("# HELP stratus_test_value Help with a \\\\ backslash\\nand a line feed.\n"
                                      "# TYPE stratus_test_value gauge\n"
                                      "stratus_test_value{name=\"a\\\\b\\\"c\\nd\"} 3\n"
                                      "stratus_test_value{name=\"x\"} 0.1\n"
                                      "stratus_test_value{name=\"nan\"} NaN\n"
                                      "stratus_test_value{name=\"inf\"} +Inf\n"
                                      "stratus_test_value{name=\"-inf\"} -Inf\n"
                                      "stratus_test_value{name=\"big\"} 1e+20\n"
                                      "stratus_test_value{name=\"Z\xc3\xbcrich\"} -13\n"));
    }

    void unitsInNames_data()
    {
        QTest::addColumn<int>("variable");
        QTest::addColumn<double>("internal");
        QTest::addColumn<QString>("name");
        QTest::addColumn<double>("exposed");
        QTest::newRow("temperature") << int(Variable::Temperature) << -13.9 << "stratus_station_temperature_celsius" << -13.9;
        QTest::newRow("humidity %") << int(Variable::Humidity) << 85.0 << "stratus_station_humidity_ratio" << 0.85;
        QTest::newRow("pressure hPa") << int(Variable::Pressure) << 1013.2 << "stratus_station_pressure_pascals" << 101320.0;
        QTest::newRow("wind") << int(Variable::WindSpeed) << 4.63 << "stratus_station_wind_speed_meters_per_second" << 4.63;
        QTest::newRow("visibility km") << int(Variable::Visibility) << 16.093 << "stratus_station_visibility_meters" << 16093.0;
        QTest::newRow("precipitation mm") << int(Variable::Precipitation) << 0.3 << "stratus_station_precipitation_meters" << 0.0003;
        QTest::newRow("direction") << int(Variable::WindDirection) << 270.0 << "stratus_station_wind_direction_degrees" << 270.0;
    }
    void unitsInNames()
    {
        QFETCH(int, variable);
        QFETCH(double, internal);
        QFETCH(QString, name);
        QFETCH(double, exposed);
        const auto v = static_cast<Variable>(variable);
        QCOMPARE(QString::fromLatin1(MetricUnit::metricName("stratus_station_", v)), name);
        QCOMPARE(MetricUnit::of(v).expose(internal), exposed); // exact: no 101320.00000000001
    }

    void stationSeriesEqualTheReadingsAndAreCapped()
    {
        MetricsWriter w;
        StationMetrics::write(w, m_latest, m_state.catalogue(), 3);
        const auto s = samples(w.text());
        QCOMPARE(s.value(QStringLiteral("stratus_station_metrics_omitted")), 2.0);
        const QStringList kept{QStringLiteral("KDSM"), QStringLiteral("KMDW"), QStringLiteral("KMKE")}; // first by id
        for (const QString &id : kept) {
            const Reading r = m_latest.value(id);
            const QString key = QStringLiteral("stratus_station_temperature_celsius{station=\"%1\"}").arg(id);
            QVERIFY2(s.contains(key), qPrintable(key));
            QCOMPARE(s.value(key), r.value(Variable::Temperature)); // bit for bit
            QCOMPARE(s.value(QStringLiteral("stratus_station_last_reading_timestamp_seconds{station=\"%1\"}").arg(id)),
                     r.timestampMs / 1000.0);
            const QString humidity = QStringLiteral("stratus_station_humidity_ratio{station=\"%1\"}").arg(id);
            QCOMPARE(s.contains(humidity), r.has(Variable::Humidity)); // missing stays missing
        }
        for (const char *left : {"KMSN", "KMSP"})
            QVERIFY(!w.text().contains(QByteArray(QByteArray("station=\"") + left + '"')));
    }

    // Persistence forecasts made from the recording itself (the value now, 1 and 3 h ahead), scored
    // by LiveAccuracy against what arrived; the metrics say what it scored, in base units.
    void forecastErrorPerHorizon()
    {
        const auto data = RecordedDataReader::read(testdata::shared("data/nws_recorded/nws_recorded.jsonl"));
        QVERIFY(data.ok());
        LiveAccuracy live;
        for (const Reading &r : data->readings) {
            for (Variable v : {Variable::Temperature, Variable::Humidity}) {
                live.recordObservation(r.stationId, v, r.timestampMs, r.value(v));
                if (!r.has(v))
                    continue;
                Forecast f;
                f.stationId = r.stationId;
                f.variable = v;
                f.issuedAtMs = r.timestampMs;
                for (int h : {1, 3})
                    f.points.append(ForecastPoint{h, r.timestampMs + h * 3'600'000LL, r.value(v), r.value(v), r.value(v)});
                live.recordForecast(f, QStringLiteral("persistence"));
            }
        }
        MetricsWriter w;
        ForecastMetrics::write(w, live);
        const auto s = samples(w.text());
        for (int h : {1, 3}) {
            const LiveAccuracy::Cell t = live.cell(QStringLiteral("persistence"), Variable::Temperature, h);
            const LiveAccuracy::Cell u = live.cell(QStringLiteral("persistence"), Variable::Humidity, h);
            QVERIFY2(t.n > 50 && u.n > 50, qPrintable(QString::number(t.n)));
            const QString labels = QStringLiteral("{variant=\"persistence\",variable=\"%1\",horizon_hours=\"%2\"}");
            QCOMPARE(s.value(QStringLiteral("stratus_forecast_live_mae_celsius") + labels.arg(QStringLiteral("temperature")).arg(h)), t.mae());
            QCOMPARE(s.value(QStringLiteral("stratus_forecast_live_mae_ratio") + labels.arg(QStringLiteral("humidity")).arg(h)),
                     MetricUnit::of(Variable::Humidity).expose(u.mae()));
            QCOMPARE(s.value(QStringLiteral("stratus_forecast_live_scored_total") + labels.arg(QStringLiteral("temperature")).arg(h)),
                     double(t.n));
        }
    }

    void processMetricsAreThisProcess()
    {
        const auto p = ProcessMetrics::read();
        QVERIFY(p);
        QVERIFY(p->residentBytes > 1e6);
        QVERIFY(p->virtualBytes >= p->residentBytes);
        QVERIFY(p->cpuSeconds >= 0);
        const double now = QDateTime::currentMSecsSinceEpoch() / 1000.0;
        QVERIFY2(p->startTimeSeconds <= now + 1 && p->startTimeSeconds > now - 600, qPrintable(QString::number(now - p->startTimeSeconds)));
        QVERIFY(p->openFds >= 3);
        QVERIFY(p->maxFds >= p->openFds);
        MetricsWriter w;
        ProcessMetrics::write(w);
        QVERIFY(w.text().contains("stratus_build_info{version=\"" STRATUS_VERSION "\",qt_version=\""));
    }

    void wholePagePassesPromtool()
    {
        const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
        QVERIFY2(!promtool.isEmpty(), "promtool (Debian package prometheus) is needed: bash scripts/setup.sh installs it");
        LatencyHistogram window, infer;
        window.observeNs(120'000);
        infer.observeNs(3'000'000);
        NotifyStatus notify;
        notify.firing[size_t(AnomalyKind::OutOfRange)][size_t(Severity::Critical)] = 1;
        NotifyStatus::Target am;
        am.kind = QStringLiteral("alertmanager");
        am.url = QStringLiteral("http://127.0.0.1:9093/api/v2/alerts");
        am.state = NotifyStatus::Target::State::Down;
        NotifyStatus::Target hook;
        hook.kind = QStringLiteral("webhook");
        hook.url = QStringLiteral("http://127.0.0.1:5001/hook");
        hook.errors = 12;
        hook.failed = 2;
        hook.dropped = 3;
        notify.targets = {am, hook};
        m_state.setNotifyStatus(notify);
        LiveState::SourceStatus src;
        src.name = QStringLiteral("replay");
        src.state = QStringLiteral("finished");
        m_state.setSourceStatus(src);
        m_state.recordStage(QStringLiteral("aggregate"), 524, 0.4, 524);
        ApiContext ctx(m_state);
        ctx.windowLatency = &window;
        ctx.inferLatency = &infer;
        MetricsController controller(ctx);
        const QByteArray page = controller.render();
        QProcess p;
        p.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
        QVERIFY(p.waitForStarted());
        p.write(page);
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(30000));
        const QByteArray complaints = p.readAllStandardOutput() + p.readAllStandardError();
        QVERIFY2(p.exitCode() == 0 && complaints.trimmed().isEmpty(), complaints.constData());
        const auto s = samples(page);
        QCOMPARE(s.value(QStringLiteral("stratus_source_state{source=\"replay\"}")), 4.0);
        QCOMPARE(s.value(QStringLiteral("stratus_alerts_firing{kind=\"out_of_range\",severity=\"critical\"}")), 1.0);
        QCOMPARE(s.value(QStringLiteral("stratus_alerts_firing{kind=\"spike\",severity=\"warning\"}")), 0.0);
        QCOMPARE(s.value(QStringLiteral("stratus_notifications_alertmanager_up{alertmanager=\"http://127.0.0.1:9093/api/v2/alerts\"}")), 0.0);
        QCOMPARE(s.value(QStringLiteral("stratus_notifications_webhook_failed_total{url=\"http://127.0.0.1:5001/hook\"}")), 2.0);
        QCOMPARE(s.value(QStringLiteral("stratus_notifications_webhook_dropped_total{url=\"http://127.0.0.1:5001/hook\"}")), 3.0);
        QCOMPARE(s.value(QStringLiteral("stratus_notifications_webhook_errors_total{url=\"http://127.0.0.1:5001/hook\"}")), 12.0);
        QCOMPARE(s.value(QStringLiteral("stratus_station_temperature_celsius{station=\"KMSN\"}")),
                 m_latest.value(QStringLiteral("KMSN")).value(Variable::Temperature));
        // The state is a value: no series carries it as a label.
        QVERIFY(!page.contains("state=\""));
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_pipeline_metrics.moc"
