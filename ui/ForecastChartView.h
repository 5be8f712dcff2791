#pragma once

#include "Result.h"
#include "Variable.h"

#include <QHash>
#include <QList>
#include <QTimer>
#include <QWidget>

class QAction;
class QAreaSeries;
class QChart;
class QChartView;
class QComboBox;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QScatterSeries;
class QToolButton;
class QValueAxis;

namespace stratus {

class DisplayUnits;
class LiveState;

// One station over time: observed readings, the window mean with a ±std band, the forecast with its
// 10–90 % interval out to 24 h, anomalies marked; one Y axis per variable. Series are replaced in bulk
// from a LiveState snapshot on a timer (QXYSeries::replace), never point by point.
class ForecastChartView : public QWidget
{
    Q_OBJECT
public:
    ForecastChartView(const LiveState &state, const DisplayUnits &units, QWidget *parent = nullptr);

    QString station() const { return m_station; }
    void setStation(const QString &id);
    QList<Variable> variables() const { return m_variables; }
    void setVariables(const QList<Variable> &variables);
    // Hours of observations shown before the newest reading; 0 = everything kept.
    int rangeHours() const { return m_rangeHours; }
    void setRangeHours(int hours);
    void refresh(bool force = false);
    void resetZoom();

    // Visible time range, UTC ms.
    qint64 visibleFromMs() const;
    qint64 visibleToMs() const;
    int observedCount(Variable v) const; // points in the observed series (tests)
    int forecastCount(Variable v) const; // points in the forecast series (tests)
    int anomalyCount() const;
    QChart *chart() const { return m_chart; }

    // Writes the data of the visible range (long format: station_id,time_utc,variable,unit,kind,value,
    // lower,upper; values in the display units named in `unit`). Returns the rows written.
    Result<int> exportCsv(const QString &path) const;
    Result<bool> exportPng(const QString &path);

signals:
    void stationChanged(const QString &id);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Lines
    {
        Variable variable;
        QLineSeries *observed = nullptr;
        QLineSeries *mean = nullptr;
        QLineSeries *stdUpper = nullptr;
        QLineSeries *stdLower = nullptr;
        QAreaSeries *stdBand = nullptr;
        QLineSeries *forecast = nullptr;
        QLineSeries *fcUpper = nullptr;
        QLineSeries *fcLower = nullptr;
        QAreaSeries *fcBand = nullptr;
        QScatterSeries *anomalies = nullptr;
        QValueAxis *axis = nullptr;
    };

    void rebuildSeries();
    void applyTheme();
    // exact: the range the rules give (station change, reset); otherwise moved only in steps.
    void updateXRange(bool exact);
    void stopFollowing();
    static QColor colourOf(Variable v);

    const LiveState &m_state;
    const DisplayUnits &m_units;
    QString m_station;
    QList<Variable> m_variables{Variable::Temperature, Variable::Humidity};
    int m_rangeHours = 48; // two days of history beside the 24 h forecast, until the user picks a range
    bool m_follow = true; // x range tracks the newest data until the user zooms or pans
    quint64 m_generation = ~0ULL;
    qint64 m_dataFromMs = 0;
    qint64 m_dataToMs = 0;

    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    QDateTimeAxis *m_timeAxis = nullptr;
    QList<Lines> m_lines;
    QLabel *m_title = nullptr;
    QComboBox *m_rangeCombo = nullptr;
    QHash<int, QAction *> m_variableActions;
    QTimer m_timer;
    QPoint m_panFrom;
    bool m_panning = false;
};

} // namespace stratus
