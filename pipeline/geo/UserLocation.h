#pragma once

#include "GeoQuery.h"
#include "Result.h"

#include <QGeoCoordinate>
#include <QGeoPositionInfo>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <optional>

class QGeoPositionInfoSource;
class QSettings;

namespace stratus {

// Where the user is, for "stations near me" and `--near auto`. Tried in order:
//  1. an NMEA source chosen in the settings (a GPS receiver's serial port, a socket, or an NMEA
//     log file replayed through Qt Positioning's `nmea` plugin),
//  2. the system's default QGeoPositionInfoSource (GeoClue on Linux) where one exists,
//  3. a home location from the config.
// When none gives a position it says plainly why each one failed; it never invents a position.
class UserLocation : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString nmeaSource;           // path/URL as the nmea plugin takes it; empty = not chosen
        bool useSystemSource = true;  // ask the platform's default position source
        std::optional<QGeoCoordinate> home;
        QString homeOrigin = QStringLiteral("home location"); // where it was set, for messages
        int timeoutMs = 10'000;       // per position source
        // The whole chain: past it the remaining sources are skipped (the home location still
        // answers at once), so `--near auto` waits a bounded time however many sources hang.
        int totalTimeoutMs = 12'000;

        // Settings keys: location/nmea_source, location/system_source (true/false),
        // location/home ("LAT,LON"). An impossible home location is an error, not ignored.
        static Result<Options> fromSettings(const QSettings &settings);
    };

    struct Fix
    {
        QGeoCoordinate coordinate;
        QString origin;        // "NMEA log /path/file.log", "system position source geoclue2", "home location (config)"
        qint64 timestampMs = 0; // of the fix as the source gave it; 0 for the home location
    };

    explicit UserLocation(Options options, QObject *parent = nullptr);
    ~UserLocation() override;

    // Starts looking; ends in exactly one located() or unavailable().
    void start();
    // Blocks (running a local event loop) until a position or the end of the chain; for the
    // command line, before the engine starts.
    static Result<Fix> locate(const Options &options);

    // `--near auto`: fills the query's centre from locate(); other queries pass through unchanged.
    static Result<GeoQuery> resolve(GeoQuery query, const Options &options, Fix *fix = nullptr);

    // The position plugins Qt Positioning finds on this machine (e.g. geoclue2, nmea).
    static QStringList availablePlugins();

signals:
    void located(const stratus::UserLocation::Fix &fix);
    void unavailable(const QString &why);

private:
    enum class Step { Nmea, System, Home, Done };
    void tryStep(Step step);
    void useSource(QGeoPositionInfoSource *source, const QString &origin, Step next);
    void fail(const QString &reason, Step next);
    void finish(const Fix &fix);
    int remainingMs() const;

    Options m_options;
    QPointer<QGeoPositionInfoSource> m_source;
    QTimer m_timeout;
    QElapsedTimer m_started;
    QStringList m_reasons;
    QString m_origin;
    Step m_next = Step::Done;
    bool m_done = false;
};

} // namespace stratus

Q_DECLARE_METATYPE(stratus::UserLocation::Fix)
