#pragma once

#include "Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QStringList>

namespace stratus {

// One geometry of a TopoJSON object in unprojected degrees (x = longitude east, y = latitude north).
struct GeoFeature
{
    QString id;   // the geometry's "id" (FIPS / ISO numeric code), empty if none
    QString name; // properties.name, empty if none
    // Closed rings of all polygons: the first ring of each polygon is its outer ring, holes follow.
    QList<QList<QPointF>> rings;
    QList<QList<QPointF>> lines; // LineString / MultiLineString parts
};

// Decoder for TopoJSON (https://github.com/topojson/topojson-specification): arcs are decoded once,
// quantized ones delta-decoded and scaled with the file's transform (position × scale + translate);
// geometries reference arcs by index, a negative index ~i meaning arc i reversed. Toolkit-free so the
// GUI, the server and tests can share it.
class TopoJson
{
public:
    static Result<TopoJson> parse(const QByteArray &json);
    static Result<TopoJson> load(const QString &path);

    QStringList objectNames() const { return m_objects.keys(); }
    // Every geometry of the named object, flattening GeometryCollections.
    Result<QList<GeoFeature>> features(const QString &object) const;
    qsizetype arcCount() const { return m_arcs.size(); }
    QRectF bbox() const { return m_bbox; } // lon/lat extent of all arcs

private:
    Result<bool> addGeometry(const QJsonObject &geometry, QList<GeoFeature> &out) const;
    Result<QList<QPointF>> ring(const QJsonArray &arcIndexes) const;

    QList<QList<QPointF>> m_arcs;
    QJsonObject m_objects;
    QRectF m_bbox;
};

} // namespace stratus
