#pragma once

// Runs the stratus binary as a black box (`--server --port 0 ...`), learns its port from the
// "stratus: serving http://ADDR:PORT" line and fetches JSON from it.
#include "TestData.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTest>
#include <QTimer>

class StratusProcess
{
public:
    ~StratusProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(5000))
                m_process.kill();
            m_process.waitForFinished(2000);
        }
    }

    // Starts stratus with `args` and waits for the serving line; false (with stderr) on failure.
    bool start(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
               int timeoutMs = 30000)
    {
        m_process.setProcessEnvironment(env);
        m_process.start(testdata::stratusBinary(), args);
        if (!m_process.waitForStarted(10000))
            return false;
        static const QRegularExpression serving(QStringLiteral("serving (http://[0-9.]+:[0-9]+)"));
        return QTest::qWaitFor([&] {
            m_stdout += m_process.readAllStandardOutput();
            const auto m = serving.match(QString::fromUtf8(m_stdout));
            if (m.hasMatch())
                m_base = m.captured(1);
            return !m_base.isEmpty() || m_process.state() == QProcess::NotRunning;
        }, timeoutMs) && !m_base.isEmpty();
    }

    QByteArray stderrText() { return m_stderr += m_process.readAllStandardError(); }
    QString base() const { return m_base; }

    QJsonDocument getJson(const QString &path, int *status = nullptr)
    {
        QNetworkAccessManager nam;
        QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(m_base + path)));
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(15000, &loop, &QEventLoop::quit);
        loop.exec();
        if (status)
            *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll());
        reply->deleteLater();
        return doc;
    }

private:
    QProcess m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
    QString m_base;
};
