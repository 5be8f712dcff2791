#pragma once

#include "HttpClient.h"
#include "Source.h"

#include <QDate>
#include <QHash>
#include <QTimer>
#include <QUrl>

namespace stratus {

// Open-Meteo model data for any points: current conditions and the hourly rows up to now, polled;
// on first start the last N days of hourly history from the archive endpoint, one request per point
// and day, with progress(). The archive (reanalysis) lags by some days; a day it has no values for
// yet is asked again from the forecast endpoint (start_date/end_date), which keeps the recent past. Requests use timezone=GMT so times are instants; answers in any other
// zone are still read correctly (see OpenMeteoCodec). Hourly rows in the future are forecasts, not
// observations, and are never emitted as readings.
class OpenMeteoSource final : public Source
{
    Q_OBJECT
public:
    struct Point
    {
        QString id; // empty = pointId(lat, lon)
        double latitude = 0;
        double longitude = 0;
        QString name;
    };

    struct Options
    {
        QUrl forecastUrl = QUrl(QStringLiteral("https://api.open-meteo.com"));
        QUrl archiveUrl = QUrl(QStringLiteral("https://archive-api.open-meteo.com"));
        QList<Point> points;
        int pollIntervalMs = 15 * 60'000; // the model's current block changes every 15 min
        int backfillDays = 7;             // 0 = no history back-fill
        QString contact;
        // Public APIs share their capacity: at most one request per 200 ms to a host by default.
        HttpClient::Options http = [] {
            HttpClient::Options h;
            h.minIntervalPerHostMs = 200;
            return h;
        }();
    };

    explicit OpenMeteoSource(Options options, QObject *parent = nullptr);

    QString name() const override { return QStringLiteral("openmeteo"); }
    void start() override;
    void stop() override;

    // "OM4314N08934W": a station id for a grid point that the validator accepts and people can read.
    static QString pointId(double latitude, double longitude);
    bool backfillDone() const { return m_backfillDone; }

private:
    struct Task
    {
        int point;
        QDate day;
        bool viaForecast = false; // the archive had nothing yet: ask the forecast API for that day
    };

    void backfillNext();
    void poll();
    void finishPoll();
    void emitFresh(int point, QList<Reading> readings);
    QUrl endpoint(const QUrl &base, const QString &path) const;

    Options m_options;
    HttpClient *m_http = nullptr;
    QTimer m_pollTimer;
    QList<Task> m_backfill;
    qint64 m_backfillTotal = 0;
    qint64 m_backfillDoneCount = 0;
    int m_backfillFailures = 0;
    bool m_backfillDone = false;
    QHash<int, qint64> m_lastTs; // point index → newest emitted time
    int m_outstanding = 0;
    int m_failures = 0;
    QStringList m_errors;
    QStringList m_problems;
    bool m_running = false;
};

} // namespace stratus
