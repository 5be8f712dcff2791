// EngineOptionsLoader: the settings → what the pipeline runs, read from real config files (the
// shipped resources/stratus.conf and the deployments in tests/data/config/) through Config's
// file < environment chain, as `stratus` reads them.
#include "Config.h"
#include "EngineOptionsLoader.h"
#include "TestData.h"

#include <QProcessEnvironment>
#include <QTest>

using namespace stratus;

namespace {

// Loads a config file, then the given environment variables over it.
Config load(const QString &path, const QList<std::pair<QString, QString>> &environment = {})
{
    Config config;
    if (const auto loaded = config.loadFile(path); !loaded)
        qFatal("%s", qPrintable(loaded.errorMessage()));
    QProcessEnvironment env;
    for (const auto &[name, value] : environment)
        env.insert(name, value);
    if (const auto applied = config.applyEnvironment(env); !applied)
        qFatal("%s", qPrintable(applied.errorMessage()));
    return config;
}

QString configFile(const char *name)
{
    return testdata::source("tests/data/config/") + QString::fromLatin1(name);
}

} // namespace

class TestEngineOptions : public QObject
{
    Q_OBJECT
private slots:
    void shippedConfigRunsTheDemo()
    {
        const Config config = load(testdata::source("resources/stratus.conf"));
        QVERIFY(EngineOptionsLoader::runsDemoByDefault(config));
        const auto o = EngineOptionsLoader::load(config);
        QVERIFY2(o, qPrintable(o.errorMessage()));
        const EngineOptions demo = EngineOptions::demo();
        QCOMPARE(o->replayFile, demo.replayFile);
        QCOMPARE(o->stationsCsv, demo.stationsCsv);
        QCOMPARE(o->replaySpeed, 60.0); // the demo's own live-like speed, not [source] speed's default 1
        QVERIFY(o->replayLoop && o->replayShiftToNow);
        QCOMPARE(o->windows.lengthMs, 300'000);
        QCOMPARE(o->windows.slideMs, 60'000);
        QCOMPARE(o->windows.allowedLatenessMs, 120'000);
        QCOMPARE(o->store.retentionDays, 30);
        QVERIFY(o->store.path.isEmpty());
        QCOMPARE(o->modelDir, demo.modelDir); // the shipped model, installed by EngineOptions::demo()
        QVERIFY(!o->modelDir.isEmpty());
        QCOMPARE(o->companionReplays, demo.companionReplays);
        QVERIFY(o->alertRules.isEmpty());
        QCOMPARE(o->retrain.schedule, QStringLiteral("off"));
        QVERIFY(o->computeInProcess);
        QVERIFY(!o->busFactory);
    }

    void replayServerConfig()
    {
        const Config config = load(configFile("replay-server.conf"));
        QVERIFY(!EngineOptionsLoader::runsDemoByDefault(config));
        const auto o = EngineOptionsLoader::load(config);
        QVERIFY2(o, qPrintable(o.errorMessage()));
        QCOMPARE(o->sourceKind, QStringLiteral("replay"));
        QCOMPARE(o->replayFile, QStringLiteral("../shared/data/nws_recorded/nws_recorded.jsonl"));
        QCOMPARE(o->replaySpeed, 0.0); // max
        QVERIFY(o->replayShiftToNow);
        QVERIFY(!o->replayLoop);
        QCOMPARE(o->stationsCsv, QStringLiteral("../shared/data/sao_19950318/stations.csv"));
        QCOMPARE(o->windows.lengthMs, 600'000);
        QCOMPARE(o->windows.slideMs, 120'000);
        QCOMPARE(o->windows.allowedLatenessMs, 30'000);
        QCOMPARE(o->store.path, QStringLiteral("history.sqlite"));
        QCOMPARE(o->store.retentionDays, 400);
        QCOMPARE(o->modelDir, QStringLiteral("models"));
        QCOMPARE(o->retrain.schedule, QStringLiteral("daily 03:00"));
        QCOMPARE(o->retrain.trainDays, 300);
        QCOMPARE(o->retrain.heldBackDays, 21);
        QCOMPARE(o->retrain.groups.size(), 2);
        QCOMPARE(o->retrain.groups.at(0).stations, (QStringList{QStringLiteral("KMSN"), QStringLiteral("KMKE")}));
        QCOMPARE(o->retrain.groups.at(1).trainDays, 200);
    }

    void environmentOverridesTheFile()
    {
        const Config config = load(configFile("replay-server.conf"),
                                   {{QStringLiteral("STRATUS_SOURCE_SPEED"), QStringLiteral("120")},
                                    {QStringLiteral("STRATUS_WINDOWS_SLIDE_S"), QStringLiteral("60")}});
        const auto o = EngineOptionsLoader::load(config);
        QVERIFY2(o, qPrintable(o.errorMessage()));
        QCOMPARE(o->replaySpeed, 120.0);
        QCOMPARE(o->windows.slideMs, 60'000);
        QCOMPARE(o->windows.lengthMs, 600'000);
    }

    void liveNwsConfig()
    {
        const Config config = load(configFile("nws-live.conf"));
        const auto o = EngineOptionsLoader::load(config);
        QVERIFY2(o, qPrintable(o.errorMessage()));
        QCOMPARE(o->sourceKind, QStringLiteral("nws"));
        QVERIFY(o->replayFile.isEmpty());
        QCOMPARE(o->stationIds, (QStringList{QStringLiteral("KMSN"), QStringLiteral("KMKE")})); // trimmed, upper case
        QCOMPARE(o->pollIntervalS, 30);
        QCOMPARE(o->contact, QStringLiteral("stratus-tests@example.invalid"));
        QCOMPARE(o->nwsUrl, QStringLiteral("http://127.0.0.1:8089"));
        // Not set: the source keeps its own default (and derives its archive URL itself).
        QVERIFY(o->openMeteoUrl.isEmpty());
        QCOMPARE(o->backfillDays, 7);
        QCOMPARE(o->alertsStateFile, QStringLiteral("alerts.json"));
    }

    void impossibleSettingsAreRefused_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("name"); // the key's environment variable
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("nws without stations") << "nws-live.conf" << "STRATUS_SOURCE_STATIONS" << ""
                                              << "--source nws needs --stations ID,ID or --near LAT,LON";
        QTest::newRow("openmeteo without a point") << "nws-live.conf" << "STRATUS_SOURCE_KIND" << "openmeteo"
                                                   << "--source openmeteo needs --near LAT,LON";
        QTest::newRow("replay without a file") << "replay-server.conf" << "STRATUS_SOURCE_FILE" << ""
                                               << "source kind replay needs a file";
        QTest::newRow("speed too high") << "replay-server.conf" << "STRATUS_SOURCE_SPEED" << "20000"
                                        << "speed \"20000\": expected a factor from 1 to 10000 or max";
        QTest::newRow("speed not a number") << "replay-server.conf" << "STRATUS_SOURCE_SPEED" << "fast"
                                            << "speed \"fast\"";
        QTest::newRow("slide does not divide length") << "replay-server.conf" << "STRATUS_WINDOWS_SLIDE_S" << "70"
                                                      << "windows: length_s must be a multiple of slide_s";
        QTest::newRow("bad retrain schedule") << "replay-server.conf" << "STRATUS_RETRAIN_SCHEDULE" << "weekly"
                                              << "weekly";
        QTest::newRow("bad rule") << "nws-live.conf" << "STRATUS_ALERTS_RULES_FILE" << configFile("rules-bad.conf")
                                  << "rules-bad.conf: line 2: rule \"wind_speed > twenty\"";
        QTest::newRow("missing rules file") << "nws-live.conf" << "STRATUS_ALERTS_RULES_FILE"
                                            << configFile("no-such-rules.conf") << "no-such-rules.conf: cannot read";
    }
    void impossibleSettingsAreRefused()
    {
        QFETCH(QString, file);
        QFETCH(QString, name);
        QFETCH(QString, value);
        QFETCH(QString, message);
        Config config;
        QVERIFY(config.loadFile(configFile(file.toLatin1().constData())));
        // Set the way the command line sets it: an empty environment variable would not clear a key.
        QString configKey;
        for (const Config::KeySpec &spec : Config::schema()) {
            if (Config::environmentName(spec.key) == name)
                configKey = spec.key;
        }
        QVERIFY2(!configKey.isEmpty(), qPrintable(name));
        QVERIFY(config.set(configKey, value, QStringLiteral("test")));
        const auto o = EngineOptionsLoader::load(config);
        QVERIFY(!o);
        QVERIFY2(o.errorMessage().contains(message), qPrintable(o.errorMessage()));
    }

    void alertRulesAreReadAndChecked()
    {
        const Config config = load(configFile("nws-live.conf"),
                                   {{QStringLiteral("STRATUS_ALERTS_RULES_FILE"), configFile("rules.conf")}});
        const auto o = EngineOptionsLoader::load(config);
        QVERIFY2(o, qPrintable(o.errorMessage()));
        // Every line, comments and blanks included, so the engine's messages name the file's lines.
        QCOMPARE(o->alertRules.size(), 6);
        QCOMPARE(o->alertRules.at(1), QStringLiteral("temperature < -20 for 10m station=KMSN severity=critical"));
        QCOMPARE(o->alertRules.at(4), QStringLiteral("humidity > 97 for 30m  # fog"));
    }

    void kafkaWorkerConfig()
    {
        const Config config = load(configFile("kafka-worker.conf"));
        const auto k = EngineOptionsLoader::kafka(config, config.value(QStringLiteral("kafka/bootstrap")),
                                                  {QStringLiteral("security.protocol=SASL_SSL"),
                                                   QStringLiteral("sasl.mechanism=PLAIN")});
        QVERIFY2(k, qPrintable(k.errorMessage()));
        QCOMPARE(k->bootstrap, QStringLiteral("127.0.0.1:9092,127.0.0.1:9093"));
        QCOMPARE(k->topicNamespace, QStringLiteral("test."));
        QCOMPARE(k->topic(Bus::Topic::Raw), QStringLiteral("test.stratus.raw"));
        QCOMPARE(k->group(QStringLiteral("aggregate")), QStringLiteral("test.stratus.aggregate"));
        QCOMPARE(k->partitions, 8);
        QCOMPARE(k->replication, 3);
        QVERIFY(k->binary);
        QVERIFY(k->atLeastOnce);
        QCOMPARE(k->atLeastOnceCommitMs, 500);
        QCOMPARE(k->extra.value(QStringLiteral("security.protocol")), QStringLiteral("SASL_SSL"));
        QCOMPARE(k->extra.value(QStringLiteral("sasl.mechanism")), QStringLiteral("PLAIN"));

        // The shipped defaults: exactly once, JSON, the broker's replication.
        const Config shipped = load(testdata::source("resources/stratus.conf"));
        const auto d = EngineOptionsLoader::kafka(shipped, QStringLiteral("127.0.0.1:9092"));
        QVERIFY2(d, qPrintable(d.errorMessage()));
        QCOMPARE(d->partitions, 4);
        QCOMPARE(d->replication, -1);
        QVERIFY(!d->binary);
        QVERIFY(!d->atLeastOnce);
        QVERIFY(d->topicNamespace.isEmpty());
    }

    void kafkaErrorsNameTheCause()
    {
        const Config shipped = load(testdata::source("resources/stratus.conf"));
        const auto none = EngineOptionsLoader::kafka(shipped, QString());
        QVERIFY(!none);
        QVERIFY2(none.errorMessage().contains(QStringLiteral("--bootstrap HOST:PORT")), qPrintable(none.errorMessage()));
        const auto bad = EngineOptionsLoader::kafka(shipped, QStringLiteral("127.0.0.1:9092"), {QStringLiteral("no-equals-sign")});
        QVERIFY(!bad);
        QVERIFY2(bad.errorMessage().contains(QStringLiteral("no-equals-sign")), qPrintable(bad.errorMessage()));
    }

    // SASL/SSL secrets come from the file or the environment, not only argv, and are never printed.
    void kafkaSecretsStayOffTheCommandLineAndOutOfMessages()
    {
        Config config = load(configFile("kafka-worker.conf"));
        QProcessEnvironment env;
        env.insert(QStringLiteral("STRATUS_KAFKA_PROPERTIES"),
                   QStringLiteral("security.protocol=SASL_SSL;sasl.mechanism=PLAIN;sasl.username=stratus;sasl.password=hunter2-hunter2"));
        QVERIFY(config.applyEnvironment(env));
        QVERIFY(!config.describe().contains(QStringLiteral("hunter2")));
        const auto k = EngineOptionsLoader::kafka(config, QStringLiteral("127.0.0.1:9092"), {QStringLiteral("sasl.mechanism=SCRAM-SHA-512")});
        QVERIFY2(k, qPrintable(k.errorMessage()));
        QCOMPARE(k->extra.value(QStringLiteral("sasl.password")), QStringLiteral("hunter2-hunter2"));
        QCOMPARE(k->extra.value(QStringLiteral("sasl.mechanism")), QStringLiteral("SCRAM-SHA-512")); // argv overrides
        QCOMPARE(KafkaSettings::describeProperty(QStringLiteral("sasl.password"), QStringLiteral("hunter2-hunter2")),
                 QStringLiteral("sasl.password=***"));
        QCOMPARE(KafkaSettings::describeProperty(QStringLiteral("ssl.key.password"), QStringLiteral("x")), QStringLiteral("ssl.key.password=***"));
        QCOMPARE(KafkaSettings::describeProperty(QStringLiteral("security.protocol"), QStringLiteral("SASL_SSL")),
                 QStringLiteral("security.protocol=SASL_SSL"));
        // librdkafka refuses a secret's value here (a property it does not know): the message names the key only.
        KafkaSettings bad = *k;
        bad.extra.insert(QStringLiteral("sasl.oauthbearer.client.secret.bogus"), QStringLiteral("hunter2-hunter2"));
        const auto conf = kafka::makeConf(bad, {});
        QVERIFY(!conf);
        QVERIFY2(!conf.errorMessage().contains(QStringLiteral("hunter2")), qPrintable(conf.errorMessage()));
        QVERIFY(conf.errorMessage().contains(QStringLiteral("sasl.oauthbearer.client.secret.bogus")));
    }

    void attachedProcessComputesNothing()
    {
        const Config config = load(configFile("kafka-worker.conf"));
        const auto k = EngineOptionsLoader::kafka(config, QStringLiteral("127.0.0.1:9092"));
        QVERIFY(k);
        const EngineOptions o = EngineOptionsLoader::attached(config, *k);
        QVERIFY(!o.computeInProcess);
        QVERIFY(o.busFactory);
        QVERIFY(o.clusterSnapshot);
        QVERIFY(o.replayFile.isEmpty()); // no sources here, not even the demo
        QCOMPARE(o.stationsCsv, QStringLiteral("../shared/data/sao_19950318/stations.csv"));
        QCOMPARE(o.store.retentionDays, 0);

        // With the shipped config (source kind demo) the attached process still has no demo catalogue.
        const Config shipped = load(testdata::source("resources/stratus.conf"));
        const EngineOptions plain = EngineOptionsLoader::attached(shipped, *k);
        QVERIFY(plain.stationsCsv.isEmpty());
        QVERIFY(plain.replayFile.isEmpty());
    }

    void locationFromTheConfig()
    {
        const auto o = EngineOptionsLoader::location(load(configFile("location.conf")));
        QVERIFY2(o, qPrintable(o.errorMessage()));
        QCOMPARE(o->nmeaSource, QStringLiteral("tests/data/gpsd-gr601-w.log"));
        QVERIFY(!o->useSystemSource);
        QVERIFY(o->home.has_value());
        QCOMPARE(o->home->latitude(), 43.0731);
        QCOMPARE(o->home->longitude(), -89.4012);
        QVERIFY2(o->homeOrigin.startsWith(QStringLiteral("home location from ")) && o->homeOrigin.contains(QStringLiteral("location.conf:")),
                 qPrintable(o->homeOrigin));

        const auto none = EngineOptionsLoader::location(load(testdata::source("resources/stratus.conf")));
        QVERIFY(none);
        QVERIFY(!none->home.has_value());
        QVERIFY(none->useSystemSource);
        QVERIFY(none->nmeaSource.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestEngineOptions)
#include "tst_pipeline_engine_options.moc"
