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
    void historyInOneFileScoredInALaterOne();
    void missingWindIsImputedNotPersistence();

private:
    // The Madison file split at a date into two real files (the header repeated), as a user who
    // downloads a later year would have them.
    QPair<QString, QString> splitMadison(const QString &at, bool blankWindInLater);
    QString trainMadison();
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
    QCOMPARE(meta.value(QStringLiteral("format_version")).toInt(), 4);
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

QPair<QString, QString> TestForecastCli::splitMadison(const QString &at, bool blankWindInLater)
{
    QFile in(testdata::shared("data/ghcnd_madison_daily/madison_daily_1996_2023.csv"));
    if (!in.open(QIODevice::ReadOnly))
        return {};
    const QList<QByteArray> lines = in.readAll().split('\n');
    const QString a = m_dir.filePath(QStringLiteral("a-%1.csv").arg(blankWindInLater)),
                  b = m_dir.filePath(QStringLiteral("b-%1.csv").arg(blankWindInLater));
    QFile fa(a), fb(b);
    if (!fa.open(QIODevice::WriteOnly) || !fb.open(QIODevice::WriteOnly))
        return {};
    const QList<QByteArray> header = lines.first().split(',');
    const int dateCol = static_cast<int>(header.indexOf("\"DATE\"") >= 0 ? header.indexOf("\"DATE\"") : header.indexOf("DATE"));
    const int windCol = static_cast<int>(header.indexOf("\"AWND\"") >= 0 ? header.indexOf("\"AWND\"") : header.indexOf("AWND"));
    fa.write(lines.first() + '\n');
    fb.write(lines.first() + '\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (lines[i].trimmed().isEmpty())
            continue;
        // NAME is quoted and holds commas: count fields from the end, where DATE and AWND are.
        QList<QByteArray> f = lines[i].split(',');
        const qsizetype shift = f.size() - header.size();
        const QByteArray date = f[dateCol + shift];
        const bool later = QString::fromLatin1(date).remove(QLatin1Char('"')) >= at;
        if (later && blankWindInLater)
            f[windCol + shift] = QByteArray();
        (later ? fb : fa).write(f.join(',') + '\n');
    }
    return {a, b};
}

QString TestForecastCli::trainMadison()
{
    const QString model = m_dir.filePath(QStringLiteral("madison-split"));
    if (QFile::exists(model + QStringLiteral("/model.json")))
        return model;
    Run t = stratus({QStringLiteral("--train"), QStringLiteral("--data"),
                     testdata::shared("data/ghcnd_madison_daily/madison_daily_1996_2023.csv"), QStringLiteral("--to"),
                     QStringLiteral("2020-01-01"), QStringLiteral("--out"), model});
    return t.code == 0 ? model : QString();
}

void TestForecastCli::historyInOneFileScoredInALaterOne()
{
    const QString model = trainMadison();
    QVERIFY(!model.isEmpty());
    const auto [a, b] = splitMadison(QStringLiteral("2020-01-01"), false);
    QVERIFY(!a.isEmpty());
    const auto score = [&](const QStringList &data) {
        QStringList args = {QStringLiteral("--evaluate"), QStringLiteral("--model"), model, QStringLiteral("--from"),
                            QStringLiteral("2020-01-01"), QStringLiteral("--json")};
        for (const QString &d : data)
            args << QStringLiteral("--data") << d;
        Run r = stratus(args);
        return std::make_pair(r, QJsonDocument::fromJson(r.out).object().value(QStringLiteral("horizons")).toArray().first().toObject());
    };
    const auto [whole, w] = score({testdata::shared("data/ghcnd_madison_daily/madison_daily_1996_2023.csv")});
    QVERIFY2(whole.code == 0, whole.err.constData());
    // History from the first file, scoring from 2020 in the second: the same forecasts as the whole file.
    const auto [split, sp] = score({a, b});
    QVERIFY2(split.code == 0, split.err.constData());
    QVERIFY(split.err.contains("merged on one time line"));
    QCOMPARE(sp.value(QStringLiteral("model")).toObject(), w.value(QStringLiteral("model")).toObject());
    QCOMPARE(sp.value(QStringLiteral("model")).toObject().value(QStringLiteral("n")).toInt(), 1460);
    // The later file alone: no history before its first day, so its first month has partial features
    // (the 7- and 30-day means): imputed, not persistence, and scored.
    const auto [alone, al] = score({b});
    QVERIFY2(alone.code == 0, alone.err.constData());
    const QJsonObject paths = al.value(QStringLiteral("paths")).toObject();
    qInfo("later file alone: %s", QJsonDocument(paths).toJson(QJsonDocument::Compact).constData());
    QCOMPARE(paths.value(QStringLiteral("persistence")).toInt(), 0);
    QVERIFY(paths.value(QStringLiteral("imputed")).toInt() > 0);
    QVERIFY(al.value(QStringLiteral("model")).toObject().value(QStringLiteral("mae")).toDouble()
            < al.value(QStringLiteral("persistence")).toObject().value(QStringLiteral("mae")).toDouble());
}

void TestForecastCli::missingWindIsImputedNotPersistence()
{
    // The same real days with the wind column emptied from 2020 on (as in years where AWND is not
    // reported): every forecast is served by the model with the wind imputed, a little worse than
    // with wind and far better than persistence.
    const QString model = trainMadison();
    QVERIFY(!model.isEmpty());
    const auto [a, b] = splitMadison(QStringLiteral("2020-01-01"), true);
    Run r = stratus({QStringLiteral("--evaluate"), QStringLiteral("--model"), model, QStringLiteral("--from"),
                     QStringLiteral("2020-01-01"), QStringLiteral("--data"), a, QStringLiteral("--data"), b,
                     QStringLiteral("--json")});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject h = QJsonDocument::fromJson(r.out).object().value(QStringLiteral("horizons")).toArray().first().toObject();
    const QJsonObject paths = h.value(QStringLiteral("paths")).toObject();
    QCOMPARE(paths.value(QStringLiteral("persistence")).toInt(), 0);
    // (Its first 3 days still bridge the last reported wind of 2019.)
    QVERIFY(paths.value(QStringLiteral("imputed")).toInt() >= 1450);
    const double mae = h.value(QStringLiteral("model")).toObject().value(QStringLiteral("mae")).toDouble();
    const double pers = h.value(QStringLiteral("persistence")).toObject().value(QStringLiteral("mae")).toDouble();
    const double coverage = h.value(QStringLiteral("interval_coverage_10_90")).toDouble();
    qInfo("Madison 2020-2023 without wind: MAE %.3f (persistence %.3f), interval held %.1f %%", mae, pers, 100 * coverage);
    QVERIFY(mae < 2.1);        // with wind 1.957
    QVERIFY(mae < 0.8 * pers); // persistence 2.767
    QVERIFY(coverage > 0.74 && coverage < 0.9);
}

QTEST_GUILESS_MAIN(TestForecastCli)
#include "tst_app_forecast_cli.moc"
