#include "ModelsView.h"

#include <QColor>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace stratus {

ModelsView::ModelsView(const LiveState &state, QWidget *parent)
    : QWidget(parent), m_state(state), m_schedule(new QLabel(this)), m_stage(new QLabel(this)),
      m_progress(new QProgressBar(this)), m_start(new QPushButton(tr("Retrain now"), this)),
      m_cancel(new QPushButton(tr("Cancel"), this)), m_decisions(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("modelsView"));
    m_cancel->setObjectName(QStringLiteral("retrainCancel"));
    m_start->setObjectName(QStringLiteral("retrainStart"));
    m_decisions->setObjectName(QStringLiteral("retrainDecisions"));
    m_decisions->setHeaderLabels({tr("Decided"), tr("Version"), tr("Decision"), tr("Candidate MAE °C"),
                                  tr("Active MAE °C"), tr("Reason")});
    m_decisions->setRootIsDecorated(true); // a retrain by station group has one child row per group
    m_decisions->header()->setStretchLastSection(true);
    // Times and versions are read whole; the reason takes what is left (and has a tooltip).
    for (int c = 0; c < 5; ++c)
        m_decisions->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_stage->setWordWrap(true);
    auto *top = new QHBoxLayout;
    top->addWidget(m_schedule, 1);
    top->addWidget(m_start);
    top->addWidget(m_cancel);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_stage);
    layout->addWidget(m_progress);
    layout->addWidget(m_decisions, 1);
    connect(m_start, &QPushButton::clicked, this, [this] { m_state.requestRetrain(QStringLiteral("start")); });
    connect(m_cancel, &QPushButton::clicked, this, [this] { m_state.requestRetrain(QStringLiteral("cancel")); });
    connect(&m_timer, &QTimer::timeout, this, &ModelsView::refresh);
    m_timer.setObjectName(QStringLiteral("modelsRefreshTimer"));
    m_timer.start(1000);
    refresh();
}

int ModelsView::decisionCount() const
{
    return m_decisions->topLevelItemCount();
}

void ModelsView::refresh()
{
    const QJsonObject s = m_state.retrainStatus();
    if (s.isEmpty()) {
        m_schedule->setText(tr("No model registry: start with --models DIR to retrain."));
        m_start->setEnabled(false);
        m_cancel->setEnabled(false);
        m_progress->setVisible(false);
        return;
    }
    m_schedule->setText(tr("Schedule: %1 · promotion margin %2 %")
                            .arg(s.value(QStringLiteral("schedule")).toString())
                            .arg(100 * s.value(QStringLiteral("margin")).toDouble(), 0, 'f', 1));
    const bool running = s.value(QStringLiteral("running")).toBool();
    const QJsonObject job = s.value(QStringLiteral("job")).toObject();
    m_start->setEnabled(!running);
    m_cancel->setEnabled(running);
    m_progress->setVisible(running);
    if (running) {
        m_stage->setText(tr("%1 — %2: %3")
                             .arg(job.value(QStringLiteral("id")).toString(), job.value(QStringLiteral("stage")).toString(),
                                  job.value(QStringLiteral("message")).toString()));
        m_progress->setRange(0, std::max(1, job.value(QStringLiteral("total")).toInt()));
        m_progress->setValue(job.value(QStringLiteral("done")).toInt());
    } else {
        m_stage->setText(tr("No retrain running."));
    }
    const QJsonArray decisions = s.value(QStringLiteral("decisions")).toArray();
    if (decisions.size() == m_shownDecisions)
        return;
    m_shownDecisions = static_cast<int>(decisions.size());
    m_decisions->clear();
    auto num = [](const QJsonValue &v) { return v.isDouble() ? QString::number(v.toDouble(), 'f', 3) : QStringLiteral("—"); };
    for (qsizetype i = decisions.size() - 1; i >= 0; --i) { // newest first
        const QJsonObject d = decisions[i].toObject();
        const bool promoted = d.value(QStringLiteral("promoted")).toBool();
        auto *item = new QTreeWidgetItem({d.value(QStringLiteral("decided_at")).toString(), d.value(QStringLiteral("version")).toString(),
                                          promoted ? tr("promoted") : tr("rejected"), num(d.value(QStringLiteral("candidate_mae"))),
                                          num(d.value(QStringLiteral("active_mae"))), d.value(QStringLiteral("reason")).toString()});
        item->setToolTip(5, d.value(QStringLiteral("reason")).toString());
        item->setForeground(2, promoted ? QColor(0x2e, 0x7d, 0x32) : QColor(0xc6, 0x28, 0x28));
        // A retrain by station group: one row per group under the job, each with its own decision.
        for (const QJsonValue &gv : d.value(QStringLiteral("groups")).toArray()) {
            const QJsonObject g = gv.toObject();
            const bool gp = g.value(QStringLiteral("promoted")).toBool();
            auto *child = new QTreeWidgetItem({tr("group %1").arg(g.value(QStringLiteral("group")).toString()),
                                               g.value(QStringLiteral("version")).toString(), gp ? tr("promoted") : tr("rejected"),
                                               num(g.value(QStringLiteral("candidate_mae"))), num(g.value(QStringLiteral("active_mae"))),
                                               g.value(QStringLiteral("reason")).toString()});
            child->setToolTip(5, g.value(QStringLiteral("reason")).toString());
            child->setForeground(2, gp ? QColor(0x2e, 0x7d, 0x32) : QColor(0xc6, 0x28, 0x28));
            item->addChild(child);
        }
        m_decisions->addTopLevelItem(item);
        item->setExpanded(true);
    }
}

} // namespace stratus
