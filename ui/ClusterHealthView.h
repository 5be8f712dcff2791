#pragma once

#include "LiveState.h"

#include <QElapsedTimer>
#include <QHash>
#include <QTimer>
#include <QWidget>

#include <deque>

class QChart;
class QChartView;
class QGroupBox;
class QLabel;
class QTableWidgetItem;
class QLineSeries;
class QTableWidget;
class QValueAxis;

namespace stratus {

// Health of the engine. In-process: each stage's throughput, last batch and latency, drawn as small
// live charts; connected to a cluster: brokers, partitions with leader/ISR, consumer lag per partition
// (with an alert when it keeps growing) and workers with their heartbeats.
class ClusterHealthView : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kSamples = 120; // one per second: two minutes of history

    explicit ClusterHealthView(const LiveState &state, QWidget *parent = nullptr);

    void sample(); // takes one sample (timer, 1 s)
    // Snapshots in a row over which lag must grow to raise the alert (5 s apart from ClusterMonitor).
    static constexpr size_t kLagAlertSnapshots = 6;

    bool lagAlert() const { return m_lagAlert; }
    // "group/topic/partition" of the partitions whose lag grew over the last kLagAlertSnapshots.
    QStringList growingLagPartitions() const { return m_growingPartitions; }
    int stageCount() const { return static_cast<int>(m_stageRows.size()); }

private:
    struct Spark
    {
        QChart *chart = nullptr;
        QChartView *view = nullptr;
        QValueAxis *x = nullptr;
        QValueAxis *y = nullptr;
        QHash<QString, QLineSeries *> series;
    };
    Spark makeSpark(const QString &title);
    QLineSeries *seriesFor(Spark &spark, const QString &name, int colourIndex);
    void push(Spark &spark, const QString &name, int colourIndex, double value);
    void updateCluster(const LiveState::ClusterStatus &cluster);
    static bool grows(const std::deque<qint64> &history);
    static void markRed(QTableWidgetItem *item, bool red);
    static QString topicNamespace(const LiveState::ClusterStatus &cluster);
    static QString withoutNamespace(const QString &name, const QString &ns);
    void applyTheme();
    void changeEvent(QEvent *event) override;

    const LiveState &m_state;
    QTableWidget *m_stages;
    QTableWidget *m_counters;
    Spark m_rates;
    Spark m_latency;
    Spark m_lag;
    Spark m_clusterRates;
    QLabel *m_clusterState;
    QTableWidget *m_brokers;
    QTableWidget *m_partitions;
    QTableWidget *m_workers;
    QWidget *m_clusterTables;
    QWidget *m_clusterGroup = nullptr;
    QGroupBox *m_pipelineGroup = nullptr;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastSampleMs = 0;
    QHash<QString, qint64> m_lastProcessed;
    QHash<QString, int> m_stageRows;
    int m_tick = 0;
    std::deque<qint64> m_totalLag;
    QHash<QString, std::deque<qint64>> m_partitionLag;
    QStringList m_growingPartitions;
    qint64 m_lastClusterMs = -1;
    bool m_lagAlert = false;
};

} // namespace stratus
