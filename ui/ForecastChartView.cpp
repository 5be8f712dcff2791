#include "ForecastChartView.h"

#include "AxisScale.h"
#include "DisplayUnits.h"
#include "LiveState.h"
#include "TimeUtil.h"

#include <QApplication>
#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QSaveFile>
#include <QScatterSeries>
#include <QTextStream>
#include <QToolButton>
#include <QValueAxis>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace stratus {

namespace {
constexpr int kValueIntervals = 5; // tick steps on each value axis
const std::array<Variable, 6> kChartVariables = {Variable::Temperature, Variable::Dewpoint, Variable::Humidity,
                                                 Variable::WindSpeed,   Variable::Pressure, Variable::Visibility};
}

QColor ForecastChartView::colourOf(Variable v)
{
    switch (v) {
    case Variable::Temperature: return QColor(0xe4, 0x57, 0x2e);
    case Variable::Dewpoint: return QColor(0xd3, 0x8b, 0x00);
    case Variable::Humidity: return QColor(0x2e, 0x86, 0xde);
    case Variable::WindSpeed: return QColor(0x16, 0xa0, 0x85);
    case Variable::WindGust: return QColor(0x0e, 0x6e, 0x5c);
    case Variable::Pressure: return QColor(0x9b, 0x59, 0xb6);
    default: return QColor(0x7f, 0x8c, 0x8d);
    }
}

ForecastChartView::ForecastChartView(const LiveState &state, const DisplayUnits &units, QWidget *parent)
    : QWidget(parent), m_state(state), m_units(units), m_chart(new QChart)
{
    setObjectName(QStringLiteral("forecastChart"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *bar = new QHBoxLayout;
    m_title = new QLabel(tr("Select a station on the map or in the table"), this);
    QFont f = m_title->font();
    f.setBold(true);
    m_title->setFont(f);
    bar->addWidget(m_title, 1);
    // Variables as a compact menu of checkable actions: the toolbar must not force the dock wide.
    auto *varButton = new QToolButton(this);
    varButton->setText(tr("Variables"));
    varButton->setObjectName(QStringLiteral("chartVariables"));
    varButton->setPopupMode(QToolButton::InstantPopup);
    auto *varMenu = new QMenu(varButton);
    for (Variable v : kChartVariables) {
        QAction *a = varMenu->addAction(DisplayUnits::variableLabel(v));
        a->setCheckable(true);
        a->setChecked(m_variables.contains(v));
        connect(a, &QAction::toggled, this, [this] {
            QList<Variable> vars;
            for (Variable x : kChartVariables) {
                if (m_variableActions.value(index(x))->isChecked())
                    vars.append(x);
            }
            setVariables(vars);
        });
        m_variableActions.insert(index(v), a);
    }
    varButton->setMenu(varMenu);
    bar->addWidget(varButton);
    m_rangeCombo = new QComboBox(this);
    m_rangeCombo->setObjectName(QStringLiteral("chartRange"));
    m_rangeCombo->setToolTip(tr("Time range before the newest reading (the forecast adds up to 24 h after it)"));
    for (auto [label, hours] : {std::pair{tr("Last 1 h"), 1}, {tr("Last 6 h"), 6}, {tr("Last 24 h"), 24},
                                {tr("Last 48 h"), 48}, {tr("Last 7 days"), 168}, {tr("Everything"), 0}})
        m_rangeCombo->addItem(label, hours);
    m_rangeCombo->setCurrentIndex(m_rangeCombo->findData(m_rangeHours));
    connect(m_rangeCombo, &QComboBox::currentIndexChanged, this,
            [this] { setRangeHours(m_rangeCombo->currentData().toInt()); });
    bar->addWidget(m_rangeCombo);
    auto *reset = new QToolButton(this);
    reset->setText(tr("Reset zoom"));
    connect(reset, &QToolButton::clicked, this, &ForecastChartView::resetZoom);
    bar->addWidget(reset);
    auto *csv = new QToolButton(this);
    csv->setText(tr("CSV…"));
    csv->setToolTip(tr("Export the visible range to CSV"));
    connect(csv, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export visible range"), m_station + QStringLiteral(".csv"),
                                                          tr("CSV files (*.csv)"));
        if (path.isEmpty())
            return;
        const auto written = exportCsv(path);
        if (!written)
            QMessageBox::warning(this, tr("Export failed"), written.errorMessage());
    });
    bar->addWidget(csv);
    auto *png = new QToolButton(this);
    png->setText(tr("PNG…"));
    png->setToolTip(tr("Save the chart as an image"));
    connect(png, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save chart image"), m_station + QStringLiteral(".png"),
                                                          tr("PNG images (*.png)"));
        if (path.isEmpty())
            return;
        const auto saved = exportPng(path);
        if (!saved)
            QMessageBox::warning(this, tr("Export failed"), saved.errorMessage());
    });
    bar->addWidget(png);
    layout->addLayout(bar);

    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_timeAxis = new QDateTimeAxis;
    m_timeAxis->setFormat(QStringLiteral("MM-dd HH:mm"));
    m_timeAxis->setTitleText(tr("time (local)"));
    m_timeAxis->setTickCount(5);
    m_chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setRubberBand(QChartView::HorizontalRubberBand);
    m_view->setToolTip(tr("Drag to zoom into a time span, wheel to zoom, right-drag to pan, double-click to reset"));
    m_view->viewport()->installEventFilter(this);
    layout->addWidget(m_view, 1);
    auto *caption = new QLabel(tr("solid: observed · dashed with band: window mean ± std · dotted with band: forecast "
                                  "(10–90 %) · red squares: anomalies"),
                               this);
    caption->setObjectName(QStringLiteral("chartCaption"));
    caption->setWordWrap(true);
    QFont small = caption->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    caption->setFont(small);
    layout->addWidget(caption);
    connect(m_timeAxis, &QDateTimeAxis::rangeChanged, this, [this] {
        // A rubber-band zoom changes the axis without telling us otherwise.
        if (m_view->isVisible() && QApplication::mouseButtons() != Qt::NoButton)
            m_follow = false;
    });

    rebuildSeries();
    connect(&m_units, &DisplayUnits::changed, this, [this] { refresh(true); });
    connect(&m_timer, &QTimer::timeout, this, [this] { refresh(); });
    m_timer.setObjectName(QStringLiteral("chartRefreshTimer"));
    m_timer.start(500);
}

void ForecastChartView::setStation(const QString &id)
{
    if (id == m_station)
        return;
    m_station = id;
    m_follow = true;
    refresh(true);
    emit stationChanged(id);
}

void ForecastChartView::setVariables(const QList<Variable> &variables)
{
    m_variables = variables;
    for (auto it = m_variableActions.begin(); it != m_variableActions.end(); ++it) {
        const QSignalBlocker block(it.value());
        it.value()->setChecked(variables.contains(static_cast<Variable>(it.key())));
    }
    rebuildSeries();
    refresh(true);
}

void ForecastChartView::setRangeHours(int hours)
{
    m_rangeHours = hours;
    {
        const QSignalBlocker block(m_rangeCombo);
        m_rangeCombo->setCurrentIndex(std::max(0, m_rangeCombo->findData(hours)));
    }
    m_follow = true;
    updateXRange(true);
}

void ForecastChartView::resetZoom()
{
    m_follow = true;
    refresh(true);
}

void ForecastChartView::rebuildSeries()
{
    m_chart->removeAllSeries();
    for (const Lines &l : std::as_const(m_lines)) {
        m_chart->removeAxis(l.axis);
        delete l.axis;
    }
    m_lines.clear();
    int n = 0;
    for (Variable v : std::as_const(m_variables)) {
        Lines l;
        l.variable = v;
        const QString name = DisplayUnits::variableLabel(v);
        l.observed = new QLineSeries;
        l.observed->setName(name);
        l.observed->setPointsVisible(true);
        l.observed->setMarkerSize(5);
        l.mean = new QLineSeries;
        l.mean->setName(tr("window mean ± std"));
        l.stdUpper = new QLineSeries;
        l.stdLower = new QLineSeries;
        l.stdBand = new QAreaSeries(l.stdUpper, l.stdLower);
        l.stdBand->setName(tr("±std"));
        l.forecast = new QLineSeries;
        l.forecast->setName(tr("forecast (10–90 %)"));
        l.fcUpper = new QLineSeries;
        l.fcLower = new QLineSeries;
        l.fcBand = new QAreaSeries(l.fcUpper, l.fcLower);
        l.fcBand->setName(tr("interval"));
        l.anomalies = new QScatterSeries;
        l.anomalies->setName(tr("anomaly"));
        l.anomalies->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
        l.anomalies->setMarkerSize(11);
        l.axis = new QValueAxis;
        l.axis->setTickCount(kValueIntervals + 1);
        l.axis->setLabelFormat(QStringLiteral("%.1f"));
        m_chart->addAxis(l.axis, n % 2 == 0 ? Qt::AlignLeft : Qt::AlignRight);
        for (QAbstractSeries *s : {static_cast<QAbstractSeries *>(l.stdBand), static_cast<QAbstractSeries *>(l.fcBand),
                                   static_cast<QAbstractSeries *>(l.mean), static_cast<QAbstractSeries *>(l.forecast),
                                   static_cast<QAbstractSeries *>(l.observed), static_cast<QAbstractSeries *>(l.anomalies)}) {
            m_chart->addSeries(s);
            s->attachAxis(m_timeAxis);
            s->attachAxis(l.axis);
        }
        m_lines.append(l);
        ++n;
    }
    applyTheme();
    m_generation = ~0ULL;
}

void ForecastChartView::applyTheme()
{
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    const QColor base = palette().color(QPalette::Base);
    const QColor text = palette().color(QPalette::Text);
    const QColor grid = dark ? QColor(0x3a, 0x42, 0x4b) : QColor(0xdd, 0xe1, 0xe5);
    m_chart->setBackgroundBrush(base);
    m_chart->setBackgroundPen(Qt::NoPen);
    m_chart->setPlotAreaBackgroundVisible(false);
    m_chart->legend()->setLabelColor(text);
    QList<QAbstractAxis *> axes = {m_timeAxis};
    for (const Lines &l : std::as_const(m_lines))
        axes.append(l.axis);
    for (QAbstractAxis *a : axes) {
        a->setLabelsColor(text);
        a->setTitleBrush(text);
        a->setGridLineColor(grid);
        a->setLinePenColor(grid);
    }
    for (int i = 0; i < m_lines.size(); ++i) {
        const Lines &l = m_lines[i];
        const QColor c = colourOf(l.variable);
        l.axis->setLinePenColor(c);
        l.axis->setLabelsColor(c);
        l.axis->setTitleBrush(c);
        l.axis->setGridLineVisible(i == 0);
        l.observed->setPen(QPen(c, 2));
        l.observed->setColor(c);
        l.mean->setPen(QPen(c.lighter(dark ? 130 : 85), 1.2, Qt::DashLine));
        QColor band = c;
        band.setAlpha(dark ? 60 : 45);
        l.stdBand->setBrush(band);
        l.stdBand->setPen(Qt::NoPen);
        l.forecast->setPen(QPen(c, 2, Qt::DotLine));
        QColor fband = c;
        fband.setAlpha(dark ? 40 : 28);
        l.fcBand->setBrush(QBrush(fband, Qt::SolidPattern));
        l.fcBand->setPen(QPen(fband.darker(110), 0.8, Qt::DotLine));
        l.anomalies->setColor(QColor(0xdc, 0x26, 0x26));
        l.anomalies->setBorderColor(dark ? QColor(0xff, 0xff, 0xff) : QColor(0x40, 0x00, 0x00));
        // One legend entry per variable and one per kind of mark, not one per series.
        const auto show = [&](QAbstractSeries *s, bool visible) {
            for (QLegendMarker *m : m_chart->legend()->markers(s))
                m->setVisible(visible);
        };
        // The legend names the variables; the caption under the chart explains the line styles.
        show(l.observed, true);
        show(l.mean, false);
        show(l.stdBand, false);
        show(l.forecast, false);
        show(l.fcBand, false);
        show(l.anomalies, false);
    }
}

void ForecastChartView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
    QWidget::changeEvent(event);
}

void ForecastChartView::refresh(bool force)
{
    // Only this station's changes matter: others streaming in must not cost a chart re-layout.
    const quint64 generation = m_station.isEmpty() ? 0 : m_state.stationRevision(m_station);
    if (!force && generation == m_generation)
        return;
    m_generation = generation;
    if (m_station.isEmpty()) {
        for (const Lines &l : std::as_const(m_lines)) {
            for (QXYSeries *s : {static_cast<QXYSeries *>(l.observed), static_cast<QXYSeries *>(l.mean),
                                 static_cast<QXYSeries *>(l.stdUpper), static_cast<QXYSeries *>(l.stdLower),
                                 static_cast<QXYSeries *>(l.forecast), static_cast<QXYSeries *>(l.fcUpper),
                                 static_cast<QXYSeries *>(l.fcLower), static_cast<QXYSeries *>(l.anomalies)})
                s->clear();
        }
        return;
    }
    const QList<Reading> history = m_state.history(m_station);
    const QList<Forecast> forecasts = m_state.forecasts(m_station);
    const QList<Anomaly> anomalies = m_state.anomalies(std::numeric_limits<qint64>::min(), m_station, 2000);
    m_dataFromMs = history.isEmpty() ? 0 : history.first().timestampMs;
    m_dataToMs = history.isEmpty() ? 0 : history.last().timestampMs;

    QString title = m_station;
    if (const auto s = m_state.station(m_station); s && !s->name.isEmpty())
        title += QStringLiteral(" — ") + s->name;
    title += tr(" · %n reading(s)", nullptr, static_cast<int>(history.size()));
    m_title->setText(title);

    for (Lines &l : m_lines) {
        const Variable v = l.variable;
        QList<QPointF> observed;
        observed.reserve(history.size());
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        auto extend = [&](double y) {
            lo = std::min(lo, y);
            hi = std::max(hi, y);
        };
        for (const Reading &r : history) {
            if (!r.has(v))
                continue;
            const double y = m_units.toDisplay(v, r.value(v));
            observed.append(QPointF(static_cast<qreal>(r.timestampMs), y));
            extend(y);
        }
        QList<QPointF> mean, upper, lower;
        for (const WindowStats &w : m_state.windowHistory(m_station, v)) {
            if (std::isnan(w.mean))
                continue;
            const double sd = std::isnan(w.stddev) ? 0 : w.stddev;
            const qreal x = static_cast<qreal>(w.endMs);
            const double m = m_units.toDisplay(v, w.mean);
            const double up = m_units.toDisplay(v, w.mean + sd), down = m_units.toDisplay(v, w.mean - sd);
            mean.append(QPointF(x, m));
            upper.append(QPointF(x, up));
            lower.append(QPointF(x, down));
            extend(up);
            extend(down);
        }
        QList<QPointF> fc, fcUp, fcLo;
        for (const Forecast &f : forecasts) {
            if (f.variable != v)
                continue;
            // Join the forecast to the last observation so the line continues visibly.
            if (!observed.isEmpty() && !f.points.isEmpty()) {
                fc.append(observed.last());
                fcUp.append(observed.last());
                fcLo.append(observed.last());
            }
            for (const ForecastPoint &p : f.points) {
                const qreal x = static_cast<qreal>(p.targetMs);
                if (std::isnan(p.value))
                    continue;
                fc.append(QPointF(x, m_units.toDisplay(v, p.value)));
                extend(fc.last().y());
                // A model without an interval (persistence) gets no band, not a band of NaN.
                if (std::isnan(p.lower) || std::isnan(p.upper))
                    continue;
                fcUp.append(QPointF(x, m_units.toDisplay(v, p.upper)));
                fcLo.append(QPointF(x, m_units.toDisplay(v, p.lower)));
                extend(fcUp.last().y());
                extend(fcLo.last().y());
            }
            if (fcUp.size() <= 1) {
                fcUp.clear();
                fcLo.clear();
            }
        }
        if (!std::isfinite(lo)) {
            lo = 0;
            hi = 1;
        }
        const double pad = std::max((hi - lo) * 0.08, 0.5);
        lo -= pad;
        hi += pad;
        // A round range that stays put while the data moves inside it: every range change makes Qt
        // Charts lay all axis labels out again, the chart's main cost on the GUI thread.
        const auto yRange = force ? std::optional(AxisScale::niceRange(lo, hi, kValueIntervals))
                                  : AxisScale::update(l.axis->min(), l.axis->max(), lo, hi, kValueIntervals);
        // Anomalies sit on their value, but an impossible value is pinned to the plot edge so it does
        // not squash the real line.
        QList<QPointF> marks;
        for (const Anomaly &a : anomalies) {
            if (a.variable != v)
                continue;
            marks.append(QPointF(static_cast<qreal>(a.timestampMs), std::clamp(m_units.toDisplay(v, a.value), lo, hi)));
        }
        // Unchanged series are left alone: a replace() re-lays out the series' items even when equal.
        const auto replace = [](QXYSeries *series, const QList<QPointF> &points) {
            if (series->points() != points)
                series->replace(points);
        };
        replace(l.observed, observed);
        replace(l.mean, mean);
        replace(l.stdUpper, upper);
        replace(l.stdLower, lower);
        replace(l.forecast, fc);
        replace(l.fcUpper, fcUp);
        replace(l.fcLower, fcLo);
        replace(l.anomalies, marks);
        if (yRange && (yRange->first != l.axis->min() || yRange->second != l.axis->max()))
            l.axis->setRange(yRange->first, yRange->second);
        const QString title = QStringLiteral("%1 (%2)").arg(DisplayUnits::variableLabel(v), m_units.symbol(v));
        if (l.axis->titleText() != title)
            l.axis->setTitleText(title);
        if (l.observed->name() != title)
            l.observed->setName(title);
    }
    if (m_follow)
        updateXRange(force);
}

void ForecastChartView::updateXRange(bool exact)
{
    if (m_station.isEmpty() || m_dataToMs == 0)
        return;
    qint64 forecastEnd = m_dataToMs;
    for (const Lines &l : std::as_const(m_lines)) {
        if (l.forecast->count() > 0)
            forecastEnd = std::max(forecastEnd, static_cast<qint64>(l.forecast->at(l.forecast->count() - 1).x()));
    }
    qint64 from = m_rangeHours > 0 ? std::max(m_dataFromMs, m_dataToMs - m_rangeHours * timeutil::kMsPerHour) : m_dataFromMs;
    // As much future as past is shown (at least 3 h), up to the forecast's end: 24 h of forecast
    // beside 20 minutes of a fresh live feed would squash the observations to a sliver.
    const qint64 ahead = std::max<qint64>(m_dataToMs - from, 3 * timeutil::kMsPerHour);
    qint64 to = std::min(forecastEnd, m_dataToMs + ahead);
    if (to - from < 10 * 60'000)
        from = to - 10 * 60'000;
    // Ticks on round times (QDateTimeAxis spaces its ticks evenly from end to end): the step that
    // gives at most 8 intervals, and the range widened to whole steps.
    static constexpr qint64 kMin = 60'000, kHour = 60 * kMin, kDay = 24 * kHour;
    static constexpr qint64 kSteps[] = {10 * kMin, 15 * kMin, 30 * kMin, kHour, 2 * kHour, 3 * kHour, 6 * kHour,
                                        12 * kHour, kDay, 2 * kDay, 7 * kDay, 14 * kDay, 28 * kDay, 91 * kDay};
    qint64 step = kSteps[std::size(kSteps) - 1];
    for (qint64 s : kSteps) {
        if ((to - from + s - 1) / s <= 8) {
            step = s;
            break;
        }
    }
    from = (from >= 0 ? from / step : (from - step + 1) / step) * step;
    to = ((to + step - 1) / step) * step;
    const int ticks = static_cast<int>(std::min<qint64>((to - from) / step + 1, 16));
    if (m_timeAxis->tickCount() != ticks)
        m_timeAxis->setTickCount(ticks);
    const qint64 curFrom = m_timeAxis->min().toMSecsSinceEpoch(), curTo = m_timeAxis->max().toMSecsSinceEpoch();
    if (!exact && curTo > curFrom) {
        // Following a live feed: move the axis in steps of 2 % of its span, not on every reading (each
        // move re-lays out every time label). The newest observation is always inside: `to` is at
        // least 3 h past it.
        const qint64 tolerance = (to - from) / 50;
        if (std::abs(from - curFrom) <= tolerance && std::abs(to - curTo) <= tolerance)
            return;
    }
    const QSignalBlocker block(m_timeAxis);
    if (from != curFrom || to != curTo)
        m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(from), QDateTime::fromMSecsSinceEpoch(to));
    const QString format = step >= kDay ? QStringLiteral("MM-dd") : QStringLiteral("MM-dd HH:mm");
    if (m_timeAxis->format() != format)
        m_timeAxis->setFormat(format);
}

void ForecastChartView::stopFollowing()
{
    m_follow = false;
}

bool ForecastChartView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_view->viewport())
        return QWidget::eventFilter(watched, event);
    switch (event->type()) {
    case QEvent::Wheel: {
        auto *e = static_cast<QWheelEvent *>(event);
        const double factor = std::pow(1.0015, e->angleDelta().y());
        // Zoom the time axis around the cursor.
        const QRectF plot = m_chart->plotArea();
        const double frac = std::clamp((e->position().x() - plot.left()) / plot.width(), 0.0, 1.0);
        const qint64 from = m_timeAxis->min().toMSecsSinceEpoch(), to = m_timeAxis->max().toMSecsSinceEpoch();
        const double span = (to - from) / factor;
        const double pivot = from + frac * (to - from);
        stopFollowing();
        m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(pivot - frac * span)),
                             QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(pivot + (1 - frac) * span)));
        return true;
    }
    case QEvent::MouseButtonPress: {
        auto *e = static_cast<QMouseEvent *>(event);
        if (e->button() == Qt::RightButton || e->button() == Qt::MiddleButton) {
            m_panning = true;
            m_panFrom = e->position().toPoint();
            return true;
        }
        if (e->button() == Qt::LeftButton)
            stopFollowing(); // a rubber-band zoom starts
        break;
    }
    case QEvent::MouseMove:
        if (m_panning) {
            auto *e = static_cast<QMouseEvent *>(event);
            const QPoint d = e->position().toPoint() - m_panFrom;
            m_panFrom = e->position().toPoint();
            stopFollowing();
            m_chart->scroll(-d.x(), 0);
            return true;
        }
        break;
    case QEvent::MouseButtonRelease:
        if (m_panning) {
            m_panning = false;
            return true;
        }
        if (static_cast<QMouseEvent *>(event)->button() == Qt::RightButton)
            return true; // QChartView would zoom out on a right click
        break;
    case QEvent::MouseButtonDblClick:
        resetZoom();
        return true;
    default:
        break;
    }
    return QWidget::eventFilter(watched, event);
}

qint64 ForecastChartView::visibleFromMs() const
{
    return m_timeAxis->min().toMSecsSinceEpoch();
}

qint64 ForecastChartView::visibleToMs() const
{
    return m_timeAxis->max().toMSecsSinceEpoch();
}

int ForecastChartView::observedCount(Variable v) const
{
    for (const Lines &l : m_lines) {
        if (l.variable == v)
            return static_cast<int>(l.observed->count());
    }
    return 0;
}

int ForecastChartView::forecastCount(Variable v) const
{
    for (const Lines &l : m_lines) {
        if (l.variable == v)
            return static_cast<int>(l.forecast->count());
    }
    return 0;
}

int ForecastChartView::anomalyCount() const
{
    int n = 0;
    for (const Lines &l : m_lines)
        n += static_cast<int>(l.anomalies->count());
    return n;
}

Result<int> ForecastChartView::exportCsv(const QString &path) const
{
    if (m_station.isEmpty())
        return makeError(tr("no station selected"));
    const qint64 from = visibleFromMs(), to = visibleToMs();
    QSaveFile file(path); // written whole or not at all
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return makeError(tr("cannot write %1: %2").arg(path, file.errorString()));
    QTextStream out(&file);
    out << "station_id,time_utc,variable,unit,kind,value,lower,upper\n";
    int rows = 0;
    const auto num = [](double x) { return std::isnan(x) ? QString() : QString::number(x, 'g', 10); };
    const auto row = [&](qint64 t, const Lines &l, const char *kind, double value, double lower, double upper) {
        if (t < from || t > to)
            return;
        out << m_station << ',' << timeutil::toIsoUtc(t) << ',' << variableKey(l.variable) << ','
            << m_units.symbol(l.variable) << ',' << kind << ',' << num(value) << ',' << num(lower) << ','
            << num(upper) << '\n';
        ++rows;
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (const Lines &l : m_lines) {
        for (const QPointF &p : l.observed->points())
            row(static_cast<qint64>(p.x()), l, "observed", p.y(), nan, nan);
        const QList<QPointF> mean = l.mean->points(), up = l.stdUpper->points(), lo = l.stdLower->points();
        for (qsizetype i = 0; i < mean.size(); ++i)
            row(static_cast<qint64>(mean[i].x()), l, "window_mean", mean[i].y(), lo[i].y(), up[i].y());
        const QList<QPointF> fc = l.forecast->points(), fu = l.fcUpper->points(), fl = l.fcLower->points();
        // The first forecast point repeats the last observation (drawn only to join the lines).
        const bool band = fu.size() == fc.size();
        for (qsizetype i = fc.size() > 1 ? 1 : 0; i < fc.size(); ++i)
            row(static_cast<qint64>(fc[i].x()), l, "forecast", fc[i].y(), band ? fl[i].y() : nan, band ? fu[i].y() : nan);
    }
    for (const Anomaly &a : m_state.anomalies(from, m_station, 2000)) {
        for (const Lines &l : m_lines) {
            if (l.variable == a.variable)
                row(a.timestampMs, l, "anomaly", m_units.toDisplay(a.variable, a.value), nan, nan);
        }
    }
    out.flush();
    if (!file.commit())
        return makeError(tr("cannot write %1: %2").arg(path, file.errorString()));
    return rows;
}

Result<bool> ForecastChartView::exportPng(const QString &path)
{
    const QPixmap pm = m_view->grab();
    if (!pm.save(path, "PNG"))
        return makeError(tr("cannot write image %1").arg(path));
    return true;
}

} // namespace stratus
