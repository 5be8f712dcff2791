#include "MainWindow.h"

#include "AlertPanel.h"
#include "ClusterHealthView.h"
#include "ModelsView.h"
#include "ConnectDialog.h"
#include "DisplayUnits.h"
#include "ExportDialog.h"
#include "ForecastChartView.h"
#include "LiveState.h"
#include "NearStationsView.h"
#include "SourcesDialog.h"
#include "StationMapView.h"
#include "StationTableModel.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QStyleFactory>
#include <QTableView>

namespace stratus {

MainWindow::MainWindow(const LiveState &state, QWidget *parent)
    : QMainWindow(parent), m_state(state), m_units(new DisplayUnits(this)), m_map(new StationMapView(state, *m_units, this)),
      m_chart(new ForecastChartView(state, *m_units, this)), m_alerts(new AlertPanel(state, *m_units, this)),
      m_cluster(new ClusterHealthView(state, this)), m_near(new NearStationsView(state, this)), m_stationModel(new StationTableModel(this)),
      m_stationTable(new QTableView(this)), m_statusSource(new QLabel(this)), m_statusRate(new QLabel(this)),
      m_statusMode(new QLabel(this)), m_statusAlert(new QLabel(this))
{
    setWindowTitle(tr("Stratus — weather station monitor"));
    setObjectName(QStringLiteral("mainWindow"));
    resize(1400, 900);
    setDockNestingEnabled(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowNestedDocks | QMainWindow::AllowTabbedDocks);

    m_stationModel->setUnits(m_units);
    m_stationTable->setModel(m_stationModel);
    m_stationTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_stationTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_stationTable->setAlternatingRowColors(true);
    m_stationTable->verticalHeader()->hide();
    m_stationTable->verticalHeader()->setDefaultSectionSize(m_stationTable->fontMetrics().height() + 6);
    m_stationTable->horizontalHeader()->setStretchLastSection(true);
    m_stationTable->setObjectName(QStringLiteral("stationTable"));
    m_stationTable->setColumnWidth(StationTableModel::Id, 80);
    m_stationTable->setColumnWidth(StationTableModel::Name, 180);
    m_stationTable->setColumnWidth(StationTableModel::Time, 180);

    // Every view is a dock (no central widget), so the user can arrange all of them.
    addView(m_map, tr("Station map"), QStringLiteral("dockMap"), Qt::LeftDockWidgetArea);
    addView(m_chart, tr("Forecast chart"), QStringLiteral("dockChart"), Qt::RightDockWidgetArea);
    addView(m_alerts, tr("Alerts"), QStringLiteral("dockAlerts"), Qt::BottomDockWidgetArea);
    addView(m_stationTable, tr("Stations"), QStringLiteral("dockStations"), Qt::BottomDockWidgetArea);
    addView(m_cluster, tr("Cluster health"), QStringLiteral("dockCluster"), Qt::BottomDockWidgetArea);
    addView(new ModelsView(state, this), tr("Models"), QStringLiteral("dockModels"), Qt::BottomDockWidgetArea);
    splitDockWidget(m_docks[0], m_docks[1], Qt::Horizontal);
    tabifyDockWidget(m_docks[2], m_docks[3]);
    tabifyDockWidget(m_docks[3], m_docks[4]);
    QDockWidget *nearDock = addView(m_near, tr("Stations near me"), QStringLiteral("dockNear"), Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_docks[4], nearDock);
    tabifyDockWidget(nearDock, m_docks[5]); // Models
    m_docks[2]->raise();
    m_defaultState = saveState();

    statusBar()->addWidget(m_statusSource, 1);
    statusBar()->addPermanentWidget(m_statusAlert);
    statusBar()->addPermanentWidget(m_statusRate);
    statusBar()->addPermanentWidget(m_statusMode);
    m_statusSource->setObjectName(QStringLiteral("statusSource"));
    m_statusRate->setObjectName(QStringLiteral("statusRate"));
    m_statusMode->setObjectName(QStringLiteral("statusMode"));

    connect(m_map, &StationMapView::stationSelected, this, &MainWindow::selectStation);
    connect(m_alerts, &AlertPanel::stationActivated, this, &MainWindow::selectStation);
    connect(m_near, &NearStationsView::stationSelected, this, &MainWindow::selectStation);
    connect(m_near, &NearStationsView::located, this, [this](const UserLocation::Fix &fix) {
        m_map->setUserPosition(fix.coordinate, fix.origin);
    });
    connect(m_near, &NearStationsView::unavailable, m_map, &StationMapView::clearUserPosition);
    connect(m_near, &NearStationsView::centreRequested, this, [this](const QGeoCoordinate &at) { m_map->centreOn(at); });
    connect(m_stationTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &idx) {
        if (idx.isValid())
            selectStation(m_stationModel->stationAt(idx.row()));
    });
    connect(m_alerts, &AlertPanel::severeAlerts, this, [this](const QString &text) {
        m_statusAlert->setText(QStringLiteral("⚠ ") + text.left(80));
        m_statusAlert->setToolTip(text);
    });
    connect(m_units, &DisplayUnits::changed, this, [this] { m_stationModel->setUnits(m_units); });

    connect(m_docks[3], &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible) {
            m_lastGeneration = ~0ULL;
            refreshStatus();
        }
    });
    buildMenus();
    restoreSettings();

    // Redraw from a snapshot on a timer, never from the data path (PlotJuggler's coalesced redraw).
    connect(&m_refreshTimer, &QTimer::timeout, this, &MainWindow::refreshStatus);
    m_rateClock.start();
    m_refreshTimer.setObjectName(QStringLiteral("statusRefreshTimer"));
    m_refreshTimer.start(500);
    refreshStatus();
}

MainWindow::~MainWindow() = default;

void MainWindow::setAlertManager(AlertManager *alerts)
{
    m_alerts->setAlertManager(alerts);
}

QDockWidget *MainWindow::addView(QWidget *view, const QString &title, const QString &objectName, Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName); // saveState() needs it
    dock->setWidget(view);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
    addDockWidget(area, dock);
    m_docks.append(dock);
    return dock;
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Connect to cluster…"), this, [this] {
        ConnectDialog *d = createConnectDialog();
        if (d->exec() == QDialog::Accepted) {
            QMessageBox::information(this, tr("Connect to cluster"),
                                     tr("Kafka support is not built into this GUI yet. When it is, start Stratus with "
                                        "--connect %1 to attach to the cluster.")
                                         .arg(d->settings().bootstrap));
        }
        d->deleteLater();
    });
    file->addAction(tr("&Export CSV…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] {
        ExportDialog *d = createExportDialog();
        d->setAttribute(Qt::WA_DeleteOnClose);
        d->show();
    });
    file->addAction(tr("&Sources and stations…"), this, [this] {
        SourcesDialog *d = createSourcesDialog();
        if (d->exec() == QDialog::Accepted)
            setStationFilter(d->chosenStations());
        d->deleteLater();
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *d : std::as_const(m_docks))
        view->addAction(d->toggleViewAction());
    view->addSeparator();
    view->addAction(tr("Reset layout"), this, &MainWindow::resetLayout);
    view->addSeparator();
    QMenu *theme = view->addMenu(tr("Theme"));
    m_themeGroup = new QActionGroup(this);
    for (auto [label, t] : {std::pair{tr("Light"), Theme::Light}, {tr("Dark"), Theme::Dark}}) {
        QAction *a = theme->addAction(label, this, [this, t] { setTheme(t); });
        a->setCheckable(true);
        a->setData(static_cast<int>(t));
        m_themeGroup->addAction(a);
    }
    QMenu *units = view->addMenu(tr("Units"));
    m_tempGroup = new QActionGroup(this);
    for (auto t : {DisplayUnits::Temperature::Celsius, DisplayUnits::Temperature::Fahrenheit}) {
        QAction *a = units->addAction(t == DisplayUnits::Temperature::Celsius ? tr("Temperature in °C") : tr("Temperature in °F"),
                                      this, [this, t] { m_units->setTemperature(t); });
        a->setCheckable(true);
        a->setData(static_cast<int>(t));
        m_tempGroup->addAction(a);
    }
    units->addSeparator();
    m_speedGroup = new QActionGroup(this);
    for (auto s : {DisplayUnits::Speed::MetresPerSecond, DisplayUnits::Speed::KilometresPerHour, DisplayUnits::Speed::MilesPerHour}) {
        QAction *a = units->addAction(tr("Wind in %1").arg(DisplayUnits::speedKey(s)), this, [this, s] { m_units->setSpeed(s); });
        a->setCheckable(true);
        a->setData(static_cast<int>(s));
        m_speedGroup->addAction(a);
    }
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Stratus"), this, [this] {
        QMessageBox::about(this, tr("About Stratus"),
                           tr("<b>Stratus %1</b><br/>Native weather-station monitor with an embedded stream engine.<br/>"
                              "Maps: Natural Earth (public domain) and US Census via us-atlas / world-atlas (ISC).")
                               .arg(QStringLiteral(STRATUS_VERSION)));
    });
}

void MainWindow::applyTheme(Theme theme)
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    if (theme == Theme::Light) {
        QApplication::setPalette(QApplication::style()->standardPalette());
        return;
    }
    QPalette p;
    const QColor window(0x25, 0x29, 0x2e), base(0x1b, 0x1e, 0x22), text(0xe3, 0xe6, 0xe9), mid(0x3a, 0x40, 0x47);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x23, 0x27, 0x2c));
    p.setColor(QPalette::ToolTipBase, QColor(0x30, 0x35, 0x3b));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x92, 0x9a));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x2f, 0x34, 0x3a));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x44, 0x4b, 0x53));
    p.setColor(QPalette::Midlight, QColor(0x3a, 0x40, 0x47));
    p.setColor(QPalette::Mid, mid);
    p.setColor(QPalette::Dark, QColor(0x16, 0x18, 0x1b));
    p.setColor(QPalette::Shadow, QColor(0x0b, 0x0c, 0x0e));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x8b, 0xfd));
    p.setColor(QPalette::HighlightedText, QColor(0xff, 0xff, 0xff));
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x74, 0x7b, 0x83));
    QApplication::setPalette(p);
}

void MainWindow::setTheme(Theme theme)
{
    m_theme = theme;
    applyTheme(theme);
    for (QAction *a : m_themeGroup->actions())
        a->setChecked(a->data().toInt() == static_cast<int>(theme));
}

void MainWindow::selectStation(const QString &id)
{
    if (id.isEmpty() || id == m_selected)
        return;
    m_selected = id;
    m_map->selectStation(id);
    m_chart->setStation(id);
    if (m_stationModel->rowCount() == 0)
        m_stationModel->refresh(m_state); // the table may not have been shown yet
    const int row = m_stationModel->rowOf(id);
    if (row >= 0) {
        const QSignalBlocker block(m_stationTable->selectionModel());
        m_stationTable->selectRow(row);
        m_stationTable->scrollTo(m_stationModel->index(row, 0));
    }
}

ConnectDialog *MainWindow::createConnectDialog()
{
    return new ConnectDialog(this);
}

ExportDialog *MainWindow::createExportDialog()
{
    auto *d = new ExportDialog(m_state, this);
    if (!m_selected.isEmpty())
        d->setStations({m_selected});
    return d;
}

SourcesDialog *MainWindow::createSourcesDialog()
{
    return new SourcesDialog(m_state, m_filter, this);
}

void MainWindow::setStationFilter(const QSet<QString> &ids)
{
    m_filter = ids;
    m_map->setStationFilter(ids);
    m_stationModel->setFilter(ids);
    m_stationModel->refresh(m_state);
}

void MainWindow::refreshStatus()
{
    const auto counters = m_state.counters();
    const double elapsed = m_rateClock.restart() / 1000.0;
    if (m_lastReadingsIn >= 0 && elapsed > 0)
        m_rate = (counters.readingsIn - m_lastReadingsIn) / elapsed;
    m_lastReadingsIn = counters.readingsIn;
    m_statusRate->setText(tr("%1 readings/s").arg(m_rate, 0, 'f', 0));
    const QString mode = m_state.mode();
    const auto cluster = m_state.clusterStatus();
    QString modeText = tr("engine: %1 · bus: %2").arg(mode, m_state.busKind());
    if (cluster.connected)
        modeText += tr(" · cluster %1").arg(cluster.bootstrap);
    m_statusMode->setText(modeText);
    QStringList sources;
    for (const auto &s : m_state.sources()) {
        QString part = QStringLiteral("%1: %2 (%3 readings)").arg(s.name, s.state).arg(s.readings);
        if (!s.lastError.isEmpty())
            part += QStringLiteral(" — ") + s.lastError;
        sources << part;
    }
    m_statusSource->setText(sources.isEmpty() ? tr("no source") : sources.join(QStringLiteral(" · ")));
    if (m_near->fix() && m_state.stationCount() != m_nearStationCount) {
        m_nearStationCount = m_state.stationCount();
        m_near->refreshStations(); // new stations may be nearer
    }

    // A hidden table (behind another tab) costs nothing; it catches up when shown.
    if (m_state.generation() == m_lastGeneration || !m_stationTable->isVisible())
        return;
    m_lastGeneration = m_state.generation();
    m_stationModel->refresh(m_state);
    if (!m_selected.isEmpty()) {
        const int row = m_stationModel->rowOf(m_selected);
        if (row >= 0 && m_stationTable->currentIndex().row() != row) {
            const QSignalBlocker block(m_stationTable->selectionModel());
            m_stationTable->selectRow(row);
        }
    }
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("display/theme"), m_theme == Theme::Dark ? QStringLiteral("dark") : QStringLiteral("light"));
    s.setValue(QStringLiteral("display/temperature"), DisplayUnits::temperatureKey(m_units->temperature()));
    s.setValue(QStringLiteral("display/speed"), DisplayUnits::speedKey(m_units->speed()));
    s.setValue(QStringLiteral("map/variable"), variableKey(m_map->colorVariable()));
    s.setValue(QStringLiteral("map/alerts"), m_map->colorMode() == StationMapView::ColorMode::AlertState);
    s.setValue(QStringLiteral("map/interpolation"), m_map->interpolation());
    s.setValue(QStringLiteral("map/projection"), static_cast<int>(m_map->projectionMode()));
    QStringList vars;
    for (Variable v : m_chart->variables())
        vars << variableKey(v);
    s.setValue(QStringLiteral("chart/variables"), vars);
    s.setValue(QStringLiteral("chart/rangeHours"), m_chart->rangeHours());
    s.setValue(QStringLiteral("selection/station"), m_selected);
    s.sync();
}

void MainWindow::restoreSettings()
{
    QSettings s;
    restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    m_layoutRestored = restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    setTheme(s.value(QStringLiteral("display/theme")).toString() == QLatin1String("dark") ? Theme::Dark : Theme::Light);
    m_units->setTemperature(DisplayUnits::temperatureFromKey(s.value(QStringLiteral("display/temperature")).toString()));
    m_units->setSpeed(DisplayUnits::speedFromKey(s.value(QStringLiteral("display/speed")).toString()));
    for (QAction *a : m_tempGroup->actions())
        a->setChecked(a->data().toInt() == static_cast<int>(m_units->temperature()));
    for (QAction *a : m_speedGroup->actions())
        a->setChecked(a->data().toInt() == static_cast<int>(m_units->speed()));
    if (const auto v = variableFromKey(s.value(QStringLiteral("map/variable")).toString()))
        m_map->setColorVariable(*v);
    if (s.value(QStringLiteral("map/alerts")).toBool())
        m_map->setColorMode(StationMapView::ColorMode::AlertState);
    m_map->setInterpolation(s.value(QStringLiteral("map/interpolation"), false).toBool());
    m_map->setProjectionMode(static_cast<StationMapView::ProjectionMode>(s.value(QStringLiteral("map/projection"), 0).toInt()));
    if (s.contains(QStringLiteral("chart/variables"))) {
        QList<Variable> vars;
        for (const QString &k : s.value(QStringLiteral("chart/variables")).toStringList()) {
            if (const auto v = variableFromKey(k))
                vars << *v;
        }
        m_chart->setVariables(vars);
    }
    m_chart->setRangeHours(s.value(QStringLiteral("chart/rangeHours"), 48).toInt());
    const QString station = s.value(QStringLiteral("selection/station")).toString();
    if (!station.isEmpty())
        selectStation(station);
}

void MainWindow::resetLayout()
{
    restoreState(m_defaultState);
    for (QDockWidget *d : std::as_const(m_docks))
        d->show();
    // Dock sizes only take once the window has its size: map and chart get the top 60 %, the map
    // a little more than half the width.
    resizeDocks({m_docks[0], m_docks[1]}, {width() * 55 / 100, width() * 45 / 100}, Qt::Horizontal);
    resizeDocks({m_docks[0], m_docks[2]}, {height() * 60 / 100, height() * 40 / 100}, Qt::Vertical);
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_sized && !m_layoutRestored)
        QTimer::singleShot(0, this, &MainWindow::resetLayout); // once the window has its real size
    m_sized = true;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

} // namespace stratus
