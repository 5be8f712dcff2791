// A full disk never drops accepted readings: `stratus --server` writes its history store on a
// size-limited file system (a real tmpfs mounted for the test) that is filled up while the real
// SAO/METAR day replays. The server must stay up, say in /health that it cannot write, keep every
// row, and store them all once space returns. Needs root for the mount (CI runs as root).
#include "SaoHeadReplay.h"
#include "StratusProcess.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using saohead::Key;

namespace {
bool run(const QString &program, const QStringList &args, QString *output)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    const bool ok = p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    *output = QString::fromLocal8Bit(p.readAll()).trimmed();
    return ok;
}

// Fills the file system holding `path` to the last byte: writes until the kernel says ENOSPC.
qint64 fill(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return -1;
    const QByteArray block(64 * 1024, '\0');
    while (f.write(block) > 0 && f.flush()) {
    }
    f.close();
    return QFileInfo(path).size();
}
} // namespace

class TstStoreFullDisk : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_mount;
    bool m_mounted = false;

private slots:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("mounting a size-limited tmpfs needs root");
        m_mount = m_dir.filePath(QStringLiteral("disk"));
        QVERIFY(QDir().mkpath(m_mount));
        QString out;
        if (!run(QStringLiteral("mount"), {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                                           QStringLiteral("size=128m"), QStringLiteral("stratus-full"), m_mount},
                 &out))
            QSKIP(qPrintable(QStringLiteral("cannot mount a tmpfs here: ") + out));
        m_mounted = true;
    }

    void cleanupTestCase()
    {
        QString out;
        if (m_mounted && !run(QStringLiteral("umount"), {m_mount}, &out))
            qWarning("umount %s: %s", qPrintable(m_mount), qPrintable(out));
    }

    void fullDiskKeepsEveryReading()
    {
        // The first 3,000 rows (about 90 minutes) of the real day, unchanged; the oracle is what the
        // engine's validator accepts from them. Their whole history (windows and forecasts included)
        // takes about 25 MB, well inside the file system once the ballast is gone.
        const QString subset = m_dir.filePath(QStringLiteral("observations_head.csv"));
        QVERIFY(saohead::writeHead(subset, 3000));
        const QSet<Key> expected = saohead::accepted(subset);
        QVERIFY(expected.size() > 2500);

        // Leave the store only its first pages: fill the disk, then give back 192 KB.
        const QString ballast = m_mount + QStringLiteral("/ballast");
        const qint64 filled = fill(ballast);
        QVERIFY2(filled > 0, "could not fill the test file system");
        QVERIFY(QFile::resize(ballast, filled - 192 * 1024));

        const QString db = m_mount + QStringLiteral("/history.sqlite");
        StratusProcess server;
        QVERIFY2(server.startServer({QStringLiteral("--file"), subset, QStringLiteral("--speed"), QStringLiteral("max"),
                                     QStringLiteral("--db"), db, QStringLiteral("--rate-limit"), QStringLiteral("0")}),
                 qPrintable(server.error()));

        // The store runs out of space, says so, and the server keeps serving.
        QJsonObject store;
        QTRY_VERIFY_WITH_TIMEOUT(
            (store = server.get(QStringLiteral("/health")).json().value(QLatin1String("store")).toObject())
                .value(QLatin1String("last_error"))
                .toString()
                .contains(QLatin1String("cannot write to the disk")),
            60000);
        QCOMPARE(store.value(QLatin1String("state")).toString(), QStringLiteral("down"));
        QVERIFY(store.value(QLatin1String("pending_rows")).toInteger() > 0);
        QTest::qWait(3000); // several refused retries
        QVERIFY2(server.running(), qPrintable(server.stderrText().right(2000)));
        const qint64 storedWhileFull = saohead::stored(db).size();
        QVERIFY2(storedWhileFull < expected.size(), "the disk filled only after everything was stored; nothing tested");

        // Space returns: every accepted reading is written, none twice, none dropped.
        QVERIFY(QFile::remove(ballast));
        QVERIFY2(server.waitForReplayEnd(300000), qPrintable(server.stderrText().right(2000)));
        const QByteArray metrics = server.get(QStringLiteral("/metrics")).body;
        QVERIFY2(metrics.contains("\nstratus_store_dropped_rows_total 0\n"), metrics.constData());
        store = server.get(QStringLiteral("/health")).json().value(QLatin1String("store")).toObject();
        QCOMPARE(store.value(QLatin1String("state")).toString(), QStringLiteral("ok"));
        server.stop();
        const QSet<Key> all = saohead::stored(db);
        qInfo("%lld readings stored while the disk was full, %lld after space returned (of %lld accepted)",
              storedWhileFull, qint64(all.size()), qint64(expected.size()));
        QCOMPARE(all.size(), expected.size());
        QCOMPARE(all, expected);
    }
};

QTEST_GUILESS_MAIN(TstStoreFullDisk)
#include "tst_app_store_full_disk.moc"
