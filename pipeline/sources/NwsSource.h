#pragma once

#include "HttpClient.h"
#include "NwsCodec.h"
#include "Source.h"

#include <QHash>
#include <QTimer>
#include <QUrl>

#include <optional>

namespace stratus {

// Live NOAA NWS observations (api.weather.gov). Stations come from explicit ids or from a point:
// /points/{lat},{lon} → observationStations → the stations FeatureCollection (all pages). Each
// station's /observations/latest is polled; an observation is emitted once (same timestamp = no new
// reading); after downtime or a long silence the gap is filled from /observations?start=&end=.
class NwsSource final : public Source
{
    Q_OBJECT
public:
    struct Options
    {
        QUrl baseUrl = QUrl(QStringLiteral("https://api.weather.gov"));
        QStringList stationIds;                         // explicit stations, or ...
        std::optional<std::pair<double, double>> near;  // ... discovery from (lat, lon)
        int maxStations = 10;         // discovered stations polled (the API lists the nearest first)
        int pollIntervalMs = 15'000;
        qint64 recoverGapMs = 90 * 60'000; // a jump longer than this between observations is a gap
        qint64 maxRecoverMs = 3 * 24 * 3600'000LL; // the API keeps about a week; ask for at most this
        int maxPages = 20;            // pagination guard
        QString contact;              // put into the User-Agent, as NWS asks
        // Public APIs share their capacity: at most one request per 250 ms to a host by default.
        HttpClient::Options http = [] {
            HttpClient::Options h;
            h.minIntervalPerHostMs = 250;
            return h;
        }();     // userAgent/accept are filled in from contact when empty
    };

    explicit NwsSource(Options options, QObject *parent = nullptr);

    QString name() const override { return QStringLiteral("nws"); }
    void start() override;
    void stop() override;

    QStringList pollingStations() const { return m_order; }
    // A link the API gave (absolute on api.weather.gov) re-pointed at the configured base URL.
    QUrl resolve(const QUrl &link) const;

private:
    struct StationState
    {
        Station meta;
        qint64 lastTimestampMs = 0; // newest observation emitted
        bool failedSinceLast = false;
        QStringList problems; // unusable values in the newest observation; kept until a clean one comes
    };

    struct Cycle
    {
        int outstanding = 0;
        int failures = 0;
        int stations = 0;
        QStringList errors;       // requests that failed
        QStringList dataProblems; // requests that worked but carried unusable values
    };

    void discover();
    void fetchStationsPage(const QUrl &url, int page, QList<Station> found);
    void useStations(const QList<Station> &stations);
    void fetchMetadata(const QString &id);
    void poll();
    void pollStation(const QString &id);
    void handleLatest(const QString &id, const HttpClient::Response &response);
    void recoverGap(const QString &id, const Reading &latest);
    void emitReadings(const QString &id, QList<Reading> readings);
    void stationDone(const QString &id, const QString &error, const QStringList &problems);
    void finishCycle();
    void noteStation(const Station &s);
    QString describe(const HttpClient::Response &r) const;

    Options m_options;
    HttpClient *m_http = nullptr;
    QTimer m_pollTimer;
    QTimer m_retryDiscovery;
    QHash<QString, StationState> m_stations;
    QStringList m_order;
    Cycle m_cycle;
    bool m_cycleRunning = false;
    bool m_running = false;
};

} // namespace stratus
