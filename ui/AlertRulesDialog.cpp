#include "AlertRulesDialog.h"

#include "LiveState.h"
#include "alerts/AlertManager.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace stratus {

AlertRulesDialog::AlertRulesDialog(AlertManager &alerts, const LiveState &state, QWidget *parent)
    : QDialog(parent), m_alerts(alerts), m_state(state), m_table(new QTableWidget(0, ColumnCount, this)),
      m_input(new QLineEdit(this)), m_remove(new QPushButton(tr("Remove"), this)), m_message(new QLabel(this))
{
    setObjectName(QStringLiteral("alertRulesDialog"));
    setWindowTitle(tr("Alert rules"));
    m_table->setHorizontalHeaderLabels({tr("Id"), tr("Rule"), tr("Scope"), tr("For"), tr("Severity"), tr("From"), tr("State")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(Rule, QHeaderView::Stretch);
    m_input->setPlaceholderText(tr("e.g. temperature < -20 for 10m station=KMSN severity=critical"));
    m_input->setObjectName(QStringLiteral("alertRuleInput"));
    auto *add = new QPushButton(tr("Add"), this);
    m_message->setWordWrap(true);

    auto *addRow = new QHBoxLayout;
    addRow->addWidget(m_input, 1);
    addRow->addWidget(add);
    addRow->addWidget(m_remove);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_table, 1);
    layout->addLayout(addRow);
    layout->addWidget(m_message);
    layout->addWidget(buttons);
    resize(820, 360);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(add, &QPushButton::clicked, this, [this] { addRule(m_input->text()); });
    connect(m_input, &QLineEdit::returnPressed, this, [this] { addRule(m_input->text()); });
    connect(m_remove, &QPushButton::clicked, this, [this] { removeSelected(); });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        const int row = m_table->currentRow();
        m_remove->setEnabled(row >= 0 && m_table->item(row, Origin) && m_table->item(row, Origin)->text() == QLatin1String("api"));
    });
    reload();
}

void AlertRulesDialog::reload()
{
    const QJsonArray rules = m_alerts.rulesJson().value(QLatin1String("rules")).toArray();
    m_table->setRowCount(static_cast<int>(rules.size()));
    for (int r = 0; r < rules.size(); ++r) {
        const QJsonObject o = rules[r].toObject();
        const bool api = o.value(QLatin1String("origin")).toString() == QLatin1String("api");
        const QString scope = o.value(QLatin1String("scope")).toString() == QLatin1String("all")
                                  ? tr("all stations")
                                  : o.value(QLatin1String("station")).toString();
        const QString state = tr("%1 firing · %2 pending")
                                  .arg(o.value(QLatin1String("firing")).toInt())
                                  .arg(o.value(QLatin1String("pending")).toInt());
        const QStringList cells = {o.value(QLatin1String("id")).toString(),
                                   o.value(QLatin1String("expression")).toString(),
                                   scope,
                                   o.value(QLatin1String("for")).toString(),
                                   o.value(QLatin1String("severity")).toString(),
                                   api ? QStringLiteral("api") : tr("config (read-only)"),
                                   state};
        for (int c = 0; c < ColumnCount; ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            if (c == Rule)
                item->setToolTip(o.value(QLatin1String("canonical")).toString());
            m_table->setItem(r, c, item);
        }
    }
    m_remove->setEnabled(false);
}

bool AlertRulesDialog::addRule(const QString &text, QString *error)
{
    const auto fail = [&](const QString &why) {
        showMessage(why, true);
        if (error)
            *error = why;
        return false;
    };
    auto parsed = AlertRule::parse(text.trimmed());
    if (!parsed)
        return fail(parsed.errorMessage());
    if (!parsed->stationId.isEmpty() && !m_state.hasStation(parsed->stationId))
        return fail(tr("unknown station \"%1\"").arg(parsed->stationId));
    const auto added = m_alerts.addRule(*parsed, text.trimmed(), qEnvironmentVariable("USER", QStringLiteral("gui")));
    if (!added)
        return fail(added.errorMessage());
    m_input->clear();
    showMessage(tr("added rule %1").arg(added->rule.id), false);
    reload();
    return true;
}

bool AlertRulesDialog::removeSelected(QString *error)
{
    const int row = m_table->currentRow();
    if (row < 0 || !m_table->item(row, Id))
        return false;
    const QString id = m_table->item(row, Id)->text();
    QString why;
    const auto result = m_alerts.removeRule(id, &why);
    if (result == AlertManager::RemoveResult::ReadOnly)
        why = tr("rule %1 comes from the config file and is read-only").arg(id);
    else if (result == AlertManager::RemoveResult::Unknown)
        why = tr("rule %1 is gone already").arg(id);
    if (result != AlertManager::RemoveResult::Removed) {
        showMessage(why, true);
        if (error)
            *error = why;
        reload();
        return false;
    }
    showMessage(tr("removed rule %1").arg(id), false);
    reload();
    return true;
}

QString AlertRulesDialog::message() const { return m_message->text(); }

void AlertRulesDialog::showMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("color: #dc2626;") : QString());
}

} // namespace stratus
