// `stratus --evaluate-anomalies` as a user runs it, on the real labelled mote data.
#include "StratusProcess.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
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

    // A NAB corpus file pair built from a real labelled temperature failure: mote 1's temperature from
    // the single-hop recording (a reading every 5 s from 2010-05-09 00:00) as `timestamp,value`, and
    // its labelled event as NAB's combined_windows.json entry for that file.
    void nabSeriesAndWindowsAreScored()
    {
        QTemporaryDir dir;
        QFile in(testdata::shared("data/labelled_anomalies/single_hop.csv"));
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QList<QByteArray> header = in.readLine().trimmed().split(',');
        const auto col = [&](const char *n) { return header.indexOf(QByteArray(n)); };
        QFile series(dir.filePath(QStringLiteral("mote1_temperature.csv")));
        QVERIFY(series.open(QIODevice::WriteOnly));
        series.write("timestamp,value\n");
        const QDateTime day(QDate(2010, 5, 9), QTime(0, 0), Qt::UTC);
        QString first, last;
        while (!in.atEnd()) {
            const QList<QByteArray> f = in.readLine().trimmed().split(',');
            if (f.size() < header.size() || f[col("mote_id")] != "1")
                continue;
            const QString t = day.addSecs(f[col("offset_s")].toLongLong()).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
            series.write(t.toUtf8() + ',' + f[col("temperature_c")] + '\n');
            if (f[col("label")] == "1") {
                if (first.isEmpty())
                    first = t;
                last = t;
            }
        }
        series.close();
        QVERIFY(!first.isEmpty());
        QFile labels(dir.filePath(QStringLiteral("combined_windows.json")));
        QVERIFY(labels.open(QIODevice::WriteOnly));
        QJsonArray window;
        window.append(QString(first + QStringLiteral(".000000")));
        window.append(QString(last + QStringLiteral(".000000")));
        QJsonObject windows;
        windows.insert(QStringLiteral("realKnownCause/mote1_temperature.csv"), QJsonArray{window});
        windows.insert(QStringLiteral("realKnownCause/other.csv"), QJsonArray());
        labels.write(QJsonDocument(windows).toJson());
        labels.close();

        const Run r = stratus({QStringLiteral("--evaluate-anomalies"), QStringLiteral("--data"), series.fileName(),
                               QStringLiteral("--labels"), labels.fileName(), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        qInfo("mote 1 as a NAB series: %s", r.out.trimmed().constData());
        QCOMPARE(o.value(QStringLiteral("windows")).toInt(), 1);
        QCOMPARE(o.value(QStringLiteral("windows_detected")).toInt(), 1);
        // Found at the event's start with a handful of false positives at most: near the top of NAB's scale.
        QVERIFY(o.value(QStringLiteral("nab_standard")).toDouble() > 80);
        // Per point the series holds temperature only: the event's long humidity-led tail (labelled,
        // with the temperature already back near normal) is not in it, so recall per point is low.
        QVERIFY(o.value(QStringLiteral("precision")).toDouble() >= 0.9);
        QVERIFY(o.value(QStringLiteral("recall")).toDouble() > 0.15);
        QCOMPARE(o.value(QStringLiteral("tp")).toInt() + o.value(QStringLiteral("fn")).toInt(), 117);

        const Run text = stratus({QStringLiteral("--evaluate-anomalies"), QStringLiteral("--data"), series.fileName(),
                                  QStringLiteral("--labels"), labels.fileName()});
        QVERIFY(text.out.contains("NAB standard profile score"));
        // A labels file that does not name the series says so.
        QFile other(dir.filePath(QStringLiteral("other_windows.json")));
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.write("{\"a.csv\": []}");
        other.close();
        const Run bad = stratus({QStringLiteral("--evaluate-anomalies"), QStringLiteral("--data"), series.fileName(),
                                 QStringLiteral("--labels"), other.fileName()});
        QCOMPARE(bad.code, 2);
        QVERIFY2(bad.err.contains("mote1_temperature.csv"), bad.err.constData());
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
