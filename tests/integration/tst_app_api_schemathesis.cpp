// The OpenAPI document is the contract: schemathesis (PyPI) generates requests from
// resources/openapi.json against a live server and fails on any 5xx, an undocumented status code,
// a wrong content type or a body that does not match its schema. Skipped (said so) when schemathesis
// is not installed: pip install schemathesis.
#include "StratusProcess.h"

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

class TstApiSchemathesis : public QObject
{
    Q_OBJECT
private slots:
    void contractHolds()
    {
        const QString st = QStandardPaths::findExecutable(QStringLiteral("schemathesis"));
        if (st.isEmpty())
            QSKIP("schemathesis is not installed (pip install schemathesis)");
        QTemporaryDir dir;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("STRATUS_API_TOKEN"), QStringLiteral("contract-test-token"));
        StratusProcess server;
        QVERIFY2(server.startServer({QStringLiteral("--file"), testdata::shared("data/nws_recorded/nws_recorded.jsonl"),
                               QStringLiteral("--speed"), QStringLiteral("max"), QStringLiteral("--db"),
                               dir.filePath(QStringLiteral("h.sqlite")), QStringLiteral("--rate-limit"), QStringLiteral("0")},
                              env),
                 qPrintable(server.error()));
        QVERIFY(server.waitForReplayEnd());

        QProcess run;
        run.setWorkingDirectory(dir.path()); // its .hypothesis folder stays out of the source tree
        run.setProcessChannelMode(QProcess::MergedChannels);
        const QStringList args = {
            QStringLiteral("run"), server.url(QStringLiteral("/openapi.json")),
            QStringLiteral("--checks"),
            QStringLiteral("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"),
            QStringLiteral("--max-examples"), QStringLiteral("30"), QStringLiteral("--seed"), QStringLiteral("1"),
            QStringLiteral("--header"), QStringLiteral("Authorization: Bearer contract-test-token"),
            QStringLiteral("--generation-database"), QStringLiteral("none"), QStringLiteral("--no-color")};
        run.start(st, args);
        QVERIFY(run.waitForFinished(540000));
        const QByteArray out = run.readAll();
        const qsizetype summary = out.lastIndexOf("SUMMARY");
        qInfo("%s", out.mid(summary < 0 ? qMax<qsizetype>(0, out.size() - 3000) : summary).constData());
        QVERIFY2(run.exitCode() == 0, out.right(6000).constData());
        // The server is still healthy after the whole run.
        QCOMPARE(server.get(QStringLiteral("/health")).status, 200);
    }
};

QTEST_GUILESS_MAIN(TstApiSchemathesis)
#include "tst_app_api_schemathesis.moc"
