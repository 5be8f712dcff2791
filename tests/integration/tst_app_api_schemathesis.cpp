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
private:
    QTemporaryDir m_dir;
    StratusProcess m_server;
    QString m_schemathesis;

private slots:
    void initTestCase()
    {
        m_schemathesis = QStandardPaths::findExecutable(QStringLiteral("schemathesis"));
        if (m_schemathesis.isEmpty())
            QSKIP("schemathesis is not installed (pip install schemathesis)");
        QVERIFY2(m_server.startNwsServer(QStringLiteral("contract-test-token-0123456789")), qPrintable(m_server.error()));
    }

    // The contract holds for a client with the token, one without any and one with a wrong token
    // (the writes must answer their documented 401/403, never a 5xx or an undocumented status).
    void contractHolds_data()
    {
        QTest::addColumn<QString>("authorization");
        QTest::newRow("token") << QStringLiteral("Bearer contract-test-token-0123456789");
        QTest::newRow("no token") << QString();
        QTest::newRow("wrong token") << QStringLiteral("Bearer not-the-token-at-all-0123456789");
    }
    void contractHolds()
    {
        QFETCH(QString, authorization);
        QProcess run;
        run.setWorkingDirectory(m_dir.path()); // its .hypothesis folder stays out of the source tree
        run.setProcessChannelMode(QProcess::MergedChannels);
        QStringList args = {
            QStringLiteral("run"), m_server.url(QStringLiteral("/openapi.json")),
            QStringLiteral("--checks"),
            QStringLiteral("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"),
            QStringLiteral("--max-examples"), QStringLiteral("30"), QStringLiteral("--seed"), QStringLiteral("1"),
            QStringLiteral("--generation-database"), QStringLiteral("none"), QStringLiteral("--no-color")};
        if (!authorization.isEmpty())
            args << QStringLiteral("--header") << QStringLiteral("Authorization: ") + authorization;
        run.start(m_schemathesis, args);
        QVERIFY(run.waitForFinished(540000));
        const QByteArray out = run.readAll();
        const qsizetype summary = out.lastIndexOf("SUMMARY");
        qInfo("%s", out.mid(summary < 0 ? qMax<qsizetype>(0, out.size() - 3000) : summary).constData());
        QVERIFY2(run.exitCode() == 0, out.right(6000).constData());
        // The server is still healthy after the whole run.
        QCOMPARE(m_server.get(QStringLiteral("/health")).status, 200);
    }
};

QTEST_GUILESS_MAIN(TstApiSchemathesis)
#include "tst_app_api_schemathesis.moc"
