#include "SourcesDialog.h"

#include "LiveState.h"
#include "TimeUtil.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace stratus {

SourcesDialog::SourcesDialog(const LiveState &state, const QSet<QString> &shown, QWidget *parent)
    : QDialog(parent), m_sources(new QTableWidget(this)), m_filter(new QLineEdit(this)), m_stations(new QListWidget(this)),
      m_count(new QLabel(this))
{
    setObjectName(QStringLiteral("sourcesDialog"));
    setWindowTitle(tr("Sources and stations"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("<b>Sources</b> (chosen at start: <tt>--demo</tt>, or <tt>--source replay --file F</tt>)"), this));
    const QList<LiveState::SourceStatus> sources = state.sources();
    m_sources->setColumnCount(5);
    m_sources->setHorizontalHeaderLabels({tr("Source"), tr("State"), tr("Readings"), tr("Last success (UTC)"), tr("Last error")});
    m_sources->setRowCount(static_cast<int>(sources.size()));
    for (int i = 0; i < sources.size(); ++i) {
        const auto &s = sources[i];
        const QStringList cells = {s.name, s.state, QString::number(s.readings),
                                   s.lastSuccessMs ? timeutil::toIsoUtc(s.lastSuccessMs) : QStringLiteral("—"), s.lastError};
        for (int c = 0; c < cells.size(); ++c)
            m_sources->setItem(i, c, new QTableWidgetItem(cells[c]));
    }
    m_sources->verticalHeader()->hide();
    m_sources->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_sources->horizontalHeader()->setStretchLastSection(true);
    m_sources->resizeColumnsToContents();
    m_sources->setMaximumHeight(130);
    layout->addWidget(m_sources);

    layout->addWidget(new QLabel(tr("<b>Stations shown</b> on the map and in the table"), this));
    auto *row = new QHBoxLayout;
    m_filter->setPlaceholderText(tr("Filter by id, name, state or country…"));
    m_filter->setClearButtonEnabled(true);
    row->addWidget(m_filter, 1);
    auto *all = new QPushButton(tr("Check shown"), this);
    auto *none = new QPushButton(tr("Uncheck shown"), this);
    row->addWidget(all);
    row->addWidget(none);
    layout->addLayout(row);
    m_stations->setObjectName(QStringLiteral("sourcesStations"));
    m_stations->setUniformItemSizes(true);
    const StationCatalogue catalogue = state.catalogue();
    for (const Station &s : catalogue.stations()) {
        QString label = s.id;
        if (!s.name.isEmpty())
            label += QStringLiteral(" — ") + s.name;
        if (!s.region.isEmpty() || !s.country.isEmpty())
            label += QStringLiteral(" (%1)").arg(QStringList{s.region, s.country}.join(QLatin1Char(' ')).trimmed());
        if (!s.hasLocation())
            label += tr(" · no position");
        auto *item = new QListWidgetItem(label, m_stations);
        item->setData(Qt::UserRole, s.id);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(shown.isEmpty() || shown.contains(s.id) ? Qt::Checked : Qt::Unchecked);
    }
    layout->addWidget(m_stations, 1);
    layout->addWidget(m_count);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        for (int i = 0; i < m_stations->count(); ++i)
            m_stations->item(i)->setHidden(!m_stations->item(i)->text().contains(text, Qt::CaseInsensitive));
    });
    const auto setShown = [this](Qt::CheckState st) {
        for (int i = 0; i < m_stations->count(); ++i) {
            if (!m_stations->item(i)->isHidden())
                m_stations->item(i)->setCheckState(st);
        }
        updateCount();
    };
    connect(all, &QPushButton::clicked, this, [setShown] { setShown(Qt::Checked); });
    connect(none, &QPushButton::clicked, this, [setShown] { setShown(Qt::Unchecked); });
    connect(m_stations, &QListWidget::itemChanged, this, &SourcesDialog::updateCount);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateCount();
    resize(620, 560);
}

QSet<QString> SourcesDialog::chosenStations() const
{
    QSet<QString> out;
    bool all = true;
    for (int i = 0; i < m_stations->count(); ++i) {
        if (m_stations->item(i)->checkState() == Qt::Checked)
            out.insert(m_stations->item(i)->data(Qt::UserRole).toString());
        else
            all = false;
    }
    return all ? QSet<QString>() : out;
}

void SourcesDialog::setChecked(const QSet<QString> &ids)
{
    const QSignalBlocker block(m_stations);
    for (int i = 0; i < m_stations->count(); ++i)
        m_stations->item(i)->setCheckState(ids.contains(m_stations->item(i)->data(Qt::UserRole).toString()) ? Qt::Checked
                                                                                                           : Qt::Unchecked);
    updateCount();
}

void SourcesDialog::updateCount()
{
    int checked = 0;
    for (int i = 0; i < m_stations->count(); ++i)
        checked += m_stations->item(i)->checkState() == Qt::Checked;
    m_count->setText(tr("%1 of %2 stations shown").arg(checked).arg(m_stations->count()));
}

} // namespace stratus
