#include "QueryParameterPolicy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include <algorithm>

namespace stratus {

namespace {
bool isTemplate(const QString &segment)
{
    return segment.startsWith(u'{') && segment.endsWith(u'}');
}
} // namespace

QueryParameterPolicy::QueryParameterPolicy(const QByteArray &openApiJson)
{
    const QJsonObject doc = QJsonDocument::fromJson(openApiJson).object();
    const QJsonObject shared = doc.value(QLatin1String("components")).toObject().value(QLatin1String("parameters")).toObject();
    auto resolve = [&](const QJsonObject &p) {
        const QString ref = p.value(QLatin1String("$ref")).toString();
        return ref.isEmpty() ? p : shared.value(ref.section(u'/', -1)).toObject();
    };
    const QJsonObject paths = doc.value(QLatin1String("paths")).toObject();
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        const QJsonObject ops = path.value().toObject();
        const QJsonArray common = ops.value(QLatin1String("parameters")).toArray();
        for (auto op = ops.begin(); op != ops.end(); ++op) {
            if (op.key() == QLatin1String("parameters"))
                continue;
            QStringList names;
            QJsonArray params = op.value().toObject().value(QLatin1String("parameters")).toArray();
            for (const QJsonValue &v : common)
                params.append(v);
            for (const QJsonValue &v : std::as_const(params)) {
                const QJsonObject p = resolve(v.toObject());
                if (p.value(QLatin1String("in")).toString() == QLatin1String("query"))
                    names << p.value(QLatin1String("name")).toString();
            }
            allow(op.key().toUpper().toLatin1(), path.key(), names);
        }
    }
}

void QueryParameterPolicy::allow(const QByteArray &method, const QString &path, const QStringList &params)
{
    const QStringList segments = path.split(u'/', Qt::SkipEmptyParts);
    for (Route &r : m_routes) {
        if (r.method == method && r.segments == segments) {
            for (const QString &p : params)
                r.params.insert(p);
            return;
        }
    }
    m_routes.append(Route{method, segments, QSet<QString>(params.begin(), params.end())});
}

const QueryParameterPolicy::Route *QueryParameterPolicy::find(const QByteArray &method, const QStringList &segments) const
{
    // A literal segment beats a template one (/models/live before /models/{version}).
    const Route *best = nullptr;
    int bestLiterals = -1;
    for (const Route &r : m_routes) {
        if (r.method != method || r.segments.size() != segments.size())
            continue;
        int literals = 0;
        bool match = true;
        for (qsizetype i = 0; i < segments.size() && match; ++i) {
            if (isTemplate(r.segments[i]))
                continue;
            match = r.segments[i] == segments[i];
            ++literals;
        }
        if (match && literals > bestLiterals) {
            best = &r;
            bestLiterals = literals;
        }
    }
    return best;
}

QStringList QueryParameterPolicy::parameters(const QByteArray &method, const QStringList &segments) const
{
    const Route *r = find(method, segments);
    if (!r)
        return {};
    QStringList out(r->params.begin(), r->params.end());
    out.sort();
    return out;
}

std::optional<QString> QueryParameterPolicy::check(const QByteArray &method, const QStringList &segments,
                                                   const QUrlQuery &query) const
{
    const Route *r = find(method, segments);
    if (!r)
        return std::nullopt;
    for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (r->params.contains(name))
            continue;
        QStringList known(r->params.begin(), r->params.end());
        known.sort();
        return known.isEmpty() ? QStringLiteral("unknown parameter \"%1\": this route takes none").arg(name.left(64))
                               : QStringLiteral("unknown parameter \"%1\": this route takes %2")
                                     .arg(name.left(64), known.join(QStringLiteral(", ")));
    }
    return std::nullopt;
}

} // namespace stratus
