#include "ExportDialog.h"

#include "DisplayUnits.h"
#include "LiveState.h"

#include <QCheckBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QTimeZone>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace stratus {

ExportDialog::ExportDialog(const LiveState &state, QWidget *parent)
    : QDialog(parent), m_state(state), m_filter(new QLineEdit(this)), m_stations(new QListWidget(this)),
      m_from(new QDateTimeEdit(this)), m_to(new QDateTimeEdit(this)), m_path(new QLineEdit(this)),
      m_progress(new QProgressBar(this)), m_status(new QLabel(this)), m_export(new QPushButton(tr("Export"), this)),
      m_cancel(new QPushButton(tr("Cancel export"), this))
{
    setObjectName(QStringLiteral("exportDialog"));
    setWindowTitle(tr("Export CSV report"));
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;

    auto *left = new QVBoxLayout;
    left->addWidget(new QLabel(tr("Stations"), this));
    m_filter->setPlaceholderText(tr("Filter stations…"));
    m_filter->setClearButtonEnabled(true);
    left->addWidget(m_filter);
    left->addWidget(m_stations, 1);
    auto *allNone = new QHBoxLayout;
    auto *all = new QPushButton(tr("All shown"), this);
    auto *none = new QPushButton(tr("None"), this);
    allNone->addWidget(all);
    allNone->addWidget(none);
    left->addLayout(allNone);
    top->addLayout(left, 1);

    auto *right = new QVBoxLayout;
    right->addWidget(new QLabel(tr("Variables (internal units)"), this));
    auto *vars = new QGridLayout;
    int n = 0;
    for (Variable v : kAllVariables) {
        auto *box = new QCheckBox(QStringLiteral("%1 (%2)").arg(DisplayUnits::variableLabel(v), unitSymbol(v)), this);
        box->setChecked(v == Variable::Temperature || v == Variable::Dewpoint || v == Variable::Humidity ||
                        v == Variable::WindSpeed || v == Variable::WindDirection || v == Variable::Pressure);
        box->setProperty("variable", index(v));
        m_variables.append(box);
        vars->addWidget(box, n / 2, n % 2);
        ++n;
    }
    right->addLayout(vars);
    auto *form = new QFormLayout;
    for (QDateTimeEdit *e : {m_from, m_to}) {
        e->setTimeSpec(Qt::UTC);
        e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
        e->setCalendarPopup(true);
    }
    form->addRow(tr("From"), m_from);
    form->addRow(tr("To"), m_to);
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    auto *browse = new QPushButton(tr("Browse…"), this);
    pathRow->addWidget(browse);
    form->addRow(tr("File"), pathRow);
    right->addLayout(form);
    right->addStretch(1);
    top->addLayout(right, 1);
    layout->addLayout(top, 1);

    m_progress->setObjectName(QStringLiteral("exportProgress"));
    m_progress->setValue(0);
    layout->addWidget(m_progress);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    auto *buttons = new QDialogButtonBox(this);
    m_export->setObjectName(QStringLiteral("exportStart"));
    buttons->addButton(m_export, QDialogButtonBox::ActionRole);
    buttons->addButton(m_cancel, QDialogButtonBox::ActionRole);
    buttons->addButton(QDialogButtonBox::Close);
    m_cancel->setEnabled(false);
    layout->addWidget(buttons);

    // Stations and the data's time span, from one snapshot.
    const StationCatalogue catalogue = m_state.catalogue();
    const QHash<QString, Reading> latest = m_state.latestReadings();
    qint64 newest = 0;
    for (const Station &s : catalogue.stations()) {
        if (!latest.contains(s.id))
            continue;
        auto *item = new QListWidgetItem(s.name.isEmpty() ? s.id : QStringLiteral("%1 — %2").arg(s.id, s.name), m_stations);
        item->setData(Qt::UserRole, s.id);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
        newest = std::max(newest, latest.value(s.id).timestampMs);
    }
    if (newest == 0)
        newest = QDateTime::currentMSecsSinceEpoch();
    setRange(newest - 2 * 24 * 3600'000LL, newest);
    m_path->setText(QDir::home().filePath(QStringLiteral("stratus-export.csv")));
    m_status->setText(tr("%n station(s) with readings.", nullptr, m_stations->count()));

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        for (int i = 0; i < m_stations->count(); ++i)
            m_stations->item(i)->setHidden(!m_stations->item(i)->text().contains(text, Qt::CaseInsensitive));
    });
    const auto checkShown = [this](Qt::CheckState st) {
        for (int i = 0; i < m_stations->count(); ++i) {
            if (!m_stations->item(i)->isHidden() || st == Qt::Unchecked)
                m_stations->item(i)->setCheckState(st);
        }
    };
    connect(all, &QPushButton::clicked, this, [checkShown] { checkShown(Qt::Checked); });
    connect(none, &QPushButton::clicked, this, [checkShown] { checkShown(Qt::Unchecked); });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Export to"), m_path->text(), tr("CSV files (*.csv)"));
        if (!p.isEmpty())
            m_path->setText(p);
    });
    connect(m_export, &QPushButton::clicked, this, &ExportDialog::startExport);
    connect(m_cancel, &QPushButton::clicked, this, [this] { m_watcher.cancel(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(&m_watcher, &QFutureWatcher<CsvExportJob::Outcome>::progressRangeChanged, m_progress, &QProgressBar::setRange);
    connect(&m_watcher, &QFutureWatcher<CsvExportJob::Outcome>::progressValueChanged, m_progress, &QProgressBar::setValue);
    connect(&m_watcher, &QFutureWatcher<CsvExportJob::Outcome>::progressTextChanged, this,
            [this](const QString &station) { m_status->setText(tr("Exporting… %1").arg(station)); });
    connect(&m_watcher, &QFutureWatcher<CsvExportJob::Outcome>::finished, this, &ExportDialog::finished);
    resize(760, 520);
}

ExportDialog::~ExportDialog()
{
    m_watcher.cancel();
    m_watcher.waitForFinished();
}

void ExportDialog::setStations(const QStringList &checked)
{
    for (int i = 0; i < m_stations->count(); ++i) {
        QListWidgetItem *item = m_stations->item(i);
        item->setCheckState(checked.contains(item->data(Qt::UserRole).toString()) ? Qt::Checked : Qt::Unchecked);
        if (item->checkState() == Qt::Checked)
            m_stations->scrollToItem(item);
    }
}

void ExportDialog::setPath(const QString &path)
{
    m_path->setText(path);
}

void ExportDialog::setRange(qint64 fromMs, qint64 toMs)
{
    m_from->setDateTime(QDateTime::fromMSecsSinceEpoch(fromMs, Qt::UTC));
    m_to->setDateTime(QDateTime::fromMSecsSinceEpoch(toMs, Qt::UTC));
}

CsvExportJob::Request ExportDialog::request() const
{
    CsvExportJob::Request r;
    r.path = m_path->text().trimmed();
    for (int i = 0; i < m_stations->count(); ++i) {
        if (m_stations->item(i)->checkState() == Qt::Checked)
            r.stations.append(m_stations->item(i)->data(Qt::UserRole).toString());
    }
    for (QCheckBox *b : m_variables) {
        if (b->isChecked())
            r.variables.append(static_cast<Variable>(b->property("variable").toInt()));
    }
    r.fromMs = m_from->dateTime().toMSecsSinceEpoch();
    r.toMs = m_to->dateTime().toMSecsSinceEpoch() + 59'999; // the minute shown is included
    return r;
}

void ExportDialog::startExport()
{
    const CsvExportJob::Request r = request();
    QString problem;
    if (r.stations.isEmpty())
        problem = tr("Choose at least one station.");
    else if (r.variables.isEmpty())
        problem = tr("Choose at least one variable.");
    else if (r.path.isEmpty())
        problem = tr("Choose a file to write.");
    else if (r.fromMs > r.toMs)
        problem = tr("\"From\" is after \"To\".");
    if (!problem.isEmpty()) {
        m_status->setText(problem);
        return;
    }
    m_export->setEnabled(false);
    m_cancel->setEnabled(true);
    m_progress->setRange(0, static_cast<int>(r.stations.size()));
    m_progress->setValue(0);
    m_status->setText(tr("Exporting…"));
    m_watcher.setFuture(QtConcurrent::run(&CsvExportJob::run, &m_state, r));
}

void ExportDialog::finished()
{
    m_export->setEnabled(true);
    m_cancel->setEnabled(false);
    if (m_watcher.future().isCanceled() || m_watcher.future().resultCount() == 0) {
        m_outcome = CsvExportJob::Outcome{};
        m_outcome.cancelled = true;
        m_status->setText(tr("Export cancelled; nothing was written."));
    } else {
        m_outcome = m_watcher.result();
        if (!m_outcome.error.isEmpty())
            m_status->setText(tr("Export failed: %1").arg(m_outcome.error));
        else if (m_outcome.cancelled)
            m_status->setText(tr("Export cancelled; nothing was written."));
        else
            m_status->setText(tr("Wrote %n row(s) to %1.", nullptr, m_outcome.rows).arg(m_path->text()));
    }
    emit exportFinished(m_outcome);
}

} // namespace stratus
