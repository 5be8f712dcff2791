#pragma once

#include "MapProjection.h"
#include "MapRenderer.h"
#include "Reading.h"
#include "Variable.h"

#include <QFutureWatcher>
#include <QGeoCoordinate>
#include <QHash>
#include <QPixmap>
#include <QSet>
#include <QTimer>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QFrame;
class QLabel;

namespace stratus {

class DisplayUnits;
class LiveState;

// The station map: bundled TopoJSON outlines in a fitting projection, stations as markers coloured by a
// variable or by alert state, labels at close zoom, hover tooltips, click to select, and a switchable
// inverse-distance-weighted shaded layer with a legend. Outline and field are rendered off the GUI
// thread into an image; a paint only blits that image and the markers that are in view.
class StationMapView : public QWidget
{
    Q_OBJECT
public:
    enum class ColorMode { Value, AlertState };
    enum class ProjectionMode { Auto, NorthAmerica, World };

    StationMapView(const LiveState &state, const DisplayUnits &units, QWidget *parent = nullptr);
    ~StationMapView() override;

    // Pulls a fresh snapshot from LiveState when it changed (called by the view's own timer).
    void refresh();

    QString selectedStation() const { return m_selected; }
    void selectStation(const QString &id); // emits stationSelected
    // Where the station's marker is drawn, in widget pixels; nullopt when it is not on the map.
    std::optional<QPointF> stationPosition(const QString &id) const;
    int stationCount() const { return static_cast<int>(m_dots.size()); }
    int visibleStationCount() const { return m_visibleCount; }
    bool backgroundReady() const; // the cached background matches the current view
    double lastRenderMs() const { return m_lastRenderMs; }
    QRect legendRect() const { return m_legendRect; } // as last painted
    QString mapError() const { return m_mapError; }

    Variable colorVariable() const { return m_variable; }
    ColorMode colorMode() const { return m_colorMode; }
    bool interpolation() const { return m_interpolate; }
    ProjectionMode projectionMode() const { return m_projectionMode; }
    MapProjection::Kind activeProjection() const { return m_projection.kind(); }
    void setColorVariable(Variable v);
    void setColorMode(ColorMode mode);
    void setInterpolation(bool on);
    void setProjectionMode(ProjectionMode mode);
    // Show only these stations (empty = all), as chosen in the sources dialog.
    void setStationFilter(const QSet<QString> &ids);
    void fitToStations();
    // Zoom by a factor around a widget point (wheel and tests).
    void zoomAt(QPointF pixel, double factor);

    // The user's position ("stations near me"), drawn as a distinct marker; origin goes in its tooltip.
    void setUserPosition(const QGeoCoordinate &at, const QString &origin);
    void clearUserPosition();
    QGeoCoordinate userPosition() const { return m_user; }
    // Where the user's marker is drawn, in widget pixels; nullopt when unknown or out of view.
    std::optional<QPointF> userPixel() const;
    // Centres the view on a point, showing about radiusKm around it.
    void centreOn(const QGeoCoordinate &at, double radiusKm = 250);

signals:
    void stationSelected(const QString &id);
    void backgroundRendered(double milliseconds);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void changeEvent(QEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    struct Dot
    {
        QString id;
        double lon = 0;
        double lat = 0;
        QPointF plane;
        double value = std::numeric_limits<double>::quiet_NaN();
        int alert = -1; // -1 none, else Severity
        int sprite = -1;
    };

    void buildControls();
    void rebuildDots();
    void recolour();
    void rebuildSprites();
    void scheduleBackground(int delayMs);
    void startBackground();
    void backgroundFinished();
    void chooseProjection();
    void startMarkers();
    void markersFinished();
    QTransform toPixel() const { return MapRenderer::viewTransform(m_center, m_scale, size()); }
    int dotAt(QPointF pixel, double radius) const;
    QString tooltipFor(const Dot &dot) const;
    void drawLegend(QPainter &p, const QRect &box);
    void drawUser(QPainter &p, const QTransform &view);
    // Where the legend goes: compact in a small view, in the free corner that covers the fewest
    // markers in view (kept while it stays as good, so it does not jump while panning).
    QRect placeLegend(const std::vector<std::pair<QPointF, int>> &visible);
    bool isDark() const;
    void syncControls();

    const LiveState &m_state;
    const DisplayUnits &m_units;
    MapProjection m_projection;
    ProjectionMode m_projectionMode = ProjectionMode::Auto;
    QPointF m_center;
    double m_scale = 1;
    bool m_viewInitialised = false;
    bool m_userMoved = false; // until the user zooms or pans, a resize refits the stations

    std::vector<Dot> m_dots;
    QHash<QString, int> m_dotIndex;
    QHash<QString, Reading> m_latest;
    QSet<QString> m_filter;
    qsizetype m_catalogueSize = -1;
    quint64 m_generation = ~0ULL;
    qint64 m_anomalyCount = 0;
    QHash<QString, int> m_alertLevel;
    Variable m_variable = Variable::Temperature;
    ColorMode m_colorMode = ColorMode::Value;
    bool m_interpolate = false;
    double m_rangeLo = 0, m_rangeHi = 1;
    QString m_selected;
    int m_hover = -1;
    int m_visibleCount = 0;
    std::vector<QPixmap> m_sprites;      // normal markers
    std::vector<QPixmap> m_smallSprites; // when many stations crowd the view
    mutable QHash<QString, QPixmap> m_labelCache; // id → pre-rendered label with halo (theme-specific)
    QPixmap labelPixmap(const QString &text, bool bold) const;

    // Background (outline + field), rendered in a worker thread.
    QFutureWatcher<MapRenderResult> m_renderWatcher;
    QTimer m_backgroundTimer;
    bool m_backgroundDirty = false;
    quint64 m_renderSerial = 0;
    QImage m_background;
    QPointF m_bgCenter;
    double m_bgScale = 0;
    QSize m_bgSize;
    bool m_bgInterpolated = false;
    double m_lastRenderMs = 0;
    QString m_mapError;
    qint64 m_lastFieldMs = 0;

    // Marker layer, rendered in a worker when more than kMarkerLayerThreshold markers are in view.
    QFutureWatcher<MapRenderResult> m_markerWatcher;
    QImage m_markerLayer;
    QPointF m_mlCenter;
    double m_mlScale = 0;
    QSize m_mlSize;
    quint64 m_markerSerial = 0;   // bumped when colours or the station set change
    quint64 m_mlSerial = ~0ULL;   // serial the current layer was drawn with
    bool m_markerDirty = false;
    std::vector<QImage> m_spriteImages;
    std::vector<QImage> m_smallSpriteImages;

    int m_legendCorner = 0; // 0 bottom left, 1 bottom right, 2 top right
    QRect m_legendRect;

    QGeoCoordinate m_user;
    QString m_userOrigin;

    QTimer m_refreshTimer;
    QPoint m_pressPos;
    QPointF m_pressCenter;
    bool m_dragging = false;

    QFrame *m_controls = nullptr;
    QComboBox *m_colorCombo = nullptr;
    QCheckBox *m_fieldCheck = nullptr;
    QComboBox *m_projectionCombo = nullptr;
};

} // namespace stratus
