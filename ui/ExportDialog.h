#pragma once

#include "store/CsvExportJob.h"

#include <QDialog>
#include <QFutureWatcher>

class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QCheckBox;

namespace stratus {

class LiveState;

// Export readings of chosen stations and variables over a time range to CSV. The work runs in a
// QtConcurrent worker with a progress bar and Cancel; the window never freezes.
class ExportDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ExportDialog(const LiveState &state, QWidget *parent = nullptr);
    ~ExportDialog() override;

    void setStations(const QStringList &checked); // pre-select (e.g. the selected station)
    void setPath(const QString &path);
    void setRange(qint64 fromMs, qint64 toMs);
    CsvExportJob::Request request() const;
    void startExport();
    bool isRunning() const { return m_watcher.isRunning(); }
    CsvExportJob::Outcome lastOutcome() const { return m_outcome; }

signals:
    void exportFinished(const stratus::CsvExportJob::Outcome &outcome);

private:
    void finished();

    const LiveState &m_state;
    QLineEdit *m_filter;
    QListWidget *m_stations;
    QList<QCheckBox *> m_variables;
    QDateTimeEdit *m_from;
    QDateTimeEdit *m_to;
    QLineEdit *m_path;
    QProgressBar *m_progress;
    QLabel *m_status;
    QPushButton *m_export;
    QPushButton *m_cancel;
    QFutureWatcher<CsvExportJob::Outcome> m_watcher;
    CsvExportJob::Outcome m_outcome;
};

} // namespace stratus
