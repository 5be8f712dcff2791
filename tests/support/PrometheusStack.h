#pragma once

// Debian's Prometheus (2.42) and Alertmanager (0.25) as real processes on 127.0.0.1 for the
// monitoring tests: each in its own temporary directory, on a port the test picks, with a
// configuration written by the test (the packaged files under packaging/prometheus, with test
// addresses and short intervals substituted). Also a blocking HTTP GET and a free-port picker.
#include "TestData.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>

#include <memory>

namespace monitoring {

struct Answer
{
    int status = 0;
    QByteArray body;
    QJsonDocument json() const { return QJsonDocument::fromJson(body); }
};

inline Answer get(const QString &url, int timeoutMs = 10000)
{
    QNetworkAccessManager nam;
    QNetworkRequest request{QUrl(url)};
    request.setTransferTimeout(timeoutMs);
    QNetworkReply *reply = nam.get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    Answer a{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
    reply->deleteLater();
    return a;
}

// A port nobody listens on right now (bound to 0 and released).
inline quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

inline QString packaged(const char *relative)
{
    QFile f(testdata::source("packaging/") + QString::fromUtf8(relative));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// One daemon: started with a config file written into its own directory, ready when `readyPath`
// answers 200, stopped with SIGTERM.
class Daemon
{
public:
    Daemon(QString program, QString readyPath) : m_program(std::move(program)), m_readyPath(std::move(readyPath)) {}
    ~Daemon() { stop(); }

    // Empty string = running and ready; otherwise why not.
    QString start(quint16 port, const QString &config, const QStringList &extraArgs)
    {
        const QString exe = QStandardPaths::findExecutable(m_program);
        if (exe.isEmpty())
            return m_program + QStringLiteral(" is not installed (bash scripts/setup.sh installs it)");
        m_dir = std::make_unique<QTemporaryDir>();
        m_port = port;
        QFile f(m_dir->filePath(QStringLiteral("config.yml")));
        if (!f.open(QIODevice::WriteOnly) || f.write(config.toUtf8()) < 0)
            return QStringLiteral("cannot write the config");
        f.close();
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->start(exe, QStringList{QStringLiteral("--config.file=") + f.fileName(),
                                          QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(port)}
                                  + extraArgs);
        if (!m_process->waitForStarted(10000))
            return m_program + QStringLiteral(" did not start: ") + m_process->errorString();
        const bool ready = QTest::qWaitFor([&] {
            return m_process->state() != QProcess::Running || get(url(m_readyPath), 1000).status == 200;
        }, 30000);
        if (!ready || m_process->state() != QProcess::Running)
            return m_program + QStringLiteral(" is not ready: ") + QString::fromUtf8(m_process->readAll().right(2000));
        return QString();
    }

    void stop()
    {
        if (!m_process || m_process->state() == QProcess::NotRunning)
            return;
        m_process->terminate();
        if (!m_process->waitForFinished(15000))
            m_process->kill();
        m_process->waitForFinished(5000);
    }

    QString dir() const { return m_dir ? m_dir->path() : QString(); }
    QString url(const QString &path) const { return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path); }
    QByteArray log() { return m_process ? m_process->readAll() : QByteArray(); }

private:
    QString m_program;
    QString m_readyPath;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
};

class Alertmanager : public Daemon
{
public:
    Alertmanager() : Daemon(QStringLiteral("prometheus-alertmanager"), QStringLiteral("/-/ready")) {}
    // A fresh state directory each start: a restarted Alertmanager that lost everything.
    QString start(quint16 port, const QString &config)
    {
        m_storage = std::make_unique<QTemporaryDir>();
        return Daemon::start(port, config, {QStringLiteral("--storage.path=") + m_storage->path(),
                                            QStringLiteral("--cluster.listen-address=")});
    }
    QJsonArray alerts() { return get(url(QStringLiteral("/api/v2/alerts"))).json().array(); }

private:
    std::unique_ptr<QTemporaryDir> m_storage;
};

class Prometheus : public Daemon
{
public:
    Prometheus() : Daemon(QStringLiteral("prometheus"), QStringLiteral("/-/ready")) {}
    QString start(quint16 port, const QString &config)
    {
        m_storage = std::make_unique<QTemporaryDir>();
        return Daemon::start(port, config, {QStringLiteral("--storage.tsdb.path=") + m_storage->path()});
    }
    // /api/v1/query: the "data" object, or empty with the error in `error`.
    QJsonObject query(const QString &promql, QString *error = nullptr)
    {
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("query"), promql);
        const QJsonObject answer = get(url(QStringLiteral("/api/v1/query?")) + q.toString(QUrl::FullyEncoded)).json().object();
        if (answer.value(QLatin1String("status")).toString() != QLatin1String("success")) {
            if (error)
                *error = answer.value(QLatin1String("error")).toString();
            return {};
        }
        return answer.value(QLatin1String("data")).toObject();
    }
    QJsonArray vector(const QString &promql, QString *error = nullptr)
    {
        return query(promql, error).value(QLatin1String("result")).toArray();
    }

private:
    std::unique_ptr<QTemporaryDir> m_storage;
};

// The packaged scrape config with the test's addresses, 1 s intervals and the repository's rules.
inline QString prometheusConfig(const QString &server, const QString &worker, quint16 alertmanagerPort)
{
    QString c = packaged("prometheus/prometheus.yml");
    c.replace(QStringLiteral("15s"), QStringLiteral("1s"));
    c.replace(QStringLiteral("/usr/share/stratus/prometheus/stratus-rules.yml"), testdata::source("packaging/prometheus/stratus-rules.yml"));
    c.replace(QStringLiteral("\"127.0.0.1:9093\""), QStringLiteral("\"127.0.0.1:%1\"").arg(alertmanagerPort));
    c.replace(QStringLiteral("\"127.0.0.1:8080\""), u'"' + server + u'"');
    c.replace(QStringLiteral("\"127.0.0.1:9464\""), u'"' + worker + u'"');
    return c;
}

} // namespace monitoring
