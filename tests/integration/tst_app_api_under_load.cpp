// /health stays fast while 64 clients hammer the heaviest history endpoints: the history-store reads
// run on their own lanes (StoreReadPool), not on the API thread. Each client asks for 10,000 rows of
// /predictions/{id}/history, /features/{id} or /anomalies with a different `from` every time (so the
// response cache cannot answer), over and over; a probe thread times /health meanwhile. Real data:
// the server has replayed the recorded NWS stream into its store.
#include "StratusProcess.h"

#include <QElapsedTimer>
#include <QTcpSocket>
#include <QThread>
#include <QtTest>

#include <algorithm>
#include <atomic>

namespace {
// True once `got` holds a whole HTTP response (headers and Content-Length bytes of body): Qt's
// server keeps connections open, so the client closes when it has the answer.
bool complete(const QByteArray &got)
{
    const qsizetype end = got.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const qsizetype at = got.toLower().indexOf("content-length:");
    if (at < 0 || at > end)
        return true;
    const qsizetype eol = got.indexOf("\r\n", at);
    return got.size() - (end + 4) >= got.mid(at + 15, eol - at - 15).trimmed().toLongLong();
}

// One hammering client: sends a request, reads the answer to the end (the server closes), repeats.
class Hammer : public QObject
{
public:
    Hammer(quint16 port, int id, QObject *parent) : QObject(parent), m_port(port), m_id(id) { next(); }
    int answered = 0;
    int failed = 0;

private:
    void next()
    {
        static const char *paths[] = {"/predictions/KMDW/history?limit=10000&from=", "/features/KMSN?limit=10000&from=",
                                      "/anomalies?limit=10000&since="};
        const QByteArray target = QByteArray(paths[(m_id + m_round) % 3]) + QByteArray::number(m_id * 1000 + m_round);
        ++m_round;
        auto *s = new QTcpSocket(this);
        auto *got = new QByteArray;
        auto finish = [this, s, got] {
            (got->startsWith("HTTP/1.1 200") ? answered : failed)++;
            delete got;
            s->disconnect();
            s->abort();
            s->deleteLater();
            if (!m_stop)
                next();
        };
        connect(s, &QTcpSocket::readyRead, s, [s, got, finish] {
            *got += s->readAll();
            if (complete(*got))
                finish();
        });
        connect(s, &QTcpSocket::disconnected, this, finish);
        connect(s, &QTcpSocket::connected, s, [s, target] {
            s->write("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        });
        s->connectToHost(QHostAddress::LocalHost, m_port);
    }

public:
    bool m_stop = false;

private:
    quint16 m_port;
    int m_id;
    int m_round = 0;
};

// Times GET /health on its own blocking socket, every 50 ms, from its own thread.
class HealthProbe : public QThread
{
public:
    explicit HealthProbe(quint16 port) : m_port(port) {}
    std::atomic<bool> stop{false};
    QList<double> ms;
    int bad = 0;

protected:
    void run() override
    {
        while (!stop) {
            QElapsedTimer t;
            t.start();
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, m_port);
            QByteArray got;
            if (s.waitForConnected(5000)) {
                s.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
                while (!complete(got) && s.waitForReadyRead(5000))
                    got += s.readAll();
            }
            if (got.startsWith("HTTP/1.1 200"))
                ms << double(t.nsecsElapsed()) / 1e6;
            else
                ++bad;
            QThread::msleep(50);
        }
    }

private:
    quint16 m_port;
};
} // namespace

class TstApiUnderLoad : public QObject
{
    Q_OBJECT
private slots:
    void healthStaysFastWhileClientsHammerHistory()
    {
        StratusProcess server;
        QVERIFY2(server.startNwsServer(QStringLiteral("load-test-token-0123456789")), qPrintable(server.error()));
        const quint16 port = server.port();
        QList<Hammer *> hammers;
        for (int i = 0; i < 64; ++i)
            hammers << new Hammer(port, i, this);
        HealthProbe probe(port);
        QTest::qWait(1000); // the hammering is in full swing
        probe.start();
        QTest::qWait(8000);
        probe.stop = true;
        // Keep serving the hammers' sockets while the probe finishes its last request.
        QTRY_VERIFY_WITH_TIMEOUT(probe.isFinished(), 15000);
        int answered = 0, failed = 0;
        for (Hammer *h : std::as_const(hammers)) {
            h->m_stop = true;
            answered += h->answered;
            failed += h->failed;
        }
        QList<double> ms = probe.ms;
        std::sort(ms.begin(), ms.end());
        QVERIFY2(ms.size() >= 50, qPrintable(QStringLiteral("only %1 /health answers (%2 failed)").arg(ms.size()).arg(probe.bad)));
        const double p50 = ms[ms.size() / 2], p99 = ms[std::min<qsizetype>(ms.size() - 1, qsizetype(ms.size() * 0.99))];
        qInfo("%d heavy answers (%d refused or failed) in 9 s; /health p50 %.1f ms, p99 %.1f ms, max %.1f ms over %lld probes",
              answered, failed, p50, p99, ms.back(), qint64(ms.size()));
        QVERIFY2(answered > 64, "the hammering clients got almost nothing: the test measured no load");
        QCOMPARE(probe.bad, 0);
        QVERIFY2(p99 < 100, qPrintable(QStringLiteral("/health p99 %1 ms under load (target < 100 ms)").arg(p99)));
        QVERIFY(server.running());
    }
};

QTEST_GUILESS_MAIN(TstApiUnderLoad)
#include "tst_app_api_under_load.moc"
