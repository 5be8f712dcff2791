#include "OpenMeteoSource.h"

#include "OpenMeteoCodec.h"
#include "TimeUtil.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QUrlQuery>

#include <cmath>

namespace stratus {

Q_LOGGING_CATEGORY(lcOpenMeteo, "stratus.openmeteo")

namespace {

QString coordinate(double x)
{
    return QString::number(std::round(x * 1e4) / 1e4, 'g', 10);
}

QString describe(const HttpClient::Response &r)
{
    const QString reason = OpenMeteoCodec::errorReason(r.body);
    return QStringLiteral("GET %1: %2%3").arg(r.url.toString(), r.error, reason.isEmpty() ? QString() : QStringLiteral(" — ") + reason);
}

} // namespace

OpenMeteoSource::OpenMeteoSource(Options options, QObject *parent)
    : Source(parent), m_options(std::move(options))
{
    if (m_options.http.userAgent.isEmpty())
        m_options.http.userAgent = HttpClient::defaultUserAgent(m_options.contact);
    if (m_options.http.accept.isEmpty())
        m_options.http.accept = "application/json";
    for (Point &p : m_options.points) {
        if (p.id.isEmpty())
            p.id = pointId(p.latitude, p.longitude);
        if (p.name.isEmpty())
            p.name = QStringLiteral("Open-Meteo %1, %2").arg(coordinate(p.latitude), coordinate(p.longitude));
    }
    m_http = new HttpClient(m_options.http, this);
    connect(m_http, &HttpClient::retrying, this, [this](const QUrl &url, int, qint64 delayMs, const QString &reason) {
        if (m_health.state != State::Down)
            setState(State::Degraded, QStringLiteral("%1: %2; retrying in %3 ms").arg(url.path(), reason).arg(delayMs));
    });
    m_pollTimer.setInterval(std::max(1, m_options.pollIntervalMs));
    connect(&m_pollTimer, &QTimer::timeout, this, &OpenMeteoSource::poll);
}

QString OpenMeteoSource::pointId(double latitude, double longitude)
{
    const auto part = [](double x, int width, char pos, char neg) {
        return QStringLiteral("%1%2").arg(static_cast<qint64>(std::llround(std::abs(x) * 100)), width, 10, QLatin1Char('0'))
                   .arg(QLatin1Char(x < 0 ? neg : pos));
    };
    return QStringLiteral("OM") + part(latitude, 4, 'N', 'S') + part(longitude, 5, 'E', 'W');
}

QUrl OpenMeteoSource::endpoint(const QUrl &base, const QString &path) const
{
    QUrl url = base;
    QString p = url.path();
    while (p.endsWith(u'/'))
        p.chop(1);
    url.setPath(p + path);
    return url;
}

void OpenMeteoSource::start()
{
    m_running = true;
    if (m_options.points.isEmpty()) {
        setState(State::Down, QStringLiteral("openmeteo: no point given (use --near LAT,LON)"));
        qCWarning(lcOpenMeteo).noquote() << m_health.lastError;
        return;
    }
    QList<Station> stations;
    for (const Point &p : std::as_const(m_options.points)) {
        Station s;
        s.id = p.id;
        s.name = p.name;
        s.latitude = p.latitude;
        s.longitude = p.longitude;
        s.source = QStringLiteral("openmeteo");
        stations.append(s);
    }
    emit stationsDiscovered(stations);

    m_backfill.clear();
    if (m_options.backfillDays > 0) {
        // Oldest day first, so every point's history is emitted in time order before live data.
        const QDate today = QDateTime::currentDateTimeUtc().date();
        for (int d = m_options.backfillDays; d >= 1; --d) {
            for (int i = 0; i < m_options.points.size(); ++i)
                m_backfill.append({i, today.addDays(-d)});
        }
    }
    m_backfillTotal = m_backfill.size();
    m_backfillDoneCount = 0;
    m_backfillFailures = 0;
    if (m_backfill.isEmpty()) {
        m_backfillDone = true;
        poll();
        m_pollTimer.start();
        return;
    }
    qCInfo(lcOpenMeteo).noquote() << QStringLiteral("back-filling %1 day(s) of hourly history for %2 point(s) from %3")
                                         .arg(m_options.backfillDays)
                                         .arg(m_options.points.size())
                                         .arg(m_options.archiveUrl.toString());
    reportProgress(0, m_backfillTotal);
    backfillNext();
}

void OpenMeteoSource::stop()
{
    m_running = false;
    m_pollTimer.stop();
}

void OpenMeteoSource::backfillNext()
{
    if (!m_running)
        return;
    if (m_backfill.isEmpty()) {
        m_backfillDone = true;
        qCInfo(lcOpenMeteo).noquote() << QStringLiteral("back-fill done: %1 of %2 requests failed")
                                             .arg(m_backfillFailures)
                                             .arg(m_backfillTotal);
        poll();
        m_pollTimer.start();
        return;
    }
    const Task task = m_backfill.takeFirst();
    const Point &p = m_options.points[task.point];
    QUrl url = task.viaForecast ? endpoint(m_options.forecastUrl, QStringLiteral("/v1/forecast"))
                                : endpoint(m_options.archiveUrl, QStringLiteral("/v1/archive"));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("latitude"), coordinate(p.latitude));
    q.addQueryItem(QStringLiteral("longitude"), coordinate(p.longitude));
    q.addQueryItem(QStringLiteral("start_date"), task.day.toString(Qt::ISODate));
    q.addQueryItem(QStringLiteral("end_date"), task.day.toString(Qt::ISODate));
    q.addQueryItem(QStringLiteral("hourly"), task.viaForecast ? OpenMeteoCodec::hourlyVariables() : OpenMeteoCodec::archiveVariables());
    q.addQueryItem(QStringLiteral("timezone"), QStringLiteral("GMT"));
    url.setQuery(q);
    m_http->get(url, this, [this, task](const HttpClient::Response &r) {
        const Point &p = m_options.points[task.point];
        const QString what = task.viaForecast ? QStringLiteral("forecast-API history") : QStringLiteral("archive");
        QString error;
        if (!r.ok()) {
            error = describe(r);
        } else if (const auto root = OpenMeteoCodec::parseObject(r.body); !root) {
            error = r.url.toString() + QStringLiteral(": ") + root.errorMessage();
        } else {
            QStringList problems;
            QList<Reading> rows = OpenMeteoCodec::hourly(*root, p.id, &problems);
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            rows.removeIf([now](const Reading &x) { return x.timestampMs > now; }); // history only
            for (const QString &pr : std::as_const(problems))
                qCWarning(lcOpenMeteo).noquote() << p.id << what << task.day.toString(Qt::ISODate) << pr;
            if (rows.isEmpty() && !task.viaForecast) {
                qCInfo(lcOpenMeteo).noquote() << QStringLiteral("%1: the archive has no values for %2 yet; asking the forecast API")
                                                     .arg(p.id, task.day.toString(Qt::ISODate));
                m_backfill.prepend({task.point, task.day, true});
                backfillNext();
                return;
            }
            emitFresh(task.point, rows);
        }
        if (!error.isEmpty()) {
            ++m_backfillFailures;
            qCWarning(lcOpenMeteo).noquote() << QStringLiteral("%1: back-fill of %2 (%3) failed: %4")
                                                    .arg(p.id, task.day.toString(Qt::ISODate), what, error);
            // History is a nice-to-have; the live feed decides up/down. Say it is degraded.
            setState(State::Degraded, QStringLiteral("back-fill of %1 failed: %2").arg(task.day.toString(Qt::ISODate), error));
        }
        reportProgress(++m_backfillDoneCount, m_backfillTotal);
        backfillNext();
    });
}

void OpenMeteoSource::poll()
{
    if (!m_running || m_outstanding > 0)
        return;
    m_outstanding = static_cast<int>(m_options.points.size());
    m_failures = 0;
    m_errors.clear();
    m_problems.clear();
    for (int i = 0; i < m_options.points.size(); ++i) {
        const Point &p = m_options.points[i];
        QUrl url = endpoint(m_options.forecastUrl, QStringLiteral("/v1/forecast"));
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("latitude"), coordinate(p.latitude));
        q.addQueryItem(QStringLiteral("longitude"), coordinate(p.longitude));
        q.addQueryItem(QStringLiteral("current"), OpenMeteoCodec::currentVariables());
        q.addQueryItem(QStringLiteral("hourly"), OpenMeteoCodec::hourlyVariables());
        q.addQueryItem(QStringLiteral("past_days"), QStringLiteral("1"));
        q.addQueryItem(QStringLiteral("forecast_days"), QStringLiteral("1"));
        q.addQueryItem(QStringLiteral("timezone"), QStringLiteral("GMT"));
        url.setQuery(q);
        m_http->get(url, this, [this, i](const HttpClient::Response &r) {
            const Point &p = m_options.points[i];
            QString error;
            if (!r.ok()) {
                error = describe(r);
            } else if (const auto root = OpenMeteoCodec::parseObject(r.body); !root) {
                error = r.url.toString() + QStringLiteral(": ") + root.errorMessage();
            } else {
                QStringList problems;
                const QList<Reading> current = OpenMeteoCodec::current(*root, p.id, &problems);
                QList<Reading> hourly = OpenMeteoCodec::hourly(*root, p.id, &problems);
                // Rows after the model's "now" are forecasts, not observations.
                const qint64 now = current.isEmpty() ? QDateTime::currentMSecsSinceEpoch() : current.first().timestampMs;
                hourly.removeIf([now](const Reading &r) { return r.timestampMs > now; });
                if (!current.isEmpty()) {
                    // The current block wins over an hourly row at the same time; the row fills in the rest.
                    const Reading &c = current.first();
                    bool merged = false;
                    for (Reading &h : hourly) {
                        if (h.timestampMs != c.timestampMs)
                            continue;
                        for (Variable v : kAllVariables) {
                            if (c.has(v))
                                h.set(v, c.value(v));
                        }
                        merged = true;
                    }
                    if (!merged)
                        hourly.append(c);
                }
                if (current.isEmpty() && hourly.isEmpty())
                    problems << QStringLiteral("%1: the answer has no current or hourly values").arg(p.id);
                for (const QString &pr : std::as_const(problems))
                    qCWarning(lcOpenMeteo).noquote() << p.id << pr;
                m_problems += problems;
                emitFresh(i, hourly);
            }
            if (!error.isEmpty()) {
                ++m_failures;
                m_errors << QStringLiteral("%1: %2").arg(p.id, error);
                qCWarning(lcOpenMeteo).noquote() << QStringLiteral("%1: poll failed: %2").arg(p.id, error);
            }
            if (--m_outstanding == 0)
                finishPoll();
        });
    }
}

void OpenMeteoSource::finishPoll()
{
    if (m_failures == m_options.points.size())
        setState(State::Down, m_errors.first());
    else if (m_failures > 0)
        setState(State::Degraded, QStringLiteral("%1 of %2 points failed; %3").arg(m_failures).arg(m_options.points.size()).arg(m_errors.first()));
    else if (!m_problems.isEmpty())
        setState(State::Degraded, m_problems.first());
    else
        setState(State::Ok);
}

void OpenMeteoSource::emitFresh(int point, QList<Reading> readings)
{
    std::stable_sort(readings.begin(), readings.end(), [](const Reading &a, const Reading &b) { return a.timestampMs < b.timestampMs; });
    qint64 &last = m_lastTs[point];
    QList<Reading> fresh;
    for (const Reading &r : std::as_const(readings)) {
        if (r.timestampMs > last) {
            fresh.append(r);
            last = r.timestampMs;
        }
    }
    if (fresh.isEmpty())
        return;
    countEmitted(fresh.size());
    emit readingsReady(fresh);
}

} // namespace stratus
