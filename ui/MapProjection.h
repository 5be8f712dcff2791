#pragma once

#include <QPointF>
#include <QRectF>
#include <QString>

namespace stratus {

// Map projections from longitude/latitude degrees to a plane (y up). The view scales and shifts the
// plane to pixels, so zoom and pan never re-project the map.
class MapProjection
{
public:
    enum class Kind {
        AlbersUsa,        // Albers equal-area conic, parallels 29.5° and 45.5°, centred on 96° W
        Equirectangular,  // plate carrée with x shrunk by cos 35°, for the world
    };

    explicit MapProjection(Kind kind = Kind::AlbersUsa);

    Kind kind() const { return m_kind; }
    QString name() const;
    QPointF project(double lon, double lat) const;
    QPointF unproject(QPointF plane) const; // x = lon, y = lat
    // Where this projection is meaningful: outlines outside it are dropped, stations flagged.
    QRectF usefulLonLat() const;
    // Plane rectangle to fit into the view initially.
    QRectF homeExtent() const;

private:
    Kind m_kind;
    // Albers constants (radians).
    double m_lambda0 = 0, m_n = 0, m_c = 0, m_rho0 = 0;
};

} // namespace stratus
