// CSV reports: `stratus --export` and GET /export.csv on a store filled by replaying the real
// recorded NWS stream; each file is read back with Python's csv module (check_csv.py) and compared
// with the SQLite store, and the CLI and HTTP answers must be byte-identical.
#include "StratusProcess.h"

#include <QDir>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

class TstExportCsv : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    StratusProcess m_server;
    QString db() const { return m_dir.filePath(QStringLiteral("history.sqlite")); }
    // The server's TMPDIR, where exports are staged: it must be empty whenever no export is running.
    QString tmp() const { return m_dir.filePath(QStringLiteral("tmp")); }

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("python3")).isEmpty())
            QSKIP("python3 is not installed");
        QVERIFY(QDir().mkpath(tmp()));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("TMPDIR"), tmp());
        QVERIFY2(m_server.startServer({QStringLiteral("--file"), testdata::shared("data/nws_recorded/nws_recorded.jsonl"),
                                 QStringLiteral("--speed"), QStringLiteral("max"), QStringLiteral("--db"), db(),
                                 QStringLiteral("--rate-limit"), QStringLiteral("0")}, env),
                 qPrintable(m_server.error()));
        QVERIFY(m_server.waitForReplayEnd());
    }

    void exportReport_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("station");
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<qint64>("fromMs");
        QTest::addColumn<qint64>("toMs");
        const qint64 all0 = 0, all1 = 4102444800000LL; // 1970 .. 2100
        QTest::newRow("readings all") << "readings" << "all" << "1970-01-01" << "2100-01-01" << all0 << all1;
        QTest::newRow("readings KMSN day, epoch") << "readings" << "KMSN" << "1769558400" << "1769644800"
                                                  << 1769558400000LL << 1769644800000LL;
        QTest::newRow("features KMDW") << "features" << "KMDW" << "2026-01-28T00:00:00Z" << "2026-01-29T00:00:00Z"
                                       << 1769558400000LL << 1769644800000LL;
        QTest::newRow("predictions all") << "predictions" << "all" << "1970-01-01" << "2100-01-01" << all0 << all1;
        QTest::newRow("anomalies all") << "anomalies" << "all" << "1970-01-01" << "2100-01-01" << all0 << all1;
        QTest::newRow("daily summary all") << "daily-summary" << "all" << "1970-01-01" << "2100-01-01" << all0 << all1;
        QTest::newRow("daily summary KMSP") << "daily-summary" << "KMSP" << "2026-01-25" << "2026-01-30"
                                            << 1769299200000LL << 1769731200000LL;
    }
    void exportReport()
    {
        QFETCH(QString, kind);
        QFETCH(QString, station);
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(qint64, fromMs);
        QFETCH(qint64, toMs);
        const QString out = m_dir.filePath(QStringLiteral("%1-%2.csv").arg(kind, station));
        StratusProcess cli;
        const int code = cli.run({QStringLiteral("--export"), QStringLiteral("--station"), station, QStringLiteral("--from"), from,
                                  QStringLiteral("--to"), to, QStringLiteral("--kind"), kind, QStringLiteral("--out"), out,
                                  QStringLiteral("--db"), db()});
        QVERIFY2(code == 0, qPrintable(cli.stderrText()));

        QProcess py;
        py.start(QStringLiteral("python3"), {testdata::source("tests/integration/check_csv.py"), db(), out, kind, station,
                                             QString::number(fromMs), QString::number(toMs)});
        QVERIFY(py.waitForFinished(60000));
        const QByteArray report = py.readAllStandardOutput() + py.readAllStandardError();
        QVERIFY2(py.exitCode() == 0, report.constData());
        qInfo("%s", report.trimmed().constData());

        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray cliBytes = f.readAll();
        // Header and at least one row; this recording has no out-of-range values, so until the anomaly
        // detector is merged the anomaly report is a header only.
        QVERIFY(cliBytes.count("\r\n") >= (kind == QLatin1String("anomalies") ? 1 : 2));
        const HttpAnswer http = m_server.get(QStringLiteral("/export.csv?station=%1&from=%2&to=%3&kind=%4")
                                                 .arg(station, from, to, kind));
        QCOMPARE(http.status, 200);
        QVERIFY(http.contentType.startsWith("text/csv"));
        QCOMPARE(http.body, cliBytes);
    }

    // Clients that hang up while their export is still being written (the file is staged before it is
    // sent) once crashed the server: the finished export was written to a socket QHttpServer had
    // already deleted. Each round opens 30 connections, asks for the heaviest report and hangs up
    // after 50 ms; the server must stay up, answer /health, leave no staged file behind and free
    // every export slot, so a normal export afterwards succeeds.
    void clientsHangUpDuringExport()
    {
        const QUrl base(m_server.url(QStringLiteral("/")));
        const QByteArray request = "GET /export.csv?station=all&kind=predictions HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        for (int round = 0; round < 3; ++round) {
            QList<QTcpSocket *> sockets;
            for (int i = 0; i < 30; ++i) {
                auto *s = new QTcpSocket(this);
                s->connectToHost(base.host(), quint16(base.port()));
                QVERIFY(s->waitForConnected(5000));
                s->write(request);
                s->flush();
                sockets << s;
            }
            QTest::qWait(50);
            for (QTcpSocket *s : sockets) {
                s->abort();
                s->deleteLater();
            }
            // Let the abandoned exports finish on the server (the whole report takes about a second).
            QTest::qWait(1500);
            QVERIFY2(m_server.running(), qPrintable(QStringLiteral("the server died: ") + m_server.stderrText().right(2000)));
            QCOMPARE(m_server.get(QStringLiteral("/health")).status, 200);
        }
        // Every slot is free again once the abandoned exports have stopped.
        HttpAnswer ok;
        QTRY_VERIFY_WITH_TIMEOUT((ok = m_server.get(QStringLiteral("/export.csv?station=KMSN&kind=readings"))).status == 200, 30000);
        QVERIFY(ok.body.startsWith("time_utc,station,"));
        QTRY_COMPARE_WITH_TIMEOUT(QDir(tmp()).entryList(QDir::Files).join(u','), QString(), 30000);
        QVERIFY(m_server.running());
    }

    void cliErrors()
    {
        StratusProcess cli;
        int code = cli.run({QStringLiteral("--export"), QStringLiteral("--station"), QStringLiteral("ZZZZ"), QStringLiteral("--out"),
                            m_dir.filePath(QStringLiteral("x.csv")), QStringLiteral("--db"), db()});
        QVERIFY(code > 0);
        QVERIFY(cli.stderrText().contains(QLatin1String("ZZZZ")));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("x.csv"))));
        code = cli.run({QStringLiteral("--export"), QStringLiteral("--station"), QStringLiteral("all"), QStringLiteral("--from"),
                        QStringLiteral("soon"), QStringLiteral("--out"), m_dir.filePath(QStringLiteral("x.csv")),
                        QStringLiteral("--db"), db()});
        QVERIFY(code > 0);
        QVERIFY(cli.stderrText().contains(QLatin1String("--from")));
    }
};

QTEST_GUILESS_MAIN(TstExportCsv)
#include "tst_app_export_csv.moc"
