#include "ConnectDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QTcpSocket>
#include <QTimer>
#include <QVBoxLayout>

#include <memory>

namespace stratus {

ConnectDialog::ConnectDialog(QWidget *parent)
    : QDialog(parent), m_bootstrap(new QLineEdit(this)), m_protocol(new QComboBox(this)), m_mechanism(new QComboBox(this)),
      m_user(new QLineEdit(this)), m_password(new QLineEdit(this)), m_ca(new QLineEdit(this)), m_group(new QLineEdit(this)),
      m_report(new QPlainTextEdit(this)), m_test(new QPushButton(tr("Test connection"), this))
{
    setObjectName(QStringLiteral("connectDialog"));
    setWindowTitle(tr("Connect to a Stratus cluster"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Attach this window to a Kafka cluster where Stratus workers run "
                                "(the same as starting with <tt>--connect HOST:PORT</tt>)."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *form = new QFormLayout;
    m_bootstrap->setObjectName(QStringLiteral("connectBootstrap"));
    m_bootstrap->setPlaceholderText(QStringLiteral("127.0.0.1:9092, broker2:9092"));
    form->addRow(tr("Bootstrap servers"), m_bootstrap);
    m_protocol->addItems({QStringLiteral("PLAINTEXT"), QStringLiteral("SSL"), QStringLiteral("SASL_PLAINTEXT"),
                          QStringLiteral("SASL_SSL")});
    form->addRow(tr("Security protocol"), m_protocol);
    m_mechanism->addItems({QStringLiteral("PLAIN"), QStringLiteral("SCRAM-SHA-256"), QStringLiteral("SCRAM-SHA-512")});
    form->addRow(tr("SASL mechanism"), m_mechanism);
    form->addRow(tr("User name"), m_user);
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("not saved"));
    form->addRow(tr("Password"), m_password);
    auto *caRow = new QHBoxLayout;
    caRow->addWidget(m_ca, 1);
    auto *browse = new QPushButton(tr("Browse…"), this);
    caRow->addWidget(browse);
    form->addRow(tr("CA certificate"), caRow);
    m_group->setPlaceholderText(QStringLiteral("stratus-gui"));
    form->addRow(tr("Consumer group"), m_group);
    layout->addLayout(form);
    m_test->setObjectName(QStringLiteral("connectTest"));
    layout->addWidget(m_test, 0, Qt::AlignLeft);
    m_report->setReadOnly(true);
    m_report->setObjectName(QStringLiteral("connectReport"));
    m_report->setPlaceholderText(tr("Press \"Test connection\" to check the servers."));
    m_report->setMinimumHeight(110);
    layout->addWidget(m_report, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    layout->addWidget(buttons);

    QSettings s;
    Settings saved;
    saved.bootstrap = s.value(QStringLiteral("connect/bootstrap"), QStringLiteral("127.0.0.1:9092")).toString();
    saved.securityProtocol = s.value(QStringLiteral("connect/protocol"), QStringLiteral("PLAINTEXT")).toString();
    saved.saslMechanism = s.value(QStringLiteral("connect/mechanism"), QStringLiteral("PLAIN")).toString();
    saved.username = s.value(QStringLiteral("connect/user")).toString();
    saved.caFile = s.value(QStringLiteral("connect/ca")).toString();
    saved.groupId = s.value(QStringLiteral("connect/group")).toString();
    setSettings(saved);

    connect(m_protocol, &QComboBox::currentIndexChanged, this, &ConnectDialog::updateSecurityFields);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("CA certificate"), m_ca->text(), tr("PEM files (*.pem *.crt);;All files (*)"));
        if (!f.isEmpty())
            m_ca->setText(f);
    });
    connect(m_test, &QPushButton::clicked, this, &ConnectDialog::testConnection);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        const QString problem = validateBootstrap(m_bootstrap->text());
        if (!problem.isEmpty()) {
            m_report->setPlainText(problem);
            return;
        }
        save();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    resize(520, 470);
}

void ConnectDialog::updateSecurityFields()
{
    const QString p = m_protocol->currentText();
    const bool sasl = p.startsWith(QLatin1String("SASL"));
    const bool tls = p.endsWith(QLatin1String("SSL"));
    m_mechanism->setEnabled(sasl);
    m_user->setEnabled(sasl);
    m_password->setEnabled(sasl);
    m_ca->setEnabled(tls);
}

ConnectDialog::Settings ConnectDialog::settings() const
{
    Settings s;
    s.bootstrap = m_bootstrap->text().trimmed();
    s.securityProtocol = m_protocol->currentText();
    s.saslMechanism = m_mechanism->currentText();
    s.username = m_user->text();
    s.password = m_password->text();
    s.caFile = m_ca->text();
    s.groupId = m_group->text().isEmpty() ? QStringLiteral("stratus-gui") : m_group->text();
    return s;
}

void ConnectDialog::setSettings(const Settings &s)
{
    m_bootstrap->setText(s.bootstrap);
    m_protocol->setCurrentText(s.securityProtocol);
    m_mechanism->setCurrentText(s.saslMechanism);
    m_user->setText(s.username);
    m_password->setText(s.password);
    m_ca->setText(s.caFile);
    m_group->setText(s.groupId);
    updateSecurityFields();
}

void ConnectDialog::save() const
{
    QSettings s;
    const Settings x = settings();
    s.setValue(QStringLiteral("connect/bootstrap"), x.bootstrap);
    s.setValue(QStringLiteral("connect/protocol"), x.securityProtocol);
    s.setValue(QStringLiteral("connect/mechanism"), x.saslMechanism);
    s.setValue(QStringLiteral("connect/user"), x.username);
    s.setValue(QStringLiteral("connect/ca"), x.caFile);
    s.setValue(QStringLiteral("connect/group"), m_group->text());
}

QString ConnectDialog::validateBootstrap(const QString &bootstrap)
{
    const QStringList servers = bootstrap.split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (servers.isEmpty())
        return tr("No bootstrap server given: expected HOST:PORT, e.g. 127.0.0.1:9092.");
    for (const QString &raw : servers) {
        const QString s = raw.trimmed();
        const qsizetype colon = s.lastIndexOf(QLatin1Char(':'));
        if (colon <= 0)
            return tr("\"%1\" has no port: expected HOST:PORT.").arg(s);
        bool ok = false;
        const int port = s.mid(colon + 1).toInt(&ok);
        if (!ok || port < 1 || port > 65535)
            return tr("\"%1\": the port must be a number from 1 to 65535.").arg(s);
    }
    return QString();
}

void ConnectDialog::appendReport(const QString &line)
{
    m_report->appendPlainText(line);
}

QString ConnectDialog::testReport() const
{
    return m_report->toPlainText();
}

void ConnectDialog::testConnection()
{
    m_report->clear();
    const QString problem = validateBootstrap(m_bootstrap->text());
    if (!problem.isEmpty()) {
        appendReport(problem);
        emit testFinished(testReport());
        return;
    }
    m_test->setEnabled(false);
    const QStringList servers = m_bootstrap->text().split(QLatin1Char(','), Qt::SkipEmptyParts);
    m_pending = static_cast<int>(servers.size());
    for (const QString &raw : servers) {
        const QString s = raw.trimmed();
        const qsizetype colon = s.lastIndexOf(QLatin1Char(':'));
        const QString host = s.left(colon);
        const quint16 port = static_cast<quint16>(s.mid(colon + 1).toUInt());
        auto *socket = new QTcpSocket(this);
        auto clock = std::make_shared<QElapsedTimer>();
        clock->start();
        auto done = [this, socket, clock, s](const QString &result) {
            if (socket->property("done").toBool())
                return;
            socket->setProperty("done", true);
            appendReport(QStringLiteral("%1: %2").arg(s, result));
            socket->abort();
            socket->deleteLater();
            if (--m_pending == 0) {
                appendReport(tr("Kafka protocol check: Kafka support is not built into this GUI yet, so brokers, "
                                "topics and partitions cannot be listed; only TCP reachability was tested."));
                m_test->setEnabled(true);
                emit testFinished(testReport());
            }
        };
        connect(socket, &QTcpSocket::connected, this,
                [done, clock] { done(tr("TCP connection accepted in %1 ms").arg(clock->nsecsElapsed() / 1e6, 0, 'f', 1)); });
        connect(socket, &QTcpSocket::errorOccurred, this, [done, socket] { done(tr("not reachable: %1").arg(socket->errorString())); });
        QTimer::singleShot(3000, socket, [done] { done(tr("no answer within 3 s")); });
        socket->connectToHost(host, port);
    }
}

} // namespace stratus
