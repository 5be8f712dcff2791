#pragma once

#include "AlertsController.h"
#include "AnomaliesController.h"
#include "ApiContext.h"
#include "ExportController.h"
#include "MetricsController.h"
#include "QueryParameterPolicy.h"
#include "ModelsController.h"
#include "RetrainController.h"
#include "StoreReadPool.h"
#include "RateLimiter.h"
#include "Result.h"
#include "StationsController.h"
#include "SystemController.h"

#include <QCache>
#include <QHostAddress>
#include <QHttpServer>
#include <QObject>

namespace stratus {

class HistoryStore;
class LatencyHistogram;
class LiveState;
class ModelRegistry;

// The REST API over QHttpServer (see resources/openapi.json, the contract). Every request goes
// through handle(): limits, rate limit, auth for writes, routing to one controller per scope, and
// one place that writes the reply. It reads LiveState (and the history store when there is one), so
// it serves the in-process engine and a --connect'ed cluster alike.
//
// QHttpServer 6.4 serves on the thread that owns it, so handlers stay short; CSV exports run on
// the thread pool with their own store connection and are sent when ready.
class ApiServer : public QObject
{
    Q_OBJECT
public:
    static constexpr int kApiVersion = SystemController::kApiVersion;

    struct Limits
    {
        qint64 maxBodyBytes = 64 * 1024;
        qint64 maxUrlBytes = 8 * 1024;
        double ratePerS = 200;  // per client address; 0 = unlimited
        double burst = 400;
        int maxConcurrentExports = 2;
    };

    explicit ApiServer(const LiveState &state, QObject *parent = nullptr);
    ~ApiServer() override;

    void setHistoryStore(HistoryStore *store);
    // The forecast model registry behind /models (versions, A/B split, live accuracy); may be null.
    void setModelRegistry(ModelRegistry *registry) { m_ctx.models = registry; }
    void setRetrainCoordinator(RetrainCoordinator *retrain) { m_ctx.retrain = retrain; }
    // The engine's alert rules and silences behind /alerts/...; may be null.
    void setAlertManager(AlertManager *alerts) { m_ctx.alerts = alerts; }
    void setLatencyHistograms(const LatencyHistogram *window, const LatencyHistogram *inference);
    void setMetricsOptions(const MetricsController::Options &options) { m_metrics.setOptions(options); }
    // Bearer token required for writes; empty = writes refused (403).
    void setApiToken(const QString &token) { m_token = token.toUtf8(); }
    void setLimits(const Limits &limits);

    // Listens on address:port (port 0 = any free port) and returns the port actually bound.
    Result<quint16> listen(const QHostAddress &address, quint16 port);
    // Stops accepting connections (graceful shutdown); /health answers "down" from now on.
    void stopListening();


private:
    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    ApiReply route(ApiRequest &req, bool *async);
    ApiReply routeAlerts(ApiRequest &req);
    std::optional<ApiReply> checkWriteAuth(const ApiRequest &req) const;
    void startExport(const CsvExporter::Request &request, QHttpServerResponder &&responder);
    // GETs whose answer is a history-store query (paged history, stored anomalies): run on a lane.
    bool isStoreRead(const ApiRequest &req) const;
    static void write(QHttpServerResponder &responder, const ApiReply &reply);

    // Answers to data GETs, reused while neither the live state nor the store changed: a dashboard
    // polling the same URLs between two readings costs one lookup instead of a query and a
    // JSON serialisation. Keyed by ApiRequest::cacheKey() (unknown parameters are refused before, so
    // a client cannot mint entries); least recently used answers go first once the bodies held pass
    // kCacheBytes.
    struct CachedReply
    {
        quint64 generation = 0;
        qint64 storeBatches = 0;
        ApiReply reply;
    };
    static constexpr qsizetype kCacheBytes = 32 * 1024 * 1024;
    quint64 storeBatches() const;
    // Keeps a 200 answer under key (cost: its bytes) for the generation and store batch it was made at.
    void remember(const QByteArray &key, quint64 generation, qint64 storeBatches, const ApiReply &reply);
    QCache<QByteArray, CachedReply> m_cache{kCacheBytes};
    QueryParameterPolicy m_parameters;

    ApiContext m_ctx;
    SystemController m_system;
    MetricsController m_metrics;
    StationsController m_stations;
    AnomaliesController m_anomalies;
    ModelsController m_models;
    RetrainController m_retrain;
    AlertsController m_alerts;
    ExportController m_export;
    // After the controllers: destroyed first, so no lane is still inside one of them.
    StoreReadPool m_storeReads{2, 64};
    Limits m_limits;
    RateLimiter m_rate;
    QByteArray m_token;
    int m_exportsRunning = 0;
    QHttpServer m_server;
};

} // namespace stratus
