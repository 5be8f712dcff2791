#include "MapRenderer.h"

#include "ColorRamp.h"
#include "TopoJson.h"

#include <QElapsedTimer>
#include <QGeoCoordinate>
#include <QMutex>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

static void initStratusResources()
{
    // The maps are compiled into stratus_pipeline; a static library's resources need an explicit init.
    Q_INIT_RESOURCE(stratus);
}

namespace stratus {

namespace {

struct MapGeometry
{
    QPainterPath land;    // filled
    QPainterPath borders; // state / province outlines, stroked
    QString error;
    QMutex paintLock; // QPainterPath caches bounds lazily; serialise painting across render threads
};

QMutex g_cacheLock;
std::map<MapProjection::Kind, std::unique_ptr<MapGeometry>> g_cache;

void addRing(QPainterPath &path, const QList<QPointF> &ring, const MapProjection &projection)
{
    if (ring.size() < 2)
        return;
    path.moveTo(projection.project(ring.first().x(), ring.first().y()));
    for (qsizetype i = 1; i < ring.size(); ++i)
        path.lineTo(projection.project(ring[i].x(), ring[i].y()));
    path.closeSubpath();
}

bool ringUseful(const QList<QPointF> &ring, const QRectF &useful)
{
    double minX = 1e9, maxX = -1e9, minY = 1e9, maxY = -1e9;
    for (const QPointF &p : ring) {
        minX = std::min(minX, p.x());
        maxX = std::max(maxX, p.x());
        minY = std::min(minY, p.y());
        maxY = std::max(maxY, p.y());
    }
    // Rings spanning most of the globe (Eurasia) would smear across a conic projection.
    return maxX >= useful.left() && minX <= useful.right() && maxY >= useful.top() && minY <= useful.bottom() &&
           (useful.width() >= 359 || minX >= useful.left() - 20);
}

// One TopoJSON object's rings, those useful in this projection, projected into `path`; what could
// not be read goes into `errors`.
void loadOutlines(const QString &resource, const QString &object, const MapProjection &projection, QPainterPath &path,
                  QStringList &errors)
{
    const auto topo = TopoJson::load(resource);
    if (!topo) {
        errors << topo.errorMessage();
        return;
    }
    const auto features = topo->features(object);
    if (!features) {
        errors << features.errorMessage();
        return;
    }
    const QRectF useful = projection.usefulLonLat();
    for (const GeoFeature &f : *features) {
        for (const auto &ring : f.rings) {
            if (ringUseful(ring, useful))
                addRing(path, ring, projection);
        }
    }
}

MapGeometry &geometry(MapProjection::Kind kind)
{
    QMutexLocker lock(&g_cacheLock);
    auto &slot = g_cache[kind];
    if (slot)
        return *slot;
    slot = std::make_unique<MapGeometry>();
    initStratusResources();
    const MapProjection projection(kind);
    QStringList errors;
    loadOutlines(QStringLiteral(":/maps/land-50m.json"), QStringLiteral("land"), projection, slot->land, errors);
    loadOutlines(QStringLiteral(":/maps/states-10m.json"), QStringLiteral("states"), projection, slot->borders, errors);
    slot->land.setFillRule(Qt::WindingFill);
    slot->error = errors.join(QStringLiteral("; "));
    return *slot;
}

// The interpolated field on a coarse grid (one texel per `cell` pixels), transparent far from stations.
QImage interpolate(const MapRenderRequest &r, const QTransform &toPixel, int cell)
{
    const int gw = std::max(1, r.size.width() / cell + 1);
    const int gh = std::max(1, r.size.height() / cell + 1);
    QImage field(gw, gh, QImage::Format_ARGB32_Premultiplied);
    field.fill(Qt::transparent);
    if (r.samples.isEmpty())
        return field;

    const MapProjection projection(r.projection);
    const QTransform toPlane = toPixel.inverted();

    // Bucket the samples in pixel space for the neighbour search; stations a little outside the view
    // still weigh in at its edges.
    constexpr int kBucket = 24;
    const QRectF reach = QRectF(QPointF(0, 0), QSizeF(r.size)).adjusted(-300, -300, 300, 300);
    const int bw = static_cast<int>(reach.width() / kBucket) + 1;
    const int bh = static_cast<int>(reach.height() / kBucket) + 1;
    std::vector<std::vector<int>> buckets(static_cast<size_t>(bw) * bh);
    std::vector<QGeoCoordinate> coords(r.samples.size());
    for (qsizetype i = 0; i < r.samples.size(); ++i) {
        const QPointF p = toPixel.map(r.samples[i].plane);
        if (!reach.contains(p))
            continue;
        const int bx = static_cast<int>((p.x() - reach.left()) / kBucket);
        const int by = static_cast<int>((p.y() - reach.top()) / kBucket);
        buckets[static_cast<size_t>(by) * bw + bx].push_back(static_cast<int>(i));
        coords[i] = QGeoCoordinate(r.samples[i].lat, r.samples[i].lon);
    }

    // How many pixels the cut-off distance spans here, to bound the ring search.
    const QPointF c0 = projection.unproject(toPlane.map(QPointF(r.size.width() / 2.0, r.size.height() / 2.0)));
    const QPointF c1 = projection.unproject(toPlane.map(QPointF(r.size.width() / 2.0 + 10, r.size.height() / 2.0)));
    const double kmPer10Px = QGeoCoordinate(c0.y(), c0.x()).distanceTo(QGeoCoordinate(c1.y(), c1.x())) / 1000.0;
    const double maxPx = kmPer10Px > 0 ? r.maxDistanceKm / kmPer10Px * 10.0 : 200.0;
    const int maxRing = std::clamp(static_cast<int>(maxPx / kBucket) + 1, 1, 40);

    std::vector<std::pair<double, int>> found;
    for (int gy = 0; gy < gh; ++gy) {
        auto *line = reinterpret_cast<QRgb *>(field.scanLine(gy));
        for (int gx = 0; gx < gw; ++gx) {
            const QPointF px(gx * cell + cell / 2.0, gy * cell + cell / 2.0);
            const QPointF ll = projection.unproject(toPlane.map(px));
            if (!(ll.y() > -90 && ll.y() < 90))
                continue;
            const QGeoCoordinate here(ll.y(), ll.x());
            const int cbx = static_cast<int>((px.x() - reach.left()) / kBucket);
            const int cby = static_cast<int>((px.y() - reach.top()) / kBucket);
            found.clear();
            for (int ring = 0; ring <= maxRing; ++ring) {
                for (int by = cby - ring; by <= cby + ring; ++by) {
                    if (by < 0 || by >= bh)
                        continue;
                    for (int bx = cbx - ring; bx <= cbx + ring; ++bx) {
                        if (bx < 0 || bx >= bw || (std::abs(by - cby) != ring && std::abs(bx - cbx) != ring))
                            continue;
                        for (int i : buckets[static_cast<size_t>(by) * bw + bx])
                            found.emplace_back(0.0, i);
                    }
                }
                // One more ring after reaching k, so a closer station in the next ring is not missed.
                if (static_cast<int>(found.size()) >= r.neighbours && ring > 0)
                    break;
            }
            if (found.empty())
                continue;
            for (auto &[d, i] : found)
                d = here.distanceTo(coords[i]) / 1000.0; // great-circle km
            const size_t k = std::min<size_t>(found.size(), static_cast<size_t>(r.neighbours));
            std::partial_sort(found.begin(), found.begin() + k, found.end());
            const double nearest = found.front().first;
            if (nearest > r.maxDistanceKm)
                continue;
            double sw = 0, sv = 0;
            for (size_t j = 0; j < k; ++j) {
                const double d = std::max(found[j].first, 1.0);
                const double w = 1.0 / (d * d);
                sw += w;
                sv += w * r.samples[found[j].second].t;
            }
            const double fade = std::clamp((r.maxDistanceKm - nearest) / (r.maxDistanceKm * 0.5), 0.0, 1.0);
            const int alpha = static_cast<int>(170 * fade);
            const QRgb c = ColorRamp::rgb(sv / sw, 255);
            line[gx] = qPremultiply(qRgba(qRed(c), qGreen(c), qBlue(c), alpha));
        }
    }
    return field;
}

// What every render result starts with: the view it was drawn for, so the caller can tell a stale
// image from a current one (and an empty size gives an empty image).
MapRenderResult resultFor(QPointF center, double scale, QSize size, quint64 serial)
{
    MapRenderResult out;
    out.center = center;
    out.scale = scale;
    out.size = size;
    out.serial = serial;
    return out;
}

} // namespace

QTransform MapRenderer::viewTransform(QPointF center, double scale, QSize size)
{
    return QTransform(scale, 0, 0, -scale, size.width() / 2.0 - center.x() * scale,
                      size.height() / 2.0 + center.y() * scale);
}

MapRenderResult MapRenderer::renderMarkers(const MarkerLayerRequest &r)
{
    QElapsedTimer clock;
    clock.start();
    MapRenderResult out = resultFor(r.center, r.scale, r.size, r.serial);
    if (r.size.isEmpty())
        return out;
    QImage image(r.size * r.devicePixelRatio, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(r.devicePixelRatio);
    image.fill(Qt::transparent);
    QPainter p(&image);
    const QTransform toPixel = viewTransform(r.center, r.scale, r.size);
    for (qsizetype i = 0; i < r.planes.size(); ++i) {
        const QPointF pt = toPixel.map(r.planes[i]);
        p.drawImage(QPointF(pt.x() - r.half, pt.y() - r.half), r.spriteImages[r.sprites[i]]);
    }
    p.end();
    out.image = std::move(image);
    out.milliseconds = clock.nsecsElapsed() / 1e6;
    return out;
}

QString MapRenderer::preload(MapProjection::Kind kind)
{
    return geometry(kind).error;
}

MapRenderResult MapRenderer::render(const MapRenderRequest &r)
{
    QElapsedTimer clock;
    clock.start();
    MapRenderResult out = resultFor(r.center, r.scale, r.size, r.serial);
    if (r.size.isEmpty())
        return out;

    MapGeometry &geo = geometry(r.projection);
    out.error = geo.error;
    const QColor ocean = r.dark ? QColor(0x17, 0x1f, 0x29) : QColor(0xd6, 0xe4, 0xf0);
    const QColor landFill = r.dark ? QColor(0x2a, 0x30, 0x37) : QColor(0xf6, 0xf3, 0xec);
    const QColor coast = r.dark ? QColor(0x5b, 0x68, 0x75) : QColor(0x8d, 0x9b, 0xa8);
    const QColor border = r.dark ? QColor(0x48, 0x53, 0x5e) : QColor(0xb4, 0xbb, 0xc2);

    QImage image(r.size * r.devicePixelRatio, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(r.devicePixelRatio);
    image.fill(ocean);
    const QTransform toPixel = viewTransform(r.center, r.scale, r.size);

    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    {
        QMutexLocker lock(&geo.paintLock);
        p.setTransform(toPixel);
        p.setPen(Qt::NoPen);
        p.setBrush(landFill);
        p.drawPath(geo.land);
    }
    if (r.interpolate) {
        const QImage field = interpolate(r, toPixel, 8);
        p.save();
        {
            QMutexLocker lock(&geo.paintLock);
            // Shade land only: stations say nothing about the open sea.
            p.setTransform(toPixel);
            p.setClipPath(geo.land);
        }
        p.resetTransform();
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        const QRectF target(-4, -4, field.width() * 8.0, field.height() * 8.0);
        p.drawImage(target, field);
        p.restore();
    }
    {
        QMutexLocker lock(&geo.paintLock);
        p.setTransform(toPixel);
        p.setBrush(Qt::NoBrush);
        QPen pen(border, 0.8);
        pen.setCosmetic(true);
        p.setPen(pen);
        p.drawPath(geo.borders);
        QPen coastPen(coast, 1.0);
        coastPen.setCosmetic(true);
        p.setPen(coastPen);
        p.drawPath(geo.land);
    }
    p.end();
    out.image = std::move(image);
    out.milliseconds = clock.nsecsElapsed() / 1e6;
    return out;
}

} // namespace stratus
