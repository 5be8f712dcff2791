// GUI tests on real replayed data: the METAR day of sao_19950318 is replayed at full speed through a
// real Engine (in its own thread, as the application runs it), then the views are driven with QTest.
// Screenshots of every view and dialog in both themes go to $STRATUS_SCREENSHOT_DIR.
#include "AlertPanel.h"
#include "AlertTableModel.h"
#include "ClusterHealthView.h"
#include "ConnectDialog.h"
#include "store/CsvExportJob.h"
#include "CsvReader.h"
#include "DisplayUnits.h"
#include "EngineThread.h"
#include "ExportDialog.h"
#include "ForecastChartView.h"
#include "LiveState.h"
#include "MainWindow.h"
#include "ModelsView.h"
#include "NearStationsView.h"
#include "StationIndex.h"
#include "cluster/ClusterStatusConverter.h"
#include "SourcesDialog.h"
#include "StationMapView.h"
#include "StationTableModel.h"
#include "TestData.h"
#include "TimeUtil.h"

#include <QChart>
#include <QCheckBox>
#include <QDockWidget>
#include <QLabel>
#include <QFile>
#include <QFrame>
#include <QJsonArray>
#include <QHelpEvent>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTableWidget>
#include <QLineSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>
#include <QTreeWidget>
#include <QXYSeries>

#include <cmath>
#include <memory>

using namespace stratus;

class TestGuiViews : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void mapDrawsLocatedStations();
    void mapHoverShowsLatestReading();
    void selectStationOnMapShowsItInChart();
    void chartShowsWindowsAndForecast();
    void acknowledgeAlert();
    void silenceStationHidesItsAlerts();
    void exportDialogWritesCsvThatReadsBack();
    void chartExportsVisibleRange();
    void unitsAreDisplayOnly();
    void interpolatedLayerRendersOffThread();
    void clusterHealthShowsStagesAndNotConnected();
    void clusterHealthShowsAConnectedClusterAndGrowingLag();
    void connectDialogValidatesAndTests();
    void settingsPersist();
    void nearMeListsNearestStationsFromNmeaLog();
    void nearMeFallsBackToHomeLocation();
    void nearMeSaysPlainlyWhenNoPosition();
    void clusterViewShowsMonitorSnapshot();
    void mapLegendAvoidsStationsInSmallViews();
    void trayNotifiesOnlyNewUnsilencedSevereAlerts();
    void modelsViewShowsRetrainDecisionsAndAsks();
    void modelsViewShowsGroupDecisions();
    void screenshots();
    void demoScreenshot();

private:
    bool waitForMap();
    void shoot(QWidget *w, const QString &name);
    static QJsonObject retrainStatus(bool running);

    std::unique_ptr<EngineThread> m_engine;
    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_tmp;
    QString m_shotTheme = QStringLiteral("light");
};

void TestGuiViews::initTestCase()
{
    // Tests must not read or write the user's settings.
    QCoreApplication::setOrganizationName(QStringLiteral("StratusTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_ui_views"));
    QSettings().clear();
    // Qt Positioning hides its nmea plugin while QT_QTESTLIB_RUNNING is set (see tst_pipeline_user_location);
    // the GUI locates the user through it, as stratus does outside tests.
    qunsetenv("QT_QTESTLIB_RUNNING");
    MainWindow::applyTheme(MainWindow::Theme::Light);

    EngineOptions o;
    o.replayFile = testdata::shared("data/sao_19950318/observations.csv");
    o.replaySpeed = 0; // as fast as possible
    m_engine = std::make_unique<EngineThread>(o);
    QSignalSpy finished(m_engine.get(), &EngineThread::sourceFinished);
    m_engine->start();
    QVERIFY(finished.wait(180'000));

    m_window = std::make_unique<MainWindow>(m_engine->state());
    m_window->setAlertManager(&m_engine->alerts()); // as app/main.cpp does
    m_window->resize(1500, 950);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QVERIFY(waitForMap());
}

void TestGuiViews::cleanupTestCase()
{
    m_window.reset();
    m_engine.reset();
}

bool TestGuiViews::waitForMap()
{
    StationMapView *map = m_window->mapView();
    map->refresh();
    return QTest::qWaitFor([map] { return map->backgroundReady(); }, 60'000);
}

void TestGuiViews::shoot(QWidget *w, const QString &name)
{
    const QString dir = qEnvironmentVariable("STRATUS_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    const QString path = QStringLiteral("%1/%2_%3.png").arg(dir, name, m_shotTheme);
    QVERIFY2(w->grab().save(path), qPrintable(path));
}

void TestGuiViews::mapDrawsLocatedStations()
{
    StationMapView *map = m_window->mapView();
    // 1,444 stations have coordinates in the file; WUY's longitude −790.2 is not a position.
    QVERIFY2(map->stationCount() >= 1400 && map->stationCount() <= 1444, qPrintable(QString::number(map->stationCount())));
    QCOMPARE(map->activeProjection(), MapProjection::Kind::AlbersUsa);
    QVERIFY(map->mapError().isEmpty());
    map->repaint();
    QVERIFY(map->visibleStationCount() > 1000);
    QVERIFY(map->stationPosition(QStringLiteral("GSO")).has_value());
    QVERIFY(!map->stationPosition(QStringLiteral("KGSO")).has_value()); // METAR id without a position
}

void TestGuiViews::mapHoverShowsLatestReading()
{
    StationMapView *map = m_window->mapView();
    const auto pos = map->stationPosition(QStringLiteral("MSN"));
    QVERIFY(pos);
    QMouseEvent move(QEvent::MouseMove, *pos, map->mapToGlobal(*pos), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QCoreApplication::sendEvent(map, &move);
    QTRY_VERIFY(QToolTip::isVisible());
    const QString tip = QToolTip::text();
    QVERIFY2(tip.contains(QLatin1String("MSN")) && tip.contains(QStringLiteral("°C")), qPrintable(tip));
    const auto latest = m_engine->state().latestReading(QStringLiteral("MSN"));
    QVERIFY(latest);
    QVERIFY2(tip.contains(timeutil::toIsoUtc(latest->timestampMs).left(16).replace(QLatin1Char('T'), QLatin1Char(' '))),
             qPrintable(tip));
    QToolTip::hideText();
    QEvent leave(QEvent::Leave);
    QCoreApplication::sendEvent(map, &leave);
}

void TestGuiViews::selectStationOnMapShowsItInChart()
{
    StationMapView *map = m_window->mapView();
    map->repaint();
    const int visibleBefore = map->visibleStationCount();
    // Zoom towards Greensboro so neighbours do not overlap, then click its marker.
    map->zoomAt(*map->stationPosition(QStringLiteral("GSO")), 4.0);
    const auto pos = map->stationPosition(QStringLiteral("GSO"));
    QVERIFY(pos);
    QSignalSpy selected(map, &StationMapView::stationSelected);
    QTest::mouseClick(map, Qt::LeftButton, Qt::NoModifier, pos->toPoint());
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.first().first().toString(), QStringLiteral("GSO"));
    QCOMPARE(m_window->chartView()->station(), QStringLiteral("GSO"));
    QCOMPARE(m_window->selectedStation(), QStringLiteral("GSO"));

    int withTemperature = 0;
    for (const Reading &r : m_engine->state().history(QStringLiteral("GSO")))
        withTemperature += r.has(Variable::Temperature);
    QVERIFY(withTemperature >= 20);
    QCOMPARE(m_window->chartView()->observedCount(Variable::Temperature), withTemperature);
    // The table follows the selection.
    const QModelIndex current = m_window->stationTable()->selectionModel()->selectedRows().value(0);
    QVERIFY(current.isValid());
    QCOMPARE(m_window->stationModel()->stationAt(current.row()), QStringLiteral("GSO"));
    map->repaint();
    QVERIFY2(map->visibleStationCount() < visibleBefore / 2, qPrintable(QStringLiteral("%1 of %2").arg(map->visibleStationCount()).arg(visibleBefore)));
}

void TestGuiViews::chartShowsWindowsAndForecast()
{
    ForecastChartView *chart = m_window->chartView();
    chart->refresh(true);
    const auto windows = m_engine->state().windowHistory(QStringLiteral("GSO"), Variable::Temperature);
    QVERIFY(!windows.isEmpty());
    const auto forecasts = m_engine->state().forecasts(QStringLiteral("GSO"));
    QVERIFY(!forecasts.isEmpty());
    // The x range shows as much forecast as history (the whole day here), within the forecast's 24 h.
    qint64 lastTarget = 0;
    for (const Forecast &f : forecasts) {
        for (const ForecastPoint &p : f.points)
            lastTarget = std::max(lastTarget, p.targetMs);
    }
    const QList<Reading> history = m_engine->state().history(QStringLiteral("GSO"));
    const qint64 span = history.last().timestampMs - history.first().timestampMs;
    // Widened to whole tick steps (ticks on round times): at most one step beyond each end.
    const qint64 from = chart->visibleFromMs(), to = chart->visibleToMs();
    const qint64 wantTo = std::min(lastTarget, history.last().timestampMs + span);
    const qint64 step = (to - from) / 4; // at least 4 intervals at this span
    QVERIFY2(from <= history.first().timestampMs && history.first().timestampMs - from < step, qPrintable(QString::number(from)));
    QVERIFY2(to >= wantTo && to - wantTo < step, qPrintable(QString::number(to)));
    QCOMPARE(from % timeutil::kMsPerHour, 0); // a round time
    QCOMPARE(to % timeutil::kMsPerHour, 0);
    QVERIFY(to > history.last().timestampMs + 20 * timeutil::kMsPerHour);
}

void TestGuiViews::acknowledgeAlert()
{
    AlertPanel *panel = m_window->alertPanel();
    panel->refresh();
    AlertTableModel *model = panel->model();
    // The replay holds a real impossible value: KGSO reported 76 °C at 05:50 UTC.
    int row = -1;
    for (int r = 0; r < model->rowCount(); ++r) {
        const Anomaly &a = model->anomalyAt(r);
        if (a.stationId == QLatin1String("KGSO") && a.variable == Variable::Temperature) {
            row = r;
            break;
        }
    }
    QVERIFY(row >= 0);
    QCOMPARE(model->anomalyAt(row).kind, AnomalyKind::OutOfRange);
    QCOMPARE(model->anomalyAt(row).severity, Severity::Critical);
    QCOMPARE(model->anomalyAt(row).value, 76.0);
    QCOMPARE(model->anomalyAt(row).timestampMs, *timeutil::parseIsoUtc(QStringView(u"1995-03-18T05:50:00Z")));
    QVERIFY(!model->isAcknowledged(row));
    QVERIFY(panel->notificationsShown() >= 1); // critical alerts arrived: one coalesced notification
    const int unackedBefore = model->unacknowledgedCount();

    panel->table()->selectRow(row);
    QCOMPARE(m_window->chartView()->station(), QStringLiteral("KGSO")); // selecting an alert shows its station
    auto *ack = panel->findChild<QPushButton *>(QStringLiteral("alertAcknowledge"));
    QVERIFY(ack);
    QTest::mouseClick(ack, Qt::LeftButton);
    QVERIFY(model->isAcknowledged(row));
    QCOMPARE(model->unacknowledgedCount(), unackedBefore - 1);

    auto *hide = panel->findChild<QCheckBox *>(QStringLiteral("alertHideAcked"));
    QVERIFY(hide);
    const int shown = model->rowCount();
    hide->setChecked(true);
    QCOMPARE(model->rowCount(), shown - 1);
    hide->setChecked(false);
    QCOMPARE(model->rowCount(), shown);
}

void TestGuiViews::silenceStationHidesItsAlerts()
{
    AlertPanel *panel = m_window->alertPanel();
    AlertTableModel *model = panel->model();
    int row = -1, kgptRows = 0; // KGPT's 343 °C report, plus whatever else the detector found there
    for (int r = 0; r < model->rowCount(); ++r) {
        if (model->anomalyAt(r).stationId == QLatin1String("KGPT")) {
            ++kgptRows;
            if (row < 0)
                row = r;
        }
    }
    QVERIFY(row >= 0);
    const int shown = model->rowCount();
    panel->table()->selectRow(row);
    panel->silenceSelected(60);
    QVERIFY(model->isSilenced(QStringLiteral("KGPT"), QDateTime::currentMSecsSinceEpoch()));
    QCOMPARE(model->rowCount(), shown - kgptRows);
    model->unsilence(QStringLiteral("KGPT"));
    QCOMPARE(model->rowCount(), shown);
}

void TestGuiViews::exportDialogWritesCsvThatReadsBack()
{
    std::unique_ptr<ExportDialog> dialog(m_window->createExportDialog());
    dialog->show();
    const QString path = m_tmp.filePath(QStringLiteral("gso.csv"));
    dialog->setStations({QStringLiteral("GSO"), QStringLiteral("MSN")});
    dialog->setPath(path);
    const qint64 from = *timeutil::parseIsoUtc(QStringView(u"1995-03-18T00:00:00Z"));
    const qint64 to = *timeutil::parseIsoUtc(QStringView(u"1995-03-18T11:59:00Z"));
    dialog->setRange(from, to);
    QSignalSpy done(dialog.get(), &ExportDialog::exportFinished);
    auto *start = dialog->findChild<QPushButton *>(QStringLiteral("exportStart"));
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(done.wait(30'000));
    const CsvExportJob::Outcome outcome = dialog->lastOutcome();
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));

    // The oracle: the same readings straight from LiveState.
    QList<Reading> expected;
    const QStringList order = dialog->request().stations; // the dialog lists stations in catalogue order
    QCOMPARE(order.size(), 2);
    for (const QString &id : order) {
        for (const Reading &r : m_engine->state().history(id)) {
            if (r.timestampMs >= from && r.timestampMs <= to + 59'999)
                expected.append(r);
        }
    }
    QVERIFY(expected.size() > 10);
    QCOMPARE(outcome.rows, expected.size());

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    CsvReader csv(&file);
    QVERIFY(csv.readHeader());
    const int idCol = csv.column(QStringLiteral("station_id"));
    const int timeCol = csv.column(QStringLiteral("time_utc"));
    const int tCol = csv.column(QStringLiteral("temperature_c"));
    QVERIFY(idCol >= 0 && timeCol >= 0 && tCol >= 0);
    QStringList fields;
    int rows = 0;
    while (csv.readRow(fields)) {
        const Reading &r = expected[rows];
        QCOMPARE(fields[idCol], r.stationId);
        QCOMPARE(*timeutil::parseIsoUtc(QStringView(fields[timeCol])), r.timestampMs);
        if (r.has(Variable::Temperature))
            QCOMPARE(fields[tCol].toDouble(), r.value(Variable::Temperature));
        else
            QVERIFY(fields[tCol].isEmpty()); // missing stays missing
        ++rows;
    }
    QCOMPARE(rows, expected.size());
}

void TestGuiViews::chartExportsVisibleRange()
{
    ForecastChartView *chart = m_window->chartView();
    chart->setStation(QStringLiteral("GSO"));
    chart->setRangeHours(6);
    chart->refresh(true);
    const qint64 from = chart->visibleFromMs(), to = chart->visibleToMs();
    const QString path = m_tmp.filePath(QStringLiteral("chart.csv"));
    const auto written = chart->exportCsv(path);
    QVERIFY2(written, qPrintable(written.errorMessage()));

    int expectedObserved = 0;
    for (const Reading &r : m_engine->state().history(QStringLiteral("GSO")))
        expectedObserved += r.has(Variable::Temperature) && r.timestampMs >= from && r.timestampMs <= to;
    QVERIFY(expectedObserved > 0);

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    CsvReader csv(&file);
    QVERIFY(csv.readHeader());
    QStringList fields;
    int observed = 0, forecast = 0, rows = 0;
    while (csv.readRow(fields)) {
        ++rows;
        const qint64 t = *timeutil::parseIsoUtc(QStringView(fields[csv.column(QStringLiteral("time_utc"))]));
        QVERIFY(t >= from && t <= to);
        const QString kind = fields[csv.column(QStringLiteral("kind"))];
        if (fields[csv.column(QStringLiteral("variable"))] == QLatin1String("temperature") && kind == QLatin1String("observed"))
            ++observed;
        forecast += kind == QLatin1String("forecast");
    }
    QCOMPARE(rows, *written);
    QCOMPARE(observed, expectedObserved);
    QVERIFY(forecast > 0);
    const QString png = m_tmp.filePath(QStringLiteral("chart.png"));
    QVERIFY(chart->exportPng(png));
    QVERIFY(QImage(png).width() > 100);
    chart->setRangeHours(0);
}

void TestGuiViews::unitsAreDisplayOnly()
{
    ForecastChartView *chart = m_window->chartView();
    chart->setStation(QStringLiteral("GSO"));
    chart->refresh(true);
    auto *series = [&]() -> QXYSeries * {
        for (QAbstractSeries *s : chart->chart()->series()) {
            if (s->name().startsWith(DisplayUnits::variableLabel(Variable::Temperature) + QStringLiteral(" (")))
                return static_cast<QXYSeries *>(s);
        }
        return nullptr;
    }();
    QVERIFY(series);
    const double celsius = series->at(0).y();
    m_window->units().setTemperature(DisplayUnits::Temperature::Fahrenheit);
    QCOMPARE(series->at(0).y(), celsius * 9 / 5 + 32);
    QVERIFY(series->name().contains(QStringLiteral("°F")));
    // The engine still holds °C.
    QCOMPARE(m_engine->state().history(QStringLiteral("GSO")).first().value(Variable::Temperature), celsius);
    m_window->units().setTemperature(DisplayUnits::Temperature::Celsius);
    QCOMPARE(series->at(0).y(), celsius);
}

void TestGuiViews::interpolatedLayerRendersOffThread()
{
    StationMapView *map = m_window->mapView();
    map->fitToStations();
    QSignalSpy rendered(map, &StationMapView::backgroundRendered);
    map->setInterpolation(true);
    QVERIFY(waitForMap());
    QVERIFY(rendered.count() >= 1);
    QVERIFY(map->lastRenderMs() > 0);
    map->setInterpolation(false);
    QVERIFY(waitForMap());
}

void TestGuiViews::clusterHealthShowsStagesAndNotConnected()
{
    ClusterHealthView *view = m_window->clusterView();
    view->sample();
    QVERIFY(view->stageCount() >= 3); // ingest, aggregate, infer
    auto *label = view->findChild<QLabel *>(QStringLiteral("clusterState"));
    QVERIFY(label);
    QVERIFY(label->text().contains(QLatin1String("Not connected")));
}

void TestGuiViews::clusterHealthShowsAConnectedClusterAndGrowingLag()
{
    // An injected cluster status (a lag that keeps growing is hard to make on purpose with a real
    // cluster; clusterViewShowsMonitorSnapshot feeds a real one): the view must show brokers,
    // partitions and workers, and raise the lag alert only when lag grows from snapshot to snapshot.
    LiveState state;
    ClusterHealthView view(state);
    view.show();
    LiveState::ClusterStatus cluster;
    cluster.connected = true;
    cluster.bootstrap = QStringLiteral("127.0.0.1:9092");
    cluster.brokers = {{1, QStringLiteral("127.0.0.1"), 9092, true}};
    LiveState::ClusterStatus::Partition p;
    p.topic = QStringLiteral("stratus.raw");
    p.leader = 1;
    p.replicas = {1};
    p.isr = {1};
    cluster.partitions = {p};
    cluster.workers = {{QStringLiteral("worker-1"), QStringLiteral("aggregate"), QDateTime::currentMSecsSinceEpoch(), {0}, true, {}}};
    for (int i = 0; i < 10; ++i) {
        cluster.partitions[0].endOffset = 1000 * (i + 1);
        cluster.partitions[0].committedOffset = 900 * (i + 1); // lag 100, 200, ... keeps growing
        cluster.updatedMs = 1000 + i;                          // a new snapshot each time
        state.setClusterStatus(cluster);
        view.sample();
        view.sample(); // the same snapshot sampled twice counts once
    }
    auto *label = view.findChild<QLabel *>(QStringLiteral("clusterState"));
    QVERIFY(label->text().contains(QLatin1String("Connected to")));
    QVERIFY(label->text().contains(QLatin1String("total lag 1000")));
    QVERIFY(view.lagAlert());
    QCOMPARE(view.growingLagPartitions(), QStringList{QStringLiteral("/stratus.raw/0")});
    cluster.partitions[0].committedOffset = cluster.partitions[0].endOffset; // caught up
    cluster.updatedMs = 2000;
    state.setClusterStatus(cluster);
    view.sample();
    QVERIFY(!view.lagAlert());
}

void TestGuiViews::connectDialogValidatesAndTests()
{
    QVERIFY(!ConnectDialog::validateBootstrap(QStringLiteral("broker")).isEmpty());
    QVERIFY(!ConnectDialog::validateBootstrap(QStringLiteral("broker:99999")).isEmpty());
    QVERIFY(!ConnectDialog::validateBootstrap(QString()).isEmpty());
    QVERIFY(ConnectDialog::validateBootstrap(QStringLiteral("127.0.0.1:9092, broker2:9093")).isEmpty());

    // A real listening socket on loopback, and a port nobody listens on.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 closedPort = closed.serverPort();
    closed.close();
    std::unique_ptr<ConnectDialog> d(m_window->createConnectDialog());
    ConnectDialog::Settings s = d->settings();
    s.bootstrap = QStringLiteral("127.0.0.1:%1,127.0.0.1:%2").arg(server.serverPort()).arg(closedPort);
    d->setSettings(s);
    QSignalSpy finished(d.get(), &ConnectDialog::testFinished);
    d->testConnection();
    QVERIFY(finished.wait(10'000));
    const QString report = d->testReport();
    QVERIFY2(report.contains(QStringLiteral("127.0.0.1:%1: TCP connection accepted").arg(server.serverPort())), qPrintable(report));
    QVERIFY2(report.contains(QStringLiteral("127.0.0.1:%1: not reachable").arg(closedPort)), qPrintable(report));
    QVERIFY(report.contains(QLatin1String("Kafka support is not built")));
}

void TestGuiViews::settingsPersist()
{
    m_window->setTheme(MainWindow::Theme::Dark);
    m_window->units().setSpeed(DisplayUnits::Speed::KilometresPerHour);
    m_window->mapView()->setColorVariable(Variable::Pressure);
    m_window->docks().at(4)->raise();
    m_window->saveSettings();
    {
        MainWindow second(m_engine->state());
        QCOMPARE(second.theme(), MainWindow::Theme::Dark);
        QCOMPARE(second.units().speed(), DisplayUnits::Speed::KilometresPerHour);
        QCOMPARE(second.mapView()->colorVariable(), Variable::Pressure);
        QCOMPARE(second.selectedStation(), m_window->selectedStation());
    }
    m_window->setTheme(MainWindow::Theme::Light);
    m_window->units().setSpeed(DisplayUnits::Speed::MetresPerSecond);
    m_window->mapView()->setColorVariable(Variable::Temperature);
    m_window->docks().at(2)->raise();
}

void TestGuiViews::nearMeListsNearestStationsFromNmeaLog()
{
    // The real NMEA log of a GPS receiver (gpsd's test data, Malvern PA) chosen in the settings, and
    // the METAR day's catalogue: the view lists the nearest stations as the geography module does.
    QSettings settings;
    settings.setValue(QStringLiteral("location/nmea_source"), testdata::source("tests/data/gpsd-gr601-w.log"));
    settings.setValue(QStringLiteral("location/system_source"), false);
    NearStationsView *near = m_window->nearStationsView();
    near->setLimit(8);
    QSignalSpy located(near, &NearStationsView::located);
    near->locate();
    // locate() returns before any position source answers: the GUI thread never waits for one.
    QVERIFY(near->isLocating());
    QVERIFY(located.isEmpty());
    QVERIFY2(located.wait(30'000), qPrintable(near->statusText()));
    const auto fix = near->fix();
    QVERIFY(fix.has_value());
    QVERIFY(std::abs(fix->coordinate.latitude() - 40.035085) < 2e-5);
    QVERIFY(std::abs(fix->coordinate.longitude() + 75.520094) < 2e-5);
    QVERIFY(near->statusText().contains(QLatin1String("gpsd-gr601-w.log")));

    // The same answer as a brute-force scan over the catalogue, distances and bearings from Geo.
    const StationIndex index(m_engine->state().catalogue().stations());
    const QList<NearStation> expected = index.nearestBruteForce(fix->coordinate, 8);
    const QList<NearStation> listed = near->stations();
    QCOMPARE(listed.size(), 8);
    QTableWidget *table = near->table();
    QCOMPARE(table->rowCount(), 8);
    for (int i = 0; i < listed.size(); ++i) {
        QCOMPARE(listed[i].station.id, expected[i].station.id);
        QCOMPARE(listed[i].distanceKm, expected[i].distanceKm);
        QCOMPARE(listed[i].bearingDeg, expected[i].bearingDeg);
        if (i > 0)
            QVERIFY(listed[i].distanceKm >= listed[i - 1].distanceKm);
        QCOMPARE(table->item(i, NearStationsView::Id)->text(), expected[i].station.id);
        QCOMPARE(table->item(i, NearStationsView::Distance)->text(), QString::number(expected[i].distanceKm, 'f', 1));
        QVERIFY(table->item(i, NearStationsView::Bearing)->text().endsWith(Geo::compassPoint(expected[i].bearingDeg)));
    }
    // The nearest METAR station of 1995 to Malvern is within a few tens of km.
    QVERIFY2(listed[0].distanceKm < 60, qPrintable(QString::number(listed[0].distanceKm)));

    // Clicking a row selects the station everywhere.
    const QString pick = listed[2].station.id;
    const QRect cell = table->visualRect(table->model()->index(2, NearStationsView::Name));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(m_window->selectedStation(), pick);
    QCOMPARE(m_window->mapView()->selectedStation(), pick);

    // The map draws the user and can centre on them.
    StationMapView *map = m_window->mapView();
    QCOMPARE(map->userPosition(), fix->coordinate);
    auto *centre = near->findChild<QPushButton *>(QStringLiteral("centreButton"));
    QVERIFY(centre && centre->isEnabled());
    QTest::mouseClick(centre, Qt::LeftButton);
    const auto at = map->userPixel();
    QVERIFY(at.has_value());
    QVERIFY2(QLineF(*at, QPointF(map->width() / 2.0, map->height() / 2.0)).length() < 2, qPrintable(QStringLiteral("%1,%2").arg(at->x()).arg(at->y())));
    QVERIFY(map->stationPosition(listed[0].station.id).has_value()); // the nearest station is in view
    QVERIFY(waitForMap());
    if (!qEnvironmentVariableIsEmpty("STRATUS_SCREENSHOT_DIR")) {
        for (MainWindow::Theme theme : {MainWindow::Theme::Light, MainWindow::Theme::Dark}) {
            m_shotTheme = theme == MainWindow::Theme::Dark ? QStringLiteral("dark") : QStringLiteral("light");
            m_window->setTheme(theme);
            for (QDockWidget *d : m_window->docks()) {
                if (d->widget() == near)
                    d->raise();
            }
            QTest::qWait(200);
            shoot(near, QStringLiteral("near_me"));
            shoot(map, QStringLiteral("map_near_me"));
        }
        m_shotTheme = QStringLiteral("light");
        m_window->setTheme(MainWindow::Theme::Light);
        m_window->docks().at(2)->raise();
    }
    map->fitToStations();
    QVERIFY(waitForMap());
}

void TestGuiViews::nearMeFallsBackToHomeLocation()
{
    QSettings settings;
    settings.setValue(QStringLiteral("location/nmea_source"), QStringLiteral("/nonexistent/receiver.log"));
    settings.setValue(QStringLiteral("location/system_source"), false);
    LiveState &state = m_engine->state();
    NearStationsView view(state);
    UserLocation::Options base;
    const Station gso = *state.station(QStringLiteral("GSO"));
    base.home = QGeoCoordinate(gso.latitude, gso.longitude); // Greensboro, NC, from the catalogue
    base.homeOrigin = QStringLiteral("home location from the test config");
    view.setBaseOptions(base);
    view.setLimit(3);
    QSignalSpy located(&view, &NearStationsView::located);
    view.locate();
    QVERIFY(located.wait(10'000));
    QCOMPARE(view.fix()->origin, QStringLiteral("home location from the test config"));
    QCOMPARE(view.stations().first().station.id, QStringLiteral("GSO"));
    QCOMPARE(view.stations().first().distanceKm, 0.0);
}

void TestGuiViews::nearMeSaysPlainlyWhenNoPosition()
{
    QSettings settings;
    settings.setValue(QStringLiteral("location/nmea_source"), QStringLiteral("/nonexistent/receiver.log"));
    settings.setValue(QStringLiteral("location/system_source"), false);
    NearStationsView view(m_engine->state());
    view.show();
    QSignalSpy unavailable(&view, &NearStationsView::unavailable);
    view.locate();
    QVERIFY(unavailable.wait(10'000));
    const QString text = view.statusText();
    QVERIFY2(text.startsWith(QLatin1String("Cannot tell where you are")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("/nonexistent/receiver.log does not exist")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("no home location is configured")), qPrintable(text));
    QVERIFY(!view.fix().has_value());
    QCOMPARE(view.table()->rowCount(), 0);
    settings.remove(QStringLiteral("location"));
}

void TestGuiViews::clusterViewShowsMonitorSnapshot()
{
    // ClusterMonitor snapshots (ClusterHealth::toJson()) taken every ~0.5 s during a real run against
    // a real broker, until its lag drained (tests/data/cluster_health_series.json, see
    // tests/data/README.md), fed one by one as Engine feeds them: LiveState::setCluster. The view
    // reads them through the one conversion; the last one is checked cell by cell.
    QFile f(testdata::source("tests/data/cluster_health_series.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonArray series = QJsonDocument::fromJson(f.readAll()).array();
    QVERIFY(series.size() >= 3);
    const QJsonObject snapshot = series.last().toObject();
    QVERIFY(!snapshot.isEmpty());
    LiveState state;
    ClusterHealthView view(state);
    view.resize(1200, 700);
    view.show();
    for (const QJsonValue &s : series) {
        state.setCluster(s.toObject(), ClusterStatusConverter::fromHealthJson(s.toObject()));
        view.sample();
    }
    const auto status = state.clusterStatus();
    QVERIFY(status.connected);
    QCOMPARE(status.brokers.size(), snapshot.value(QStringLiteral("brokers")).toArray().size());
    auto *label = view.findChild<QLabel *>(QStringLiteral("clusterState"));
    QVERIFY2(label->text().contains(QLatin1String("Connected to")), qPrintable(label->text()));
    auto *brokers = view.findChild<QTableWidget *>(QStringLiteral("brokerTable"));
    auto *partitions = view.findChild<QTableWidget *>(QStringLiteral("partitionTable"));
    auto *workers = view.findChild<QTableWidget *>(QStringLiteral("workerTable"));
    QVERIFY(brokers && partitions && workers);
    QCOMPARE(brokers->rowCount(), status.brokers.size());
    QVERIFY(brokers->rowCount() >= 1);
    // Every topic partition, once per consumer group that reads it.
    int expectedRows = 0;
    QHash<QString, int> groupsPerTopic;
    for (const QJsonValue &g : snapshot.value(QStringLiteral("groups")).toArray())
        ++groupsPerTopic[g.toObject().value(QStringLiteral("topic")).toString()];
    for (const QJsonValue &t : snapshot.value(QStringLiteral("topics")).toArray())
        expectedRows += static_cast<int>(t.toObject().value(QStringLiteral("partitions")).toArray().size()) *
                        std::max(1, groupsPerTopic.value(t.toObject().value(QStringLiteral("name")).toString()));
    QCOMPARE(partitions->rowCount(), expectedRows);
    QVERIFY(expectedRows > 0);
    bool sawGroupRow = false;
    for (int r = 0; r < partitions->rowCount(); ++r) {
        QVERIFY(!partitions->item(r, 3)->text().isEmpty()); // leader
        QVERIFY(!partitions->item(r, 5)->text().isEmpty()); // ISR
        if (partitions->item(r, 1)->text().startsWith(QLatin1String("stratus")) || partitions->item(r, 1)->text().contains(QLatin1Char('.')))
            sawGroupRow = true;
    }
    QVERIFY(sawGroupRow);
    QCOMPARE(workers->rowCount(), snapshot.value(QStringLiteral("workers")).toArray().size());
    QVERIFY(workers->rowCount() >= 1);
    QVERIFY(!status.workers.first().stages.isEmpty());
    QVERIFY(!status.workers.first().partitions.isEmpty());
    view.sample(); // the same snapshot again: no new lag sample, no alert
    QVERIFY(!view.lagAlert());
    if (!qEnvironmentVariableIsEmpty("STRATUS_SCREENSHOT_DIR")) {
        for (MainWindow::Theme theme : {MainWindow::Theme::Light, MainWindow::Theme::Dark}) {
            m_shotTheme = theme == MainWindow::Theme::Dark ? QStringLiteral("dark") : QStringLiteral("light");
            MainWindow::applyTheme(theme);
            QTest::qWait(100);
            shoot(&view, QStringLiteral("cluster_health_connected"));
        }
        m_shotTheme = QStringLiteral("light");
        MainWindow::applyTheme(MainWindow::Theme::Light);
        m_window->setTheme(MainWindow::Theme::Light);
    }
}

void TestGuiViews::mapLegendAvoidsStationsInSmallViews()
{
    // A small floating map of the METAR day: the legend shrinks and sits in the corner that hides
    // the fewest stations, never on more stations than the default bottom-left corner would.
    LiveState &state = m_engine->state();
    DisplayUnits units;
    StationMapView map(state, units);
    map.resize(520, 360);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    map.refresh();
    map.fitToStations();
    QVERIFY(QTest::qWaitFor([&] { return map.backgroundReady(); }, 60'000));
    map.repaint();
    const QRect legend = map.legendRect();
    QVERIFY(legend.width() <= 190); // compact in a small view
    const auto covered = [&](const QRect &r) {
        int n = 0;
        const StationCatalogue catalogue = state.catalogue();
        for (const Station &s : catalogue.stations()) {
            if (const auto p = map.stationPosition(s.id); p && r.contains(p->toPoint()))
                ++n;
        }
        return n;
    };
    const QRect bottomLeft(QPoint(6, map.height() - legend.height() - 6), legend.size());
    QVERIFY2(covered(legend) <= covered(bottomLeft), qPrintable(QStringLiteral("%1 vs %2").arg(covered(legend)).arg(covered(bottomLeft))));
    QVERIFY2(covered(legend) * 10 <= map.visibleStationCount(), qPrintable(QString::number(covered(legend))));
    QVERIFY(!legend.intersects(map.findChild<QFrame *>(QStringLiteral("mapControls"))->geometry()));
    shoot(&map, QStringLiteral("map_small_window"));
}

void TestGuiViews::trayNotifiesOnlyNewUnsilencedSevereAlerts()
{
    // Real anomalies of the replayed METAR day: a critical one notifies once; the same one again
    // (already seen and acknowledged) does not; a silenced station's critical one does not; a
    // warning does not.
    const QList<Anomaly> all = m_engine->state().anomalies(std::numeric_limits<qint64>::min(), QString(), LiveState::kAnomalyHistory);
    QList<Anomaly> critical;
    std::optional<Anomaly> warning;
    for (const Anomaly &a : all) {
        if (a.severity == Severity::Critical && (critical.isEmpty() || critical.first().stationId != a.stationId) && critical.size() < 2)
            critical << a;
        if (a.severity == Severity::Warning && !warning)
            warning = a;
    }
    if (critical.size() < 2 || !warning)
        QSKIP("the replay produced fewer than two critical anomalies at different stations and a warning");

    LiveState state;
    DisplayUnits units;
    AlertPanel panel(state, units);
    panel.setNotificationsEnabled(true);
    QSignalSpy severe(&panel, &AlertPanel::severeAlerts);

    state.recordAnomalies({critical[0]});
    panel.refresh();
    QCOMPARE(panel.notificationsShown(), 1);
    QCOMPARE(severe.size(), 1);
    QVERIFY(severe.first().first().toString().contains(critical[0].stationId));

    panel.table()->selectRow(0);
    panel.acknowledgeSelected();
    state.recordAnomalies({critical[0]}); // delivered again (e.g. after a reconnect)
    panel.refresh();
    QCOMPARE(panel.notificationsShown(), 1);

    panel.model()->silence(critical[1].stationId, QDateTime::currentMSecsSinceEpoch() + 3'600'000);
    state.recordAnomalies({critical[1]});
    panel.refresh();
    QCOMPARE(panel.notificationsShown(), 1);

    state.recordAnomalies({*warning});
    panel.refresh();
    QCOMPARE(panel.notificationsShown(), 1);
    QCOMPARE(severe.size(), 1);

    // Notifications off: nothing, even for a new critical alert.
    panel.model()->unsilence(critical[1].stationId);
    panel.setNotificationsEnabled(false);
    Anomaly again = critical[1];
    again.timestampMs += 60'000;
    state.recordAnomalies({again});
    panel.refresh();
    QCOMPARE(panel.notificationsShown(), 1);
}

// The scheduler's status as RetrainCoordinator::status() shapes it, around the promote/reject decisions
// a real retraining run on the Beijing data made (tst_pipeline_retrain, captured into
// tests/data/retrain_decisions_snapshot.json; see tests/data/README.md).
QJsonObject TestGuiViews::retrainStatus(bool running)
{
    QFile f(testdata::source("tests/data/retrain_decisions_snapshot.json"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QJsonObject o;
    o[QStringLiteral("schedule")] = QStringLiteral("daily 03:00");
    o[QStringLiteral("margin")] = 0.02;
    o[QStringLiteral("running")] = running;
    if (running) {
        o[QStringLiteral("job")] = QJsonObject{{QStringLiteral("id"), QStringLiteral("r-gui")},
                                               {QStringLiteral("stage"), QStringLiteral("training")},
                                               {QStringLiteral("message"), QStringLiteral("station 3 of 6")},
                                               {QStringLiteral("done"), 3},
                                               {QStringLiteral("total"), 6}};
    }
    o[QStringLiteral("decisions")] = QJsonDocument::fromJson(f.readAll()).array();
    return o;
}

// A retrain by station group (the real decision of tst_pipeline_retrain's groups test, captured into
// tests/data/retrain_group_decision_snapshot.json): one row for the job, one child row per group.
void TestGuiViews::modelsViewShowsGroupDecisions()
{
    QFile f(testdata::source("tests/data/retrain_group_decision_snapshot.json"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonArray real = QJsonDocument::fromJson(f.readAll()).array();
    QCOMPARE(real.size(), 1);
    const QJsonArray groups = real[0].toObject().value(QStringLiteral("groups")).toArray();
    QCOMPARE(groups.size(), 2);
    LiveState state;
    ModelsView view(state);
    state.setRetrainStatus(QJsonObject{{QStringLiteral("schedule"), QStringLiteral("off")},
                                       {QStringLiteral("running"), false},
                                       {QStringLiteral("decisions"), real}});
    view.refresh();
    auto *decisions = view.findChild<QTreeWidget *>(QStringLiteral("retrainDecisions"));
    QVERIFY(decisions);
    QCOMPARE(view.decisionCount(), 1);
    QTreeWidgetItem *job = decisions->topLevelItem(0);
    QCOMPARE(job->childCount(), 2);
    for (int i = 0; i < 2; ++i) {
        const QJsonObject g = groups[i].toObject();
        QCOMPARE(job->child(i)->text(0), QStringLiteral("group ") + g.value(QStringLiteral("group")).toString());
        QCOMPARE(job->child(i)->text(2), g.value(QStringLiteral("promoted")).toBool() ? QStringLiteral("promoted") : QStringLiteral("rejected"));
        QCOMPARE(job->child(i)->text(5), g.value(QStringLiteral("reason")).toString());
    }
    QCOMPARE(job->child(0)->text(2), QStringLiteral("promoted")); // north
    QCOMPARE(job->child(1)->text(2), QStringLiteral("rejected")); // south, 45 days
}

void TestGuiViews::modelsViewShowsRetrainDecisionsAndAsks()
{
    LiveState state;
    ModelsView view(state);
    view.resize(1000, 320);
    view.show();
    auto *start = view.findChild<QPushButton *>(QStringLiteral("retrainStart"));
    auto *cancel = view.findChild<QPushButton *>(QStringLiteral("retrainCancel"));
    auto *decisions = view.findChild<QTreeWidget *>(QStringLiteral("retrainDecisions"));
    QVERIFY(start && cancel && decisions);
    // No registry: nothing to retrain, and it says how to get one.
    QVERIFY(!start->isEnabled());

    const QJsonObject idle = retrainStatus(false);
    const QJsonArray real = idle.value(QStringLiteral("decisions")).toArray();
    QCOMPARE(real.size(), 2);
    state.setRetrainStatus(idle);
    view.refresh();
    QCOMPARE(view.decisionCount(), 2);
    // Newest first: the one-month candidate, rejected against the promoted one, with its reason.
    QCOMPARE(decisions->topLevelItem(0)->text(2), QStringLiteral("rejected"));
    QCOMPARE(decisions->topLevelItem(1)->text(2), QStringLiteral("promoted"));
    QCOMPARE(decisions->topLevelItem(0)->text(5), real[1].toObject().value(QStringLiteral("reason")).toString());
    QCOMPARE(decisions->topLevelItem(0)->text(3).toDouble(),
             std::round(real[1].toObject().value(QStringLiteral("candidate_mae")).toDouble() * 1000) / 1000);
    QVERIFY(start->isEnabled() && !cancel->isEnabled());
    QTest::mouseClick(start, Qt::LeftButton);
    QCOMPARE(state.takeRetrainRequest(), QStringLiteral("start"));

    state.setRetrainStatus(retrainStatus(true));
    view.refresh();
    auto *progress = view.findChild<QProgressBar *>();
    QVERIFY(progress && progress->isVisible());
    QCOMPARE(progress->value(), 3);
    QCOMPARE(progress->maximum(), 6);
    QVERIFY(!start->isEnabled() && cancel->isEnabled());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QCOMPARE(state.takeRetrainRequest(), QStringLiteral("cancel"));
    for (const QString &theme : {QStringLiteral("light"), QStringLiteral("dark")}) {
        m_shotTheme = theme;
        m_window->setTheme(theme == QLatin1String("dark") ? MainWindow::Theme::Dark : MainWindow::Theme::Light);
        QTest::qWait(50);
        shoot(&view, QStringLiteral("models"));
    }
    m_window->setTheme(MainWindow::Theme::Light);
}

void TestGuiViews::screenshots()
{
    if (qEnvironmentVariableIsEmpty("STRATUS_SCREENSHOT_DIR"))
        QSKIP("STRATUS_SCREENSHOT_DIR not set");
    MainWindow *w = m_window.get();
    for (MainWindow::Theme theme : {MainWindow::Theme::Light, MainWindow::Theme::Dark}) {
        m_shotTheme = theme == MainWindow::Theme::Dark ? QStringLiteral("dark") : QStringLiteral("light");
        w->setTheme(theme);
        w->selectStation(QStringLiteral("GSO"));
        w->chartView()->setStation(QStringLiteral("GSO"));
        w->chartView()->setVariables({Variable::Temperature, Variable::Humidity, Variable::Pressure});
        w->chartView()->resetZoom();
        w->mapView()->setColorVariable(Variable::Temperature);
        w->mapView()->fitToStations();
        QVERIFY(waitForMap());
        QTest::qWait(600);
        shoot(w, QStringLiteral("main_window"));
        shoot(w->mapView(), QStringLiteral("map_temperature"));
        w->mapView()->setInterpolation(true);
        QVERIFY(waitForMap());
        shoot(w->mapView(), QStringLiteral("map_idw_temperature"));
        w->mapView()->setInterpolation(false);
        w->mapView()->setColorMode(StationMapView::ColorMode::AlertState);
        QVERIFY(waitForMap());
        shoot(w->mapView(), QStringLiteral("map_alerts"));
        w->mapView()->setColorVariable(Variable::Temperature);
        w->mapView()->zoomAt(*w->mapView()->stationPosition(QStringLiteral("GSO")), 8.0);
        QVERIFY(waitForMap());
        shoot(w->mapView(), QStringLiteral("map_zoomed_labels"));
        w->mapView()->setProjectionMode(StationMapView::ProjectionMode::World);
        QVERIFY(waitForMap());
        shoot(w->mapView(), QStringLiteral("map_world"));
        w->mapView()->setProjectionMode(StationMapView::ProjectionMode::Auto);
        w->mapView()->fitToStations();
        QVERIFY(waitForMap());
        shoot(w->chartView(), QStringLiteral("forecast_chart"));
        shoot(w->alertPanel(), QStringLiteral("alert_panel"));
        w->docks().at(4)->raise();
        w->clusterView()->sample();
        QTest::qWait(100);
        shoot(w->clusterView(), QStringLiteral("cluster_health"));
        w->docks().at(3)->raise();
        QTest::qWait(100);
        shoot(w->stationTable(), QStringLiteral("station_table"));
        w->docks().at(2)->raise();

        std::unique_ptr<ConnectDialog> connect(w->createConnectDialog());
        connect->show();
        QVERIFY(QTest::qWaitForWindowExposed(connect.get()));
        shoot(connect.get(), QStringLiteral("dialog_connect"));
        std::unique_ptr<ExportDialog> exportDialog(w->createExportDialog());
        exportDialog->setPath(m_tmp.filePath(QStringLiteral("shot.csv")));
        exportDialog->show();
        QVERIFY(QTest::qWaitForWindowExposed(exportDialog.get()));
        shoot(exportDialog.get(), QStringLiteral("dialog_export"));
        std::unique_ptr<SourcesDialog> sources(w->createSourcesDialog());
        sources->show();
        QVERIFY(QTest::qWaitForWindowExposed(sources.get()));
        shoot(sources.get(), QStringLiteral("dialog_sources"));
    }
    w->setTheme(MainWindow::Theme::Light);
}

void TestGuiViews::demoScreenshot()
{
    // What a user sees first: `stratus --demo`, the bundled real NWS recording replayed live-like
    // and the last weeks of Beijing beside it, forecast by the shipped model, default settings.
    QSettings().clear();
    MainWindow::applyTheme(MainWindow::Theme::Light);
    EngineThread demo(EngineOptions::demo());
    MainWindow w(demo.state());
    w.setAlertManager(&demo.alerts());
    w.resize(1500, 950);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    demo.start();
    QTRY_VERIFY_WITH_TIMEOUT(demo.state().counters().readingsIn >= 20, 30'000);
    w.mapView()->refresh();
    QTRY_COMPARE_WITH_TIMEOUT(w.mapView()->stationCount(), 17, 10'000);
    w.selectStation(QStringLiteral("Aotizhongxin"));
    QTRY_VERIFY_WITH_TIMEOUT(w.chartView()->observedCount(Variable::Temperature) >= 24, 30'000);
    // The model's 24 h forecast with its band, not persistence (tst_app_shipped_model checks values).
    QTRY_VERIFY_WITH_TIMEOUT(w.chartView()->forecastCount(Variable::Temperature) >= 24, 60'000);
    w.mapView()->fitToStations();
    QVERIFY(QTest::qWaitFor([&] { return w.mapView()->backgroundReady(); }, 30'000));
    QTest::qWait(700);
    m_shotTheme = QStringLiteral("light");
    shoot(&w, QStringLiteral("demo_main_window"));
    w.close();
}

QTEST_MAIN(TestGuiViews)
#include "tst_ui_views.moc"
