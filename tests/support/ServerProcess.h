#pragma once

#include "TestData.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTimer>
#include <QUrl>

// Runs the real `stratus --server` binary on a free loopback port (it prints the port it bound) and
// talks to it over real HTTP. Shared by the integration tests.
class ServerProcess
{
public:
    ~ServerProcess() { stop(); }

    bool start(const QStringList &args, int timeoutMs = 15000)
    {
        m_process.setProgram(testdata::stratusBinary());
        m_process.setArguments(QStringList{QStringLiteral("--server"), QStringLiteral("--port"), QStringLiteral("0")} + args);
        m_process.start();
        if (!m_process.waitForStarted(timeoutMs))
            return false;
        static const QRegularExpression re(QStringLiteral("serving http://([0-9.]+):(\\d+)"));
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            m_process.waitForReadyRead(100);
            m_stdout += m_process.readAllStandardOutput();
            m_stderr += m_process.readAllStandardError();
            const auto m = re.match(QString::fromUtf8(m_stdout));
            if (m.hasMatch()) {
                m_base = QStringLiteral("http://%1:%2").arg(m.captured(1), m.captured(2));
                return true;
            }
            if (m_process.state() != QProcess::Running)
                return false;
        }
        return false;
    }

    void stop()
    {
        if (m_process.state() == QProcess::Running) {
            m_process.terminate();
            if (!m_process.waitForFinished(5000))
                m_process.kill();
            m_process.waitForFinished(2000);
        }
        m_stderr += m_process.readAllStandardError();
    }

    struct Reply
    {
        int status = 0;
        QByteArray body;
        QByteArray contentType;
        QJsonDocument json() const { return QJsonDocument::fromJson(body); }
    };

    Reply get(const QString &path, int timeoutMs = 5000)
    {
        QNetworkRequest req(QUrl(m_base + path));
        QNetworkReply *reply = m_nam.get(req);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
        Reply r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        r.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
        reply->deleteLater();
        return r;
    }

    QString stderrText()
    {
        m_stderr += m_process.readAllStandardError();
        return QString::fromUtf8(m_stderr);
    }
    bool running() const { return m_process.state() == QProcess::Running; }
    QProcess &process() { return m_process; }
    QString baseUrl() const { return m_base; }

private:
    QProcess m_process;
    QNetworkAccessManager m_nam;
    QByteArray m_stdout;
    QByteArray m_stderr;
    QString m_base;
};
