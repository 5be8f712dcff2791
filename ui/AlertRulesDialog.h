#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace stratus {

class AlertManager;
class LiveState;

// The engine's alert rules in a small table (id, rule, scope, pending time, severity, where it
// comes from, how many stations are pending/firing), with a line to add a rule in the config
// syntax and a button to remove an API rule. The same rules as GET /alerts/rules: what is added
// here is saved and listed by the API, and config-file rules cannot be removed (read-only).
class AlertRulesDialog : public QDialog
{
    Q_OBJECT
public:
    enum Column { Id, Rule, Scope, For, Severity_, Origin, State, ColumnCount };

    AlertRulesDialog(AlertManager &alerts, const LiveState &state, QWidget *parent = nullptr);

    void reload();
    // Adds the rule written in the line; false with the reason shown (and returned) if refused.
    bool addRule(const QString &text, QString *error = nullptr);
    // Removes the selected rule; false if none is selected or it is read-only.
    bool removeSelected(QString *error = nullptr);
    QTableWidget *table() const { return m_table; }
    QLineEdit *input() const { return m_input; }
    QString message() const;

private:
    void showMessage(const QString &text, bool error);

    AlertManager &m_alerts;
    const LiveState &m_state;
    QTableWidget *m_table;
    QLineEdit *m_input;
    QPushButton *m_remove;
    QLabel *m_message;
};

} // namespace stratus
