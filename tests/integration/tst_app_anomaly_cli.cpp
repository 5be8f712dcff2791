// `stratus --evaluate-anomalies` as a user runs it, on the real labelled mote data.
#include "StratusProcess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

class TestAnomalyCli : public QObject
{
    Q_OBJECT

private:
    struct Run
    {
        int code;
        QByteArray out, err;
    };
    static Run stratus(const QStringList &args)
    {
        StratusProcess p;
        const int code = p.run(args, QProcessEnvironment::systemEnvironment(), 300000);
        return {code, p.stdoutText().toUtf8(), p.stderrText().toUtf8()};
    }

private slots:
    void labelledJsonShape()
    {
        const Run r = stratus({QStringLiteral("--evaluate-anomalies"), QStringLiteral("--data"),
                               testdata::shared("data/labelled_anomalies/single_hop.csv"), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        for (const char *key : {"precision", "recall", "f1", "by_kind", "detectors"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        QVERIFY(o.value(QStringLiteral("f1")).toDouble() >= 0.95);
        QVERIFY(o.value(QStringLiteral("by_kind")).toObject().contains(QStringLiteral("window_deviation")));
        for (const char *d : {"rules", "ml", "combined"})
            QVERIFY(o.value(QStringLiteral("detectors")).toObject().value(QLatin1String(d)).toObject().contains(QStringLiteral("f1")));
    }

    void missingFileSaysSoAndExits2()
    {
        QTemporaryDir dir;
        const Run r = stratus({QStringLiteral("--evaluate-anomalies"), QStringLiteral("--data"),
                               dir.filePath(QStringLiteral("missing.csv"))});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("cannot open"), r.err.constData());
    }

    void badOptionValuesAreRefused()
    {
        const Run r = stratus({QStringLiteral("--evaluate-anomalies"), QStringLiteral("--data"),
                               testdata::shared("data/labelled_anomalies/single_hop.csv"), QStringLiteral("--faults"),
                               QStringLiteral("none")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--faults"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestAnomalyCli)
#include "tst_app_anomaly_cli.moc"
