// The command line as a user meets it: `stratus --help` lists every mode's and every command's
// options, each command shows its own with --help, and a wrong command line ends with a clear error
// and the documented exit code, before anything runs.
#include "StratusProcess.h"

#include <QRegularExpression>
#include <QTest>

class TestCommandLine : public QObject
{
    Q_OBJECT
private slots:
    void helpListsEveryMode()
    {
        StratusProcess p;
        QCOMPARE(p.run({QStringLiteral("--help")}), 0);
        const QString help = p.stdoutText();
        // One option of each mode and command, declared by the parser that reads it.
        for (const char *option : {"--server", "--worker", "--connect", "--near", "--kafka", // engine modes
                                   "--station", "--kind",                                 // --export
                                   "--regimes", "--boost-trees", "--model",               // --train / --evaluate
                                   "--train-days", "--held-back-days", "--margin",        // --retrain
                                   "--faults", "--seed"})                                 // --evaluate-anomalies
            QVERIFY2(help.contains(QLatin1String(option)), option);
        // Each command's section once, introduced by how to call it.
        for (const char *usage : {"\nstratus --export --station", "\nstratus --train --data", "\nstratus --retrain --db",
                                  "\nstratus --evaluate-anomalies --data"})
            QCOMPARE(help.count(QLatin1String(usage)), 1);
        QCOMPARE(help.count(QLatin1String("Usage:")), 1);
        QCOMPARE(help.count(QLatin1String("\n  -h, --help ")), 0); // the help options are not repeated per command
    }

    void aCommandShowsItsOwnOptions_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("own");
        QTest::addColumn<QString>("notOwn");
        QTest::newRow("export") << "--export" << "--station <ID>" << "--regimes";
        QTest::newRow("train") << "--train" << "--regimes <LIST>" << "--station <ID>";
        QTest::newRow("retrain") << "--retrain" << "--held-back-days <N>" << "--regimes";
        QTest::newRow("evaluate-anomalies") << "--evaluate-anomalies" << "--faults <N>" << "--regimes";
    }
    void aCommandShowsItsOwnOptions()
    {
        QFETCH(QString, command);
        QFETCH(QString, own);
        QFETCH(QString, notOwn);
        StratusProcess p;
        QCOMPARE(p.run({command, QStringLiteral("--help")}), 0);
        QVERIFY2(p.stdoutText().contains(own), qPrintable(p.stdoutText()));
        QVERIFY(!p.stdoutText().contains(notOwn));
    }

    void wrongCommandLinesAreRefused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("bench") << QStringList{QStringLiteral("--bench")} << 2 << "run stratus-bench --help";
        QTest::newRow("unknown option of a command") << QStringList{QStringLiteral("--export"), QStringLiteral("--colour")} << 2
                                                     << "Unknown option 'colour'";
        QTest::newRow("export without --out") << QStringList{QStringLiteral("--export"), QStringLiteral("--station"), QStringLiteral("all")}
                                              << 2 << "--export needs --out";
        QTest::newRow("worker without brokers") << QStringList{QStringLiteral("--worker")} << 2 << "no Kafka bootstrap servers";
        QTest::newRow("worker role") << QStringList{QStringLiteral("--worker"), QStringLiteral("--role"), QStringLiteral("boss")} << 2
                                     << "--role: worker/role: \"boss\" is not one of collect, aggregate, infer, all";
        QTest::newRow("connect with a bad property") << QStringList{QStringLiteral("--server"), QStringLiteral("--connect"),
                                                                    QStringLiteral("127.0.0.1:9"), QStringLiteral("--kafka"),
                                                                    QStringLiteral("novalue")}
                                                     << 2 << "novalue";
        QTest::newRow("windows") << QStringList{QStringLiteral("--server"), QStringLiteral("--demo")} << 2
                                 << "windows: length_s must be a multiple of slide_s";
        QTest::newRow("retrain without a store") << QStringList{QStringLiteral("--retrain"), QStringLiteral("--models"), QStringLiteral("m")}
                                                 << 2 << "--retrain needs an existing history store";
    }
    void wrongCommandLinesAreRefused()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (qstrcmp(QTest::currentDataTag(), "windows") == 0)
            env.insert(QStringLiteral("STRATUS_WINDOWS_SLIDE_S"), QStringLiteral("70"));
        StratusProcess p;
        QCOMPARE(p.run(args, env), code);
        QVERIFY2(p.stderrText().contains(message), qPrintable(p.stderrText()));
        QVERIFY(!p.stdoutText().contains(QLatin1String("serving")));
    }

    void printConfigSaysWhereEachValueCameFrom()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("STRATUS_KAFKA_PARTITIONS"), QStringLiteral("8"));
        StratusProcess p;
        QCOMPARE(p.run({QStringLiteral("--print-config"), QStringLiteral("--config"), testdata::source("tests/data/config/replay-server.conf"),
                        QStringLiteral("--port"), QStringLiteral("9091")},
                       env),
                 0);
        const QString out = p.stdoutText();
        QVERIFY2(out.contains(QRegularExpression(QStringLiteral("port = 9091 +# command line --port"))), qPrintable(out));
        QVERIFY2(out.contains(QRegularExpression(QStringLiteral("speed = max +# .*replay-server.conf:10"))), qPrintable(out));
        QVERIFY2(out.contains(QRegularExpression(QStringLiteral("partitions = 8 +# env STRATUS_KAFKA_PARTITIONS"))), qPrintable(out));
        QVERIFY2(out.contains(QRegularExpression(QStringLiteral("bind = 127.0.0.1 +# default"))), qPrintable(out));
    }

    void versionIsTheProgramsVersion()
    {
        StratusProcess p;
        QCOMPARE(p.run({QStringLiteral("--version")}), 0);
        QVERIFY2(p.stdoutText().startsWith(QLatin1String("stratus ")), qPrintable(p.stdoutText()));
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_app_command_line.moc"
