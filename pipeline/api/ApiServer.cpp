#include "ApiServer.h"

#include "LiveState.h"

#include <QFile>
#include <QHttpServerResponder>
#include <QPointer>
#include <QTcpSocket>
#include <QTcpServer>
#include <QtConcurrent>

namespace stratus {

namespace {
// Constant-time comparison, so the token cannot be guessed byte by byte from response times.
bool sameToken(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

// QHttpServer deletes a socket whose client hung up; a responder must not be written to after that.
bool stillConnected(const QPointer<QTcpSocket> &socket)
{
    return socket && socket->state() == QAbstractSocket::ConnectedState;
}

ApiReply methodNotAllowed(const QByteArray &method, const QByteArray &allowed)
{
    ApiReply r = ApiReply::error(ApiError::MethodNotAllowed,
                                 QStringLiteral("method %1 is not allowed here; use %2")
                                     .arg(QString::fromLatin1(method), QString::fromLatin1(allowed)));
    r.addHeader("Allow", allowed);
    return r;
}
} // namespace

ApiServer::ApiServer(const LiveState &state, QObject *parent)
    : QObject(parent), m_parameters(SystemController::openApiDocument()), m_ctx(state), m_system(m_ctx), m_metrics(m_ctx), m_stations(m_ctx), m_anomalies(m_ctx), m_models(m_ctx), m_retrain(m_ctx),
      m_alerts(m_ctx), m_export(m_ctx)
{
    setLimits(m_limits);
    // No routes are registered with QHttpServer's router: every request lands here, so limits, auth
    // and errors are handled in one place and unknown paths still get a JSON answer.
    m_server.setMissingHandler([this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        handle(request, std::move(responder));
    });
}

ApiServer::~ApiServer() = default;

void ApiServer::setHistoryStore(HistoryStore *store)
{
    m_ctx.setStore(store);
    m_storeReads.setStorePath(store ? store->path() : QString());
}

bool ApiServer::isStoreRead(const ApiRequest &req) const
{
    const QStringList &s = req.segments();
    if (req.method() != "GET" || !m_ctx.store() || s.isEmpty())
        return false;
    return (s.size() == 3 && s[0] == QLatin1String("predictions") && s[2] == QLatin1String("history"))
           || (s.size() == 2 && s[0] == QLatin1String("features")) || (s.size() == 1 && s[0] == QLatin1String("anomalies"));
}

void ApiServer::setLatencyHistograms(const LatencyHistogram *window, const LatencyHistogram *inference)
{
    m_ctx.windowLatency = window;
    m_ctx.inferLatency = inference;
}

void ApiServer::setLimits(const Limits &limits)
{
    m_limits = limits;
    m_rate.configure(limits.ratePerS, limits.burst);
}

Result<quint16> ApiServer::listen(const QHostAddress &address, quint16 port)
{
    const quint16 bound = m_server.listen(address, port);
    if (bound == 0)
        return makeError(QStringLiteral("cannot listen on %1:%2 (port in use or not permitted)")
                             .arg(address.toString())
                             .arg(port));
    return bound;
}

void ApiServer::stopListening()
{
    m_ctx.shuttingDown = true;
    for (QTcpServer *s : m_server.servers())
        s->close();
}

void ApiServer::write(QHttpServerResponder &responder, const ApiReply &reply)
{
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(reply.status));
    responder.writeHeader("Content-Type", reply.contentType);
    responder.writeHeader("Content-Length", QByteArray::number(reply.body.size()));
    responder.writeHeader("Cache-Control", "no-store");
    for (const auto &[k, v] : reply.headers)
        responder.writeHeader(k, v);
    responder.writeBody(reply.body);
}

void ApiServer::handle(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    if (request.url().toEncoded().size() > m_limits.maxUrlBytes) {
        write(responder, ApiReply::error(ApiError::UriTooLong,
                                         QStringLiteral("the URL is longer than %1 bytes").arg(m_limits.maxUrlBytes)));
        return;
    }
    if (!m_rate.admit(request.remoteAddress())) {
        ApiReply r = ApiReply::error(ApiError::TooManyRequests,
                                     QStringLiteral("rate limit of %1 requests/s per client exceeded")
                                         .arg(m_limits.ratePerS));
        r.addHeader("Retry-After", "1");
        write(responder, r);
        return;
    }
    bool declaredOk = true;
    const QByteArray declared = request.value("Content-Length");
    if (!declared.isEmpty() && declared.trimmed().toLongLong(&declaredOk) > m_limits.maxBodyBytes)
        declaredOk = false;
    if (!declaredOk || request.body().size() > m_limits.maxBodyBytes) {
        write(responder, ApiReply::error(ApiError::PayloadTooLarge,
                                         QStringLiteral("request bodies are limited to %1 bytes").arg(m_limits.maxBodyBytes)));
        return;
    }

    ApiRequest req(request);
    const QStringList &seg = req.segments();
    if (const auto unknown = m_parameters.check(req.method(), seg, req.query())) {
        write(responder, ApiReply::error(ApiError::BadRequest, *unknown));
        return;
    }
    // The export is the one asynchronous route.
    if (seg.size() == 1 && seg[0] == QLatin1String("export.csv") && req.method() == "GET") {
        auto prepared = m_export.prepare(req);
        if (auto *reply = std::get_if<ApiReply>(&prepared)) {
            write(responder, *reply);
            return;
        }
        if (m_exportsRunning >= m_limits.maxConcurrentExports) {
            ApiReply r = ApiReply::error(ApiError::TooManyRequests,
                                         QStringLiteral("%1 exports are already running; retry later")
                                             .arg(m_exportsRunning));
            r.addHeader("Retry-After", "5");
            write(responder, r);
            return;
        }
        startExport(std::get<CsvExporter::Request>(prepared), std::move(responder));
        return;
    }
    // Only data routes are cached; /health, /metrics and /cluster carry uptime and counters.
    const bool cacheable = req.method() == "GET" && !seg.isEmpty()
                           && (seg[0] == QLatin1String("stations") || seg[0] == QLatin1String("predictions")
                               || seg[0] == QLatin1String("anomalies") || seg[0] == QLatin1String("features")
                               || seg[0] == QLatin1String("models"))
                           && !(seg.size() > 1 && seg[1] == QLatin1String("retrain")); // job progress moves on its own
    const quint64 generation = m_ctx.state().generation();
    const qint64 batches = storeBatches();
    const QByteArray key = cacheable ? req.cacheKey() : QByteArray();
    if (cacheable) {
        const CachedReply *hit = m_cache.object(key);
        if (hit && hit->generation == generation && hit->storeBatches == batches) {
            write(responder, hit->reply);
            return;
        }
    }
    if (isStoreRead(req)) {
        // Off the API thread: a client paging through 10,000 rows at a time must not delay /health
        // or anyone else. The answer is written back here, unless the client has gone.
        const QPointer<QTcpSocket> socket = responder.socket();
        auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
        auto job = std::make_shared<ApiRequest>(req);
        const bool queued = m_storeReads.submit([this, job] { return route(*job, nullptr); },
                                                [this, socket, held, key, cacheable, generation, batches](const ApiReply &r) {
                                                    if (cacheable)
                                                        remember(key, generation, batches, r);
                                                    if (stillConnected(socket))
                                                        write(*held, r);
                                                });
        if (!queued) {
            ApiReply busy = ApiReply::error(ApiError::Unavailable,
                                            QStringLiteral("%1 history queries are already waiting; retry later")
                                                .arg(m_storeReads.pending()));
            busy.addHeader("Retry-After", "1");
            write(*held, busy);
        }
        return;
    }
    bool async = false;
    const ApiReply reply = route(req, &async);
    write(responder, reply);
    if (req.method() != "GET")
        m_cache.clear(); // a write (model activation) may change any cached answer
    if (cacheable)
        remember(key, generation, batches, reply);
}

void ApiServer::remember(const QByteArray &key, quint64 generation, qint64 storeBatches, const ApiReply &reply)
{
    if (reply.status == 200)
        m_cache.insert(key, new CachedReply{generation, storeBatches, reply}, reply.body.size() + key.size() + 256);
}

quint64 ApiServer::storeBatches() const
{
    return m_ctx.store() ? m_ctx.store()->counters().batches.load() : 0;
}

std::optional<ApiReply> ApiServer::checkWriteAuth(const ApiRequest &req) const
{
    const QByteArray auth = req.header("Authorization").trimmed();
    if (auth.isEmpty())
        return ApiReply::error(ApiError::Unauthorized, QStringLiteral("this write needs an Authorization: Bearer token"));
    if (!auth.startsWith("Bearer ") && !auth.startsWith("bearer "))
        return ApiReply::error(ApiError::Unauthorized, QStringLiteral("the Authorization header is not a Bearer token"));
    if (m_token.isEmpty())
        return ApiReply::error(ApiError::Forbidden,
                               QStringLiteral("writes are disabled: the server has no STRATUS_API_TOKEN configured"));
    if (!sameToken(auth.mid(7).trimmed(), m_token))
        return ApiReply::error(ApiError::Forbidden, QStringLiteral("the bearer token is not valid"));
    return std::nullopt;
}

ApiReply ApiServer::route(ApiRequest &req, bool *)
{
    const QStringList &s = req.segments();
    const QByteArray m = req.method();
    const bool get = m == "GET";
    auto notFound = [&] {
        return ApiReply::error(ApiError::NotFound,
                               QStringLiteral("no route for %1 /%2")
                                   .arg(QString::fromLatin1(m), s.join(QLatin1Char('/')).left(200)));
    };
    if (s.isEmpty())
        return notFound();
    const QString &head = s[0];
    if (head == QLatin1String("alerts") && s.size() >= 2 && s.size() <= 3)
        return routeAlerts(req);

    if (s.size() == 1) {
        std::function<ApiReply(ApiRequest &)> h;
        if (head == QLatin1String("health"))
            h = [this](ApiRequest &r) { return m_system.health(r); };
        else if (head == QLatin1String("metrics"))
            h = [this](ApiRequest &r) { return m_metrics.metrics(r); };
        else if (head == QLatin1String("cluster"))
            h = [this](ApiRequest &r) { return m_system.cluster(r); };
        else if (head == QLatin1String("openapi.json"))
            h = [this](ApiRequest &r) { return m_system.openapi(r); };
        else if (head == QLatin1String("stations"))
            h = [this](ApiRequest &r) { return m_stations.list(r); };
        else if (head == QLatin1String("anomalies"))
            h = [this](ApiRequest &r) { return m_anomalies.list(r); };
        else if (head == QLatin1String("models"))
            h = [this](ApiRequest &r) { return m_models.list(r); };
        else if (head == QLatin1String("export.csv"))
            return methodNotAllowed(m, "GET");
        if (!h)
            return notFound();
        return get ? h(req) : methodNotAllowed(m, "GET");
    }
    if (s.size() == 2) {
        if (head == QLatin1String("stations"))
            return get ? m_stations.station(req, s[1]) : methodNotAllowed(m, "GET");
        if (head == QLatin1String("predictions"))
            return get ? m_stations.predictions(req, s[1]) : methodNotAllowed(m, "GET");
        if (head == QLatin1String("features"))
            return get ? m_stations.features(req, s[1]) : methodNotAllowed(m, "GET");
        if (head == QLatin1String("models") && s[1] == QLatin1String("live"))
            return get ? m_models.live(req) : methodNotAllowed(m, "GET");
        if (head == QLatin1String("models") && s[1] == QLatin1String("retrain")) {
            if (get)
                return m_retrain.status(req);
            if (m != "POST")
                return methodNotAllowed(m, "GET, POST");
            if (auto denied = checkWriteAuth(req))
                return *denied;
            return m_retrain.start(req);
        }
        return notFound();
    }
    if (s.size() == 3 && head == QLatin1String("models") && s[1] == QLatin1String("retrain"))
        return get ? m_retrain.job(req, s[2]) : methodNotAllowed(m, "GET");
    if (s.size() == 4 && head == QLatin1String("models") && s[1] == QLatin1String("retrain") && s[3] == QLatin1String("cancel")) {
        if (m != "POST")
            return methodNotAllowed(m, "POST");
        if (auto denied = checkWriteAuth(req))
            return *denied;
        return m_retrain.cancel(req, s[2]);
    }
    if (s.size() == 3) {
        if (head == QLatin1String("predictions") && s[2] == QLatin1String("history"))
            return get ? m_stations.predictionHistory(req, s[1]) : methodNotAllowed(m, "GET");
        if (head == QLatin1String("models") && s[2] == QLatin1String("activate")) {
            if (m != "POST")
                return methodNotAllowed(m, "POST");
            if (auto denied = checkWriteAuth(req))
                return *denied;
            return m_models.activate(req, s[1]);
        }
        if (head == QLatin1String("models") && (s[2] == QLatin1String("candidate") || s[2] == QLatin1String("clear"))) {
            if (m != "POST")
                return methodNotAllowed(m, "POST");
            if (auto denied = checkWriteAuth(req))
                return *denied;
            // POST /models/{version}/candidate?share=0.2 starts an A/B split; /models/candidate/clear ends it.
            return s[2] == QLatin1String("clear") && s[1] == QLatin1String("candidate") ? m_models.clearCandidate(req)
                                                                                         : m_models.candidate(req, s[1]);
        }
    }
    return notFound();
}

ApiReply ApiServer::routeAlerts(ApiRequest &req)
{
    // /alerts/rules[/{id}] and /alerts/silences[/{id}]: GET reads; POST on the collection and
    // DELETE on an item write and need the token.
    const QStringList &s = req.segments();
    const QByteArray m = req.method();
    const bool rules = s[1] == QLatin1String("rules");
    if (!rules && s[1] != QLatin1String("silences"))
        return ApiReply::error(ApiError::NotFound, QStringLiteral("no route for %1 /%2")
                                                       .arg(QString::fromLatin1(m), s.join(QLatin1Char('/')).left(200)));
    if (s.size() == 2) {
        if (m == "GET")
            return rules ? m_alerts.rules(req) : m_alerts.silences(req);
        if (m != "POST")
            return methodNotAllowed(m, "GET, POST");
        if (auto denied = checkWriteAuth(req))
            return *denied;
        return rules ? m_alerts.addRule(req) : m_alerts.addSilence(req);
    }
    if (m == "GET")
        return rules ? m_alerts.rule(req, s[2]) : m_alerts.silence(req, s[2]);
    if (m != "DELETE")
        return methodNotAllowed(m, "GET, DELETE");
    if (auto denied = checkWriteAuth(req))
        return *denied;
    return rules ? m_alerts.removeRule(req, s[2]) : m_alerts.removeSilence(req, s[2]);
}

void ApiServer::startExport(const CsvExporter::Request &request, QHttpServerResponder &&responder)
{
    // The client may hang up while the export runs: QHttpServer then deletes the socket, and the
    // responder (which holds a raw pointer to it) must never be written to again. The socket is
    // watched through a QPointer; a hang-up cancels the query, and the slot and temp file are freed
    // only once the export is delivered or abandoned.
    ++m_exportsRunning;
    const QPointer<QTcpSocket> socket = responder.socket();
    auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    if (socket)
        connect(socket, &QAbstractSocket::disconnected, this, [cancel] { cancel->store(true); });
    const QString dbPath = m_ctx.store()->path();
    QtConcurrent::run([dbPath, request, cancel] { return ExportController::run(dbPath, request, cancel.get()); })
        .then(this, [this, held, request, socket](const std::variant<ApiReply, QString> &result) {
            const QString *path = std::get_if<QString>(&result);
            if (!stillConnected(socket)) {
                if (path)
                    QFile::remove(*path);
                --m_exportsRunning;
                return;
            }
            if (const auto *reply = std::get_if<ApiReply>(&result)) {
                --m_exportsRunning;
                write(*held, *reply);
                return;
            }
            auto *file = new QFile(*path);
            if (!file->open(QIODevice::ReadOnly)) {
                delete file;
                --m_exportsRunning;
                write(*held, ApiReply::error(ApiError::Internal, QStringLiteral("the export file vanished")));
                return;
            }
            // Unlinked now, read through the open descriptor. The responder streams it and deletes the
            // QFile when done or when the socket goes away; only then is the export's slot free.
            QFile::remove(*path);
            connect(file, &QObject::destroyed, this, [this] { --m_exportsRunning; });
            const QByteArray name = "stratus-" + CsvExporter::kindKey(request.kind).toLatin1() + ".csv";
            held->write(file,
                        {{"Content-Type", "text/csv; charset=utf-8"},
                         {"Content-Disposition", "attachment; filename=\"" + name + '"'},
                         {"Cache-Control", "no-store"}},
                        QHttpServerResponder::StatusCode::Ok);
        });
}

} // namespace stratus
