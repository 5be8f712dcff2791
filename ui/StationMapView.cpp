#include "StationMapView.h"

#include "ColorRamp.h"
#include "DisplayUnits.h"
#include "Geo.h"
#include "LiveState.h"
#include "TimeUtil.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFrame>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QToolButton>
#include <QToolTip>
#include <QWheelEvent>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace stratus {

namespace {
constexpr int kNoDataSprite = ColorRamp::kBuckets;
constexpr int kAlertSprite0 = ColorRamp::kBuckets + 1; // + (severity + 1): none, info, warning, critical
constexpr double kMarkerRadius = 4.5;
// Above this many markers in view, they are drawn in a worker into a layer image: drawing 10,000
// sprites on the GUI thread took 20–70 ms per paint on the 2-core machine.
constexpr int kMarkerLayerThreshold = 1500;

QColor alertColour(int level)
{
    switch (level) {
    case 0: return QColor(0x3b, 0x82, 0xf6);  // info
    case 1: return QColor(0xf5, 0x9e, 0x0b);  // warning
    case 2: return QColor(0xdc, 0x26, 0x26);  // critical
    default: return QColor(0x22, 0xa0, 0x6b); // no alert
    }
}

bool validPosition(const Station &s)
{
    return s.hasLocation() && s.latitude >= -90 && s.latitude <= 90 && s.longitude >= -180 && s.longitude <= 180;
}

const std::array<Variable, 6> kMapVariables = {Variable::Temperature, Variable::Dewpoint, Variable::Humidity,
                                               Variable::WindSpeed,   Variable::Pressure, Variable::Visibility};
} // namespace

StationMapView::StationMapView(const LiveState &state, const DisplayUnits &units, QWidget *parent)
    : QWidget(parent), m_state(state), m_units(units)
{
    setObjectName(QStringLiteral("stationMap"));
    setMouseTracking(true);
    setFocusPolicy(Qt::WheelFocus);
    setMinimumSize(320, 240);
    setAttribute(Qt::WA_OpaquePaintEvent);
    buildControls();
    rebuildSprites();

    m_backgroundTimer.setSingleShot(true);
    connect(&m_backgroundTimer, &QTimer::timeout, this, &StationMapView::startBackground);
    connect(&m_renderWatcher, &QFutureWatcher<MapRenderResult>::finished, this, &StationMapView::backgroundFinished);
    connect(&m_markerWatcher, &QFutureWatcher<MapRenderResult>::finished, this, &StationMapView::markersFinished);
    connect(&m_units, &DisplayUnits::changed, this, [this] { update(); });
    // Snapshot the engine's state on a timer, never from the data path.
    connect(&m_refreshTimer, &QTimer::timeout, this, &StationMapView::refresh);
    m_refreshTimer.setObjectName(QStringLiteral("mapRefreshTimer"));
    m_backgroundTimer.setObjectName(QStringLiteral("mapBackgroundTimer"));
    m_refreshTimer.start(400);
    refresh();
}

StationMapView::~StationMapView()
{
    m_renderWatcher.waitForFinished();
    m_markerWatcher.waitForFinished();
}

void StationMapView::buildControls()
{
    m_controls = new QFrame(this);
    m_controls->setObjectName(QStringLiteral("mapControls"));
    m_controls->setFrameShape(QFrame::StyledPanel);
    m_controls->setAutoFillBackground(true);
    auto *layout = new QHBoxLayout(m_controls);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->setSpacing(6);
    layout->addWidget(new QLabel(tr("Colour by"), m_controls));
    m_colorCombo = new QComboBox(m_controls);
    m_colorCombo->setObjectName(QStringLiteral("mapColorBy"));
    for (Variable v : kMapVariables)
        m_colorCombo->addItem(DisplayUnits::variableLabel(v), index(v));
    m_colorCombo->addItem(tr("Alert state"), -1);
    layout->addWidget(m_colorCombo);
    m_fieldCheck = new QCheckBox(tr("Interpolated"), m_controls);
    m_fieldCheck->setObjectName(QStringLiteral("mapInterpolation"));
    m_fieldCheck->setToolTip(tr("Shade the land by inverse-distance weighting of the 8 nearest stations "
                                "(great-circle distance), up to 400 km from a station"));
    layout->addWidget(m_fieldCheck);
    m_projectionCombo = new QComboBox(m_controls);
    m_projectionCombo->setObjectName(QStringLiteral("mapProjection"));
    m_projectionCombo->addItem(tr("Auto"), static_cast<int>(ProjectionMode::Auto));
    m_projectionCombo->addItem(tr("N. America"), static_cast<int>(ProjectionMode::NorthAmerica));
    m_projectionCombo->addItem(tr("World"), static_cast<int>(ProjectionMode::World));
    layout->addWidget(m_projectionCombo);
    auto *fit = new QToolButton(m_controls);
    fit->setText(tr("Fit"));
    fit->setToolTip(tr("Zoom to all stations (Home)"));
    layout->addWidget(fit);
    m_controls->move(8, 8);
    m_controls->adjustSize();

    connect(m_colorCombo, &QComboBox::currentIndexChanged, this, [this] {
        const int v = m_colorCombo->currentData().toInt();
        if (v < 0) {
            setColorMode(ColorMode::AlertState);
        } else {
            m_colorMode = ColorMode::Value;
            setColorVariable(static_cast<Variable>(v));
        }
    });
    connect(m_fieldCheck, &QCheckBox::toggled, this, &StationMapView::setInterpolation);
    connect(m_projectionCombo, &QComboBox::currentIndexChanged, this, [this] {
        setProjectionMode(static_cast<ProjectionMode>(m_projectionCombo->currentData().toInt()));
    });
    connect(fit, &QToolButton::clicked, this, &StationMapView::fitToStations);
}

void StationMapView::syncControls()
{
    const QSignalBlocker b1(m_colorCombo), b2(m_fieldCheck), b3(m_projectionCombo);
    m_colorCombo->setCurrentIndex(m_colorCombo->findData(m_colorMode == ColorMode::AlertState ? -1 : index(m_variable)));
    m_fieldCheck->setChecked(m_interpolate);
    m_fieldCheck->setEnabled(m_colorMode == ColorMode::Value);
    m_projectionCombo->setCurrentIndex(m_projectionCombo->findData(static_cast<int>(m_projectionMode)));
}

void StationMapView::refresh()
{
    const quint64 generation = m_state.generation();
    if (generation == m_generation)
        return;
    m_generation = generation;
    if (m_state.stationCount() != m_catalogueSize)
        rebuildDots();
    m_latest = m_state.latestReadings();
    const qint64 anomalyCount = m_state.counters().anomaliesOut;
    if (anomalyCount != m_anomalyCount) {
        // Only the anomalies that arrived since the last look.
        const int fresh = static_cast<int>(std::min<qint64>(anomalyCount - m_anomalyCount, LiveState::kAnomalyHistory));
        m_anomalyCount = anomalyCount;
        for (const Anomaly &a : m_state.anomalies(std::numeric_limits<qint64>::min(), QString(), fresh)) {
            auto it = m_alertLevel.find(a.stationId);
            if (it == m_alertLevel.end())
                m_alertLevel.insert(a.stationId, static_cast<int>(a.severity));
            else
                *it = std::max(*it, static_cast<int>(a.severity));
        }
    }
    recolour();
    update();
    // The field follows the data at most every 3 s: it is the costly layer.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_interpolate && now - m_lastFieldMs > 3000) {
        m_lastFieldMs = now;
        scheduleBackground(0);
    }
}

void StationMapView::rebuildDots()
{
    const StationCatalogue catalogue = m_state.catalogue();
    m_catalogueSize = catalogue.size();
    m_dots.clear();
    m_dotIndex.clear();
    m_dots.reserve(catalogue.size());
    for (const Station &s : catalogue.stations()) {
        if (!validPosition(s) || (!m_filter.isEmpty() && !m_filter.contains(s.id)))
            continue;
        Dot d;
        d.id = s.id;
        d.lon = s.longitude;
        d.lat = s.latitude;
        m_dotIndex.insert(s.id, static_cast<int>(m_dots.size()));
        m_dots.push_back(std::move(d));
    }
    chooseProjection();
    for (Dot &d : m_dots)
        d.plane = m_projection.project(d.lon, d.lat);
    if (!m_viewInitialised && !m_dots.empty())
        fitToStations();
    if (m_hover >= static_cast<int>(m_dots.size()))
        m_hover = -1;
}

void StationMapView::chooseProjection()
{
    MapProjection::Kind kind = MapProjection::Kind::AlbersUsa;
    if (m_projectionMode == ProjectionMode::World) {
        kind = MapProjection::Kind::Equirectangular;
    } else if (m_projectionMode == ProjectionMode::Auto && !m_dots.empty()) {
        // A conic for North America is right when nearly all stations are there; otherwise the world.
        const QRectF na(QPointF(-170, 10), QPointF(-50, 75));
        const auto inside = std::count_if(m_dots.begin(), m_dots.end(),
                                          [&](const Dot &d) { return na.contains(d.lon, d.lat); });
        if (inside < 0.85 * static_cast<double>(m_dots.size()))
            kind = MapProjection::Kind::Equirectangular;
    }
    if (kind == m_projection.kind() && m_scale != 1)
        return;
    m_projection = MapProjection(kind);
    m_viewInitialised = false;
    m_background = QImage();
}

void StationMapView::recolour()
{
    ++m_markerSerial;
    std::vector<double> values;
    values.reserve(m_dots.size());
    for (Dot &d : m_dots) {
        const auto it = m_latest.constFind(d.id);
        d.value = it == m_latest.cend() ? std::numeric_limits<double>::quiet_NaN() : it->value(m_variable);
        d.alert = m_alertLevel.value(d.id, -1);
        if (!std::isnan(d.value))
            values.push_back(d.value);
    }
    // A robust range (2nd–98th percentile), so one broken sensor does not flatten every colour.
    if (!values.empty()) {
        std::sort(values.begin(), values.end());
        m_rangeLo = values[static_cast<size_t>(0.02 * (values.size() - 1))];
        m_rangeHi = values[static_cast<size_t>(0.98 * (values.size() - 1))];
        if (m_rangeHi - m_rangeLo < 1e-6) {
            m_rangeLo -= 0.5;
            m_rangeHi += 0.5;
        }
    }
    for (Dot &d : m_dots) {
        if (m_colorMode == ColorMode::AlertState)
            d.sprite = kAlertSprite0 + d.alert + 1;
        else if (std::isnan(d.value))
            d.sprite = kNoDataSprite;
        else
            d.sprite = ColorRamp::bucket((d.value - m_rangeLo) / (m_rangeHi - m_rangeLo));
    }
}

void StationMapView::rebuildSprites()
{
    const qreal dpr = devicePixelRatioF();
    const int side = static_cast<int>(std::ceil((kMarkerRadius * 2 + 2) * dpr));
    const QColor outline = isDark() ? QColor(10, 12, 16, 220) : QColor(40, 40, 40, 200);
    double radius = kMarkerRadius;
    auto make = [&](const QColor &fill) {
        QPixmap pm(side, side);
        pm.setDevicePixelRatio(dpr);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        p.setBrush(fill);
        const double c = side / dpr / 2.0;
        p.setPen(QPen(outline, radius < kMarkerRadius ? 0.7 : 1.0));
        p.drawEllipse(QPointF(c, c), radius, radius);
        return pm;
    };
    for (auto *set : {&m_sprites, &m_smallSprites}) {
        radius = set == &m_sprites ? kMarkerRadius : kMarkerRadius * 0.7;
        set->clear();
        for (int b = 0; b < ColorRamp::kBuckets; ++b)
            set->push_back(make(ColorRamp::color(ColorRamp::bucketCentre(b))));
        set->push_back(make(isDark() ? QColor(0x70, 0x78, 0x80) : QColor(0xb8, 0xbe, 0xc4))); // no data
        for (int level = -1; level <= 2; ++level)
            set->push_back(make(alertColour(level)));
    }
    // QImage copies for the worker thread (QPixmap belongs to the GUI thread).
    m_spriteImages.clear();
    m_smallSpriteImages.clear();
    for (const QPixmap &pm : m_sprites)
        m_spriteImages.push_back(pm.toImage());
    for (const QPixmap &pm : m_smallSprites)
        m_smallSpriteImages.push_back(pm.toImage());
    ++m_markerSerial;
}

bool StationMapView::isDark() const
{
    return palette().color(QPalette::Window).lightness() < 128;
}

void StationMapView::setColorVariable(Variable v)
{
    m_variable = v;
    m_colorMode = ColorMode::Value;
    syncControls();
    recolour();
    update();
    if (m_interpolate)
        scheduleBackground(0);
}

void StationMapView::setColorMode(ColorMode mode)
{
    m_colorMode = mode;
    syncControls();
    recolour();
    update();
    scheduleBackground(0);
}

void StationMapView::setInterpolation(bool on)
{
    m_interpolate = on;
    syncControls();
    update();
    scheduleBackground(0);
}

void StationMapView::setProjectionMode(ProjectionMode mode)
{
    m_projectionMode = mode;
    syncControls();
    rebuildDots();
    recolour();
    if (!m_viewInitialised)
        fitToStations();
    scheduleBackground(0);
}

void StationMapView::setStationFilter(const QSet<QString> &ids)
{
    m_filter = ids;
    m_catalogueSize = -1;
    rebuildDots();
    recolour();
    update();
    scheduleBackground(0);
}

void StationMapView::fitToStations()
{
    if (width() <= 0 || height() <= 0)
        return;
    QRectF extent = m_projection.homeExtent();
    std::vector<double> xs, ys;
    const QRectF useful = m_projection.usefulLonLat();
    for (const Dot &d : m_dots) {
        if (useful.contains(d.lon, d.lat)) {
            xs.push_back(d.plane.x());
            ys.push_back(d.plane.y());
        }
    }
    if (xs.size() >= 2) {
        // Fit the middle 98 % of stations: a few far-flung ones (Guam, Europe) should not shrink the map.
        std::sort(xs.begin(), xs.end());
        std::sort(ys.begin(), ys.end());
        const auto q = [](const std::vector<double> &v, double f) { return v[static_cast<size_t>(f * (v.size() - 1))]; };
        // Few stations: all of them, with room for labels.
        const double cut = xs.size() >= 100 ? 0.01 : 0.0;
        extent = QRectF(QPointF(q(xs, cut), q(ys, cut)), QPointF(q(xs, 1 - cut), q(ys, 1 - cut)));
        const double padFraction = xs.size() >= 100 ? 0.06 : 0.25;
        const double minPad = m_projection.homeExtent().width() * 0.02;
        const double padX = std::max(extent.width() * padFraction, minPad);
        const double padY = std::max(extent.height() * padFraction, minPad);
        extent.adjust(-padX, -padY, padX, padY);
    }
    m_center = extent.center();
    m_scale = std::min(width() / extent.width(), height() / extent.height());
    m_viewInitialised = true;
    m_userMoved = false;
    update();
    scheduleBackground(0);
}

void StationMapView::zoomAt(QPointF pixel, double factor)
{
    const QPointF anchor = toPixel().inverted().map(pixel);
    const QRectF home = m_projection.homeExtent();
    const double homeScale = std::min(width() / home.width(), height() / home.height());
    m_scale = std::clamp(m_scale * factor, homeScale * 0.25, homeScale * 600);
    m_userMoved = true;
    m_center = QPointF(anchor.x() - (pixel.x() - width() / 2.0) / m_scale,
                       anchor.y() + (pixel.y() - height() / 2.0) / m_scale);
    update();
    scheduleBackground(150);
}

void StationMapView::setUserPosition(const QGeoCoordinate &at, const QString &origin)
{
    m_user = at;
    m_userOrigin = origin;
    update();
}

void StationMapView::clearUserPosition()
{
    m_user = QGeoCoordinate();
    m_userOrigin.clear();
    update();
}

std::optional<QPointF> StationMapView::userPixel() const
{
    if (!m_user.isValid())
        return std::nullopt;
    const QPointF p = toPixel().map(m_projection.project(m_user.longitude(), m_user.latitude()));
    if (!rect().contains(p.toPoint()))
        return std::nullopt;
    return p;
}

void StationMapView::centreOn(const QGeoCoordinate &at, double radiusKm)
{
    if (!at.isValid() || width() <= 0 || height() <= 0)
        return;
    // The circle's bounding box (from Geo), projected: its corners and edge midpoints bound it in
    // the plane well enough to choose a scale.
    const QGeoRectangle box = Geo::boundingBox(at, radiusKm);
    double minX = std::numeric_limits<double>::max(), maxX = std::numeric_limits<double>::lowest();
    double minY = minX, maxY = maxX;
    for (double lon : {box.topLeft().longitude(), at.longitude(), box.bottomRight().longitude()}) {
        for (double lat : {box.topLeft().latitude(), at.latitude(), box.bottomRight().latitude()}) {
            const QPointF pt = m_projection.project(lon, lat);
            minX = std::min(minX, pt.x());
            maxX = std::max(maxX, pt.x());
            minY = std::min(minY, pt.y());
            maxY = std::max(maxY, pt.y());
        }
    }
    const QRectF extent(QPointF(minX, minY), QPointF(maxX, maxY));
    m_center = m_projection.project(at.longitude(), at.latitude());
    if (extent.width() > 0 && extent.height() > 0)
        m_scale = std::min(width() / extent.width(), height() / extent.height());
    m_viewInitialised = true;
    m_userMoved = true; // a resize keeps this view
    update();
    scheduleBackground(0);
}

void StationMapView::drawUser(QPainter &p, const QTransform &view)
{
    if (!m_user.isValid())
        return;
    const QPointF pt = view.map(m_projection.project(m_user.longitude(), m_user.latitude()));
    if (!QRectF(rect()).adjusted(-20, -20, 20, 20).contains(pt))
        return;
    // A "you are here" target, unlike any station marker (round dots in ramp or alert colours): a
    // soft halo, cross-hair ticks, a white ring and a violet core that no colour scale uses.
    const QColor violet(0x7c, 0x3a, 0xed);
    const QColor ink = isDark() ? QColor(0xf3, 0xf4, 0xf6) : QColor(0x1f, 0x29, 0x37);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(violet.red(), violet.green(), violet.blue(), 55));
    p.drawEllipse(pt, 16, 16);
    p.setPen(QPen(ink, 2, Qt::SolidLine, Qt::RoundCap));
    for (const QPointF d : {QPointF(1, 0), QPointF(-1, 0), QPointF(0, 1), QPointF(0, -1)})
        p.drawLine(pt + d * 10, pt + d * 15);
    p.setPen(QPen(ink, 1.2));
    p.setBrush(Qt::white);
    p.drawEllipse(pt, 8, 8);
    p.setPen(Qt::NoPen);
    p.setBrush(violet);
    p.drawEllipse(pt, 5, 5);
    const QPixmap &pm = labelPixmap(tr("You"), true);
    p.drawPixmap(QPointF(pt.x() - pm.width() / pm.devicePixelRatio() / 2, pt.y() + 15), pm);
}

void StationMapView::selectStation(const QString &id)
{
    if (id == m_selected)
        return;
    m_selected = id;
    update();
    emit stationSelected(id);
}

std::optional<QPointF> StationMapView::stationPosition(const QString &id) const
{
    const auto it = m_dotIndex.constFind(id);
    if (it == m_dotIndex.cend())
        return std::nullopt;
    const QPointF p = toPixel().map(m_dots[*it].plane);
    if (!rect().contains(p.toPoint()))
        return std::nullopt;
    return p;
}

bool StationMapView::backgroundReady() const
{
    return !m_background.isNull() && m_bgCenter == m_center && m_bgScale == m_scale && m_bgSize == size() &&
           !m_renderWatcher.isRunning() && !m_backgroundTimer.isActive() && m_bgInterpolated == (m_interpolate && m_colorMode == ColorMode::Value);
}

void StationMapView::scheduleBackground(int delayMs)
{
    m_backgroundTimer.start(delayMs);
}

void StationMapView::startBackground()
{
    if (m_renderWatcher.isRunning()) {
        m_backgroundDirty = true; // render again with the newest view when this one is done
        return;
    }
    if (!m_viewInitialised)
        fitToStations();
    MapRenderRequest r;
    r.projection = m_projection.kind();
    r.center = m_center;
    r.scale = m_scale;
    r.size = size();
    r.devicePixelRatio = devicePixelRatioF();
    r.dark = isDark();
    r.interpolate = m_interpolate && m_colorMode == ColorMode::Value;
    r.serial = ++m_renderSerial;
    if (r.interpolate) {
        r.samples.reserve(static_cast<qsizetype>(m_dots.size()));
        for (const Dot &d : m_dots) {
            if (!std::isnan(d.value))
                r.samples.append({d.lon, d.lat, d.plane, (d.value - m_rangeLo) / (m_rangeHi - m_rangeLo)});
        }
    }
    m_renderWatcher.setFuture(QtConcurrent::run(&MapRenderer::render, r));
}

void StationMapView::startMarkers()
{
    if (m_markerWatcher.isRunning()) {
        m_markerDirty = true;
        return;
    }
    if (m_mlSerial == m_markerSerial && m_mlCenter == m_center && m_mlScale == m_scale && m_mlSize == size())
        return;
    MarkerLayerRequest r;
    r.center = m_center;
    r.scale = m_scale;
    r.size = size();
    r.devicePixelRatio = devicePixelRatioF();
    r.half = kMarkerRadius + 1;
    r.serial = m_markerSerial;
    const std::vector<QImage> &images = m_smallSpriteImages;
    r.spriteImages = QList<QImage>(images.begin(), images.end());
    const QTransform t = toPixel();
    const QRectF area = QRectF(rect()).adjusted(-10, -10, 10, 10);
    r.planes.reserve(static_cast<qsizetype>(m_dots.size()));
    r.sprites.reserve(static_cast<qsizetype>(m_dots.size()));
    for (int pass = 0; pass < 2; ++pass) {
        for (const Dot &d : m_dots) {
            if (d.sprite < 0 || (d.sprite == kNoDataSprite || d.sprite == kAlertSprite0) != (pass == 0))
                continue;
            if (!area.contains(t.map(d.plane)))
                continue;
            r.planes.append(d.plane);
            r.sprites.append(d.sprite);
        }
    }
    m_markerWatcher.setFuture(QtConcurrent::run(&MapRenderer::renderMarkers, r));
}

void StationMapView::markersFinished()
{
    const MapRenderResult result = m_markerWatcher.result();
    if (!result.image.isNull()) {
        m_markerLayer = result.image;
        m_mlCenter = result.center;
        m_mlScale = result.scale;
        m_mlSize = result.size;
        m_mlSerial = result.serial;
    }
    update();
    if (m_markerDirty) {
        m_markerDirty = false;
        startMarkers();
    }
}

void StationMapView::backgroundFinished()
{
    const MapRenderResult result = m_renderWatcher.result();
    if (!result.image.isNull()) {
        m_background = result.image;
        m_bgCenter = result.center;
        m_bgScale = result.scale;
        m_bgSize = result.size;
        m_bgInterpolated = m_interpolate && m_colorMode == ColorMode::Value;
    }
    m_lastRenderMs = result.milliseconds;
    m_mapError = result.error;
    update();
    emit backgroundRendered(result.milliseconds);
    const bool stale = m_bgCenter != m_center || m_bgScale != m_scale || m_bgSize != size();
    if (m_backgroundDirty || stale) {
        m_backgroundDirty = false;
        if (!m_backgroundTimer.isActive())
            startBackground();
    }
}

int StationMapView::dotAt(QPointF pixel, double radius) const
{
    const QTransform t = toPixel();
    int best = -1;
    double bestD = radius * radius;
    for (size_t i = 0; i < m_dots.size(); ++i) {
        const QPointF d = t.map(m_dots[i].plane) - pixel;
        const double dd = d.x() * d.x() + d.y() * d.y();
        if (dd <= bestD) {
            bestD = dd;
            best = static_cast<int>(i);
        }
    }
    return best;
}

QString StationMapView::tooltipFor(const Dot &dot) const
{
    QString text = QStringLiteral("<b>%1</b>").arg(dot.id.toHtmlEscaped());
    text += QStringLiteral("<br/>%1°, %2°").arg(dot.lat, 0, 'f', 2).arg(dot.lon, 0, 'f', 2);
    const auto it = m_latest.constFind(dot.id);
    if (it == m_latest.cend())
        return text + QStringLiteral("<br/><i>%1</i>").arg(tr("no reading yet"));
    text += QStringLiteral("<br/>%1 UTC").arg(timeutil::toIsoUtc(it->timestampMs).replace(QLatin1Char('T'), QLatin1Char(' ')).chopped(1));
    for (Variable v : {Variable::Temperature, Variable::Dewpoint, Variable::Humidity, Variable::WindSpeed,
                       Variable::WindDirection, Variable::Pressure, Variable::Visibility}) {
        if (it->has(v))
            text += QStringLiteral("<br/>%1: %2").arg(DisplayUnits::variableLabel(v), m_units.format(v, it->value(v)));
    }
    if (dot.alert >= 0)
        text += QStringLiteral("<br/><b>%1: %2</b>").arg(tr("Alerts"), severityKey(static_cast<Severity>(dot.alert)));
    return text;
}

void StationMapView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QColor ocean = isDark() ? QColor(0x17, 0x1f, 0x29) : QColor(0xd6, 0xe4, 0xf0);
    const QTransform view = toPixel();
    if (m_background.isNull()) {
        p.fillRect(rect(), ocean);
        p.setPen(palette().color(QPalette::Text));
        p.drawText(rect(), Qt::AlignCenter, tr("Drawing the map…"));
    } else {
        const QTransform bg = MapRenderer::viewTransform(m_bgCenter, m_bgScale, m_bgSize).inverted() * view;
        if (!bg.isIdentity()) {
            // Zooming or panning: stretch the last background until the worker delivers a sharp one.
            p.fillRect(rect(), ocean);
            p.setTransform(bg); // nearest-neighbour: a smooth scale of the whole image costs tens of ms
        }
        p.drawImage(QPointF(0, 0), m_background);
        p.resetTransform();
    }

    // Markers in view only, each a pre-rendered sprite.
    const QRectF area = QRectF(rect()).adjusted(-kMarkerRadius, -kMarkerRadius, kMarkerRadius, kMarkerRadius);
    const double half = kMarkerRadius + 1;
    std::vector<std::pair<QPointF, int>> visible;
    visible.reserve(m_dots.size());
    for (size_t i = 0; i < m_dots.size(); ++i) {
        const QPointF pt = view.map(m_dots[i].plane);
        if (area.contains(pt))
            visible.emplace_back(pt, static_cast<int>(i));
    }
    m_visibleCount = static_cast<int>(visible.size());
    // Smaller markers where hundreds crowd the view; no-data markers first, so coloured ones stay on top.
    const std::vector<QPixmap> &sprites = m_visibleCount > 500 ? m_smallSprites : m_sprites;
    const bool layered = m_visibleCount > kMarkerLayerThreshold;
    if (layered) {
        if (!m_markerLayer.isNull()) {
            p.setTransform(MapRenderer::viewTransform(m_mlCenter, m_mlScale, m_mlSize).inverted() * view);
            p.drawImage(QPointF(0, 0), m_markerLayer);
            p.resetTransform();
        }
        if (m_mlSerial != m_markerSerial || m_mlCenter != m_center || m_mlScale != m_scale || m_mlSize != size())
            QMetaObject::invokeMethod(this, &StationMapView::startMarkers, Qt::QueuedConnection);
    }
    for (int pass = 0; pass < 2 && !layered; ++pass) {
        for (const auto &[pt, i] : visible) {
            const int sprite = m_dots[i].sprite;
            if ((sprite == kNoDataSprite || sprite == kAlertSprite0) != (pass == 0) || sprite < 0)
                continue;
            p.drawPixmap(QPointF(pt.x() - half, pt.y() - half), sprites[sprite]);
        }
    }

    p.setRenderHint(QPainter::Antialiasing);
    QFont labelFont = font();
    labelFont.setPointSizeF(std::max(7.0, labelFont.pointSizeF() - 1.5));
    p.setFont(labelFont);
    const QColor text = isDark() ? QColor(0xe6, 0xe9, 0xec) : QColor(0x1d, 0x23, 0x2a);
    const QColor halo = isDark() ? QColor(0x10, 0x14, 0x18, 200) : QColor(0xff, 0xff, 0xff, 210);
    auto label = [&](QPointF pt, const QString &s, bool bold = false) {
        const QPixmap &pm = labelPixmap(s, bold);
        p.drawPixmap(QPointF(pt.x() + half + 1, pt.y() - pm.height() / pm.devicePixelRatio() / 2), pm);
    };
    // Labels only when close enough to read them, and never on top of each other: greedily, the
    // selected station's first, then in drawing order; a label that would overlap one already
    // placed is left out (its tooltip still names the station).
    if (m_visibleCount <= 220) {
        std::vector<QRectF> placed;
        placed.reserve(visible.size() + 1);
        const auto box = [&](QPointF pt, const QString &s) {
            const QPixmap &pm = labelPixmap(s, false);
            const QSizeF sz = pm.deviceIndependentSize();
            return QRectF(QPointF(pt.x() + half + 1, pt.y() - sz.height() / 2), sz).adjusted(1, 2, -1, -2);
        };
        if (const auto sel = m_dotIndex.constFind(m_selected); sel != m_dotIndex.cend())
            placed.push_back(box(view.map(m_dots[*sel].plane) + QPointF(4, 0), m_dots[*sel].id));
        for (const auto &[pt, i] : visible) {
            if (m_dots[i].id == m_selected)
                continue;
            const QRectF r = box(pt, m_dots[i].id);
            if (std::any_of(placed.begin(), placed.end(), [&](const QRectF &o) { return o.intersects(r); }))
                continue;
            placed.push_back(r);
            label(pt, m_dots[i].id);
        }
    }
    if (m_hover >= 0 && m_hover < static_cast<int>(m_dots.size())) {
        p.setPen(QPen(text, 1.5));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(view.map(m_dots[m_hover].plane), kMarkerRadius + 3, kMarkerRadius + 3);
    }
    const auto sel = m_dotIndex.constFind(m_selected);
    if (sel != m_dotIndex.cend()) {
        const QPointF pt = view.map(m_dots[*sel].plane);
        p.setPen(QPen(QColor(0xff, 0xff, 0xff), 4));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(pt, kMarkerRadius + 5, kMarkerRadius + 5);
        p.setPen(QPen(palette().color(QPalette::Highlight), 2.5));
        p.drawEllipse(pt, kMarkerRadius + 5, kMarkerRadius + 5);
        label(pt + QPointF(4, 0), m_dots[*sel].id, true);
    }
    drawUser(p, view);
    const QRect legend = placeLegend(visible);
    drawLegend(p, legend);

    // Attribution and status, bottom right.
    p.setFont(labelFont);
    QString footer = tr("%1 of %2 stations in view · %3 · maps: Natural Earth, US Census")
                         .arg(m_visibleCount)
                         .arg(m_dots.size())
                         .arg(m_projection.name());
    if (p.fontMetrics().horizontalAdvance(footer) > width() - 280)
        footer = tr("%1 of %2 stations in view").arg(m_visibleCount).arg(m_dots.size());
    const QRect fr = p.fontMetrics().boundingRect(footer).adjusted(-6, -3, 6, 3);
    // In the bottom corner the legend leaves free, or above the legend when both do not fit.
    QRect footerRect(m_legendCorner == 1 ? 6 : width() - fr.width() - 6, height() - fr.height() - 6, fr.width(), fr.height());
    if (footerRect.intersects(legend))
        footerRect.moveBottom(legend.top() - 4);
    p.setPen(Qt::NoPen);
    p.setBrush(halo);
    p.drawRoundedRect(footerRect, 4, 4);
    p.setPen(text);
    p.drawText(footerRect, Qt::AlignCenter, footer);
    if (!m_mapError.isEmpty()) {
        p.setPen(QColor(0xdc, 0x26, 0x26));
        p.drawText(rect().adjusted(10, 50, -10, -10), Qt::AlignTop | Qt::AlignLeft | Qt::TextWordWrap, m_mapError);
    }
}

QPixmap StationMapView::labelPixmap(const QString &text, bool bold) const
{
    const QString key = bold ? QStringLiteral("*") + text : text;
    const auto it = m_labelCache.constFind(key);
    if (it != m_labelCache.cend())
        return *it;
    // Text with a one-pixel halo, drawn once per station and theme: five drawText calls per label
    // per paint were the map's most expensive part at close zoom.
    QFont f = font();
    f.setPointSizeF(std::max(7.0, f.pointSizeF() - 1.5));
    f.setBold(bold);
    const QFontMetrics fm(f);
    const qreal dpr = devicePixelRatioF();
    const QSize size(fm.horizontalAdvance(text) + 4, fm.height() + 2);
    QPixmap pm(size * dpr);
    pm.setDevicePixelRatio(dpr);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::TextAntialiasing);
    p.setFont(f);
    const QPointF at(2, 1 + fm.ascent());
    p.setPen(isDark() ? QColor(0x10, 0x14, 0x18, 200) : QColor(0xff, 0xff, 0xff, 220));
    for (const QPointF &o : {QPointF(-1, 0), QPointF(1, 0), QPointF(0, -1), QPointF(0, 1)})
        p.drawText(at + o, text);
    p.setPen(isDark() ? QColor(0xe6, 0xe9, 0xec) : QColor(0x1d, 0x23, 0x2a));
    p.drawText(at, text);
    p.end();
    if (m_labelCache.size() > 20000)
        m_labelCache.clear();
    m_labelCache.insert(key, pm);
    return pm;
}

QRect StationMapView::placeLegend(const std::vector<std::pair<QPointF, int>> &visible)
{
    // Small views get a narrower legend: 250 px was a third of a 700 px wide dock.
    const bool compact = width() < 720 || height() < 480;
    const QSize size(compact ? (m_colorMode == ColorMode::AlertState ? 236 : 180) : 250, compact ? 60 : 68);
    const int margin = compact ? 6 : 10;
    const int top = m_controls ? m_controls->geometry().bottom() + margin : margin;
    const std::array<QRect, 3> corners = {
        QRect(QPoint(margin, height() - size.height() - margin), size),
        QRect(QPoint(width() - size.width() - margin, height() - size.height() - margin), size),
        QRect(QPoint(width() - size.width() - margin, std::max(margin, m_controls && m_controls->geometry().right() + size.width() + 2 * margin > width() ? top : margin)), size),
    };
    std::array<int, 3> covered{};
    for (const auto &[pt, i] : visible) {
        for (size_t c = 0; c < corners.size(); ++c) {
            if (QRectF(corners[c]).adjusted(-kMarkerRadius, -kMarkerRadius, kMarkerRadius, kMarkerRadius).contains(pt))
                ++covered[c];
        }
    }
    int best = m_legendCorner;
    for (int c = 0; c < static_cast<int>(corners.size()); ++c) {
        if (covered[c] < covered[best])
            best = c;
    }
    m_legendCorner = best;
    m_legendRect = corners[best];
    return m_legendRect;
}

void StationMapView::drawLegend(QPainter &p, const QRect &box)
{
    const bool alerts = m_colorMode == ColorMode::AlertState;
    const QColor text = isDark() ? QColor(0xe6, 0xe9, 0xec) : QColor(0x1d, 0x23, 0x2a);
    p.setPen(isDark() ? QColor(0x55, 0x5f, 0x6a) : QColor(0xc0, 0xc6, 0xcc));
    p.setBrush(isDark() ? QColor(0x1e, 0x24, 0x2b, 225) : QColor(0xff, 0xff, 0xff, 225));
    p.drawRoundedRect(box, 6, 6);
    QFont f = font();
    f.setBold(true);
    p.setFont(f);
    p.setPen(text);
    const QRect inner = box.adjusted(box.width() < 250 ? 8 : 10, 6, box.width() < 250 ? -8 : -10, -6);
    if (alerts) {
        p.drawText(inner, Qt::AlignTop | Qt::AlignLeft, tr("Alert state (worst recent)"));
        p.setFont(font());
        const QStringList names = {tr("none"), tr("info"), tr("warning"), tr("critical")};
        int x = inner.left();
        for (int level = -1; level <= 2; ++level) {
            p.setPen(Qt::NoPen);
            p.setBrush(alertColour(level));
            p.drawEllipse(QPointF(x + 6, inner.top() + 36), 5, 5);
            p.setPen(text);
            p.drawText(QPointF(x + 15, inner.top() + 41), names[level + 1]);
            x += 15 + p.fontMetrics().horizontalAdvance(names[level + 1]) + (box.width() < 250 ? 6 : 12);
        }
        return;
    }
    QString title = QStringLiteral("%1 (%2)").arg(DisplayUnits::variableLabel(m_variable), m_units.symbol(m_variable));
    if (m_interpolate)
        title += tr(" · IDW field");
    p.drawText(inner, Qt::AlignTop | Qt::AlignLeft, p.fontMetrics().elidedText(title, Qt::ElideRight, inner.width()));
    p.setFont(font());
    const QRectF bar(inner.left(), inner.top() + 24, inner.width(), 10);
    QLinearGradient g(bar.topLeft(), bar.topRight());
    for (int i = 0; i <= 10; ++i)
        g.setColorAt(i / 10.0, ColorRamp::color(i / 10.0));
    p.setPen(Qt::NoPen);
    p.setBrush(g);
    p.drawRect(bar);
    p.setPen(text);
    const auto fmt = [&](double x) { return QString::number(m_units.toDisplay(m_variable, x), 'f', 1); };
    p.drawText(QRectF(bar.left(), bar.bottom() + 2, bar.width(), 16), Qt::AlignLeft, fmt(m_rangeLo));
    p.drawText(QRectF(bar.left(), bar.bottom() + 2, bar.width(), 16), Qt::AlignHCenter, fmt((m_rangeLo + m_rangeHi) / 2));
    p.drawText(QRectF(bar.left(), bar.bottom() + 2, bar.width(), 16), Qt::AlignRight, fmt(m_rangeHi));
}

void StationMapView::resizeEvent(QResizeEvent *)
{
    if (!m_viewInitialised || !m_userMoved)
        fitToStations();
    scheduleBackground(120);
}

void StationMapView::wheelEvent(QWheelEvent *event)
{
    zoomAt(event->position(), std::pow(1.0015, event->angleDelta().y()));
    event->accept();
}

void StationMapView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        m_pressPos = event->position().toPoint();
        m_pressCenter = m_center;
        m_dragging = false;
    }
}

void StationMapView::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton) {
        const QPoint delta = event->position().toPoint() - m_pressPos;
        if (m_dragging || delta.manhattanLength() > 3) {
            m_dragging = true;
            m_userMoved = true;
            m_center = QPointF(m_pressCenter.x() - delta.x() / m_scale, m_pressCenter.y() + delta.y() / m_scale);
            update();
            scheduleBackground(150);
        }
        return;
    }
    const int hover = dotAt(event->position(), 9);
    if (hover != m_hover) {
        m_hover = hover;
        update();
    }
    const auto user = userPixel();
    if (hover >= 0)
        QToolTip::showText(event->globalPosition().toPoint(), tooltipFor(m_dots[hover]), this);
    else if (user && QLineF(*user, event->position()).length() <= 9)
        QToolTip::showText(event->globalPosition().toPoint(),
                           tr("<b>You are here</b><br/>%1<br/>from %2").arg(Geo::format(m_user), m_userOrigin.toHtmlEscaped()), this);
    else
        QToolTip::hideText();
}

void StationMapView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    if (!m_dragging) {
        const int hit = dotAt(event->position(), 9);
        if (hit >= 0)
            selectStation(m_dots[hit].id);
    }
    m_dragging = false;
}

void StationMapView::mouseDoubleClickEvent(QMouseEvent *event)
{
    zoomAt(event->position(), event->modifiers() & Qt::ShiftModifier ? 0.5 : 2.0);
}

void StationMapView::keyPressEvent(QKeyEvent *event)
{
    const QPointF mid(width() / 2.0, height() / 2.0);
    const double step = 80 / m_scale;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomAt(mid, 1.5); break;
    case Qt::Key_Minus: zoomAt(mid, 1 / 1.5); break;
    case Qt::Key_Home: fitToStations(); break;
    case Qt::Key_Left: m_center.rx() -= step; break;
    case Qt::Key_Right: m_center.rx() += step; break;
    case Qt::Key_Up: m_center.ry() += step; break;
    case Qt::Key_Down: m_center.ry() -= step; break;
    default: QWidget::keyPressEvent(event); return;
    }
    m_userMoved = event->key() != Qt::Key_Home;
    update();
    scheduleBackground(150);
}

void StationMapView::leaveEvent(QEvent *event)
{
    m_hover = -1;
    update();
    QWidget::leaveEvent(event);
}

void StationMapView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) {
        rebuildSprites();
        m_labelCache.clear();
        scheduleBackground(0);
        update();
    }
    QWidget::changeEvent(event);
}

} // namespace stratus
