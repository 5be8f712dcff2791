#pragma once

#include <QDialog>
#include <QElapsedTimer>

class QComboBox;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTcpSocket;

namespace stratus {

// Connect to a Kafka cluster: bootstrap servers and security settings, kept in QSettings (never the
// password), and a test button that checks what is reachable. Until the Kafka bus lands in this build
// the test can only check that each bootstrap server accepts TCP, and says so.
class ConnectDialog : public QDialog
{
    Q_OBJECT
public:
    struct Settings
    {
        QString bootstrap;          // "host:port[,host:port...]"
        QString securityProtocol;   // PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL
        QString saslMechanism;      // PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
        QString username;
        QString password;
        QString caFile;
        QString groupId;
    };

    explicit ConnectDialog(QWidget *parent = nullptr);

    Settings settings() const;
    void setSettings(const Settings &s);
    // Checks the bootstrap list; returns the problem in words or an empty string.
    static QString validateBootstrap(const QString &bootstrap);
    void testConnection();
    QString testReport() const;
    bool testRunning() const { return m_pending > 0; }

signals:
    void testFinished(const QString &report);

private:
    void updateSecurityFields();
    void appendReport(const QString &line);
    void save() const;

    QLineEdit *m_bootstrap;
    QComboBox *m_protocol;
    QComboBox *m_mechanism;
    QLineEdit *m_user;
    QLineEdit *m_password;
    QLineEdit *m_ca;
    QLineEdit *m_group;
    QPlainTextEdit *m_report;
    QPushButton *m_test;
    int m_pending = 0;
};

} // namespace stratus
