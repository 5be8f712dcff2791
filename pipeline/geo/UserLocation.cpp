#include "UserLocation.h"

#include "Geo.h"
#include "GeoQuery.h"

#include <QEventLoop>
#include <algorithm>
#include <QFileInfo>
#include <QGeoPositionInfoSource>
#include <QLoggingCategory>
#include <QSettings>
#include <QUrl>

namespace stratus {

Q_LOGGING_CATEGORY(lcLocation, "stratus.location")

Result<UserLocation::Options> UserLocation::Options::fromSettings(const QSettings &settings)
{
    Options o;
    o.nmeaSource = settings.value(QStringLiteral("location/nmea_source")).toString().trimmed();
    o.useSystemSource = settings.value(QStringLiteral("location/system_source"), true).toBool();
    // INI files read an unquoted "43.07,-89.40" as a list of two strings; both spellings mean the same.
    const QVariant homeValue = settings.value(QStringLiteral("location/home"));
    const QString home = (homeValue.typeId() == QMetaType::QStringList ? homeValue.toStringList().join(QLatin1Char(','))
                                                                       : homeValue.toString())
                             .trimmed();
    if (!home.isEmpty()) {
        auto c = GeoQuery::parseCoordinate(home, QStringLiteral("location/home in %1").arg(settings.fileName()));
        if (!c)
            return c.error();
        o.home = *c;
        o.homeOrigin = QStringLiteral("home location from %1").arg(settings.fileName());
    }
    return o;
}

UserLocation::UserLocation(Options options, QObject *parent) : QObject(parent), m_options(std::move(options))
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        fail(QStringLiteral("%1 gave no position within %2 s").arg(m_origin).arg(m_timeout.interval() / 1000.0), m_next);
    });
}

UserLocation::~UserLocation() = default;

int UserLocation::remainingMs() const
{
    if (!m_started.isValid())
        return m_options.totalTimeoutMs;
    return static_cast<int>(m_options.totalTimeoutMs - m_started.elapsed());
}

QStringList UserLocation::availablePlugins()
{
    return QGeoPositionInfoSource::availableSources();
}

void UserLocation::start()
{
    m_done = false;
    m_reasons.clear();
    m_started.start();
    tryStep(Step::Nmea);
}

void UserLocation::tryStep(Step step)
{
    if (m_done)
        return;
    if ((step == Step::Nmea || step == Step::System) && remainingMs() <= 0) {
        m_reasons << QStringLiteral("%1 skipped: no position within %2 s in all")
                         .arg(step == Step::Nmea ? QStringLiteral("the NMEA source") : QStringLiteral("the system position source"))
                         .arg(m_options.totalTimeoutMs / 1000.0);
        return tryStep(Step::Home);
    }
    switch (step) {
    case Step::Nmea: {
        if (m_options.nmeaSource.isEmpty())
            return tryStep(Step::System);
        const QString src = m_options.nmeaSource;
        const bool device = src.startsWith(QLatin1String("serial:")) || src.startsWith(QLatin1String("socket:"));
        const QString path = src.startsWith(QLatin1String("file:")) ? QUrl(src).toLocalFile() : src;
        const QString origin = device ? QStringLiteral("NMEA source %1").arg(src) : QStringLiteral("NMEA log %1").arg(path);
        if (!device && !QFileInfo(path).isFile())
            return fail(QStringLiteral("%1 does not exist or is not a file").arg(origin), Step::System);
        if (!availablePlugins().contains(QLatin1String("nmea")))
            return fail(QStringLiteral("Qt Positioning's nmea plugin is not installed (Debian package "
                                       "libqt6positioning6-plugins), so %1 cannot be read")
                            .arg(origin),
                        Step::System);
        // The plugin replays a log file at the pace of its timestamps (simulation mode) and reads
        // serial ports and sockets live.
        QVariantMap parameters;
        parameters.insert(QStringLiteral("nmea.source"), device ? src : QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath()).toString());
        QGeoPositionInfoSource *source = QGeoPositionInfoSource::createSource(QStringLiteral("nmea"), parameters, this);
        if (!source)
            return fail(QStringLiteral("the nmea plugin could not open %1").arg(origin), Step::System);
        return useSource(source, origin, Step::System);
    }
    case Step::System: {
        if (!m_options.useSystemSource)
            return tryStep(Step::Home);
        QGeoPositionInfoSource *source = QGeoPositionInfoSource::createDefaultSource(this);
        if (!source) {
            const QStringList plugins = availablePlugins();
            return fail(plugins.isEmpty()
                            ? QStringLiteral("this system has no position source (Qt Positioning found no plugin)")
                            : QStringLiteral("no system position source could start (plugins found: %1)")
                                  .arg(plugins.join(QStringLiteral(", "))),
                        Step::Home);
        }
        return useSource(source, QStringLiteral("the system position source (%1)").arg(source->sourceName()), Step::Home);
    }
    case Step::Home:
        if (m_options.home) {
            Fix f;
            f.coordinate = *m_options.home;
            f.origin = m_options.homeOrigin;
            return finish(f);
        }
        m_reasons << QStringLiteral("no home location is configured (set location/home=LAT,LON in the config, or "
                                    "pass --home LAT,LON)");
        return tryStep(Step::Done);
    case Step::Done:
        m_done = true;
        emit unavailable(QStringLiteral("cannot tell where you are: ") + m_reasons.join(QStringLiteral("; ")));
        return;
    }
}

void UserLocation::useSource(QGeoPositionInfoSource *source, const QString &origin, Step next)
{
    m_source = source;
    m_origin = origin;
    m_next = next;
    connect(source, &QGeoPositionInfoSource::positionUpdated, this, [this, source](const QGeoPositionInfo &info) {
        if (source != m_source || !info.isValid() || !info.coordinate().isValid())
            return; // wait for a fix; receivers report invalid positions while they search
        Fix f;
        f.coordinate = QGeoCoordinate(info.coordinate().latitude(), info.coordinate().longitude());
        f.origin = m_origin;
        f.timestampMs = info.timestamp().toMSecsSinceEpoch();
        finish(f);
    });
    connect(source, &QGeoPositionInfoSource::errorOccurred, this, [this, source](QGeoPositionInfoSource::Error e) {
        if (source != m_source)
            return;
        QString what;
        switch (e) {
        case QGeoPositionInfoSource::AccessError: what = QStringLiteral("access was denied"); break;
        case QGeoPositionInfoSource::ClosedError: what = QStringLiteral("the source closed"); break;
        case QGeoPositionInfoSource::UpdateTimeoutError: what = QStringLiteral("it gave no position in time"); break;
        default: what = QStringLiteral("it failed (error %1)").arg(int(e)); break;
        }
        fail(QStringLiteral("%1: %2").arg(m_origin, what), m_next);
    });
    qCInfo(lcLocation).noquote() << "asking" << origin << "for a position";
    m_timeout.start(std::max(1, std::min(m_options.timeoutMs, remainingMs())));
    source->startUpdates();
}

void UserLocation::fail(const QString &reason, Step next)
{
    if (m_done)
        return;
    m_timeout.stop();
    if (m_source) {
        m_source->stopUpdates();
        m_source->deleteLater();
        m_source = nullptr;
    }
    qCInfo(lcLocation).noquote() << reason;
    m_reasons << reason;
    tryStep(next);
}

void UserLocation::finish(const Fix &fix)
{
    if (m_done)
        return;
    m_done = true;
    m_timeout.stop();
    if (m_source) {
        m_source->stopUpdates();
        m_source->deleteLater();
        m_source = nullptr;
    }
    emit located(fix);
}

Result<UserLocation::Fix> UserLocation::locate(const Options &options)
{
    UserLocation finder(options);
    QEventLoop loop;
    std::optional<Result<Fix>> result;
    connect(&finder, &UserLocation::located, &loop, [&](const Fix &f) {
        result = f;
        loop.quit();
    });
    connect(&finder, &UserLocation::unavailable, &loop, [&](const QString &why) {
        result = makeError(why);
        loop.quit();
    });
    finder.start(); // may finish synchronously (home location, missing file)
    if (!result)
        loop.exec();
    return *result;
}

} // namespace stratus

namespace stratus {

Result<GeoQuery> UserLocation::resolve(GeoQuery query, const Options &options, Fix *fix)
{
    if (!query.needsUserLocation())
        return query;
    const auto found = locate(options);
    if (!found)
        return makeError(QStringLiteral("--near auto: ") + found.errorMessage());
    query.center = found->coordinate;
    if (fix)
        *fix = *found;
    return query;
}

} // namespace stratus
