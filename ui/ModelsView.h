#pragma once

#include "LiveState.h"

#include <QTimer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace stratus {

// Model retraining at a glance: the running job's step and progress with a Cancel button, a
// "Retrain now" button, and every promote/reject decision with its scores and reason. Reads the
// engine's RetrainCoordinator status from LiveState on a timer; the buttons leave requests there.
class ModelsView : public QWidget
{
    Q_OBJECT
public:
    explicit ModelsView(const LiveState &state, QWidget *parent = nullptr);
    void refresh();
    int decisionCount() const;

private:
    const LiveState &m_state;
    QLabel *m_schedule;
    QLabel *m_stage;
    QProgressBar *m_progress;
    QPushButton *m_start;
    QPushButton *m_cancel;
    QTreeWidget *m_decisions;
    QTimer m_timer;
    int m_shownDecisions = -1;
};

} // namespace stratus
