#include "JsonCodec.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace stratus {

namespace K = JsonKeys;

namespace {

void putNumber(QJsonObject &o, QLatin1StringView key, double x)
{
    if (std::isfinite(x))
        o.insert(key, x);
}

double number(const QJsonObject &o, QLatin1StringView key)
{
    const QJsonValue v = o.value(key);
    return v.isDouble() ? v.toDouble() : std::numeric_limits<double>::quiet_NaN();
}

Result<QString> requiredString(const QJsonObject &o, QLatin1StringView key)
{
    const QJsonValue v = o.value(key);
    if (!v.isString() || v.toString().isEmpty())
        return makeError(QStringLiteral("%1: expected a non-empty string").arg(key));
    return v.toString();
}

Result<qint64> requiredTime(const QJsonObject &o, QLatin1StringView key)
{
    const QJsonValue v = o.value(key);
    if (!v.isDouble())
        return makeError(QStringLiteral("%1: expected epoch milliseconds").arg(key));
    return static_cast<qint64>(v.toDouble());
}

Result<Variable> requiredVariable(const QJsonObject &o)
{
    const QString key = o.value(K::variable).toString();
    const auto v = variableFromKey(key);
    if (!v)
        return makeError(QStringLiteral("variable: unknown variable \"%1\"").arg(key));
    return *v;
}

} // namespace

QJsonObject JsonCodec::toJson(const Reading &r)
{
    QJsonObject o;
    o.insert(K::station, r.stationId);
    o.insert(K::ts, r.timestampMs);
    QJsonObject qc;
    for (Variable v : kAllVariables) {
        if (std::isfinite(r.value(v)))
            o.insert(variableKey(v), r.value(v));
        if (r.quality[index(v)])
            qc.insert(variableKey(v), QString(QChar::fromLatin1(r.quality[index(v)])));
    }
    if (!qc.isEmpty())
        o.insert(K::qc, qc);
    return o;
}

Result<Reading> JsonCodec::readingFromJson(const QJsonObject &o)
{
    Reading r;
    auto id = requiredString(o, K::station);
    if (!id)
        return id.error();
    r.stationId = *id;
    auto ts = requiredTime(o, K::ts);
    if (!ts)
        return ts.error();
    r.timestampMs = *ts;
    for (Variable v : kAllVariables) {
        const QJsonValue x = o.value(variableKey(v));
        if (x.isUndefined() || x.isNull())
            continue;
        if (!x.isDouble())
            return makeError(QStringLiteral("%1: expected a number").arg(variableKey(v)));
        r.set(v, x.toDouble());
    }
    const QJsonObject qc = o.value(K::qc).toObject();
    for (auto it = qc.begin(); it != qc.end(); ++it) {
        const auto v = variableFromKey(it.key());
        const QString flag = it.value().toString();
        if (v && flag.size() == 1)
            r.quality[index(*v)] = flag.at(0).toLatin1();
    }
    return r;
}

QJsonObject JsonCodec::toJson(const WindowStats &w)
{
    QJsonObject o;
    o.insert(K::station, w.stationId);
    o.insert(K::variable, variableKey(w.variable));
    o.insert(K::start, w.startMs);
    o.insert(K::end, w.endMs);
    o.insert(K::count, w.count);
    putNumber(o, K::mean, w.mean);
    putNumber(o, K::std, w.stddev);
    putNumber(o, K::min, w.min);
    putNumber(o, K::max, w.max);
    putNumber(o, K::first, w.first);
    putNumber(o, K::last, w.last);
    putNumber(o, K::resultant, w.resultantLength);
    o.insert(K::revision, w.revision);
    return o;
}

Result<WindowStats> JsonCodec::windowFromJson(const QJsonObject &o)
{
    WindowStats w;
    auto id = requiredString(o, K::station);
    if (!id)
        return id.error();
    w.stationId = *id;
    auto var = requiredVariable(o);
    if (!var)
        return var.error();
    w.variable = *var;
    auto start = requiredTime(o, K::start);
    auto end = requiredTime(o, K::end);
    if (!start || !end)
        return makeError(QStringLiteral("start/end: expected epoch milliseconds"));
    w.startMs = *start;
    w.endMs = *end;
    w.count = o.value(K::count).toInteger();
    w.mean = number(o, K::mean);
    w.stddev = number(o, K::std);
    w.min = number(o, K::min);
    w.max = number(o, K::max);
    w.first = number(o, K::first);
    w.last = number(o, K::last);
    w.resultantLength = number(o, K::resultant);
    w.revision = o.value(K::revision).toInt();
    return w;
}

QJsonObject JsonCodec::toJson(const Forecast &f)
{
    QJsonObject o;
    o.insert(K::station, f.stationId);
    o.insert(K::variable, variableKey(f.variable));
    o.insert(K::issued, f.issuedAtMs);
    o.insert(K::model, f.model);
    if (!f.modelVersion.isEmpty())
        o.insert(K::version, f.modelVersion);
    QJsonArray points;
    for (const ForecastPoint &p : f.points) {
        QJsonObject po;
        po.insert(K::horizon, p.horizonH);
        po.insert(K::target, p.targetMs);
        putNumber(po, K::value, p.value);
        putNumber(po, K::lower, p.lower);
        putNumber(po, K::upper, p.upper);
        points.append(po);
    }
    o.insert(K::points, points);
    return o;
}

Result<Forecast> JsonCodec::forecastFromJson(const QJsonObject &o)
{
    Forecast f;
    auto id = requiredString(o, K::station);
    if (!id)
        return id.error();
    f.stationId = *id;
    auto var = requiredVariable(o);
    if (!var)
        return var.error();
    f.variable = *var;
    auto issued = requiredTime(o, K::issued);
    if (!issued)
        return issued.error();
    f.issuedAtMs = *issued;
    f.model = o.value(K::model).toString();
    f.modelVersion = o.value(K::version).toString();
    const QJsonArray points = o.value(K::points).toArray();
    for (const QJsonValue &pv : points) {
        const QJsonObject po = pv.toObject();
        ForecastPoint p;
        p.horizonH = po.value(K::horizon).toInt();
        p.targetMs = po.value(K::target).toInteger();
        p.value = number(po, K::value);
        p.lower = number(po, K::lower);
        p.upper = number(po, K::upper);
        f.points.append(p);
    }
    return f;
}

QJsonObject JsonCodec::toJson(const Anomaly &a)
{
    QJsonObject o;
    o.insert(K::station, a.stationId);
    o.insert(K::ts, a.timestampMs);
    o.insert(K::variable, variableKey(a.variable));
    o.insert(K::kind, anomalyKindKey(a.kind));
    o.insert(K::severity, severityKey(a.severity));
    putNumber(o, K::score, a.score);
    putNumber(o, K::value, a.value);
    o.insert(K::reason, a.reason);
    return o;
}

Result<Anomaly> JsonCodec::anomalyFromJson(const QJsonObject &o)
{
    Anomaly a;
    auto id = requiredString(o, K::station);
    if (!id)
        return id.error();
    a.stationId = *id;
    auto ts = requiredTime(o, K::ts);
    if (!ts)
        return ts.error();
    a.timestampMs = *ts;
    auto var = requiredVariable(o);
    if (!var)
        return var.error();
    a.variable = *var;
    const auto kind = anomalyKindFromKey(o.value(K::kind).toString());
    if (!kind)
        return makeError(QStringLiteral("kind: unknown anomaly kind \"%1\"").arg(o.value(K::kind).toString()));
    a.kind = *kind;
    a.severity = severityFromKey(o.value(K::severity).toString()).value_or(Severity::Warning);
    a.score = number(o, K::score);
    a.value = number(o, K::value);
    a.reason = o.value(K::reason).toString();
    return a;
}

QJsonObject JsonCodec::toJson(const Station &s)
{
    QJsonObject o;
    o.insert(K::id, s.id);
    if (!s.name.isEmpty())
        o.insert(K::name, s.name);
    putNumber(o, K::latitude, s.latitude);
    putNumber(o, K::longitude, s.longitude);
    putNumber(o, K::elevation, s.elevationM);
    if (!s.source.isEmpty())
        o.insert(K::source, s.source);
    if (!s.region.isEmpty())
        o.insert(K::region, s.region);
    if (!s.country.isEmpty())
        o.insert(K::country, s.country);
    return o;
}

Result<Station> JsonCodec::stationFromJson(const QJsonObject &o)
{
    Station s;
    auto id = requiredString(o, K::id);
    if (!id)
        return id.error();
    s.id = *id;
    s.name = o.value(K::name).toString();
    s.latitude = number(o, K::latitude);
    s.longitude = number(o, K::longitude);
    s.elevationM = number(o, K::elevation);
    s.source = o.value(K::source).toString();
    s.region = o.value(K::region).toString();
    s.country = o.value(K::country).toString();
    return s;
}

Result<QJsonObject> JsonCodec::parseObject(QByteArrayView bytes)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes.toByteArray(), &err);
    if (err.error != QJsonParseError::NoError)
        return makeError(QStringLiteral("malformed JSON at offset %1 of %2 bytes: %3")
                             .arg(err.offset)
                             .arg(bytes.size())
                             .arg(err.errorString()));
    if (!doc.isObject())
        return makeError(QStringLiteral("expected a JSON object"));
    return doc.object();
}

QByteArray JsonCodec::compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace stratus
