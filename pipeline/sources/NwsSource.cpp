#include "NwsSource.h"

#include "TimeUtil.h"

#include <QLoggingCategory>
#include <QSet>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>

namespace stratus {

Q_LOGGING_CATEGORY(lcNws, "stratus.nws")

namespace {

// NWS wants at most 4 decimals in /points and redirects otherwise; "30,-85", "43.14,-89.34".
QString coordinate(double x)
{
    return QString::number(std::round(x * 1e4) / 1e4, 'g', 10);
}

} // namespace

NwsSource::NwsSource(Options options, QObject *parent)
    : Source(parent), m_options(std::move(options))
{
    if (m_options.http.userAgent.isEmpty())
        m_options.http.userAgent = HttpClient::defaultUserAgent(m_options.contact);
    if (m_options.http.accept.isEmpty())
        m_options.http.accept = "application/geo+json";
    m_http = new HttpClient(m_options.http, this);
    connect(m_http, &HttpClient::retrying, this, [this](const QUrl &url, int, qint64 delayMs, const QString &reason) {
        // Retrying means the source works only partly right now; a final failure decides "down".
        if (m_health.state != State::Down)
            setState(State::Degraded, QStringLiteral("%1: %2; retrying in %3 ms").arg(url.path(), reason).arg(delayMs));
    });
    m_pollTimer.setInterval(std::max(1, m_options.pollIntervalMs));
    connect(&m_pollTimer, &QTimer::timeout, this, &NwsSource::poll);
    m_retryDiscovery.setSingleShot(true);
    connect(&m_retryDiscovery, &QTimer::timeout, this, &NwsSource::discover);
}

QUrl NwsSource::resolve(const QUrl &link) const
{
    // Links the API gives are absolute on api.weather.gov; paths we build are relative. Both go
    // to the configured base (tests and proxies point it elsewhere), keeping the base's own path.
    if (!link.isRelative() && link.host() != QLatin1String("api.weather.gov"))
        return link;
    if (!link.isRelative() && m_options.baseUrl.host() == link.host())
        return link;
    QUrl url = m_options.baseUrl;
    QString basePath = url.path(QUrl::FullyEncoded);
    while (basePath.endsWith(u'/'))
        basePath.chop(1);
    url.setPath(basePath + link.path(QUrl::FullyEncoded), QUrl::TolerantMode);
    url.setQuery(link.query(QUrl::FullyEncoded), QUrl::TolerantMode);
    return url;
}

void NwsSource::start()
{
    m_running = true;
    if (m_options.contact.trimmed().isEmpty())
        qCWarning(lcNws) << "no contact configured (--contact or STRATUS_CONTACT): api.weather.gov asks for one in the User-Agent";
    if (!m_options.stationIds.isEmpty()) {
        QList<Station> list;
        for (const QString &id : std::as_const(m_options.stationIds)) {
            Station s;
            s.id = id.trimmed().toUpper();
            s.source = QStringLiteral("nws");
            if (!s.id.isEmpty())
                list.append(s);
        }
        useStations(list);
        for (const Station &s : std::as_const(list))
            fetchMetadata(s.id);
        return;
    }
    if (!m_options.near) {
        setState(State::Down, QStringLiteral("nws: no stations and no point to discover them from"));
        qCWarning(lcNws).noquote() << m_health.lastError;
        return;
    }
    discover();
}

void NwsSource::stop()
{
    m_running = false;
    m_pollTimer.stop();
    m_retryDiscovery.stop();
}

QString NwsSource::describe(const HttpClient::Response &r) const
{
    const QString detail = NwsCodec::problemDetail(r.body);
    return QStringLiteral("GET %1: %2%3").arg(r.url.toString(), r.error, detail.isEmpty() ? QString() : QStringLiteral(" — ") + detail);
}

void NwsSource::discover()
{
    if (!m_running)
        return;
    const auto [lat, lon] = *m_options.near;
    const QUrl url = resolve(QUrl(QStringLiteral("/points/") + coordinate(lat) + u',' + coordinate(lon)));
    qCInfo(lcNws).noquote() << "discovering stations near" << coordinate(lat) << coordinate(lon) << "via" << url.toString();
    m_http->get(url, this, [this](const HttpClient::Response &r) {
        const auto fail = [this](const QString &why) {
            setState(State::Down, QStringLiteral("station discovery failed: ") + why);
            qCWarning(lcNws).noquote() << m_health.lastError << "— trying again in" << m_options.pollIntervalMs << "ms";
            m_retryDiscovery.start(m_options.pollIntervalMs);
        };
        if (!r.ok())
            return fail(describe(r));
        const auto point = NwsCodec::parseObject(r.body);
        if (!point)
            return fail(r.url.toString() + QStringLiteral(": ") + point.errorMessage());
        const auto stationsUrl = NwsCodec::observationStationsUrl(*point);
        if (!stationsUrl)
            return fail(r.url.toString() + QStringLiteral(": ") + stationsUrl.errorMessage());
        fetchStationsPage(resolve(*stationsUrl), 1, {});
    });
}

void NwsSource::fetchStationsPage(const QUrl &url, int page, QList<Station> found)
{
    m_http->get(url, this, [this, page, found](const HttpClient::Response &r) mutable {
        QString error;
        if (!r.ok()) {
            error = describe(r);
        } else if (const auto fc = NwsCodec::parseObject(r.body); !fc) {
            error = r.url.toString() + QStringLiteral(": ") + fc.errorMessage();
        } else {
            QStringList problems;
            const QList<Station> stations = NwsCodec::stations(*fc, &problems);
            for (const QString &p : std::as_const(problems))
                qCWarning(lcNws).noquote() << r.url.toString() << p;
            found += stations;
            const QUrl next = NwsCodec::nextPage(*fc);
            // The last page is the one with no features; the guards stop a server that loops.
            if (!stations.isEmpty() && next.isValid() && !next.isEmpty() && page < m_options.maxPages
                && (m_options.maxStations <= 0 || found.size() < m_options.maxStations)) {
                fetchStationsPage(resolve(next), page + 1, found);
                return;
            }
        }
        if (!error.isEmpty() && found.isEmpty()) {
            setState(State::Down, QStringLiteral("station discovery failed: ") + error);
            qCWarning(lcNws).noquote() << m_health.lastError;
            m_retryDiscovery.start(m_options.pollIntervalMs);
            return;
        }
        if (!error.isEmpty()) // later pages failed: poll what we have rather than nothing
            qCWarning(lcNws).noquote() << "station list incomplete:" << error;
        if (found.isEmpty()) {
            setState(State::Down, QStringLiteral("station discovery found no observation stations at %1").arg(r.url.toString()));
            qCWarning(lcNws).noquote() << m_health.lastError;
            return;
        }
        qCInfo(lcNws).noquote() << QStringLiteral("discovered %1 stations in %2 page(s); polling the first %3")
                                       .arg(found.size())
                                       .arg(page)
                                       .arg(m_options.maxStations > 0 ? std::min<qsizetype>(m_options.maxStations, found.size()) : found.size());
        if (m_options.maxStations > 0 && found.size() > m_options.maxStations)
            found.resize(m_options.maxStations);
        useStations(found);
    });
}

void NwsSource::useStations(const QList<Station> &stations)
{
    m_order.clear();
    for (const Station &s : stations) {
        if (m_stations.contains(s.id))
            continue;
        StationState st;
        st.meta = s;
        m_stations.insert(s.id, st);
        m_order << s.id;
    }
    emit stationsDiscovered(stations);
    poll();
    m_pollTimer.start();
}

void NwsSource::fetchMetadata(const QString &id)
{
    // Best effort: names and positions also arrive with the observations' geometry, so a failure
    // here is logged but does not count against the source's health.
    QUrl url = resolve(QUrl(QStringLiteral("/stations/") + id));
    m_http->get(url, this, [this, id](const HttpClient::Response &r) {
        if (!r.ok()) {
            qCInfo(lcNws).noquote() << "station metadata for" << id << "unavailable:" << describe(r);
            return;
        }
        const auto o = NwsCodec::parseObject(r.body);
        const auto s = o ? NwsCodec::station(*o) : Result<Station>(o.error());
        if (!s) {
            qCWarning(lcNws).noquote() << "station metadata for" << id << ":" << s.errorMessage();
            return;
        }
        Station st = *s;
        st.id = id;
        noteStation(st);
    });
}

void NwsSource::noteStation(const Station &s)
{
    auto it = m_stations.find(s.id);
    if (it == m_stations.end())
        return;
    Station &m = it->meta;
    const bool better = (m.name.isEmpty() && !s.name.isEmpty()) || (!m.hasLocation() && s.hasLocation())
                        || (std::isnan(m.elevationM) && !std::isnan(s.elevationM));
    if (!better)
        return;
    if (!s.name.isEmpty())
        m.name = s.name;
    if (s.hasLocation()) {
        m.latitude = s.latitude;
        m.longitude = s.longitude;
    }
    if (!std::isnan(s.elevationM))
        m.elevationM = s.elevationM;
    emit stationsDiscovered({m});
}

void NwsSource::poll()
{
    if (!m_running || m_order.isEmpty())
        return;
    if (m_cycleRunning) {
        // The previous round is still waiting (slow server, retries): never pile requests up.
        qCDebug(lcNws) << "previous poll still running; skipping this tick";
        return;
    }
    m_cycle = Cycle();
    m_cycle.stations = m_cycle.outstanding = static_cast<int>(m_order.size());
    m_cycleRunning = true;
    const QStringList ids = m_order;
    for (const QString &id : ids)
        pollStation(id);
}

void NwsSource::pollStation(const QString &id)
{
    const QUrl url = resolve(QUrl(QStringLiteral("/stations/%1/observations/latest").arg(id)));
    m_http->get(url, this, [this, id](const HttpClient::Response &r) { handleLatest(id, r); });
}

void NwsSource::handleLatest(const QString &id, const HttpClient::Response &r)
{
    StationState &st = m_stations[id];
    if (!r.ok()) {
        st.failedSinceLast = true;
        return stationDone(id, describe(r), {});
    }
    const auto body = NwsCodec::parseObject(r.body);
    if (!body) {
        st.failedSinceLast = true;
        return stationDone(id, QStringLiteral("%1: %2").arg(r.url.toString(), body.errorMessage()), {});
    }
    auto obs = NwsCodec::observation(*body, id);
    if (!obs) {
        st.failedSinceLast = true;
        return stationDone(id, QStringLiteral("%1: %2").arg(r.url.toString(), obs.errorMessage()), {});
    }
    noteStation(obs->station);
    Reading reading = obs->reading;
    reading.stationId = id; // the id we asked for is the id we report
    if (reading.timestampMs <= st.lastTimestampMs)
        return stationDone(id, QString(), {}); // unchanged since the last poll: nothing new to say

    QStringList problems = obs->problems;
    st.problems = problems;
    if (reading.isEmpty()) {
        // Remember the time anyway so the same empty observation is reported once, not every poll.
        st.lastTimestampMs = reading.timestampMs;
        st.failedSinceLast = false;
        problems << QStringLiteral("%1: observation at %2 has no usable value (every quantity null); nothing emitted")
                        .arg(id, timeutil::toIsoUtc(reading.timestampMs));
        st.problems = problems;
        return stationDone(id, QString(), problems);
    }
    const bool gap = st.lastTimestampMs > 0
                     && (st.failedSinceLast || reading.timestampMs - st.lastTimestampMs > m_options.recoverGapMs);
    if (gap) {
        for (const QString &p : std::as_const(problems))
            qCWarning(lcNws).noquote() << p;
        recoverGap(id, reading);
        return;
    }
    emitReadings(id, {reading});
    stationDone(id, QString(), problems);
}

void NwsSource::recoverGap(const QString &id, const Reading &latest)
{
    StationState &st = m_stations[id];
    const qint64 from = std::max(st.lastTimestampMs + 1000, latest.timestampMs - m_options.maxRecoverMs);
    QUrl url = resolve(QUrl(QStringLiteral("/stations/%1/observations").arg(id)));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("start"), timeutil::toIsoUtc(from));
    q.addQueryItem(QStringLiteral("end"), timeutil::toIsoUtc(latest.timestampMs));
    url.setQuery(q);
    qCInfo(lcNws).noquote() << QStringLiteral("%1: recovering the gap %2 … %3")
                                   .arg(id, timeutil::toIsoUtc(st.lastTimestampMs), timeutil::toIsoUtc(latest.timestampMs));
    m_http->get(url, this, [this, id, latest](const HttpClient::Response &r) {
        StationState &st = m_stations[id];
        QList<Reading> out;
        QString error;
        if (!r.ok()) {
            error = describe(r);
        } else if (const auto fc = NwsCodec::parseObject(r.body); !fc) {
            error = r.url.toString() + QStringLiteral(": ") + fc.errorMessage();
        } else {
            QStringList problems;
            for (const NwsCodec::Observation &o : NwsCodec::observations(*fc, &problems)) {
                if (o.reading.timestampMs > st.lastTimestampMs && o.reading.timestampMs < latest.timestampMs
                    && !o.reading.isEmpty()) {
                    Reading r2 = o.reading;
                    r2.stationId = id;
                    out.append(r2);
                }
                problems += o.problems;
            }
            for (const QString &p : std::as_const(problems))
                qCWarning(lcNws).noquote() << p;
            qCInfo(lcNws).noquote() << QStringLiteral("%1: recovered %2 observation(s) from the gap").arg(id).arg(out.size());
        }
        if (!error.isEmpty())
            qCWarning(lcNws).noquote() << QStringLiteral("%1: gap not recovered: %2").arg(id, error);
        out.append(latest);
        emitReadings(id, out);
        // A failed recovery loses history, not the live feed: the source is degraded, not down.
        stationDone(id, QString(), error.isEmpty() ? QStringList() : QStringList{QStringLiteral("%1: gap not recovered: %2").arg(id, error)});
    });
}

void NwsSource::emitReadings(const QString &id, QList<Reading> readings)
{
    StationState &st = m_stations[id];
    std::sort(readings.begin(), readings.end(), [](const Reading &a, const Reading &b) { return a.timestampMs < b.timestampMs; });
    QList<Reading> fresh;
    for (const Reading &r : std::as_const(readings)) {
        if (r.timestampMs > st.lastTimestampMs) {
            fresh.append(r);
            st.lastTimestampMs = r.timestampMs;
        }
    }
    st.failedSinceLast = false;
    if (fresh.isEmpty())
        return;
    countEmitted(fresh.size());
    emit readingsReady(fresh);
}

void NwsSource::stationDone(const QString &id, const QString &error, const QStringList &problems)
{
    if (!error.isEmpty()) {
        ++m_cycle.failures;
        m_cycle.errors << QStringLiteral("%1: %2").arg(id, error);
        qCWarning(lcNws).noquote() << QStringLiteral("%1: poll failed: %2").arg(id, error);
    }
    for (const QString &p : problems)
        qCWarning(lcNws).noquote() << p;
    m_cycle.dataProblems += problems;
    if (--m_cycle.outstanding == 0)
        finishCycle();
}

void NwsSource::finishCycle()
{
    m_cycleRunning = false;
    // Unusable values keep the source degraded for as long as the station's newest observation has them.
    QStringList problems = m_cycle.dataProblems;
    for (const QString &id : std::as_const(m_order))
        problems += m_stations.value(id).problems;
    if (m_cycle.failures == m_cycle.stations) {
        setState(State::Down, m_cycle.errors.first());
    } else if (m_cycle.failures > 0) {
        setState(State::Degraded, QStringLiteral("%1 of %2 stations failed; %3")
                                      .arg(m_cycle.failures)
                                      .arg(m_cycle.stations)
                                      .arg(m_cycle.errors.first()));
    } else if (!problems.isEmpty()) {
        setState(State::Degraded, problems.first());
    } else {
        setState(State::Ok);
    }
}

} // namespace stratus
