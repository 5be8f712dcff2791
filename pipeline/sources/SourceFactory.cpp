#include "SourceFactory.h"

#include "NwsSource.h"
#include "OpenMeteoSource.h"
#include "ReplaySource.h"

namespace stratus {

std::optional<std::pair<double, double>> SourceFactory::sourcePoint(const SourceOptions &o)
{
    if (o.near && o.near->center.isValid())
        return std::make_pair(o.near->center.latitude(), o.near->center.longitude());
    return std::nullopt;
}

namespace {
// The replay settings every replay of these options shares (the main one and its companions).
ReplaySource::Options replayOptions(const SourceOptions &o, const QString &path)
{
    ReplaySource::Options ro;
    ro.path = path;
    ro.speed = o.replaySpeed;
    ro.shiftToNow = o.replayShiftToNow;
    ro.maxGapMs = o.replayMaxGapMs;
    ro.loop = o.replayLoop;
    return ro;
}
} // namespace

Result<Source *> SourceFactory::create(const SourceOptions &o, QObject *parent)
{
    const auto point = sourcePoint(o);
    if (o.sourceKind == QLatin1String("nws")) {
        NwsSource::Options n;
        if (!o.nwsUrl.isEmpty())
            n.baseUrl = QUrl(o.nwsUrl);
        if (!n.baseUrl.isValid() || n.baseUrl.scheme().isEmpty())
            return makeError(QStringLiteral("NWS URL \"%1\" is not an http(s) URL").arg(o.nwsUrl));
        n.stationIds = o.stationIds;
        n.near = point;
        n.maxStations = o.nearMaxStations;
        if (o.pollIntervalS > 0)
            n.pollIntervalMs = o.pollIntervalS * 1000;
        n.contact = o.contact;
        if (n.stationIds.isEmpty() && !n.near)
            return makeError(QStringLiteral("--source nws needs --stations ID,ID or --near LAT,LON"));
        return static_cast<Source *>(new NwsSource(n, parent));
    }
    if (o.sourceKind == QLatin1String("openmeteo")) {
        OpenMeteoSource::Options m;
        if (!o.openMeteoUrl.isEmpty()) {
            m.forecastUrl = QUrl(o.openMeteoUrl);
            m.archiveUrl = QUrl(o.openMeteoUrl); // one server for both unless told otherwise
        }
        if (!o.openMeteoArchiveUrl.isEmpty())
            m.archiveUrl = QUrl(o.openMeteoArchiveUrl);
        if (!m.forecastUrl.isValid() || m.forecastUrl.scheme().isEmpty())
            return makeError(QStringLiteral("Open-Meteo URL \"%1\" is not an http(s) URL").arg(o.openMeteoUrl));
        if (!point)
            return makeError(QStringLiteral("--source openmeteo needs --near LAT,LON"));
        m.points.append({QString(), point->first, point->second, QString()});
        if (o.pollIntervalS > 0)
            m.pollIntervalMs = o.pollIntervalS * 1000;
        m.backfillDays = o.backfillDays;
        m.contact = o.contact;
        return static_cast<Source *>(new OpenMeteoSource(m, parent));
    }
    if (o.sourceKind == QLatin1String("replay") || o.sourceKind.isEmpty()) {
        if (o.replayFile.isEmpty())
            return static_cast<Source *>(nullptr);
        return static_cast<Source *>(new ReplaySource(replayOptions(o, o.replayFile), parent));
    }
    return makeError(QStringLiteral("unknown source \"%1\": use replay, nws or openmeteo").arg(o.sourceKind));
}

QList<Source *> SourceFactory::createCompanions(const SourceOptions &o, QObject *parent)
{
    QList<Source *> out;
    for (const QString &path : o.companionReplays) {
        ReplaySource::Options ro = replayOptions(o, path);
        ro.maxGapMs = 0; // an hourly recording stays hourly: its model reads hour-spaced history
        ro.historyMs = o.companionHistoryMs;
        out.append(new ReplaySource(ro, parent));
    }
    return out;
}

} // namespace stratus
