#include "Config.h"

#include "GeoQuery.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUrl>

namespace stratus {

namespace {
using T = Config::Type;

Config::KeySpec key(const char *k, T type, const char *def, const char *desc, double min = 0, double max = 0)
{
    Config::KeySpec s;
    s.key = QString::fromLatin1(k);
    s.type = type;
    s.defaultValue = QString::fromUtf8(def);
    s.description = QString::fromUtf8(desc);
    s.min = min;
    s.max = max;
    return s;
}

Config::KeySpec choice(const char *k, const char *def, QStringList choices, const char *desc)
{
    Config::KeySpec s = key(k, T::Choice, def, desc);
    s.choices = std::move(choices);
    return s;
}
} // namespace

const QList<Config::KeySpec> &Config::schema()
{
    static const QList<KeySpec> specs = [] {
        QList<KeySpec> l;
        l << key("server/port", T::Int, "8080", "REST API port (0 = any free port)", 0, 65535)
          << key("server/bind", T::String, "127.0.0.1", "address the REST API listens on")
          << [] { auto s = key("server/token", T::String, "", "bearer token required for write requests, at least 16 characters (e.g. openssl rand -hex 16)"); s.secret = true; s.minLength = 16; s.envAlias = QStringLiteral("STRATUS_API_TOKEN"); return s; }()
          << key("server/rate_limit", T::Double, "200", "REST requests per second per client (0 = unlimited)", 0, 1e6)
          << key("server/max_request_bytes", T::Int, "65536", "largest request body accepted", 1024, 64 * 1024 * 1024)
          << choice("source/kind", "demo", {QStringLiteral("demo"), QStringLiteral("replay"), QStringLiteral("nws"), QStringLiteral("openmeteo")},
                    "where readings come from; demo replays the bundled recording")
          << key("source/file", T::String, "", "recorded data file for kind = replay")
          << key("source/speed", T::String, "1", "replay speed factor 1..10000, or max")
          << key("source/stations", T::String, "", "comma-separated station ids (nws)")
          << key("source/stations_csv", T::String, "", "station catalogue CSV (station_id, name, lat, lon, elevation_m)")
          << key("source/near", T::String, "", "LAT,LON (or auto) to pick stations near a point")
          << key("source/poll_interval_s", T::Int, "", "seconds between polls of live sources; empty = the source's default (nws 15, openmeteo 900)", 1, 86400)
          << [] { auto s = key("source/nws_url", T::Url, "https://api.weather.gov", "NWS API base URL"); s.envAlias = QStringLiteral("STRATUS_NWS_URL"); return s; }()
          << [] { auto s = key("source/openmeteo_url", T::Url, "https://api.open-meteo.com", "Open-Meteo base URL (forecast; also archive when set)"); s.envAlias = QStringLiteral("STRATUS_OPENMETEO_URL"); return s; }()
          << [] { auto s = key("source/contact", T::String, "", "contact (e-mail or URL) sent in the User-Agent; NWS asks for one"); s.envAlias = QStringLiteral("STRATUS_CONTACT"); return s; }()
          << key("source/backfill_days", T::Int, "7", "openmeteo: days of hourly history fetched on first start", 0, 92)
          << key("source/shift_to_now", T::Bool, "false", "replay: rewrite times so the recording starts now")
          << key("windows/length_s", T::Int, "300", "sliding window length", 1, 86400)
          << key("windows/slide_s", T::Int, "60", "sliding window slide", 1, 86400)
          << key("windows/lateness_s", T::Int, "120", "allowed lateness of readings", 0, 86400)
          << key("store/path", T::String, "", "history database file (empty = the user's data folder)")
          << key("store/retention_days", T::Int, "30", "days of history kept (0 = everything)", 0, 36500)
          << key("kafka/bootstrap", T::String, "", "Kafka bootstrap servers HOST:PORT[,HOST:PORT]")
          << key("kafka/partitions", T::Int, "4", "partitions of the stratus topics", 1, 1024)
          << key("kafka/replication", T::Int, "-1", "replication factor of the stratus topics (-1 = the broker's default)", -1, 16)
          << key("kafka/namespace", T::String, "", "prefix of topic and group names, for several pipelines on one cluster")
          << choice("kafka/encoding", "json", {QStringLiteral("json"), QStringLiteral("binary")},
                    "record values written to Kafka: compact JSON or the compact binary format (readers take both)")
          << choice("kafka/delivery", "exactly_once", {QStringLiteral("exactly_once"), QStringLiteral("at_least_once")},
                    "worker results: exactly_once (transactions, ~1 commit round trip of latency) or at_least_once (idempotent producer, offsets committed after delivery, duplicates dropped by readers: lowest latency)")
          << key("kafka/commit_interval_ms", T::Int, "200", "at_least_once: how often a worker commits the input offsets whose outputs are delivered (a crash re-sends about this much)", 1, 600000)
          << [] { auto s = key("kafka/properties", T::String, "", "librdkafka properties KEY=VALUE separated by ; (e.g. security.protocol=SASL_SSL;sasl.mechanism=PLAIN;sasl.username=U;sasl.password=P), so secrets need not be on the command line; --kafka KEY=VALUE overrides one"); s.secret = true; return s; }()
          << choice("worker/role", "all", {QStringLiteral("collect"), QStringLiteral("aggregate"), QStringLiteral("infer"), QStringLiteral("all")},
                    "what a --worker process does")
          << key("worker/id", T::String, "", "name of this worker (empty = host-pid)")
          << key("worker/metrics_port", T::Int, "", "port of the worker's own /metrics and /health, on [server] bind (empty = none, 0 = any free port, printed)", 0, 65535)
          << key("location/home", T::LatLon, "", "home position LAT,LON used when no positioning source answers")
          << key("location/nmea_source", T::String, "", "NMEA log file or GPS device for --near auto (Qt's nmea plugin)")
          << key("location/system_source", T::Bool, "true", "ask the system's position service for --near auto")
          << key("models/dir", T::String, "", "model registry directory")
          << key("retrain/schedule", T::String, "off", "when to train a candidate model: off, daily HH:MM (UTC) or every N readings (per station)")
          << key("retrain/margin", T::Double, "0.02", "relative temperature-MAE improvement over the active model a candidate needs to be promoted", 0, 0.9)
          << key("retrain/train_days", T::Int, "365", "days of history a candidate is trained on (before the held-back span)", 7, 36500)
          << key("retrain/held_back_days", T::Int, "30", "most recent days, never trained on, on which candidate and active model are scored", 1, 3650)
          << key("retrain/stations", T::String, "", "comma-separated stations to train on (empty = every station in the history store)")
          << key("retrain/groups", T::String, "", "station groups, each with its own candidate and decision: NAME:ID,ID; NAME[@TRAIN_DAYS]:ID,… (empty = one model for all)")
          << key("retrain/drift_factor", T::Double, "1.5", "model alert when a station's live MAE exceeds this multiple of the offline MAE, relative to the other stations' …", 1, 100)
          << key("retrain/drift_minutes", T::Int, "360", "… over this many minutes (data time)", 1, 525600)
          << key("retrain/psi_threshold", T::Double, "0.25", "model alert when an input feature's population stability index exceeds this", 0.01, 100)
          << key("retrain/psi_window_hours", T::Int, "168", "hours of live inputs the population stability index is computed over", 12, 8760)
          << key("retrain/on_drift", T::Bool, "false", "a model drift alert also starts a retrain")
          << key("alerts/rules_file", T::String, "", "alert rules, one per line, e.g. temperature < -20 for 10m station=KMSN severity=critical")
          << key("alerts/state_file", T::String, "", "where rules and silences added through the API or GUI are kept (JSON); empty = beside the history store")
          << key("notify/alertmanager", T::String, "", "Alertmanager URLs, comma-separated, that alerts are pushed to (API v2, POST URL/api/v2/alerts); empty = none")
          << choice("notify/min_severity", "warning", {QStringLiteral("info"), QStringLiteral("warning"), QStringLiteral("critical")},
                    "least severe anomaly that becomes an alert (a rule's resolve always counts)")
          << key("notify/webhook", T::String, "", "URL that receives Alertmanager webhook messages (version 4, grouped by station and kind) directly, without an Alertmanager; empty = none")
          << key("notify/resend_interval_s", T::Int, "60", "firing alerts are pushed again this often; each push is valid for 4 × this (Prometheus' resend delay)", 1, 3600)
          << key("notify/resolve_after_s", T::Int, "600", "an anomaly alert (spike, out of range, …) resolves when the same station, variable and kind has not recurred for this long", 1, 604800)
          << key("notify/model_resolve_after_s", T::Int, "86400", "a model drift alert (announced once per drift) resolves after this long", 60, 2592000)
          << key("notify/timeout_s", T::Int, "10", "time limit of one request to an Alertmanager or the webhook", 1, 300)
          << key("notify/link_url", T::String, "", "base URL of this server's API, for the station link in alerts (empty = http://[server] bind:port; none with port 0)")
          << key("notify/webhook_queue", T::Int, "1000", "webhook notifications waiting at most; beyond, the oldest is dropped and counted", 1, 1000000)
          << key("notify/webhook_retries", T::Int, "5", "retries of a failed webhook notification (with backoff) before it is given up and counted", 0, 100)
          << key("notify/webhook_group_wait_s", T::Int, "10", "changes of a group (station and kind) are collected this long into one webhook notification", 0, 3600)
          << key("notify/webhook_repeat_interval_s", T::Int, "14400", "a group still firing is notified again after this long", 60, 604800)
          << key("metrics/max_stations", T::Int, "1000", "most stations with per-station series in /metrics (the first by id; the rest are counted)", 0, 1000000)
          << choice("gui/theme", "light", {QStringLiteral("light"), QStringLiteral("dark")}, "colour theme");
        return l;
    }();
    return specs;
}

const Config::KeySpec *Config::spec(const QString &k)
{
    for (const KeySpec &s : schema()) {
        if (s.key == k)
            return &s;
    }
    return nullptr;
}

QString Config::environmentName(const QString &k)
{
    return QStringLiteral("STRATUS_") + QString(k).replace(u'/', u'_').toUpper();
}

Config::Config()
{
    for (const KeySpec &s : schema())
        m_entries.insert(s.key, {s.defaultValue, QStringLiteral("default")});
}

Result<QString> Config::check(const KeySpec &s, const QString &raw)
{
    const QString v = raw.trimmed();
    const auto range = [&](double x) -> Result<QString> {
        if (s.min != s.max && (x < s.min || x > s.max))
            return makeError(QStringLiteral("%1: %2 is outside %3..%4").arg(s.key, v).arg(s.min).arg(s.max));
        return v;
    };
    bool ok = false;
    switch (s.type) {
    case Type::String:
        // Never echo a secret: the message names only its length.
        if (s.minLength > 0 && !v.isEmpty() && v.size() < s.minLength)
            return makeError(QStringLiteral("%1: a value of %2 characters is too short; use at least %3")
                                 .arg(s.key)
                                 .arg(v.size())
                                 .arg(s.minLength));
        return v;
    case Type::Int: {
        const qlonglong x = v.toLongLong(&ok);
        if (!ok)
            return makeError(QStringLiteral("%1: \"%2\" is not an integer").arg(s.key, v));
        return range(double(x));
    }
    case Type::Double: {
        const double x = v.toDouble(&ok);
        if (!ok)
            return makeError(QStringLiteral("%1: \"%2\" is not a number").arg(s.key, v));
        return range(x);
    }
    case Type::Bool: {
        static const QStringList yes{QStringLiteral("true"), QStringLiteral("yes"), QStringLiteral("on"), QStringLiteral("1")};
        static const QStringList no{QStringLiteral("false"), QStringLiteral("no"), QStringLiteral("off"), QStringLiteral("0")};
        if (yes.contains(v.toLower()) || no.contains(v.toLower()))
            return v.toLower();
        return makeError(QStringLiteral("%1: \"%2\" is not true or false").arg(s.key, v));
    }
    case Type::Choice:
        if (s.choices.contains(v))
            return v;
        return makeError(QStringLiteral("%1: \"%2\" is not one of %3").arg(s.key, v, s.choices.join(QStringLiteral(", "))));
    case Type::LatLon: {
        if (v.isEmpty())
            return v;
        const auto c = GeoQuery::parseCoordinate(v, s.key);
        if (!c)
            return c.error();
        return v;
    }
    case Type::Url: {
        const QUrl url(v, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) || url.host().isEmpty())
            return makeError(QStringLiteral("%1: \"%2\" is not an http(s) URL").arg(s.key, v));
        return v;
    }
    }
    return v;
}

Result<int> Config::set(const QString &k, const QString &value, const QString &origin)
{
    const KeySpec *s = spec(k);
    if (!s)
        return makeError(QStringLiteral("unknown setting \"%1\"").arg(k));
    const auto checked = check(*s, value);
    if (!checked)
        return checked.error();
    m_entries.insert(k, {*checked, origin});
    return 1;
}

Result<int> Config::loadFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return makeError(QStringLiteral("%1: cannot read: %2").arg(path, file.errorString()));
    QString section;
    int line = 0, count = 0;
    while (!file.atEnd()) {
        ++line;
        const QString text = QString::fromUtf8(file.readLine()).trimmed();
        const QString where = QStringLiteral("%1:%2").arg(path).arg(line);
        if (text.isEmpty() || text.startsWith(u'#') || text.startsWith(u';'))
            continue;
        if (text.startsWith(u'[')) {
            if (!text.endsWith(u']'))
                return makeError(QStringLiteral("%1: section header \"%2\" has no closing ]").arg(where, text));
            section = text.mid(1, text.size() - 2).trimmed();
            const bool known = std::any_of(schema().cbegin(), schema().cend(),
                                           [&](const KeySpec &s) { return s.key.startsWith(section + u'/'); });
            if (!known)
                return makeError(QStringLiteral("%1: unknown section [%2]").arg(where, section));
            continue;
        }
        const qsizetype eq = text.indexOf(u'=');
        if (eq <= 0)
            return makeError(QStringLiteral("%1: expected key = value, got \"%2\"").arg(where, text));
        if (section.isEmpty())
            return makeError(QStringLiteral("%1: \"%2\" is outside any [section]").arg(where, text));
        const QString name = text.left(eq).trimmed();
        QString value = text.mid(eq + 1).trimmed();
        if (value.size() >= 2 && value.startsWith(u'"') && value.endsWith(u'"'))
            value = value.mid(1, value.size() - 2);
        const QString k = section + u'/' + name;
        if (!spec(k))
            return makeError(QStringLiteral("%1: unknown key \"%2\" in [%3]").arg(where, name, section));
        const auto r = set(k, value, where);
        if (!r)
            return makeError(where + QStringLiteral(": ") + r.errorMessage());
        ++count;
    }
    return count;
}

Result<int> Config::applyEnvironment(const QProcessEnvironment &env)
{
    int count = 0;
    for (const KeySpec &s : schema()) {
        // The canonical name wins over the alias when both are set.
        for (const QString &name : {s.envAlias, environmentName(s.key)}) {
            if (name.isEmpty() || !env.contains(name))
                continue;
            const auto r = set(s.key, env.value(name), QStringLiteral("env ") + name);
            if (!r)
                return makeError(QStringLiteral("environment variable %1: %2").arg(name, r.errorMessage()));
            ++count;
        }
    }
    return count;
}

bool Config::boolValue(const QString &k) const
{
    const QString v = value(k);
    return v == QLatin1String("true") || v == QLatin1String("yes") || v == QLatin1String("on") || v == QLatin1String("1");
}

QString Config::describe() const
{
    QString out;
    QString section;
    for (const KeySpec &s : schema()) {
        const QString sec = s.key.section(u'/', 0, 0);
        if (sec != section) {
            out += (section.isEmpty() ? QString() : QStringLiteral("\n")) + u'[' + sec + u"]\n";
            section = sec;
        }
        const Entry e = m_entries.value(s.key);
        const QString shown = s.secret && !e.value.isEmpty() ? QStringLiteral("***") : e.value;
        out += QStringLiteral("%1 = %2").arg(s.key.section(u'/', 1), shown).leftJustified(52) + QStringLiteral(" # ") + e.origin + u'\n';
    }
    return out;
}

QString Config::documentedTemplate()
{
    QString out = QStringLiteral("# Stratus settings. Every key is shown commented out with its default.\n"
                                 "# Precedence: this file < environment (STRATUS_SECTION_KEY) < command line.\n"
                                 "# `stratus --print-config` shows the effective values and where each came from.\n");
    QString section;
    for (const KeySpec &s : schema()) {
        const QString sec = s.key.section(u'/', 0, 0);
        if (sec != section) {
            out += u"\n[" + sec + u"]\n";
            section = sec;
        }
        QString doc = s.description;
        if (s.type == Type::Choice)
            doc += QStringLiteral(" (") + s.choices.join(QStringLiteral(" | ")) + u')';
        else if ((s.type == Type::Int || s.type == Type::Double) && s.min != s.max)
            doc += QStringLiteral(" (%1..%2)").arg(s.min, 0, 'g', 12).arg(s.max, 0, 'g', 12);
        out += QStringLiteral("# ") + doc + QStringLiteral("\n# ") + s.key.section(u'/', 1) + QStringLiteral(" = ") + s.defaultValue + u'\n';
    }
    return out;
}

QString Config::defaultPath(const QProcessEnvironment &env)
{
    QStringList candidates;
    if (env.contains(QStringLiteral("STRATUS_CONFIG")))
        return env.value(QStringLiteral("STRATUS_CONFIG"));
    const QString xdg = env.value(QStringLiteral("XDG_CONFIG_HOME"),
                                  env.value(QStringLiteral("HOME")) + QStringLiteral("/.config"));
    candidates << xdg + QStringLiteral("/stratus/stratus.conf") << QStringLiteral("/etc/stratus/stratus.conf");
    for (const QString &c : candidates) {
        if (QFileInfo::exists(c))
            return c;
    }
    return QString();
}

} // namespace stratus
