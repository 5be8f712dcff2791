#pragma once

#include <QElapsedTimer>
#include <QMainWindow>
#include <QSet>
#include <QTimer>

class QActionGroup;
class QDockWidget;
class QLabel;
class QTableView;

namespace stratus {

class AlertPanel;
class ClusterHealthView;
class ConnectDialog;
class DisplayUnits;
class ExportDialog;
class ForecastChartView;
class LiveState;
class NearStationsView;
class SourcesDialog;
class StationMapView;
class StationTableModel;

// The desktop window: map, forecast chart, alerts, station table and cluster health as dockable,
// rearrangeable views whose layout and settings persist in QSettings. It reads the engine only through
// LiveState, so an in-process engine and a connected cluster look the same to it.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum class Theme { Light, Dark };

    explicit MainWindow(const LiveState &state, QWidget *parent = nullptr);
    ~MainWindow() override;

    StationTableModel *stationModel() const { return m_stationModel; }
    StationMapView *mapView() const { return m_map; }
    ForecastChartView *chartView() const { return m_chart; }
    AlertPanel *alertPanel() const { return m_alerts; }
    // The in-process engine's alert rules and silences (AlertPanel silences, rules dialog).
    void setAlertManager(class AlertManager *alerts);
    ClusterHealthView *clusterView() const { return m_cluster; }
    NearStationsView *nearStationsView() const { return m_near; }
    QTableView *stationTable() const { return m_stationTable; }
    DisplayUnits &units() const { return *m_units; }
    QList<QDockWidget *> docks() const { return m_docks; }

    Theme theme() const { return m_theme; }
    void setTheme(Theme theme);
    static void applyTheme(Theme theme); // Fusion + palette on the whole application

    void selectStation(const QString &id); // map, table and chart follow
    QString selectedStation() const { return m_selected; }

    // Dialogs (non-modal helpers so tests and screenshots can drive them).
    ConnectDialog *createConnectDialog();
    ExportDialog *createExportDialog();
    SourcesDialog *createSourcesDialog();
    void setStationFilter(const QSet<QString> &ids);

    void saveSettings() const;
    void restoreSettings();
    void resetLayout();

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void buildMenus();
    QDockWidget *addView(QWidget *view, const QString &title, const QString &objectName, Qt::DockWidgetArea area);
    void refreshStatus();

    const LiveState &m_state;
    DisplayUnits *m_units;
    StationMapView *m_map;
    ForecastChartView *m_chart;
    AlertPanel *m_alerts;
    ClusterHealthView *m_cluster;
    NearStationsView *m_near;
    qsizetype m_nearStationCount = -1;
    StationTableModel *m_stationModel;
    QTableView *m_stationTable;
    QList<QDockWidget *> m_docks;
    QByteArray m_defaultState;
    bool m_layoutRestored = false; // a saved layout was applied; keep its sizes
    bool m_sized = false;
    QLabel *m_statusSource;
    QLabel *m_statusRate;
    QLabel *m_statusMode;
    QLabel *m_statusAlert;
    QTimer m_refreshTimer;
    QElapsedTimer m_rateClock;
    quint64 m_lastGeneration = ~0ULL;
    qint64 m_lastReadingsIn = -1;
    double m_rate = 0;
    Theme m_theme = Theme::Light;
    QString m_selected;
    QSet<QString> m_filter;
    QActionGroup *m_themeGroup = nullptr;
    QActionGroup *m_tempGroup = nullptr;
    QActionGroup *m_speedGroup = nullptr;
};

} // namespace stratus
