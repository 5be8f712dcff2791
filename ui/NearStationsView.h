#pragma once

#include "StationIndex.h"
#include "geo/UserLocation.h"

#include <QGeoCoordinate>
#include <QPointer>
#include <QWidget>

#include <optional>

class QCheckBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace stratus {

class LiveState;

// "Stations near me": finds where the user is through UserLocation (an NMEA log or receiver chosen
// here and kept in the settings, the system's position source, or the config's home location),
// never blocking the GUI thread, and lists the nearest stations with distance and bearing from
// the geography module (StationIndex, Geo). When no position exists it says so, with the reasons.
class NearStationsView : public QWidget
{
    Q_OBJECT
public:
    enum Column { Id, Name, Distance, Bearing, ColumnCount };

    explicit NearStationsView(const LiveState &state, QWidget *parent = nullptr);
    ~NearStationsView() override;

    // Options from the config/command line (home location, NMEA source, system source). The GUI's
    // own settings (location/nmea_source, location/system_source, location/home) override them.
    void setBaseOptions(const UserLocation::Options &options);
    // The options a locate() uses now: base options overridden by the settings.
    Result<UserLocation::Options> effectiveOptions() const;

    // Starts locating (asynchronously); ends in located() or unavailable(). A new call cancels the old.
    void locate();
    bool isLocating() const { return m_finder != nullptr; }
    // Stations from the live catalogue nearest the last fix (recomputed when the catalogue grows).
    void refreshStations();

    int limit() const;
    void setLimit(int n);
    void setNmeaSource(const QString &path); // stored in the settings
    std::optional<UserLocation::Fix> fix() const { return m_fix; }
    QList<NearStation> stations() const { return m_near; }
    QString statusText() const;
    QTableWidget *table() const { return m_table; }

signals:
    void stationSelected(const QString &id);
    void located(const stratus::UserLocation::Fix &fix);
    void unavailable(const QString &why);
    void centreRequested(const QGeoCoordinate &at);

private:
    void finished(const UserLocation::Fix &fix);
    void failed(const QString &why);
    void fillTable();
    void chooseNmeaLog();
    void syncSettingsControls();

    const LiveState &m_state;
    UserLocation::Options m_base;
    QPointer<UserLocation> m_finder;
    std::optional<UserLocation::Fix> m_fix;
    StationIndex m_index;
    qsizetype m_indexedCount = -1;
    QList<NearStation> m_near;

    QPushButton *m_locateButton;
    QPushButton *m_centreButton;
    QPushButton *m_nmeaButton;
    QCheckBox *m_systemCheck;
    QSpinBox *m_limit;
    QLabel *m_status;
    QLabel *m_source;
    QTableWidget *m_table;
};

} // namespace stratus
