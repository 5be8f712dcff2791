#pragma once

#include <QMainWindow>
#include <QTimer>

class QLabel;
class QTableView;

namespace stratus {

class Engine;
class StationTableModel;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(Engine &engine, QWidget *parent = nullptr);

    StationTableModel *stationModel() const { return m_stationModel; }

private:
    void refresh();

    Engine &m_engine;
    StationTableModel *m_stationModel;
    QTableView *m_stationTable;
    QLabel *m_statusSource;
    QLabel *m_statusRate;
    QLabel *m_statusMode;
    QTimer m_refreshTimer;
    quint64 m_lastGeneration = ~0ULL;
    qint64 m_lastReadingsIn = 0;
};

} // namespace stratus
