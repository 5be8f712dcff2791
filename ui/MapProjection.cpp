#include "MapProjection.h"

#include <QtMath>

#include <cmath>

namespace stratus {

namespace {
constexpr double kEquirectXScale = 0.8191520442889918; // cos 35°: a pleasing world aspect at mid latitudes
}

MapProjection::MapProjection(Kind kind) : m_kind(kind)
{
    const double phi1 = qDegreesToRadians(29.5), phi2 = qDegreesToRadians(45.5), phi0 = qDegreesToRadians(37.5);
    m_lambda0 = qDegreesToRadians(-96.0);
    m_n = (std::sin(phi1) + std::sin(phi2)) / 2;
    m_c = std::cos(phi1) * std::cos(phi1) + 2 * m_n * std::sin(phi1);
    m_rho0 = std::sqrt(m_c - 2 * m_n * std::sin(phi0)) / m_n;
}

QString MapProjection::name() const
{
    return m_kind == Kind::AlbersUsa ? QStringLiteral("Albers equal-area (North America)")
                                     : QStringLiteral("Equirectangular (world)");
}

QPointF MapProjection::project(double lon, double lat) const
{
    if (m_kind == Kind::Equirectangular)
        return {lon * kEquirectXScale, lat};
    const double rho = std::sqrt(std::max(0.0, m_c - 2 * m_n * std::sin(qDegreesToRadians(lat)))) / m_n;
    double dl = qDegreesToRadians(lon) - m_lambda0;
    // Keep θ continuous for western-hemisphere outlines that cross 180°.
    if (dl < -M_PI)
        dl += 2 * M_PI;
    else if (dl > M_PI)
        dl -= 2 * M_PI;
    const double theta = m_n * dl;
    return {rho * std::sin(theta), m_rho0 - rho * std::cos(theta)};
}

QPointF MapProjection::unproject(QPointF p) const
{
    if (m_kind == Kind::Equirectangular)
        return {p.x() / kEquirectXScale, p.y()};
    const double dy = m_rho0 - p.y();
    const double rho = std::copysign(std::sqrt(p.x() * p.x() + dy * dy), m_n);
    const double theta = std::atan2(p.x(), dy);
    const double s = (m_c - rho * rho * m_n * m_n) / (2 * m_n);
    const double lat = qRadiansToDegrees(std::asin(std::clamp(s, -1.0, 1.0)));
    const double lon = qRadiansToDegrees(m_lambda0 + theta / m_n);
    return {lon, lat};
}

QRectF MapProjection::usefulLonLat() const
{
    if (m_kind == Kind::Equirectangular)
        return QRectF(QPointF(-180, -90), QPointF(180, 90));
    return QRectF(QPointF(-180, 5), QPointF(-20, 85));
}

QRectF MapProjection::homeExtent() const
{
    if (m_kind == Kind::Equirectangular)
        return QRectF(QPointF(-180 * kEquirectXScale, -60), QPointF(180 * kEquirectXScale, 85));
    // Contiguous US with southern Canada and northern Mexico.
    QRectF r;
    for (const QPointF &ll : {QPointF(-125, 24), QPointF(-66, 24), QPointF(-125, 50), QPointF(-66, 50),
                              QPointF(-96, 23), QPointF(-96, 52)}) {
        const QPointF p = project(ll.x(), ll.y());
        r = r.isNull() ? QRectF(p, QSizeF(1e-9, 1e-9)) : r.united(QRectF(p, QSizeF(1e-9, 1e-9)));
    }
    return r;
}

} // namespace stratus
