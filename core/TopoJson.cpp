#include "TopoJson.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace stratus {

Result<TopoJson> TopoJson::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("cannot open map %1: %2").arg(path, file.errorString()));
    auto parsed = parse(file.readAll());
    if (!parsed)
        return makeError(QStringLiteral("%1: %2").arg(path, parsed.errorMessage()));
    return parsed;
}

Result<TopoJson> TopoJson::parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (doc.isNull())
        return makeError(QStringLiteral("not JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset));
    const QJsonObject root = doc.object();
    if (root.value(QLatin1String("type")).toString() != QLatin1String("Topology"))
        return makeError(QStringLiteral("not a TopoJSON topology (type is not \"Topology\")"));

    TopoJson topo;
    topo.m_objects = root.value(QLatin1String("objects")).toObject();
    const QJsonObject transform = root.value(QLatin1String("transform")).toObject();
    const bool quantized = !transform.isEmpty();
    double sx = 1, sy = 1, tx = 0, ty = 0;
    if (quantized) {
        const QJsonArray scale = transform.value(QLatin1String("scale")).toArray();
        const QJsonArray translate = transform.value(QLatin1String("translate")).toArray();
        if (scale.size() != 2 || translate.size() != 2)
            return makeError(QStringLiteral("transform needs two-element scale and translate"));
        sx = scale[0].toDouble();
        sy = scale[1].toDouble();
        tx = translate[0].toDouble();
        ty = translate[1].toDouble();
    }
    const QJsonArray arcs = root.value(QLatin1String("arcs")).toArray();
    topo.m_arcs.reserve(arcs.size());
    double minX = 1e9, minY = 1e9, maxX = -1e9, maxY = -1e9;
    for (qsizetype i = 0; i < arcs.size(); ++i) {
        const QJsonArray positions = arcs[i].toArray();
        QList<QPointF> arc;
        arc.reserve(positions.size());
        double x = 0, y = 0;
        for (const QJsonValue &p : positions) {
            const QJsonArray xy = p.toArray();
            if (xy.size() < 2)
                return makeError(QStringLiteral("arc %1 has a position without two coordinates").arg(i));
            if (quantized) {
                x += xy[0].toDouble(); // delta-encoded
                y += xy[1].toDouble();
                arc.append(QPointF(x * sx + tx, y * sy + ty));
            } else {
                arc.append(QPointF(xy[0].toDouble(), xy[1].toDouble()));
            }
            minX = std::min(minX, arc.last().x());
            maxX = std::max(maxX, arc.last().x());
            minY = std::min(minY, arc.last().y());
            maxY = std::max(maxY, arc.last().y());
        }
        topo.m_arcs.append(std::move(arc));
    }
    if (!topo.m_arcs.isEmpty())
        topo.m_bbox = QRectF(QPointF(minX, minY), QPointF(maxX, maxY));
    return topo;
}

Result<QList<QPointF>> TopoJson::ring(const QJsonArray &arcIndexes) const
{
    QList<QPointF> out;
    for (const QJsonValue &v : arcIndexes) {
        const int i = v.toInt();
        const bool reversed = i < 0;
        const int arcIndex = reversed ? ~i : i;
        if (arcIndex >= m_arcs.size())
            return makeError(QStringLiteral("arc index %1 out of range (%2 arcs)").arg(arcIndex).arg(m_arcs.size()));
        const QList<QPointF> &arc = m_arcs[arcIndex];
        // Consecutive arcs share their joining point; keep it once.
        const qsizetype skip = out.isEmpty() ? 0 : 1;
        if (reversed) {
            for (qsizetype k = arc.size() - 1 - skip; k >= 0; --k)
                out.append(arc[k]);
        } else {
            for (qsizetype k = skip; k < arc.size(); ++k)
                out.append(arc[k]);
        }
    }
    return out;
}

Result<bool> TopoJson::addGeometry(const QJsonObject &g, QList<GeoFeature> &out) const
{
    const QString type = g.value(QLatin1String("type")).toString();
    if (type == QLatin1String("GeometryCollection")) {
        for (const QJsonValue &child : g.value(QLatin1String("geometries")).toArray()) {
            const auto added = addGeometry(child.toObject(), out);
            if (!added)
                return added;
        }
        return true;
    }
    GeoFeature f;
    const QJsonValue id = g.value(QLatin1String("id"));
    f.id = id.isDouble() ? QString::number(id.toInteger()) : id.toString();
    f.name = g.value(QLatin1String("properties")).toObject().value(QLatin1String("name")).toString();
    const QJsonArray arcs = g.value(QLatin1String("arcs")).toArray();
    auto addRings = [&](const QJsonArray &polygon, QList<QList<QPointF>> &into) -> Result<bool> {
        for (const QJsonValue &r : polygon) {
            auto decoded = ring(r.toArray());
            if (!decoded)
                return decoded.error();
            into.append(std::move(decoded).value());
        }
        return true;
    };
    Result<bool> ok = true;
    if (type == QLatin1String("Polygon")) {
        ok = addRings(arcs, f.rings);
    } else if (type == QLatin1String("MultiPolygon")) {
        for (const QJsonValue &polygon : arcs) {
            ok = addRings(polygon.toArray(), f.rings);
            if (!ok)
                break;
        }
    } else if (type == QLatin1String("LineString")) {
        ok = addRings(QJsonArray{arcs}, f.lines);
    } else if (type == QLatin1String("MultiLineString")) {
        ok = addRings(arcs, f.lines);
    } else if (type == QLatin1String("Point") || type == QLatin1String("MultiPoint") || type.isEmpty()) {
        return true; // points carry no outline; a null geometry has no type
    } else {
        return makeError(QStringLiteral("unknown geometry type \"%1\"").arg(type));
    }
    if (!ok)
        return ok;
    out.append(std::move(f));
    return true;
}

Result<QList<GeoFeature>> TopoJson::features(const QString &object) const
{
    if (!m_objects.contains(object))
        return makeError(QStringLiteral("no object \"%1\" in the topology (has: %2)")
                             .arg(object, m_objects.keys().join(QStringLiteral(", "))));
    QList<GeoFeature> out;
    const auto added = addGeometry(m_objects.value(object).toObject(), out);
    if (!added)
        return added.error();
    return out;
}

} // namespace stratus
