#pragma once

#include <QDialog>
#include <QSet>

class QLabel;
class QLineEdit;
class QListWidget;
class QTableWidget;

namespace stratus {

class LiveState;

// Shows the data sources with their health, and lets the user choose which stations the views show.
// Sources are chosen on the command line (--demo, --source replay --file F); the dialog says so.
class SourcesDialog : public QDialog
{
    Q_OBJECT
public:
    SourcesDialog(const LiveState &state, const QSet<QString> &shown, QWidget *parent = nullptr);

    // The stations to show; empty = all.
    QSet<QString> chosenStations() const;
    void setChecked(const QSet<QString> &ids);

private:
    void updateCount();

    QTableWidget *m_sources;
    QLineEdit *m_filter;
    QListWidget *m_stations;
    QLabel *m_count;
};

} // namespace stratus
