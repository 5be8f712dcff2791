#pragma once

#include "MapProjection.h"

#include <QImage>
#include <QList>
#include <QPointF>
#include <QSize>
#include <QTransform>

namespace stratus {

// What the background layer of the station map should look like. Plain data, copied into a worker
// thread: the outline and the interpolated field are rendered there, never on the paint path.
struct MapRenderRequest
{
    struct Sample
    {
        double lon = 0;
        double lat = 0;
        QPointF plane; // projected position
        double t = 0;  // value mapped to 0..1 on the colour ramp
    };

    MapProjection::Kind projection = MapProjection::Kind::AlbersUsa;
    QPointF center;   // plane coordinates at the middle of the view
    double scale = 1; // pixels per plane unit
    QSize size;       // logical pixels
    qreal devicePixelRatio = 1;
    bool dark = false;
    bool interpolate = false;
    QList<Sample> samples;
    double maxDistanceKm = 400; // beyond this from every station the field is left unshaded
    int neighbours = 8;         // stations weighed per cell
    quint64 serial = 0;
};

struct MapRenderResult
{
    QImage image;
    QPointF center;
    double scale = 1;
    QSize size;
    quint64 serial = 0;
    double milliseconds = 0;
    QString error; // maps that could not be loaded, in words
};

// Many station markers, drawn into a transparent layer in a worker thread when thousands are in view.
struct MarkerLayerRequest
{
    QPointF center;
    double scale = 1;
    QSize size;
    qreal devicePixelRatio = 1;
    QList<QPointF> planes;   // projected positions, in drawing order
    QList<int> sprites;      // index into spriteImages per position
    QList<QImage> spriteImages;
    double half = 5;         // sprite centre offset in logical pixels
    quint64 serial = 0;
};

// Draws the bundled TopoJSON maps (decoded and projected once per projection, then cached) and the
// inverse-distance-weighted field. Thread-safe: render() may run in any thread.
class MapRenderer
{
public:
    static MapRenderResult render(const MapRenderRequest &request);
    static MapRenderResult renderMarkers(const MarkerLayerRequest &request);
    // Plane → pixel transform of a view (y flipped: north up).
    static QTransform viewTransform(QPointF center, double scale, QSize size);
    // Loads and projects the outlines now (otherwise the first render does it). Returns an error text.
    static QString preload(MapProjection::Kind kind);
};

} // namespace stratus
