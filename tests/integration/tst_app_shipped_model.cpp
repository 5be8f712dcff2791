// The model built into the program: `--server --demo` installs it, serves it as the active version
// and forecasts the bundled Beijing weeks with it (not persistence); and the committed model is
// what scripts/train-shipped-model.sh makes from the bundled data (its provenance).
#include "StratusProcess.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
const QString kVersion = u"beijing-2013-2015"_s;

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}
} // namespace

class TestShippedModel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        // A fresh data folder: the model is installed out of the resources, not found from a prior run.
        QVERIFY(m_home.isValid());
        m_env = QProcessEnvironment::systemEnvironment();
        m_env.insert(u"XDG_DATA_HOME"_s, m_home.path());
        QVERIFY2(m_server.startServer({u"--demo"_s}, m_env), qPrintable(m_server.error()));
    }
    void cleanupTestCase() { m_server.stop(); }

    void theDemoServesTheShippedModelAsActive()
    {
        const QJsonObject models = m_server.get(u"/models"_s).json();
        bool listed = false;
        for (const QJsonValue &v : models.value(u"models"_s).toArray()) {
            const QJsonObject o = v.toObject();
            if (o.value(u"version"_s).toString() != kVersion)
                continue;
            listed = true;
            QVERIFY2(o.value(u"loadable"_s).toBool(), qPrintable(o.value(u"error"_s).toString()));
            QVERIFY(o.value(u"active"_s).toBool());
            // Trained on the first two years; the demo's weeks are in the held-out third.
            QCOMPARE(o.value(u"data_to"_s).toString().left(10), u"2015-03-01"_s);
        }
        QVERIFY2(listed, QJsonDocument(models).toJson().constData());
        QCOMPARE(models.value(u"ab"_s).toObject().value(u"active"_s).toString(), kVersion);
        // /health names the same served model (it once said persistence while /models said this).
        QCOMPARE(m_server.get(u"/health"_s).json().value(u"models"_s).toObject().value(u"active"_s).toString(), kVersion);
        // Copied out of the resources into the user's data folder (org "Stratus", app "stratus").
        const QString installed = m_home.filePath(u"Stratus/stratus/models/"_s + kVersion + u"/model.json"_s);
        QVERIFY2(QFileInfo::exists(installed), qPrintable(installed));
    }

    void beijingForecastsComeFromTheModelWithBands()
    {
        // Four weeks of history are loaded at start; the first forecast follows the first window.
        QJsonObject temperature;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QJsonArray ps = m_server.get(u"/predictions/Aotizhongxin"_s).json().value(u"predictions"_s).toArray();
                for (const QJsonValue &p : ps) {
                    if (p.toObject().value(u"variable"_s).toString() == QLatin1String("temperature"))
                        temperature = p.toObject();
                }
                return !temperature.isEmpty();
            }(),
            60000);
        QVERIFY2(temperature.value(u"model"_s).toString() != QLatin1String("persistence"),
                 QJsonDocument(temperature).toJson().constData());
        QCOMPARE(temperature.value(u"version"_s).toString(), kVersion);
        const QJsonArray points = temperature.value(u"points"_s).toArray();
        QCOMPARE(points.size(), 24);
        QSet<double> values;
        for (const QJsonValue &v : points) {
            const QJsonObject p = v.toObject();
            values.insert(p.value(u"value"_s).toDouble());
            QVERIFY2(p.value(u"upper"_s).toDouble() > p.value(u"lower"_s).toDouble(), QJsonDocument(p).toJson().constData());
        }
        QVERIFY2(values.size() > 12, "a model's 24 hourly values differ; persistence repeats one");
    }

    void theCommittedModelIsWhatTheScriptTrains()
    {
        QTemporaryDir out;
        QProcess train;
        train.setProcessEnvironment(m_env);
        train.start(u"bash"_s, {testdata::source("scripts/train-shipped-model.sh"), testdata::stratusBinary(),
                                out.filePath(kVersion)});
        QVERIFY(train.waitForFinished(900000));
        QVERIFY2(train.exitCode() == 0, train.readAllStandardError().constData());
        const QDir committed(testdata::source("resources/models/") + kVersion);
        const QDir fresh(out.filePath(kVersion));
        QCOMPARE(fresh.entryList(QDir::Files, QDir::Name), committed.entryList(QDir::Files, QDir::Name));
        for (const QString &f : committed.entryList(QDir::Files)) {
            if (f == QLatin1String("model.json")) {
                // Everything but when it was trained and how long that took.
                QJsonObject a = readJson(committed.filePath(f)), b = readJson(fresh.filePath(f));
                for (QJsonObject *o : {&a, &b}) {
                    o->remove(u"trained_at"_s);
                    QJsonObject metrics = o->value(u"metrics"_s).toObject();
                    metrics.remove(u"train_seconds"_s);
                    o->insert(u"metrics"_s, metrics);
                }
                QVERIFY(!a.isEmpty());
                QVERIFY2(a == b, qPrintable(f));
                continue;
            }
            QFile a(committed.filePath(f)), b(fresh.filePath(f));
            QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
            QVERIFY2(a.readAll() == b.readAll(), qPrintable(f + u" differs from a retrain"_s));
        }
    }

private:
    QTemporaryDir m_home;
    QProcessEnvironment m_env;
    StratusProcess m_server;
};

QTEST_GUILESS_MAIN(TestShippedModel)
#include "tst_app_shipped_model.moc"
