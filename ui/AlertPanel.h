#pragma once

#include "Anomaly.h"

#include <QSet>
#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSystemTrayIcon;
class QTableView;

namespace stratus {

class AlertManager;
class AlertRulesDialog;
class AlertTableModel;
class DisplayUnits;
class LiveState;

// Live table of anomalies with severity colours and the reason in words; filters, acknowledge,
// silence a station for a while, and a tray notification for new critical alerts.
class AlertPanel : public QWidget
{
    Q_OBJECT
public:
    AlertPanel(const LiveState &state, const DisplayUnits &units, QWidget *parent = nullptr);

    void refresh(); // pulls new anomalies from LiveState (timer)
    AlertTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    void acknowledgeSelected();
    void silenceSelected(int minutes);
    // The engine's rules and silences: the panel's silences then are the engine's (the same ones
    // the REST API lists), made in the engine's time and kept across restarts. Without it (a view
    // on its own) the silences are the panel's only, as before.
    void setAlertManager(AlertManager *alerts);
    AlertManager *alertManager() const { return m_alerts; }
    // Mirrors the engine's current silences into the table (runs on every refresh).
    void syncSilences();
    // The rules dialog ("Rules…" button); nullptr without an alert manager. The caller owns it.
    AlertRulesDialog *createRulesDialog();
    // Tray balloons for new critical alerts (on by default where a tray exists).
    void setNotificationsEnabled(bool on) { m_notify = on; }
    int notificationsShown() const { return m_notificationsShown; }

signals:
    void stationActivated(const QString &id);
    // New critical alerts, for the status bar when no system tray exists.
    void severeAlerts(const QString &summary);

private:
    void applyFilter();
    void updateSummary();
    void notify(const QList<Anomaly> &severe);

    const LiveState &m_state;
    AlertTableModel *m_model;
    QTableView *m_table;
    QComboBox *m_severity;
    QComboBox *m_kind;
    QLineEdit *m_stationFilter;
    QCheckBox *m_hideAcked;
    QLabel *m_summary;
    QSystemTrayIcon *m_tray = nullptr;
    QTimer m_timer;
    AlertManager *m_alerts = nullptr;
    QSet<QString> m_mirrored; // stations silenced in the table because the engine silences them
    QPushButton *m_rulesButton = nullptr;
    qint64 m_seen = 0; // anomaliesOut already fetched
    bool m_notify = true;
    int m_notificationsShown = 0;
};

} // namespace stratus
