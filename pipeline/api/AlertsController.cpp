#include "AlertsController.h"

#include "TimeUtil.h"
#include "alerts/AlertManager.h"

#include <QJsonDocument>

namespace stratus {

namespace {
ApiReply noAlerts()
{
    return ApiReply::error(ApiError::NotFound, QStringLiteral("this server has no alert rules engine"));
}

// The body as a JSON object, or the 400 that says what is wrong with it.
std::variant<QJsonObject, ApiReply> jsonBody(const ApiRequest &req, const QStringList &allowed)
{
    if (req.body().trimmed().isEmpty())
        return ApiReply::error(ApiError::BadRequest, QStringLiteral("body: expected a JSON object, got nothing"));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(req.body(), &pe);
    if (pe.error != QJsonParseError::NoError)
        return ApiReply::error(ApiError::BadRequest,
                               QStringLiteral("body: not valid JSON: %1 at byte %2").arg(pe.errorString()).arg(pe.offset));
    if (!doc.isObject())
        return ApiReply::error(ApiError::BadRequest, QStringLiteral("body: expected a JSON object"));
    const QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!allowed.contains(it.key()))
            return ApiReply::error(ApiError::BadRequest, QStringLiteral("body: unknown field \"%1\" (expected %2)")
                                                             .arg(it.key().left(64), allowed.join(QStringLiteral(", "))));
        if (!it.value().isString())
            return ApiReply::error(ApiError::BadRequest, QStringLiteral("%1: expected a string").arg(it.key()));
    }
    return o;
}

QString field(const QJsonObject &o, const char *key) { return o.value(QLatin1String(key)).toString().trimmed(); }

ApiReply created(const QJsonObject &o, const QString &location)
{
    ApiReply r = ApiReply::json(o, 201);
    r.addHeader("Location", location.toUtf8());
    return r;
}
} // namespace

ApiReply AlertsController::rules(ApiRequest &)
{
    if (!m_ctx.alerts)
        return noAlerts();
    return ApiReply::json(m_ctx.alerts->rulesJson());
}

ApiReply AlertsController::rule(ApiRequest &, const QString &id)
{
    if (!m_ctx.alerts)
        return noAlerts();
    const QJsonObject o = m_ctx.alerts->ruleJson(id);
    if (o.isEmpty())
        return ApiReply::error(ApiError::NotFound, QStringLiteral("no alert rule \"%1\"").arg(id.left(64)));
    return ApiReply::json(o);
}

ApiReply AlertsController::addRule(ApiRequest &req)
{
    if (!m_ctx.alerts)
        return noAlerts();
    const auto body = jsonBody(req, {QStringLiteral("expression"), QStringLiteral("station"), QStringLiteral("for"),
                                     QStringLiteral("severity"), QStringLiteral("name"), QStringLiteral("author")});
    if (const auto *error = std::get_if<ApiReply>(&body))
        return *error;
    const QJsonObject o = std::get<QJsonObject>(body);
    const QString expression = field(o, "expression");
    if (expression.isEmpty())
        return ApiReply::error(ApiError::BadRequest,
                               QStringLiteral("expression: required, a rule like \"temperature < -20 for 10m\""));
    auto parsed = AlertRule::parse(expression);
    if (!parsed)
        return ApiReply::error(ApiError::BadRequest, QStringLiteral("expression: %1").arg(parsed.errorMessage()));
    AlertRule rule = *parsed;
    // The separate fields say the same as the expression's key=value words; both at once must agree.
    if (o.contains(QStringLiteral("station"))) {
        QString station = field(o, "station");
        if (station == QLatin1String("*") || station.compare(QLatin1String("all"), Qt::CaseInsensitive) == 0)
            station.clear();
        else
            station = station.toUpper();
        if (!rule.stationId.isEmpty() && rule.stationId != station)
            return ApiReply::error(ApiError::BadRequest, QStringLiteral("station: \"%1\" contradicts station=%2 in the expression")
                                                             .arg(station.left(64), rule.stationId));
        rule.stationId = station;
    }
    if (o.contains(QStringLiteral("for"))) {
        const auto ms = AlertRule::durationMs(field(o, "for"));
        if (!ms)
            return ApiReply::error(ApiError::BadRequest, QStringLiteral("for: \"%1\" is not a duration like 30s, 10m or 1h30m")
                                                             .arg(field(o, "for").left(64)));
        if (rule.forMs != 0 && rule.forMs != *ms)
            return ApiReply::error(ApiError::BadRequest, QStringLiteral("for: contradicts the expression's \"for\""));
        rule.forMs = *ms;
    }
    if (o.contains(QStringLiteral("severity"))) {
        const auto sev = severityFromKey(field(o, "severity"));
        if (!sev)
            return ApiReply::error(ApiError::BadRequest, QStringLiteral("severity: \"%1\": expected info, warning or critical")
                                                             .arg(field(o, "severity").left(64)));
        rule.severity = *sev;
    }
    if (o.contains(QStringLiteral("name")))
        rule.name = field(o, "name").left(200);
    if (!rule.stationId.isEmpty() && !m_ctx.state().hasStation(rule.stationId))
        return ApiReply::error(ApiError::NotFound,
                               QStringLiteral("station: unknown station \"%1\" (GET /stations lists the known ones; "
                                              "use \"*\" for every station)")
                                   .arg(rule.stationId.left(64)));
    const QString author = o.contains(QStringLiteral("author")) ? field(o, "author").left(200) : QStringLiteral("api");
    const auto added = m_ctx.alerts->addRule(rule, expression, author);
    if (!added)
        return ApiReply::error(ApiError::Internal, added.errorMessage());
    return created(m_ctx.alerts->ruleJson(added->rule.id), QStringLiteral("/alerts/rules/") + added->rule.id);
}

ApiReply AlertsController::removeRule(ApiRequest &, const QString &id)
{
    if (!m_ctx.alerts)
        return noAlerts();
    QString error;
    switch (m_ctx.alerts->removeRule(id, &error)) {
    case AlertManager::RemoveResult::Unknown:
        return ApiReply::error(ApiError::NotFound, QStringLiteral("no alert rule \"%1\"").arg(id.left(64)));
    case AlertManager::RemoveResult::ReadOnly:
        return ApiReply::error(ApiError::Conflict,
                               QStringLiteral("rule %1 comes from the config file (alerts/rules_file) and is read-only; "
                                              "remove it there")
                                   .arg(id));
    case AlertManager::RemoveResult::NotSaved:
        return ApiReply::error(ApiError::Internal, error);
    case AlertManager::RemoveResult::Removed:
        break;
    }
    QJsonObject o;
    o.insert(QStringLiteral("id"), id);
    o.insert(QStringLiteral("deleted"), true);
    return ApiReply::json(o);
}

ApiReply AlertsController::silences(ApiRequest &)
{
    if (!m_ctx.alerts)
        return noAlerts();
    return ApiReply::json(m_ctx.alerts->silencesJson());
}

ApiReply AlertsController::silence(ApiRequest &, const QString &id)
{
    if (!m_ctx.alerts)
        return noAlerts();
    const qint64 now = m_ctx.alerts->clockMs();
    for (const AlertManager::SilenceEntry &e : m_ctx.alerts->silences()) {
        if (e.silence.id == id)
            return ApiReply::json(AlertManager::silenceJson(e, now));
    }
    return ApiReply::error(ApiError::NotFound, QStringLiteral("no silence \"%1\"").arg(id.left(64)));
}

ApiReply AlertsController::addSilence(ApiRequest &req)
{
    if (!m_ctx.alerts)
        return noAlerts();
    const auto body = jsonBody(req, {QStringLiteral("station"), QStringLiteral("until"), QStringLiteral("duration"),
                                     QStringLiteral("starts_at"), QStringLiteral("comment"), QStringLiteral("author")});
    if (const auto *error = std::get_if<ApiReply>(&body))
        return *error;
    const QJsonObject o = std::get<QJsonObject>(body);
    AlertRuleEngine::Silence s;
    QString station = field(o, "station");
    if (station.isEmpty())
        return ApiReply::error(ApiError::BadRequest, QStringLiteral("station: required, a station id or \"*\" for every station"));
    if (station.compare(QLatin1String("all"), Qt::CaseInsensitive) == 0)
        station = QStringLiteral("*");
    if (station != QLatin1String("*")) {
        station = station.toUpper();
        if (!m_ctx.state().hasStation(station))
            return ApiReply::error(ApiError::NotFound,
                                   QStringLiteral("station: unknown station \"%1\" (GET /stations lists the known ones; "
                                                  "use \"*\" for every station)")
                                       .arg(station.left(64)));
    }
    s.stationId = station;
    // Silences are in the engine's time: event time of a replay, the wall clock live.
    const qint64 now = m_ctx.alerts->clockMs();
    s.startsAtMs = now;
    if (o.contains(QStringLiteral("starts_at"))) {
        const auto t = ApiRequest::parseTime(field(o, "starts_at"));
        if (!t)
            return ApiReply::error(ApiError::BadRequest, QStringLiteral("starts_at: \"%1\" is not an ISO 8601 time")
                                                             .arg(field(o, "starts_at").left(64)));
        s.startsAtMs = *t;
    }
    const bool hasUntil = o.contains(QStringLiteral("until"));
    const bool hasDuration = o.contains(QStringLiteral("duration"));
    if (hasUntil == hasDuration)
        return ApiReply::error(ApiError::BadRequest,
                               QStringLiteral("give exactly one of until (ISO 8601 time) and duration (like 2h or 30m)"));
    if (hasUntil) {
        const auto t = ApiRequest::parseTime(field(o, "until"));
        if (!t)
            return ApiReply::error(ApiError::BadRequest, QStringLiteral("until: \"%1\" is not an ISO 8601 time")
                                                             .arg(field(o, "until").left(64)));
        s.untilMs = *t;
    } else {
        const auto ms = AlertRule::durationMs(field(o, "duration"));
        if (!ms || *ms <= 0)
            return ApiReply::error(ApiError::BadRequest, QStringLiteral("duration: \"%1\" is not a duration like 30m, 2h or 1d")
                                                             .arg(field(o, "duration").left(64)));
        s.untilMs = s.startsAtMs + *ms;
    }
    if (s.untilMs <= s.startsAtMs)
        return ApiReply::error(ApiError::BadRequest, QStringLiteral("until: %1 is not after the start %2")
                                                         .arg(timeutil::toIsoUtc(s.untilMs), timeutil::toIsoUtc(s.startsAtMs)));
    s.comment = field(o, "comment").left(1000);
    s.author = o.contains(QStringLiteral("author")) ? field(o, "author").left(200) : QStringLiteral("api");
    const auto added = m_ctx.alerts->addSilence(s, QStringLiteral("api"));
    if (!added)
        return ApiReply::error(ApiError::Internal, added.errorMessage());
    return created(AlertManager::silenceJson(*added, now), QStringLiteral("/alerts/silences/") + added->silence.id);
}

ApiReply AlertsController::removeSilence(ApiRequest &, const QString &id)
{
    if (!m_ctx.alerts)
        return noAlerts();
    QString error;
    if (!m_ctx.alerts->removeSilence(id, &error)) {
        if (!error.isEmpty())
            return ApiReply::error(ApiError::Internal, error);
        return ApiReply::error(ApiError::NotFound, QStringLiteral("no silence \"%1\"").arg(id.left(64)));
    }
    QJsonObject o;
    o.insert(QStringLiteral("id"), id);
    o.insert(QStringLiteral("deleted"), true);
    return ApiReply::json(o);
}

} // namespace stratus
