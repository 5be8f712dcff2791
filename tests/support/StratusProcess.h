#pragma once

// The one way the tests launch the stratus binary as a black box: a command run to completion
// (run), or a long-running process (start, startServer) whose address comes from its
// "stratus: serving http://ADDR:PORT" line, then HTTP requests to it on loopback.
#include "TestData.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QProcessEnvironment>
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

class StratusProcess
{
public:
    StratusProcess() = default;
    ~StratusProcess() { stop(); }
    StratusProcess(const StratusProcess &) = delete;
    StratusProcess &operator=(const StratusProcess &) = delete;

    // Starts `stratus args` and returns at once; process() follows it.
    void launch(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        stop();
        m_process = std::make_unique<QProcess>();
        m_process->setProcessEnvironment(env);
        m_stdout.clear();
        m_stderr.clear();
        m_error.clear();
        m_port = 0;
        m_process->start(testdata::stratusBinary(), args);
    }

    // Runs `stratus args` to completion; the exit code, or -1 when it did not finish in time or crashed.
    int run(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
            int timeoutMs = 120000)
    {
        launch(args, env);
        if (!m_process->waitForFinished(timeoutMs)) {
            m_error = QStringLiteral("stratus did not finish within %1 ms").arg(timeoutMs);
            return -1;
        }
        collect();
        return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
    }

    // Starts `stratus args` and waits for its serving line; false (the reason in error()) if it
    // did not come up.
    bool start(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
               int timeoutMs = 60000)
    {
        launch(args, env);
        if (!m_process->waitForStarted(10000)) {
            m_error = m_process->errorString();
            return false;
        }
        static const QRegularExpression serving(QStringLiteral("serving http://([0-9.]+):(\\d+)"));
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs && m_process->state() == QProcess::Running) {
            m_process->waitForReadyRead(200);
            collect();
            const auto m = serving.match(QString::fromUtf8(m_stdout));
            if (m.hasMatch()) {
                m_host = m.captured(1);
                m_port = m.captured(2).toUShort();
                return true;
            }
        }
        collect();
        m_error = QStringLiteral("no serving line: ") + QString::fromUtf8(m_stderr);
        return false;
    }

    // `stratus --server --port 0 args`. Each server gets its own history store unless args name
    // one: a shared default file would carry one test's state into the next.
    bool startServer(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
                     int timeoutMs = 60000)
    {
        QStringList all{QStringLiteral("--server"), QStringLiteral("--port"), QStringLiteral("0")};
        if (!args.contains(QStringLiteral("--db")))
            all << QStringLiteral("--db") << m_dir.filePath(QStringLiteral("history.sqlite"));
        return start(all + args, env, timeoutMs);
    }

    // A server that has replayed the recorded NWS stream into its own store, unthrottled, with
    // writes open to `token`: the API tests' common fixture.
    bool startNwsServer(const QString &token)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("STRATUS_API_TOKEN"), token);
        return startServer({QStringLiteral("--file"), testdata::shared("data/nws_recorded/nws_recorded.jsonl"),
                            QStringLiteral("--speed"), QStringLiteral("max"), QStringLiteral("--rate-limit"), QStringLiteral("0")},
                           env)
               && waitForReplayEnd();
    }

    // SIGTERM, then SIGKILL if it does not stop in time.
    void stop()
    {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            m_process->terminate();
            if (!m_process->waitForFinished(15000))
                m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    void kill9()
    {
        m_process->kill();
        m_process->waitForFinished(5000);
    }

    QProcess &process() { return *m_process; }
    bool running() const { return m_process && m_process->state() == QProcess::Running; }
    quint16 port() const { return m_port; }
    QString error() const { return m_error; }
    // Everything the process wrote so far.
    QString stdoutText()
    {
        collect();
        return QString::fromUtf8(m_stdout);
    }
    QString stderrText()
    {
        collect();
        return QString::fromUtf8(m_stderr);
    }

    QString url(const QString &pathAndQuery) const
    {
        return QStringLiteral("http://%1:%2%3").arg(m_host).arg(m_port).arg(pathAndQuery);
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

    // Polls /health until every source reports "finished" (a replay at --speed max ran through)
    // and the store has written everything.
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
    void collect()
    {
        if (!m_process)
            return;
        m_stdout += m_process->readAllStandardOutput();
        m_stderr += m_process->readAllStandardError();
    }

    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
    QString m_error;
    QString m_host = QStringLiteral("127.0.0.1");
    quint16 m_port = 0;
    QNetworkAccessManager m_nam;
};
