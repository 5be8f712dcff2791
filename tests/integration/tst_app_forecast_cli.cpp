// `stratus --train` and `stratus --evaluate` as a user runs them, on the real daily files.
#include "StratusProcess.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

class TestForecastCli : public QObject
{
    Q_OBJECT

private slots:
    void trainThenEvaluateMadisonJson();
    void chicagoIsTrainedInCelsius();
    void corruptModelIsRefused();
    void badInputSaysWhatIsWrong();

private:
    struct Run
    {
        int code;
        QByteArray out, err;
    };
    Run stratus(const QStringList &args)
    {
        StratusProcess p;
        const int code = p.run(args, QProcessEnvironment::systemEnvironment(), 120000);
        return {code, p.stdoutText().toUtf8(), p.stderrText().toUtf8()};
    }
    QTemporaryDir m_dir;
};

void TestForecastCli::trainThenEvaluateMadisonJson()
{
    const QString data = testdata::shared("data/ghcnd_madison_daily/madison_daily_1996_2023.csv");
    const QString model = m_dir.filePath(QStringLiteral("madison"));
    Run t = stratus({QStringLiteral("--train"), QStringLiteral("--data"), data, QStringLiteral("--to"),
                     QStringLiteral("2020-01-01"), QStringLiteral("--out"), model, QStringLiteral("--version"),
                     QStringLiteral("mad-1")});
    QVERIFY2(t.code == 0, t.err.constData());
    QVERIFY(QFile::exists(model + QStringLiteral("/model.json")));
    QVERIFY(QFile::exists(model + QStringLiteral("/weights.json")));
    QFile metaFile(model + QStringLiteral("/model.json"));
    QVERIFY(metaFile.open(QIODevice::ReadOnly));
    const QJsonObject meta = QJsonDocument::fromJson(metaFile.readAll()).object();
    QCOMPARE(meta.value(QStringLiteral("version")).toString(), QStringLiteral("mad-1"));
    QCOMPARE(meta.value(QStringLiteral("format_version")).toInt(), 3);
    QVERIFY(meta.value(QStringLiteral("data_to")).toString() < QStringLiteral("2020-01-01"));
    QVERIFY(meta.value(QStringLiteral("metrics")).toObject().contains(QStringLiteral("holdout")));

    // Without --from the evaluation starts after the training span: 2020 … 2023.
    Run e = stratus({QStringLiteral("--evaluate"), QStringLiteral("--model"), model, QStringLiteral("--data"), data,
                     QStringLiteral("--json")});
    QVERIFY2(e.code == 0, e.err.constData());
    const QJsonObject j = QJsonDocument::fromJson(e.out).object();
    QVERIFY(j.value(QStringLiteral("from")).toString() >= QStringLiteral("2020-01-01"));
    const QJsonArray hs = j.value(QStringLiteral("horizons")).toArray();
    QCOMPARE(hs.size(), 1);
    const QJsonObject h = hs.first().toObject();
    QCOMPARE(h.value(QStringLiteral("h")).toInt(), 24);
    for (const char *k : {"model", "persistence", "same_hour_yesterday", "climatology"}) {
        const QJsonObject s = h.value(QLatin1String(k)).toObject();
        QVERIFY2(s.contains(QStringLiteral("mae")) && s.contains(QStringLiteral("rmse")) && s.contains(QStringLiteral("mape")), k);
    }
    const double model24 = h.value(QStringLiteral("model")).toObject().value(QStringLiteral("mae")).toDouble();
    qInfo("Madison next-day MAE via the CLI: %.3f °C", model24);
    QVERIFY(model24 < 2.60);
    QVERIFY(model24 < h.value(QStringLiteral("persistence")).toObject().value(QStringLiteral("mae")).toDouble());
    QVERIFY(model24 < h.value(QStringLiteral("climatology")).toObject().value(QStringLiteral("mae")).toDouble());

    Run text = stratus({QStringLiteral("--evaluate"), QStringLiteral("--model"), model, QStringLiteral("--data"), data});
    QCOMPARE(text.code, 0);
    QVERIFY(text.out.contains("persistence") && text.out.contains("climatology"));
}

void TestForecastCli::chicagoIsTrainedInCelsius()
{
    const QString data = testdata::shared("data/chicago_daily/chicago_2001_2013.csv");
    const QString model = m_dir.filePath(QStringLiteral("chicago"));
    Run t = stratus({QStringLiteral("--train"), QStringLiteral("--data"), data, QStringLiteral("--out"), model});
    QVERIFY2(t.code == 0, t.err.constData());
    Run e = stratus({QStringLiteral("--evaluate"), QStringLiteral("--model"), model, QStringLiteral("--data"), data,
                     QStringLiteral("--json")});
    QVERIFY2(e.code == 0, e.err.constData());
    const QJsonObject h = QJsonDocument::fromJson(e.out).object().value(QStringLiteral("horizons")).toArray().first().toObject();
    // Next-day errors of a mid-latitude daily mean: ~2–3 °C; the same in °F would be ~4–5.
    const double pers = h.value(QStringLiteral("persistence")).toObject().value(QStringLiteral("mae")).toDouble();
    const double mdl = h.value(QStringLiteral("model")).toObject().value(QStringLiteral("mae")).toDouble();
    QVERIFY2(pers > 2.0 && pers < 3.5, qPrintable(QString::number(pers)));
    QVERIFY(mdl < pers);
}

void TestForecastCli::corruptModelIsRefused()
{
    const QString data = testdata::shared("data/ghcnd_madison_daily/madison_daily_1996_2023.csv");
    const QString model = m_dir.filePath(QStringLiteral("corrupt"));
    QCOMPARE(stratus({QStringLiteral("--train"), QStringLiteral("--data"), data, QStringLiteral("--out"), model}).code, 0);
    QFile w(model + QStringLiteral("/weights.json"));
    QVERIFY(w.open(QIODevice::Append));
    w.write(" ");
    w.close();
    Run e = stratus({QStringLiteral("--evaluate"), QStringLiteral("--model"), model, QStringLiteral("--data"), data});
    QVERIFY(e.code != 0);
    QVERIFY2(e.err.contains("corrupt"), e.err.constData());
}

void TestForecastCli::badInputSaysWhatIsWrong()
{
    Run noData = stratus({QStringLiteral("--train"), QStringLiteral("--out"), m_dir.filePath(QStringLiteral("x"))});
    QVERIFY(noData.code != 0);
    QVERIFY(noData.err.contains("--data"));
    Run wrong = stratus({QStringLiteral("--train"), QStringLiteral("--data"),
                         testdata::shared("data/labelled_anomalies/single_hop.csv"), QStringLiteral("--out"),
                         m_dir.filePath(QStringLiteral("y"))});
    QVERIFY(wrong.code != 0);
    QVERIFY2(wrong.err.contains("not a known forecast data layout"), wrong.err.constData());
    Run missingModel = stratus({QStringLiteral("--evaluate"), QStringLiteral("--model"), m_dir.filePath(QStringLiteral("none")),
                                QStringLiteral("--data"), testdata::shared("data/chicago_daily/chicago_2001_2013.csv")});
    QVERIFY(missingModel.code != 0);
    QVERIFY(missingModel.err.contains("cannot read"));
}

QTEST_GUILESS_MAIN(TestForecastCli)
#include "tst_app_forecast_cli.moc"
