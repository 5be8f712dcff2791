#include "ClusterHealthView.h"

#include "AxisScale.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QGridLayout>
#include <QGroupBox>
#include <QBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QLineSeries>
#include <QMap>
#include <QSet>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

namespace stratus {

namespace {
// Counts and offsets run to millions: with the locale's digit grouping, at a glance.
QString grouped(double x)
{
    return QLocale().toString(x, 'f', 0);
}
QString grouped(qint64 x)
{
    return QLocale().toString(x);
}

const QList<QColor> kColours = {QColor(0x2e, 0x86, 0xde), QColor(0xe4, 0x57, 0x2e), QColor(0x16, 0xa0, 0x85),
                                QColor(0x9b, 0x59, 0xb6), QColor(0xd3, 0x8b, 0x00), QColor(0x7f, 0x8c, 0x8d)};

QTableWidget *makeTable(const QStringList &headers, QWidget *parent)
{
    auto *t = new QTableWidget(0, static_cast<int>(headers.size()), parent);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 6);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionMode(QAbstractItemView::NoSelection);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    return t;
}

void setCell(QTableWidget *t, int row, int col, const QString &text, Qt::Alignment align = Qt::AlignRight | Qt::AlignVCenter)
{
    QTableWidgetItem *item = t->item(row, col);
    if (!item) {
        item = new QTableWidgetItem;
        item->setTextAlignment(align);
        t->setItem(row, col, item);
    }
    if (item->text() != text)
        item->setText(text);
}
} // namespace

ClusterHealthView::ClusterHealthView(const LiveState &state, QWidget *parent) : QWidget(parent), m_state(state)
{
    setObjectName(QStringLiteral("clusterHealth"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    auto *pipeline = new QGroupBox(tr("Pipeline stages (this process)"), this);
    m_pipelineGroup = pipeline;
    auto *pl = new QGridLayout(pipeline);
    m_stages = makeTable({tr("Stage"), tr("Items"), tr("Items/s"), tr("Last batch"), tr("Last ms"), tr("Max ms")}, pipeline);
    m_stages->setObjectName(QStringLiteral("stageTable"));
    m_stages->setToolTip(tr("The in-process LocalBus hands each batch straight to the next stage, so a stage's "
                            "queue is the batch it is working on; \"Last batch\" shows that size."));
    m_counters = makeTable({tr("Counter"), tr("Total"), tr("Counter"), tr("Total")}, pipeline);
    m_rates = makeSpark(tr("Items/s per stage"));
    m_latency = makeSpark(tr("Batch latency (ms)"));
    // Tables sized to show their rows without scrolling; the charts take the rest.
    const int rowH = m_stages->verticalHeader()->defaultSectionSize();
    m_stages->setFixedHeight(rowH * 4 + m_stages->horizontalHeader()->sizeHint().height() + 4);
    m_counters->setFixedHeight(m_stages->height());
    m_counters->setHorizontalHeaderLabels({tr("Counter"), tr("Total"), tr("Counter"), tr("Total")});
    pl->addWidget(m_stages, 0, 0);
    pl->addWidget(m_counters, 0, 1);
    pl->addWidget(m_rates.view, 1, 0);
    pl->addWidget(m_latency.view, 1, 1);
    pl->setColumnStretch(0, 3);
    pl->setColumnStretch(1, 2);
    layout->addWidget(pipeline, 1);

    auto *cluster = new QGroupBox(tr("Kafka cluster"), this);
    auto *cl = new QVBoxLayout(cluster);
    m_clusterState = new QLabel(cluster);
    m_clusterState->setObjectName(QStringLiteral("clusterState"));
    m_clusterState->setWordWrap(true);
    cl->addWidget(m_clusterState);
    m_clusterTables = new QWidget(cluster);
    auto *tl = new QGridLayout(m_clusterTables);
    tl->setContentsMargins(0, 0, 0, 0);
    m_brokers = makeTable({tr("Broker"), tr("Host"), tr("Controller")}, m_clusterTables);
    m_partitions = makeTable({tr("Topic"), tr("Group"), tr("Partition"), tr("Leader"), tr("Replicas"), tr("ISR"),
                              tr("End offset"), tr("Committed"), tr("Lag"), tr("Lag s")},
                             m_clusterTables);
    m_partitions->setObjectName(QStringLiteral("partitionTable"));
    m_partitions->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_partitions->horizontalHeader()->setStretchLastSection(true);
    m_workers = makeTable({tr("Worker"), tr("Role"), tr("Heartbeat age"), tr("Partitions"), tr("In/s"), tr("Out/s")}, m_clusterTables);
    m_workers->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_workers->horizontalHeader()->setStretchLastSection(true);
    m_workers->setObjectName(QStringLiteral("workerTable"));
    m_brokers->setObjectName(QStringLiteral("brokerTable"));
    m_lag = makeSpark(tr("Consumer lag per group (records)"));
    m_clusterRates = makeSpark(tr("Cluster items/s per stage"));
    auto *sparks = new QWidget(m_clusterTables);
    auto *sl = new QVBoxLayout(sparks);
    sl->setContentsMargins(0, 0, 0, 0);
    sl->addWidget(m_lag.view);
    sl->addWidget(m_clusterRates.view);
    tl->addWidget(m_brokers, 0, 0);
    tl->addWidget(m_workers, 0, 1);
    tl->addWidget(m_partitions, 1, 0);
    tl->addWidget(sparks, 1, 1);
    tl->setColumnStretch(0, 3);
    tl->setColumnStretch(1, 2);
    // Brokers and workers are a handful of rows; the partitions (topics × groups) need the height.
    const int clusterRowH = m_brokers->verticalHeader()->defaultSectionSize();
    for (QTableWidget *t : {m_brokers, m_workers})
        t->setMaximumHeight(clusterRowH * 5 + t->horizontalHeader()->sizeHint().height() + 4);
    tl->setRowStretch(0, 0);
    tl->setRowStretch(1, 1);
    cl->addWidget(m_clusterTables, 1);
    layout->addWidget(cluster, 0);
    m_clusterGroup = cluster;

    applyTheme();
    m_clock.start();
    connect(&m_timer, &QTimer::timeout, this, &ClusterHealthView::sample);
    m_timer.setObjectName(QStringLiteral("clusterRefreshTimer"));
    m_timer.start(1000);
    sample();
}

ClusterHealthView::Spark ClusterHealthView::makeSpark(const QString &title)
{
    Spark s;
    s.chart = new QChart;
    s.chart->setTitle(title);
    s.chart->setAnimationOptions(QChart::NoAnimation);
    s.chart->setMargins(QMargins(2, 2, 2, 2));
    s.chart->legend()->setAlignment(Qt::AlignRight);
    s.x = new QValueAxis;
    s.x->setRange(-kSamples, 0);
    s.x->setLabelsVisible(false);
    s.x->setTickCount(5);
    s.y = new QValueAxis;
    s.y->setRange(0, 1);
    s.y->setLabelFormat(QStringLiteral("%.0f"));
    s.y->setTickCount(3);
    s.chart->addAxis(s.x, Qt::AlignBottom);
    s.chart->addAxis(s.y, Qt::AlignLeft);
    s.view = new QChartView(s.chart, this);
    s.view->setRenderHint(QPainter::Antialiasing);
    s.view->setMinimumHeight(140);
    return s;
}

// The namespace a deployment puts before every topic and group ("ns.stratus.raw"), when all its
// topics share one: the table shows it once in the header, so the offset and lag columns fit.
QString ClusterHealthView::topicNamespace(const LiveState::ClusterStatus &cluster)
{
    QString ns;
    for (const auto &p : cluster.partitions) {
        const qsizetype at = p.topic.indexOf(QLatin1String("stratus."));
        if (at <= 0)
            return QString();
        const QString prefix = p.topic.left(at);
        if (!ns.isEmpty() && prefix != ns)
            return QString();
        ns = prefix;
    }
    return ns;
}

QString ClusterHealthView::withoutNamespace(const QString &name, const QString &ns)
{
    return !ns.isEmpty() && name.startsWith(ns) ? name.mid(ns.size()) : name;
}

// Red for what needs a glance; otherwise no colour of its own, so the text follows the theme (a
// brush taken from the palette would keep the old theme's colour after a switch).
void ClusterHealthView::markRed(QTableWidgetItem *item, bool red)
{
    if (red)
        item->setForeground(QColor(0xdc, 0x26, 0x26));
    else
        item->setData(Qt::ForegroundRole, QVariant());
}

QLineSeries *ClusterHealthView::seriesFor(Spark &spark, const QString &name, int colourIndex)
{
    QLineSeries *&series = spark.series[name];
    if (!series) {
        series = new QLineSeries;
        series->setName(name);
        series->setPen(QPen(kColours[colourIndex % kColours.size()], 1.6));
        spark.chart->addSeries(series);
        series->attachAxis(spark.x);
        series->attachAxis(spark.y);
        applyTheme();
    }
    return series;
}

void ClusterHealthView::push(Spark &spark, const QString &name, int colourIndex, double value)
{
    QLineSeries *series = seriesFor(spark, name, colourIndex);
    // Shift the window left by one sample and append: x is "seconds ago".
    QList<QPointF> points = series->points();
    for (QPointF &p : points)
        p.rx() -= 1;
    points.append(QPointF(0, value));
    while (!points.isEmpty() && points.first().x() < -kSamples)
        points.removeFirst();
    series->replace(points);
    double hi = 1;
    for (QLineSeries *s : std::as_const(spark.series)) {
        for (const QPointF &p : s->points())
            hi = std::max(hi, p.y());
    }
    // A round top that moves only when the rates outgrow it or fall well below it: each range change
    // lays the axis labels out again (Qt Charts measures them as rich text).
    if (const auto next = AxisScale::update(spark.y->min(), spark.y->max(), 0, hi * 1.15, 2, 3.0))
        spark.y->setRange(0, next->second);
    const QString format = spark.y->max() < 10 ? QStringLiteral("%.1f") : QStringLiteral("%.0f");
    if (spark.y->labelFormat() != format)
        spark.y->setLabelFormat(format);
}

void ClusterHealthView::sample()
{
    if (!isVisible() && m_tick > 0)
        return; // behind another tab: nothing to draw
    const qint64 now = m_clock.elapsed();
    const double dt = std::max(1.0, static_cast<double>(now - m_lastSampleMs)) / 1000.0;
    const bool first = m_lastSampleMs == 0 && m_tick == 0;
    m_lastSampleMs = now;
    ++m_tick;

    QList<LiveState::StageStats> stages = m_state.stages();
    // Data-flow order, whatever order the stages first reported in.
    const QStringList order = {QStringLiteral("ingest"), QStringLiteral("aggregate"), QStringLiteral("infer")};
    std::stable_sort(stages.begin(), stages.end(), [&](const auto &a, const auto &b) {
        const auto rank = [&](const QString &n) { return order.contains(n) ? order.indexOf(n) : order.size(); };
        return rank(a.name) < rank(b.name);
    });
    m_stages->setRowCount(static_cast<int>(stages.size()));
    for (int i = 0; i < stages.size(); ++i) {
        const auto &s = stages[i];
        m_stageRows.insert(s.name, i);
        const qint64 before = m_lastProcessed.value(s.name, first ? s.processed : 0);
        const double rate = (s.processed - before) / dt;
        m_lastProcessed.insert(s.name, s.processed);
        setCell(m_stages, i, 0, s.name, Qt::AlignLeft | Qt::AlignVCenter);
        setCell(m_stages, i, 1, grouped(s.processed));
        setCell(m_stages, i, 2, grouped(rate));
        setCell(m_stages, i, 3, grouped(s.queueDepth));
        setCell(m_stages, i, 4, QString::number(s.lastLatencyMs, 'f', 2));
        setCell(m_stages, i, 5, QString::number(s.maxLatencyMs, 'f', 2));
        push(m_rates, s.name, i, rate);
        push(m_latency, s.name, i, s.lastLatencyMs);
    }

    const LiveState::Counters c = m_state.counters();
    const QList<std::pair<QString, qint64>> counters = {
        {tr("Readings accepted"), c.readingsIn},      {tr("Readings rejected"), c.readingsRejected},
        {tr("Values rejected"), c.valuesRejected},    {tr("Late readings dropped"), c.lateDropped},
        {tr("Dead letters"), c.deadLettered},         {tr("Windows out"), c.windowsOut},
        {tr("Forecasts out"), c.forecastsOut},        {tr("Anomalies out"), c.anomaliesOut},
    };
    // Two counters per row, so all eight fit beside the stage table.
    m_counters->setRowCount(static_cast<int>(counters.size() + 1) / 2);
    for (int i = 0; i < counters.size(); ++i) {
        setCell(m_counters, i / 2, (i % 2) * 2, counters[i].first, Qt::AlignLeft | Qt::AlignVCenter);
        setCell(m_counters, i / 2, (i % 2) * 2 + 1, grouped(counters[i].second));
    }
    updateCluster(m_state.clusterStatus());
}

bool ClusterHealthView::grows(const std::deque<qint64> &history)
{
    return history.size() == kLagAlertSnapshots &&
           std::adjacent_find(history.begin(), history.end(), [](qint64 a, qint64 b) { return b <= a; }) == history.end();
}

void ClusterHealthView::updateCluster(const LiveState::ClusterStatus &cluster)
{
    if (!cluster.connected) {
        QString text = tr("<b>Not connected to a Kafka cluster.</b> The engine runs in this process (mode: %1, bus: %2); "
                          "use File → Connect to cluster… or start with --connect HOST:PORT.")
                           .arg(m_state.mode(), m_state.busKind());
        if (!cluster.problem.isEmpty())
            text += QStringLiteral("<br/>") + tr("Last problem: %1").arg(cluster.problem.toHtmlEscaped());
        m_clusterState->setText(text);
        m_clusterTables->setVisible(false);
        m_rates.view->setVisible(true);
        m_latency.view->setVisible(true);
        return;
    }
    m_clusterTables->setVisible(true);
    // Connected: the cluster tables deserve as much room as the stages.
    static_cast<QBoxLayout *>(layout())->setStretchFactor(m_clusterGroup, 1);
    // A viewer connected to a cluster computes nothing itself: its empty stage charts would only
    // take the room the cluster needs.
    const bool localStages = stageCount() > 0;
    m_rates.view->setVisible(localStages);
    m_latency.view->setVisible(localStages);
    static_cast<QBoxLayout *>(layout())->setStretchFactor(m_pipelineGroup, localStages ? 1 : 0);
    m_pipelineGroup->setTitle(localStages ? tr("Pipeline stages (this process)") : tr("This process (a viewer: the cluster's workers compute)"));
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    m_brokers->setRowCount(static_cast<int>(cluster.brokers.size()));
    for (int i = 0; i < cluster.brokers.size(); ++i) {
        const auto &b = cluster.brokers[i];
        setCell(m_brokers, i, 0, QString::number(b.id));
        setCell(m_brokers, i, 1, QStringLiteral("%1:%2").arg(b.host).arg(b.port), Qt::AlignLeft | Qt::AlignVCenter);
        setCell(m_brokers, i, 2, b.controller ? tr("yes") : QString());
    }
    const auto ids = [](const QList<int> &l) {
        QStringList s;
        for (int x : l)
            s << QString::number(x);
        return s.join(QLatin1Char(','));
    };
    // Lag history moves only when the cluster sends a new snapshot (every few seconds), not at
    // every one-second sample of the same snapshot: "grows" means grows between snapshots.
    const bool fresh = cluster.updatedMs != m_lastClusterMs;
    m_lastClusterMs = cluster.updatedMs;
    qint64 totalLag = 0;
    QMap<QString, qint64> groupLag;
    QSet<QString> seen;
    m_growingPartitions.clear();
    const QString ns = topicNamespace(cluster);
    m_partitions->setRowCount(static_cast<int>(cluster.partitions.size()));
    for (int i = 0; i < cluster.partitions.size(); ++i) {
        const auto &p = cluster.partitions[i];
        const bool consumed = !p.group.isEmpty() || p.lagRecords < 0; // rows without a group and without lag
        const qint64 lag = p.lag();
        totalLag += lag;
        if (!p.group.isEmpty())
            groupLag[p.group] += lag;
        const QString key = QStringLiteral("%1/%2/%3").arg(p.group, p.topic).arg(p.partition);
        seen.insert(key);
        std::deque<qint64> &history = m_partitionLag[key];
        if (fresh) {
            history.push_back(lag);
            while (history.size() > kLagAlertSnapshots)
                history.pop_front();
        }
        const bool growing = consumed && grows(history);
        if (growing)
            m_growingPartitions << key;
        setCell(m_partitions, i, 0, withoutNamespace(p.topic, ns), Qt::AlignLeft | Qt::AlignVCenter);
        setCell(m_partitions, i, 1, p.group.isEmpty() ? QStringLiteral("—") : withoutNamespace(p.group, ns), Qt::AlignLeft | Qt::AlignVCenter);
        setCell(m_partitions, i, 2, QString::number(p.partition));
        setCell(m_partitions, i, 3, p.leader >= 0 ? QString::number(p.leader) : tr("none"));
        setCell(m_partitions, i, 4, ids(p.replicas));
        setCell(m_partitions, i, 5, ids(p.isr));
        setCell(m_partitions, i, 6, p.endOffset >= 0 ? grouped(p.endOffset) : QStringLiteral("—"));
        setCell(m_partitions, i, 7, consumed && p.committedOffset >= 0 ? grouped(p.committedOffset) : QStringLiteral("—"));
        setCell(m_partitions, i, 8, consumed ? grouped(lag) : QStringLiteral("—"));
        setCell(m_partitions, i, 9, consumed ? QString::number(p.lagSeconds, 'f', 1) : QStringLiteral("—"));
        // An under-replicated partition, a partition without a leader and a lag that keeps growing
        // are worth a glance.
        markRed(m_partitions->item(i, 5), p.isr.size() < p.replicas.size());
        markRed(m_partitions->item(i, 3), p.leader < 0);
        markRed(m_partitions->item(i, 8), growing);
        m_partitions->item(i, 8)->setToolTip(growing ? tr("Lag grew in each of the last %1 cluster snapshots").arg(kLagAlertSnapshots)
                                                     : QString());
        m_partitions->item(i, 0)->setToolTip(p.error);
    }
    for (auto it = m_partitionLag.begin(); it != m_partitionLag.end();)
        it = seen.contains(it.key()) ? std::next(it) : m_partitionLag.erase(it);

    QMap<QString, double> stageRates;
    m_workers->setRowCount(static_cast<int>(cluster.workers.size()));
    for (int i = 0; i < cluster.workers.size(); ++i) {
        const auto &w = cluster.workers[i];
        double in = 0, out = 0;
        for (const auto &st : w.stages) {
            in += st.inPerS;
            out += st.outPerS;
            if (w.alive)
                stageRates[st.name] += st.inPerS;
        }
        setCell(m_workers, i, 0, w.id, Qt::AlignLeft | Qt::AlignVCenter);
        setCell(m_workers, i, 1, w.role, Qt::AlignLeft | Qt::AlignVCenter);
        // Age when the snapshot was taken, the moment "alive" was judged at.
        const qint64 at = cluster.updatedMs > 0 ? cluster.updatedMs : nowMs;
        const QString age = w.lastHeartbeatMs > 0 ? tr("%1 s").arg((at - w.lastHeartbeatMs) / 1000.0, 0, 'f', 1) : tr("never");
        setCell(m_workers, i, 2, w.alive ? age : tr("%1 (gone)").arg(age));
        setCell(m_workers, i, 3, ids(w.partitions));
        setCell(m_workers, i, 4, grouped(in));
        setCell(m_workers, i, 5, grouped(out));
        markRed(m_workers->item(i, 2), !w.alive);
    }
    if (fresh) {
        int colour = 0;
        for (auto it = groupLag.cbegin(); it != groupLag.cend(); ++it) {
            // "ns.stratus.aggregate" → "aggregate": the legend has little room.
            push(m_lag, it.key().section(QLatin1Char('.'), -1), colour++, static_cast<double>(it.value()));
        }
        if (groupLag.isEmpty()) {
            push(m_lag, tr("lag"), 1, static_cast<double>(totalLag));
        } else if (QLineSeries *total = m_lag.series.take(tr("lag"))) {
            // The groups have lines of their own now: the stand-in drawn before any group had
            // committed would stay in the legend with no data.
            m_lag.chart->removeSeries(total);
            delete total;
        }
        colour = 0;
        for (auto it = stageRates.cbegin(); it != stageRates.cend(); ++it)
            push(m_clusterRates, it.key(), colour++, it.value());
        m_totalLag.push_back(totalLag);
        while (m_totalLag.size() > kLagAlertSnapshots)
            m_totalLag.pop_front();
    }
    // Lag that grew at every one of the last snapshots means the workers are falling behind.
    m_lagAlert = grows(m_totalLag) || !m_growingPartitions.isEmpty();
    QString text = tr("Connected to <b>%1</b>: %2 broker(s), %3 partition(s), %4 worker(s), total lag %5.")
                       .arg(cluster.bootstrap.toHtmlEscaped())
                       .arg(cluster.brokers.size())
                       .arg(cluster.partitions.size())
                       .arg(cluster.workers.size())
                       .arg(totalLag);
    if (!ns.isEmpty())
        text += QLatin1Char(' ') + tr("Topics and groups of namespace <b>%1</b>.").arg((ns.endsWith(QLatin1Char('.')) ? ns.chopped(1) : ns).toHtmlEscaped());
    if (m_lagAlert) {
        QString where = m_growingPartitions.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(m_growingPartitions.join(QStringLiteral(", ")).toHtmlEscaped());
        text += QStringLiteral(" <span style='color:#dc2626'><b>%1</b>%2</span>").arg(tr("Consumer lag keeps growing."), where);
    }
    if (!cluster.problem.isEmpty())
        text += QStringLiteral("<br/>") + cluster.problem.toHtmlEscaped();
    m_clusterState->setText(text);
}

void ClusterHealthView::applyTheme()
{
    const QColor base = palette().color(QPalette::Base);
    const QColor text = palette().color(QPalette::Text);
    const QColor grid = palette().color(QPalette::Mid);
    for (Spark *s : {&m_rates, &m_latency, &m_lag, &m_clusterRates}) {
        if (!s->chart)
            continue;
        s->chart->setBackgroundBrush(base);
        s->chart->setBackgroundPen(Qt::NoPen);
        s->chart->setTitleBrush(text);
        s->chart->legend()->setLabelColor(text);
        for (QValueAxis *a : {s->x, s->y}) {
            a->setLabelsColor(text);
            a->setGridLineColor(grid);
            a->setLinePenColor(grid);
        }
    }
}

void ClusterHealthView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
    QWidget::changeEvent(event);
}

} // namespace stratus
