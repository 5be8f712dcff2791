#include "MainWindow.h"

#include "Engine.h"
#include "StationTableModel.h"

#include <QHeaderView>
#include <QLabel>
#include <QStatusBar>
#include <QTableView>

namespace stratus {

MainWindow::MainWindow(Engine &engine, QWidget *parent)
    : QMainWindow(parent), m_engine(engine), m_stationModel(new StationTableModel(this)),
      m_stationTable(new QTableView(this)), m_statusSource(new QLabel(this)), m_statusRate(new QLabel(this)),
      m_statusMode(new QLabel(this))
{
    setWindowTitle(tr("Stratus — weather station monitor"));
    resize(1100, 640);
    m_stationTable->setModel(m_stationModel);
    m_stationTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_stationTable->setAlternatingRowColors(true);
    m_stationTable->verticalHeader()->hide();
    m_stationTable->horizontalHeader()->setStretchLastSection(true);
    m_stationTable->setObjectName(QStringLiteral("stationTable"));
    setCentralWidget(m_stationTable);

    statusBar()->addWidget(m_statusSource, 1);
    statusBar()->addPermanentWidget(m_statusRate);
    statusBar()->addPermanentWidget(m_statusMode);

    // Redraw from a snapshot on a timer, never from the data path (PlotJuggler's coalesced redraw).
    connect(&m_refreshTimer, &QTimer::timeout, this, &MainWindow::refresh);
    m_refreshTimer.start(500);
    refresh();
}

void MainWindow::refresh()
{
    const LiveState &state = m_engine.state();
    const auto counters = state.counters();
    m_statusRate->setText(tr("%1 readings/s").arg((counters.readingsIn - m_lastReadingsIn) * 2));
    m_lastReadingsIn = counters.readingsIn;
    m_statusMode->setText(tr("engine: %1, bus: %2").arg(state.mode(), state.busKind()));
    QStringList sources;
    for (const auto &s : state.sources())
        sources << QStringLiteral("%1 %2").arg(s.name, s.state);
    m_statusSource->setText(sources.join(QStringLiteral(" · ")));

    if (state.generation() == m_lastGeneration)
        return;
    m_lastGeneration = state.generation();
    m_stationModel->refresh(state);
    if (m_stationTable->horizontalHeader()->sectionSize(0) < 60)
        m_stationTable->resizeColumnsToContents();
}

} // namespace stratus
