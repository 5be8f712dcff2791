#include "AlertPanel.h"

#include "AlertRulesDialog.h"
#include "AlertTableModel.h"
#include "DisplayUnits.h"
#include "LiveState.h"
#include "alerts/AlertManager.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace stratus {

namespace {
QIcon alertIcon()
{
    QPixmap pm(32, 32);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(QColor(0xdc, 0x26, 0x26));
    p.setPen(Qt::NoPen);
    p.drawEllipse(2, 2, 28, 28);
    p.setPen(QPen(Qt::white, 4, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(16, 8, 16, 19);
    p.drawPoint(16, 25);
    return QIcon(pm);
}
} // namespace

AlertPanel::AlertPanel(const LiveState &state, const DisplayUnits &units, QWidget *parent)
    : QWidget(parent), m_state(state), m_model(new AlertTableModel(units, this)), m_table(new QTableView(this)),
      m_severity(new QComboBox(this)), m_kind(new QComboBox(this)), m_stationFilter(new QLineEdit(this)),
      m_hideAcked(new QCheckBox(tr("Hide acknowledged"), this)), m_summary(new QLabel(this))
{
    setObjectName(QStringLiteral("alertPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *bar = new QHBoxLayout;
    m_severity->addItem(tr("All severities"), static_cast<int>(Severity::Info));
    m_severity->addItem(tr("Warning and critical"), static_cast<int>(Severity::Warning));
    m_severity->addItem(tr("Critical only"), static_cast<int>(Severity::Critical));
    m_severity->setObjectName(QStringLiteral("alertSeverity"));
    m_kind->addItem(tr("All kinds"), -1);
    for (int k = 0; k <= static_cast<int>(AnomalyKind::Rule); ++k)
        m_kind->addItem(anomalyKindKey(static_cast<AnomalyKind>(k)), k);
    m_stationFilter->setPlaceholderText(tr("Station…"));
    m_stationFilter->setClearButtonEnabled(true);
    m_stationFilter->setMaximumWidth(140);
    m_hideAcked->setObjectName(QStringLiteral("alertHideAcked"));
    auto *ack = new QPushButton(tr("Acknowledge"), this);
    ack->setObjectName(QStringLiteral("alertAcknowledge"));
    ack->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    auto *ackAll = new QPushButton(tr("Acknowledge all shown"), this);
    auto *silence = new QToolButton(this);
    silence->setText(tr("Silence station"));
    silence->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(silence);
    for (auto [label, minutes] : {std::pair{tr("for 15 minutes"), 15}, {tr("for 1 hour"), 60}, {tr("for 4 hours"), 240},
                                  {tr("for 24 hours"), 1440}})
        menu->addAction(label, this, [this, minutes] { silenceSelected(minutes); });
    menu->addSeparator();
    menu->addAction(tr("Unsilence all"), this, [this] {
        for (const QString &s : m_model->silencedStations(QDateTime::currentMSecsSinceEpoch())) {
            if (m_alerts)
                m_alerts->removeSilencesOf(s);
            m_model->unsilence(s);
        }
        m_mirrored.clear();
        updateSummary();
    });
    silence->setMenu(menu);
    bar->addWidget(m_severity);
    bar->addWidget(m_kind);
    bar->addWidget(m_stationFilter);
    bar->addWidget(m_hideAcked);
    bar->addStretch(1);
    bar->addWidget(ack);
    bar->addWidget(ackAll);
    bar->addWidget(silence);
    m_rulesButton = new QPushButton(tr("Rules…"), this);
    m_rulesButton->setObjectName(QStringLiteral("alertRules"));
    m_rulesButton->setToolTip(tr("The alert rules: list, add, remove"));
    m_rulesButton->setEnabled(false); // until the engine's rules are known (setAlertManager)
    connect(m_rulesButton, &QPushButton::clicked, this, [this] {
        if (AlertRulesDialog *d = createRulesDialog()) {
            d->setAttribute(Qt::WA_DeleteOnClose);
            d->open();
        }
    });
    bar->addWidget(m_rulesButton);
    layout->addLayout(bar);

    m_table->setModel(m_model);
    m_table->setObjectName(QStringLiteral("alertTable"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(AlertTableModel::Reason, QHeaderView::Stretch);
    m_table->setWordWrap(false);
    m_table->setColumnWidth(AlertTableModel::Time, 150);
    m_table->setColumnWidth(AlertTableModel::Station, 70);
    m_table->setColumnWidth(AlertTableModel::Variable_, 100);
    m_table->setColumnWidth(AlertTableModel::Kind, 110);
    m_table->setColumnWidth(AlertTableModel::Severity_, 70);
    m_table->setColumnWidth(AlertTableModel::Score, 55);
    m_table->setColumnWidth(AlertTableModel::Value, 80);
    m_table->setColumnWidth(AlertTableModel::Acknowledged, 40);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_summary);

    connect(m_severity, &QComboBox::currentIndexChanged, this, &AlertPanel::applyFilter);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &AlertPanel::applyFilter);
    connect(m_stationFilter, &QLineEdit::textChanged, this, &AlertPanel::applyFilter);
    connect(m_hideAcked, &QCheckBox::toggled, this, &AlertPanel::applyFilter);
    connect(ack, &QPushButton::clicked, this, &AlertPanel::acknowledgeSelected);
    connect(ackAll, &QPushButton::clicked, this, [this] {
        m_model->acknowledgeAll();
        updateSummary();
    });
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex &idx) {
        emit stationActivated(m_model->anomalyAt(idx.row()).stationId);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &idx) {
        if (idx.isValid())
            emit stationActivated(m_model->anomalyAt(idx.row()).stationId);
    });

    connect(m_model, &QAbstractItemModel::modelReset, this, &AlertPanel::updateSummary);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &AlertPanel::updateSummary);
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(alertIcon(), this);
        m_tray->setToolTip(tr("Stratus alerts"));
        m_tray->show();
    }
    connect(&m_timer, &QTimer::timeout, this, &AlertPanel::refresh);
    m_timer.setObjectName(QStringLiteral("alertRefreshTimer"));
    m_timer.start(500);
    refresh();
}

void AlertPanel::setAlertManager(AlertManager *alerts)
{
    m_alerts = alerts;
    m_rulesButton->setEnabled(alerts != nullptr);
    syncSilences();
}

AlertRulesDialog *AlertPanel::createRulesDialog()
{
    return m_alerts ? new AlertRulesDialog(*m_alerts, m_state, this) : nullptr;
}

void AlertPanel::syncSilences()
{
    if (!m_alerts)
        return;
    // The table hides by wall clock; the engine's silences are in its own time (event time of a
    // replay), so each is mirrored as "silenced for the time it has left".
    const qint64 engineNow = m_alerts->clockMs();
    const qint64 wallNow = QDateTime::currentMSecsSinceEpoch();
    QHash<QString, qint64> left;
    for (const AlertManager::SilenceEntry &e : m_alerts->silences()) {
        const auto &s = e.silence;
        if (s.covers(s.stationId, engineNow))
            left[s.stationId] = std::max(left.value(s.stationId), s.untilMs - engineNow);
    }
    bool changed = false;
    for (auto it = left.cbegin(); it != left.cend(); ++it) {
        if (!m_model->isSilenced(it.key(), wallNow) || !m_mirrored.contains(it.key())) {
            m_model->silence(it.key(), wallNow + it.value());
            m_mirrored.insert(it.key());
            changed = true;
        }
    }
    for (auto it = m_mirrored.begin(); it != m_mirrored.end();) {
        if (!left.contains(*it)) {
            m_model->unsilence(*it);
            it = m_mirrored.erase(it);
            changed = true;
        } else {
            ++it;
        }
    }
    if (changed)
        updateSummary();
}

void AlertPanel::refresh()
{
    syncSilences();
    const qint64 total = m_state.counters().anomaliesOut;
    if (total == m_seen) {
        return;
    }
    const int fetch = static_cast<int>(std::min<qint64>(total - m_seen, LiveState::kAnomalyHistory));
    m_seen = total;
    const QList<Anomaly> fresh = m_state.anomalies(std::numeric_limits<qint64>::min(), QString(), fetch);
    // Keep the operator's selection across the model reset.
    const QModelIndex current = m_table->currentIndex();
    const QString currentKey = current.isValid() ? AlertTableModel::keyOf(m_model->anomalyAt(current.row())) : QString();
    const QList<Anomaly> severe = m_model->addAnomalies(fresh);
    if (!currentKey.isEmpty()) {
        for (int r = 0; r < m_model->rowCount(); ++r) {
            if (AlertTableModel::keyOf(m_model->anomalyAt(r)) == currentKey) {
                const QSignalBlocker block(m_table->selectionModel());
                m_table->selectRow(r);
                break;
            }
        }
    }
    updateSummary();
    notify(severe);
}

void AlertPanel::notify(const QList<Anomaly> &severe)
{
    if (severe.isEmpty() || !m_notify)
        return;
    // One balloon per refresh, however many arrived: a burst must not flood the desktop.
    const Anomaly &first = severe.first();
    QString text = QStringLiteral("%1: %2").arg(first.stationId, first.reason);
    if (severe.size() > 1)
        text += tr(" (and %n more)", nullptr, static_cast<int>(severe.size() - 1));
    ++m_notificationsShown;
    if (m_tray)
        m_tray->showMessage(tr("Critical weather-station alert"), text, QSystemTrayIcon::Critical, 8000);
    emit severeAlerts(text);
}

void AlertPanel::applyFilter()
{
    AlertTableModel::Filter f;
    f.minSeverity = static_cast<Severity>(m_severity->currentData().toInt());
    const int kind = m_kind->currentData().toInt();
    if (kind >= 0)
        f.kind = static_cast<AnomalyKind>(kind);
    f.stationText = m_stationFilter->text().trimmed();
    f.hideAcknowledged = m_hideAcked->isChecked();
    m_model->setFilter(f);
    updateSummary();
}

void AlertPanel::acknowledgeSelected()
{
    QList<int> rows;
    for (const QModelIndex &idx : m_table->selectionModel()->selectedRows())
        rows.append(idx.row());
    if (rows.isEmpty() && m_table->currentIndex().isValid())
        rows.append(m_table->currentIndex().row());
    m_model->acknowledge(rows);
    updateSummary();
}

void AlertPanel::silenceSelected(int minutes)
{
    QStringList stations;
    for (const QModelIndex &idx : m_table->selectionModel()->selectedRows())
        stations.append(m_model->anomalyAt(idx.row()).stationId);
    if (stations.isEmpty() && m_table->currentIndex().isValid())
        stations.append(m_model->anomalyAt(m_table->currentIndex().row()).stationId);
    stations.removeDuplicates();
    const qint64 until = QDateTime::currentMSecsSinceEpoch() + minutes * 60'000LL;
    for (const QString &s : std::as_const(stations)) {
        if (m_alerts) {
            // The engine's silence: it stops the station's rule and dropout notices at the source,
            // and the API lists it.
            AlertRuleEngine::Silence silence;
            silence.stationId = s;
            silence.startsAtMs = m_alerts->clockMs();
            silence.untilMs = silence.startsAtMs + minutes * 60'000LL;
            silence.comment = tr("silenced from the alert panel for %n minute(s)", nullptr, minutes);
            silence.author = qEnvironmentVariable("USER", QStringLiteral("gui"));
            if (m_alerts->addSilence(silence, QStringLiteral("gui")))
                m_mirrored.insert(s);
        }
        m_model->silence(s, until);
    }
    updateSummary();
}

void AlertPanel::updateSummary()
{
    const QStringList silenced = m_model->silencedStations(QDateTime::currentMSecsSinceEpoch());
    QString text = tr("%1 shown · %2 alerts · %3 unacknowledged")
                       .arg(m_model->rowCount())
                       .arg(m_model->totalCount())
                       .arg(m_model->unacknowledgedCount());
    if (!silenced.isEmpty())
        text += tr(" · silenced: %1").arg(silenced.join(QStringLiteral(", ")));
    m_summary->setText(text);
}

} // namespace stratus
