#pragma once

// Starts a real `stratus --server` on 127.0.0.1 with --port 0 and talks HTTP to it, for the API tests.
#include "TestData.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

struct HttpAnswer
{
    int status = 0;
    QByteArray body;
    QByteArray contentType;
    QList<QNetworkReply::RawHeaderPair> headers;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[k, v] : headers) {
            if (k.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        }
        return {};
    }
};

class ServerProcess
{
public:
    // args after "--server --port 0"; returns false (with the reason in error()) if it did not come up.
    bool start(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        m_process = std::make_unique<QProcess>();
        m_process->setProcessEnvironment(env);
        m_process->setProgram(testdata::stratusBinary());
        QStringList all{QStringLiteral("--server"), QStringLiteral("--port"), QStringLiteral("0")};
        // Each server gets its own history store unless the test names one: a shared default file
        // would carry one test's acknowledged mark into the next.
        if (!args.contains(QStringLiteral("--db")))
            all << QStringLiteral("--db") << m_dir.filePath(QStringLiteral("history.sqlite"));
        m_process->setArguments(all + args);
        m_process->start();
        if (!m_process->waitForStarted(10000)) {
            m_error = m_process->errorString();
            return false;
        }
        QElapsedTimer t;
        t.start();
        static const QRegularExpression re(QStringLiteral("serving http://127\\.0\\.0\\.1:(\\d+)"));
        while (t.elapsed() < 20000) {
            m_process->waitForReadyRead(200);
            m_stdout += m_process->readAllStandardOutput();
            const auto m = re.match(QString::fromUtf8(m_stdout));
            if (m.hasMatch()) {
                m_port = m.captured(1).toUShort();
                return true;
            }
            if (m_process->state() != QProcess::Running)
                break;
        }
        m_error = QString::fromUtf8(m_process->readAllStandardError());
        return false;
    }

    ~ServerProcess() { stop(); }

    void stop()
    {
        if (m_process && m_process->state() == QProcess::Running) {
            m_process->terminate();
            if (!m_process->waitForFinished(15000))
                m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    void kill9()
    {
        m_process->kill(); // SIGKILL
        m_process->waitForFinished(5000);
    }
    QProcess &process() { return *m_process; }
    quint16 port() const { return m_port; }
    bool running() const { return m_process && m_process->state() == QProcess::Running; }
    // Everything the server wrote to stderr so far.
    QString stderrText()
    {
        if (m_process)
            m_stderr += m_process->readAllStandardError();
        return QString::fromUtf8(m_stderr);
    }
    QString error() const { return m_error; }
    QString url(const QString &pathAndQuery) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(pathAndQuery);
    }

    HttpAnswer request(const QByteArray &verb, const QString &pathAndQuery, const QByteArray &body = {},
                       const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        QNetworkRequest req{QUrl(url(pathAndQuery))};
        for (const auto &[k, v] : headers)
            req.setRawHeader(k, v);
        QNetworkReply *reply = m_nam.sendCustomRequest(req, verb, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(30000, &loop, &QEventLoop::quit);
        loop.exec();
        HttpAnswer a;
        a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        a.body = reply->readAll();
        a.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
        a.headers = reply->rawHeaderPairs();
        reply->deleteLater();
        return a;
    }
    HttpAnswer get(const QString &pathAndQuery) { return request("GET", pathAndQuery); }

    // Polls /health until every source reports "finished" (a replay at --speed max ran through).
    bool waitForReplayEnd(int timeoutMs = 120000)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            const QJsonObject h = get(QStringLiteral("/health")).json();
            const auto sources = h.value(QLatin1String("sources")).toArray();
            bool done = !sources.isEmpty();
            for (const auto &s : sources)
                done = done && s.toObject().value(QLatin1String("state")).toString() == QLatin1String("finished");
            if (done) {
                // The last windows are flushed when the source finishes; give the writer a batch interval.
                QTest::qWait(600);
                const QJsonObject again = get(QStringLiteral("/health")).json();
                if (again.value(QLatin1String("store")).toObject().value(QLatin1String("pending_rows")).toInteger() == 0)
                    return true;
            }
            QTest::qWait(100);
        }
        return false;
    }

private:
    QTemporaryDir m_dir;
    QByteArray m_stderr;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    QString m_error;
    quint16 m_port = 0;
    QNetworkAccessManager m_nam;
};
