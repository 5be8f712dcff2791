#include "Config.h"

#include <QTemporaryDir>
#include <QTest>

using namespace stratus;

class TestConfig : public QObject
{
    Q_OBJECT
private slots:
    void defaultsHaveOrigins();
    void fileThenEnvironmentThenCommandLine();
    void invalidFilesNameLineAndReason_data();
    void invalidFilesNameLineAndReason();
    void secretsAreMasked();
    void shippedConfigIsTheDocumentedTemplate();

private:
    QString write(const QByteArray &content);
    QTemporaryDir m_dir;
    int m_files = 0;
};

QString TestConfig::write(const QByteArray &content)
{
    const QString path = m_dir.filePath(QStringLiteral("stratus%1.conf").arg(++m_files));
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(content);
    return path;
}

void TestConfig::defaultsHaveOrigins()
{
    Config c;
    QCOMPARE(c.value(QStringLiteral("server/port")), QStringLiteral("8080"));
    QCOMPARE(c.origin(QStringLiteral("server/port")), QStringLiteral("default"));
    QCOMPARE(c.value(QStringLiteral("source/kind")), QStringLiteral("demo"));
    for (const Config::KeySpec &s : Config::schema())
        QVERIFY2(!s.description.isEmpty(), qPrintable(s.key));
}

void TestConfig::fileThenEnvironmentThenCommandLine()
{
    const QString path = write("# Stratus\n[server]\nport = 9000\nbind = \"127.0.0.1\"\n\n[windows]\nlength_s = 600\n");
    Config c;
    const auto loaded = c.loadFile(path);
    QVERIFY2(loaded.ok(), qPrintable(loaded.errorMessage()));
    QCOMPARE(*loaded, 3);
    QCOMPARE(c.value(QStringLiteral("server/port")), QStringLiteral("9000"));
    QCOMPARE(c.origin(QStringLiteral("server/port")), path + QStringLiteral(":3"));
    QCOMPARE(c.intValue(QStringLiteral("windows/length_s")), 600);

    QProcessEnvironment env;
    env.insert(QStringLiteral("STRATUS_SERVER_PORT"), QStringLiteral("9100"));
    env.insert(QStringLiteral("STRATUS_UNRELATED"), QStringLiteral("x"));
    QVERIFY(c.applyEnvironment(env).ok());
    QCOMPARE(c.value(QStringLiteral("server/port")), QStringLiteral("9100"));
    QCOMPARE(c.origin(QStringLiteral("server/port")), QStringLiteral("env STRATUS_SERVER_PORT"));

    QVERIFY(c.set(QStringLiteral("server/port"), QStringLiteral("9200"), QStringLiteral("command line --port")).ok());
    QCOMPARE(c.intValue(QStringLiteral("server/port")), 9200);
    QVERIFY(c.describe().contains(QStringLiteral("# command line --port")));
    QVERIFY(c.describe().contains(QStringLiteral("# ") + path + QStringLiteral(":7")));

    env.insert(QStringLiteral("STRATUS_SERVER_PORT"), QStringLiteral("eighty"));
    const auto bad = c.applyEnvironment(env);
    QVERIFY(!bad.ok());
    QVERIFY2(bad.errorMessage().contains(QStringLiteral("STRATUS_SERVER_PORT")), qPrintable(bad.errorMessage()));
}

void TestConfig::invalidFilesNameLineAndReason_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown key") << QByteArray("[server]\nprot = 1\n") << ":2: unknown key \"prot\" in [server]";
    QTest::newRow("unknown section") << QByteArray("\n[sever]\n") << ":2: unknown section [sever]";
    QTest::newRow("not an int") << QByteArray("[server]\nport = http\n") << ":2: server/port: \"http\" is not an integer";
    QTest::newRow("out of range") << QByteArray("[server]\nport = 70000\n") << ":2: server/port: 70000 is outside 0..65535";
    QTest::newRow("no equals") << QByteArray("[server]\nport 8080\n") << ":2: expected key = value";
    QTest::newRow("outside section") << QByteArray("port = 1\n") << ":1: \"port = 1\" is outside any [section]";
    QTest::newRow("bad choice") << QByteArray("[source]\nkind = carrier-pigeon\n") << "is not one of demo, replay, nws, openmeteo";
    QTest::newRow("bad home") << QByteArray("[location]\nhome = 95,10\n") << "latitude 95 is impossible";
    QTest::newRow("bad url") << QByteArray("[source]\nnws_url = ftp://example\n") << "is not an http(s) URL";
    QTest::newRow("unclosed section") << QByteArray("[server\n") << ":1: section header";
}

void TestConfig::invalidFilesNameLineAndReason()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    Config c;
    const auto r = c.loadFile(write(content));
    QVERIFY(!r.ok());
    QVERIFY2(r.errorMessage().contains(expected), qPrintable(r.errorMessage()));
    QCOMPARE(c.value(QStringLiteral("server/port")), QStringLiteral("8080")); // nothing half-applied before the bad line
}

void TestConfig::secretsAreMasked()
{
    Config c;
    QVERIFY(c.set(QStringLiteral("server/token"), QStringLiteral("s3cret-0123456789"), QStringLiteral("env STRATUS_SERVER_TOKEN")).ok());
    QVERIFY(!c.describe().contains(QStringLiteral("s3cret")));
    QVERIFY(c.describe().contains(QStringLiteral("token = ***")));
    // A guessable token is refused, and the message does not repeat it.
    const auto shortToken = c.set(QStringLiteral("server/token"), QStringLiteral("s3cret"), QStringLiteral("env STRATUS_API_TOKEN"));
    QVERIFY(!shortToken.ok());
    QVERIFY2(shortToken.errorMessage().contains(QStringLiteral("at least 16")), qPrintable(shortToken.errorMessage()));
    QVERIFY(!shortToken.errorMessage().contains(QStringLiteral("s3cret")));
}

void TestConfig::shippedConfigIsTheDocumentedTemplate()
{
    QFile f(QStringLiteral(STRATUS_SOURCE_DIR "/resources/stratus.conf"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readAll()), Config::documentedTemplate());
    // And it loads: all commented out, so nothing changes.
    Config c;
    const auto r = c.loadFile(f.fileName());
    QVERIFY2(r.ok(), qPrintable(r.errorMessage()));
    QCOMPARE(*r, 0);
}

QTEST_APPLESS_MAIN(TestConfig)
#include "tst_core_config.moc"
