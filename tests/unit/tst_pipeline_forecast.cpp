// The forecaster on real data: it must beat persistence and same-hour-yesterday on a later period
// than it was trained on, keep one unit system end to end, and the registry must refuse bad models
// while the running one stays, hot-load new ones and split stations A/B.
#include "TestData.h"
#include "TimeUtil.h"
#include "forecast/ForecastEvaluator.h"
#include "forecast/ForecastService.h"
#include "forecast/ForecastTrainer.h"
#include "models/ModelRegistry.h"
#include "Engine.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace stratus;

namespace {

qint64 iso(const char *s)
{
    return *timeutil::parseIsoUtc(QByteArrayView(s));
}

// Three of the twelve Beijing stations (urban, urban, rural) keep the test well under a minute.
const QStringList kStations = {QStringLiteral("Dongsi"), QStringLiteral("Huairou"), QStringLiteral("Wanliu")};

} // namespace

class TestForecast : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void beatsBaselinesOnHeldOutBeijingYear();
    void intervalCoversAboutEightyPercent();
    void madisonNextDayBeatsReferenceLstm();
    void chicagoUsUnitsAreConvertedOnTheWayIn();
    void chicagoForecastsAreInCelsius();
    void saveLoadRoundTripPredictsTheSame();
    void corruptModelIsRefusedAndTheOldOneStays();
    void otherFormatVersionIsRefused();
    void boostedTreesLearnRealDiurnalCycle();
    void modelForUnknownStationsIsRefused();
    void hotReloadOnFileDrop();
    void abSplitIsStableAndShared();
    void serviceForecastsInCelsiusAndScoresLive();
    void serviceFallsBackToPersistenceWhileHistoryIsShort();
    void engineServesTheRegistryModel();
    void neighbourTermsMatchLiveAndNeverSeeTheFuture();

private:
    std::shared_ptr<ForecastModel> trainSmall(const QString &version);

    ForecastDataset m_beijing;
    std::shared_ptr<ForecastModel> m_model;
    QTemporaryDir m_dir;
};

std::shared_ptr<ForecastModel> TestForecast::trainSmall(const QString &version)
{
    TrainOptions o;
    o.fromMs = iso("2014-03-01T00:00:00Z");
    o.toMs = iso("2015-02-28T16:00:00Z"); // Beijing 2015-03-01 00:00 local: the held-out year starts here
    o.version = version;
    auto m = ForecastTrainer::train(m_beijing, o);
    if (!m)
        qFatal("training failed: %s", qPrintable(m.errorMessage()));
    return *m;
}

void TestForecast::initTestCase()
{
    QVERIFY(m_dir.isValid());
    auto ds = ForecastDataLoader::load(testdata::shared("data/beijing_hourly/beijing_hourly_2013_2016.csv"));
    QVERIFY2(ds.ok(), qPrintable(ds.errorMessage()));
    m_beijing = std::move(ds.value());
    QCOMPARE(m_beijing.stations.size(), size_t(12));
    QVERIFY(!m_beijing.daily);
    m_beijing.keepStations(kStations);
    QCOMPARE(m_beijing.stations.size(), size_t(3));
    m_model = trainSmall(QStringLiteral("v1"));
}

void TestForecast::beatsBaselinesOnHeldOutBeijingYear()
{
    // Trained on 2014-03 … 2015-02, scored on 2015-03 … 2016-02 only.
    QVERIFY(m_model->dataToMs < iso("2015-02-28T16:00:00Z"));
    auto ev = ForecastEvaluator::evaluate(*m_model, m_beijing, iso("2015-02-28T16:00:00Z"), iso("2016-02-29T15:00:00Z"));
    QVERIFY2(ev.ok(), qPrintable(ev.errorMessage()));
    QCOMPARE(ev->variables.front().variable, Channel::Temperature);
    for (const VariableEvaluation &ve : ev->variables) {
        for (const HorizonScores &h : ve.horizons) {
            qInfo("%s h=%d model %.3f persistence %.3f same-hour-yesterday %.3f (n=%lld)",
                  qPrintable(channelKey(ve.variable)), h.hours, h.model.mae, h.persistence.mae,
                  h.sameHourYesterday.mae, h.model.n);
            QVERIFY(h.model.n > 20000); // three stations, a year, few gaps
            if (h.hours == 6 || h.hours == 24) {
                QVERIFY(h.model.mae < h.persistence.mae);
                QVERIFY(h.model.mae < h.sameHourYesterday.mae);
                QVERIFY(h.model.rmse < h.persistence.rmse);
            }
        }
    }
    // Temperature at 6 h: persistence is ~4 °C off, the model must be far better than that.
    const HorizonScores &t6 = ev->variables.front().horizons[2];
    QCOMPARE(t6.hours, 6);
    QVERIFY(t6.model.mae < 0.6 * t6.persistence.mae);
    QVERIFY(t6.model.mae < 2.0);
    // The evaluator's own count of the 10–90 % interval holding the truth (80 % when calibrated).
    qInfo("evaluator interval coverage at 6 h: %.3f", t6.intervalCoverage);
    QVERIFY(t6.intervalCoverage > 0.72 && t6.intervalCoverage < 0.88);
}

void TestForecast::intervalCoversAboutEightyPercent()
{
    for (int r = 0; r < m_model->regimeCount(); ++r) {
        const ModelTarget *t = m_model->target(Channel::Temperature, 6, r);
        QVERIFY(t);
        QVERIFY(t->residualQ10 < 0 && t->residualQ90 > 0);
    }
    const ForecastFeatures f = m_model->features();
    const GroupMeans group(m_beijing);
    const FeatureContext ctx = group.context(nullptr);
    std::vector<double> x(static_cast<size_t>(f.size()));
    qint64 inside = 0, n = 0;
    for (const auto &s : m_beijing.stations) {
        for (int i = s.slotOf(iso("2015-03-01T00:00:00Z")); i + 6 < s.size(); i += 5) {
            const double actual = s.at(Channel::Temperature, i + 6);
            const double cur = ForecastTrainer::currentValue(s, Channel::Temperature, i);
            if (std::isnan(actual) || std::isnan(cur) || !f.build(s, i, ctx, x.data()))
                continue;
            ForecastModel::PointForecast pf;
            QVERIFY(m_model->forecast(Channel::Temperature, 6, s.timeOf(i), x.data(), cur, pf));
            ++n;
            inside += actual >= pf.lower && actual <= pf.upper;
        }
    }
    const double coverage = static_cast<double>(inside) / static_cast<double>(n);
    qInfo("10-90 %% interval coverage on the held-out year at 6 h: %.3f (n=%lld)", coverage, n);
    QVERIFY(coverage > 0.70 && coverage < 0.90);
}

void TestForecast::madisonNextDayBeatsReferenceLstm()
{
    auto ds = ForecastDataLoader::load(testdata::shared("data/ghcnd_madison_daily/madison_daily_1996_2023.csv"));
    QVERIFY2(ds.ok(), qPrintable(ds.errorMessage()));
    QVERIFY(ds->daily);
    TrainOptions o;
    o.toMs = iso("2020-01-01T00:00:00Z");
    auto m = ForecastTrainer::train(*ds, o);
    QVERIFY2(m.ok(), qPrintable(m.errorMessage()));
    auto ev = ForecastEvaluator::evaluate(**m, *ds, iso("2020-01-01T00:00:00Z"), ds->lastMs());
    QVERIFY2(ev.ok(), qPrintable(ev.errorMessage()));
    const HorizonScores &h = ev->variables.front().horizons.front();
    qInfo("Madison next-day mean temperature 2020-2023: model %.3f, persistence %.3f, climatology %.3f (n=%lld)",
          h.model.mae, h.persistence.mae, h.climatology.mae, h.model.n);
    QCOMPARE(h.hours, 24);
    QVERIFY(h.model.n > 1400);
    QVERIFY(h.model.mae < 2.60); // the reference system's LSTM
    QVERIFY(h.model.mae < h.persistence.mae);
    QVERIFY(h.model.mae < h.climatology.mae);
}

void TestForecast::chicagoUsUnitsAreConvertedOnTheWayIn()
{
    auto ds = ForecastDataLoader::load(testdata::shared("data/chicago_daily/chicago_2001_2013.csv"));
    QVERIFY2(ds.ok(), qPrintable(ds.errorMessage()));
    QVERIFY(ds->daily);
    const StationSeries &s = ds->stations.front();
    QCOMPARE(s.startMs, iso("2001-01-22T00:00:00Z"));
    // First row: temp 19.45 °F, min 15.1 °F, max 30 °F, dew 13.45 °F, 30.43 inHg, 5.2 mph, 0 in.
    QCOMPARE(s.at(Channel::Temperature, 0), (19.45 - 32) * 5 / 9);
    QCOMPARE(s.at(Channel::TempMin, 0), (15.1 - 32) * 5 / 9);
    QCOMPARE(s.at(Channel::TempMax, 0), (30.0 - 32) * 5 / 9);
    QCOMPARE(s.at(Channel::Dewpoint, 0), (13.45 - 32) * 5 / 9);
    QVERIFY(qAbs(s.at(Channel::Pressure, 0) - 1030.48) < 0.01);
    QVERIFY(qAbs(s.at(Channel::WindSpeed, 0) - 2.3246) < 1e-4);
    QCOMPARE(s.at(Channel::Precipitation, 0), 0.0);
    QCOMPARE(s.at(Channel::Humidity, 0), 78.0);
}

void TestForecast::chicagoForecastsAreInCelsius()
{
    auto ds = ForecastDataLoader::load(testdata::shared("data/chicago_daily/chicago_2001_2013.csv"));
    QVERIFY(ds.ok());
    TrainOptions o;
    o.toMs = iso("2010-01-01T00:00:00Z");
    auto m = ForecastTrainer::train(*ds, o);
    QVERIFY2(m.ok(), qPrintable(m.errorMessage()));
    // The climatology the model carries is °C: Chicago's July mean is ~24 °C (75 °F), January ~−5 °C.
    QVERIFY((*m)->climatology[195] > 20 && (*m)->climatology[195] < 28);
    QVERIFY((*m)->climatology[15] > -9 && (*m)->climatology[15] < 0);
    auto ev = ForecastEvaluator::evaluate(**m, *ds, iso("2010-01-01T00:00:00Z"), ds->lastMs());
    QVERIFY(ev.ok());
    const HorizonScores &h = ev->variables.front().horizons.front();
    qInfo("Chicago next-day temperature 2010-2013: model %.3f °C, persistence %.3f °C", h.model.mae, h.persistence.mae);
    // In °F the same errors would be 1.8× larger; persistence's next-day error in °C is ~2.8.
    QVERIFY(h.persistence.mae > 2.0 && h.persistence.mae < 3.5);
    QVERIFY(h.model.mae < h.persistence.mae);
}

void TestForecast::saveLoadRoundTripPredictsTheSame()
{
    const QString dir = m_dir.filePath(QStringLiteral("roundtrip/v1"));
    QVERIFY2(m_model->save(dir).ok(), "save failed");
    auto loaded = ForecastModel::load(dir);
    QVERIFY2(loaded.ok(), qPrintable(loaded.errorMessage()));
    QCOMPARE((*loaded)->version, QStringLiteral("v1"));
    QCOMPARE((*loaded)->stations, kStations);
    QCOMPARE((*loaded)->targets.size(), m_model->targets.size());
    const ForecastFeatures f = m_model->features();
    const GroupMeans group(m_beijing);
    std::vector<double> x(static_cast<size_t>(f.size()));
    const auto &s = m_beijing.stations.front();
    const int t = s.slotOf(iso("2015-07-01T06:00:00Z"));
    QVERIFY(f.build(s, t, group.context(nullptr), x.data()));
    for (int h : {1, 6, 24}) {
        ForecastModel::PointForecast a, b;
        QVERIFY(m_model->forecast(Channel::Temperature, h, s.timeOf(t), x.data(), 25.0, a));
        QVERIFY((*loaded)->forecast(Channel::Temperature, h, s.timeOf(t), x.data(), 25.0, b));
        QVERIFY(qAbs(a.value - b.value) < 1e-9 && qAbs(a.upper - b.upper) < 1e-9);
    }
    const QJsonObject meta = (*loaded)->metadataJson();
    QCOMPARE(meta.value(QStringLiteral("format_version")).toInt(), ForecastModel::kFormatVersion);
    QVERIFY(meta.value(QStringLiteral("metrics")).toObject().contains(QStringLiteral("validation")));
}

static void copyDir(const QString &from, const QString &to)
{
    QDir().mkpath(to);
    for (const QString &f : QDir(from).entryList(QDir::Files))
        QFile::copy(QDir(from).filePath(f), QDir(to).filePath(f));
}

void TestForecast::corruptModelIsRefusedAndTheOldOneStays()
{
    const QString root = m_dir.filePath(QStringLiteral("registry-corrupt"));
    QVERIFY(m_model->save(root + QStringLiteral("/v1")).ok());
    ModelRegistry reg(root);
    QVERIFY(reg.activate(QStringLiteral("v1")).ok());
    // v2: the same files with one weight altered after writing.
    copyDir(root + QStringLiteral("/v1"), root + QStringLiteral("/v2"));
    QFile w(root + QStringLiteral("/v2/weights.json"));
    QVERIFY(w.open(QIODevice::ReadWrite));
    QByteArray bytes = w.readAll();
    const qsizetype at = bytes.indexOf("\"weights\":[") + 12;
    bytes[at] = bytes[at] == '1' ? '2' : '1';
    w.seek(0);
    w.write(bytes);
    w.close();
    QSignalSpy refused(&reg, &ModelRegistry::refused);
    const auto r = reg.activate(QStringLiteral("v2"));
    QVERIFY(!r.ok());
    QVERIFY2(r.errorMessage().contains(QStringLiteral("corrupt")), qPrintable(r.errorMessage()));
    QCOMPARE(refused.count(), 1);
    QCOMPARE(reg.active()->version, QStringLiteral("v1"));
    // Truncated metadata: refused too, v1 still serves.
    copyDir(root + QStringLiteral("/v1"), root + QStringLiteral("/v3"));
    QFile m(root + QStringLiteral("/v3/model.json"));
    QVERIFY(m.open(QIODevice::ReadWrite));
    m.resize(40);
    m.close();
    const auto r3 = reg.activate(QStringLiteral("v3"));
    QVERIFY(!r3.ok());
    QVERIFY2(r3.errorMessage().contains(QStringLiteral("corrupt")), qPrintable(r3.errorMessage()));
    QCOMPARE(reg.active()->version, QStringLiteral("v1"));
    QVERIFY(!reg.activate(QStringLiteral("no-such-version")).ok());
    QCOMPARE(reg.active()->version, QStringLiteral("v1"));
}

void TestForecast::otherFormatVersionIsRefused()
{
    const QString root = m_dir.filePath(QStringLiteral("registry-format"));
    QVERIFY(m_model->save(root + QStringLiteral("/v1")).ok());
    copyDir(root + QStringLiteral("/v1"), root + QStringLiteral("/v9"));
    QFile m(root + QStringLiteral("/v9/model.json"));
    QVERIFY(m.open(QIODevice::ReadOnly));
    QJsonObject meta = QJsonDocument::fromJson(m.readAll()).object();
    m.close();
    meta[QStringLiteral("format_version")] = ForecastModel::kFormatVersion + 1;
    QVERIFY(m.open(QIODevice::WriteOnly | QIODevice::Truncate));
    m.write(QJsonDocument(meta).toJson());
    m.close();
    ModelRegistry reg(root);
    QVERIFY(reg.activate(QStringLiteral("v1")).ok());
    const auto r = reg.activate(QStringLiteral("v9"));
    QVERIFY(!r.ok());
    QVERIFY2(r.errorMessage().contains(QStringLiteral("format version %1").arg(ForecastModel::kFormatVersion + 1)),
             qPrintable(r.errorMessage()));
    QCOMPARE(reg.active()->version, QStringLiteral("v1"));

    // A model written before the boosted-tree stage (format 1) is refused with the way out.
    meta[QStringLiteral("format_version")] = 1;
    QVERIFY(m.open(QIODevice::WriteOnly | QIODevice::Truncate));
    m.write(QJsonDocument(meta).toJson());
    m.close();
    const auto old = ForecastModel::load(root + QStringLiteral("/v9"));
    QVERIFY(!old.ok());
    QVERIFY2(old.errorMessage().contains(QStringLiteral("format version 1"))
                 && old.errorMessage().contains(QStringLiteral("retrain")),
             qPrintable(old.errorMessage()));

    // Nor is one of format 2, whose features lack the per-neighbour terms.
    meta[QStringLiteral("format_version")] = 2;
    QVERIFY(m.open(QIODevice::WriteOnly | QIODevice::Truncate));
    m.write(QJsonDocument(meta).toJson());
    m.close();
    const auto two = ForecastModel::load(root + QStringLiteral("/v9"));
    QVERIFY(!two.ok());
    QVERIFY2(two.errorMessage().contains(QStringLiteral("format version 2")), qPrintable(two.errorMessage()));
}

void TestForecast::boostedTreesLearnRealDiurnalCycle()
{
    // Real data: Dongsi's temperature from the hour of day and day of year. Trees grown on
    // 2014-03 … 2015-02 must explain most of the variance of 2015-03 … 2016-02 (season and the
    // daily cycle are most of it), survive a JSON round trip exactly, and a damaged tree is refused.
    const StationSeries *dongsi = nullptr;
    for (const auto &st : m_beijing.stations)
        dongsi = st.stationId == QLatin1String("Dongsi") ? &st : dongsi;
    QVERIFY(dongsi);
    std::vector<float> x;
    std::vector<float> y;
    std::vector<int> fit, valid;
    const qint64 split = iso("2015-02-28T16:00:00Z");
    for (int i = dongsi->slotOf(iso("2014-03-01T00:00:00Z")); i < dongsi->size(); ++i) {
        const double t = dongsi->at(Channel::Temperature, i);
        if (std::isnan(t))
            continue;
        const qint64 ms = dongsi->timeOf(i);
        x.push_back(static_cast<float>((ms / 3'600'000) % 24));
        x.push_back(static_cast<float>(ForecastFeatures::dayOfYear(ms)));
        y.push_back(static_cast<float>(t));
        (ms < split ? fit : valid).push_back(static_cast<int>(y.size() - 1));
    }
    QVERIFY(fit.size() > 8000 && valid.size() > 8000);
    BoostParams params;
    params.maxTrees = 150;
    QString log;
    const BoostedTrees trees = BoostedTrees::fit(x, 2, y, fit, valid, params, &log);
    qInfo("%s", qPrintable(log));
    QVERIFY(!trees.empty());
    QVERIFY2(trees.validationMse < 0.25 * trees.validationMseBase, qPrintable(log));
    auto back = BoostedTrees::fromJson(trees.toJson(), 2);
    QVERIFY2(back.ok(), qPrintable(back.errorMessage()));
    for (int r : valid) {
        const float *row = &x[static_cast<size_t>(r) * 2];
        QCOMPARE(back->predict(row), trees.predict(row));
    }
    QJsonObject bad = trees.toJson();
    QJsonArray left = bad.value(QStringLiteral("left")).toArray();
    for (qsizetype i = 0; i < left.size(); ++i) {
        if (left[i].toInt() > 0) {
            left[i] = 0; // a child pointing back to the root would loop forever
            break;
        }
    }
    bad[QStringLiteral("left")] = left;
    const auto refused = BoostedTrees::fromJson(bad, 2);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.errorMessage().contains(QStringLiteral("malformed")), qPrintable(refused.errorMessage()));
}

void TestForecast::modelForUnknownStationsIsRefused()
{
    const QString root = m_dir.filePath(QStringLiteral("registry-stations"));
    QVERIFY(m_model->save(root + QStringLiteral("/v1")).ok());
    ModelRegistry reg(root);
    reg.setServedStations({QStringLiteral("KMSN"), QStringLiteral("KMDW")});
    const auto r = reg.activate(QStringLiteral("v1"));
    QVERIFY(!r.ok());
    QVERIFY2(r.errorMessage().contains(QStringLiteral("Dongsi")) && r.errorMessage().contains(QStringLiteral("KMSN")),
             qPrintable(r.errorMessage()));
    QVERIFY(!reg.active());
    reg.setServedStations({QStringLiteral("KMSN"), QStringLiteral("Huairou")});
    QVERIFY(reg.activate(QStringLiteral("v1")).ok());
    // A service routes only the stations a model knows to it: KMSN would get persistence.
    QVERIFY(reg.active()->knowsStation(QStringLiteral("Huairou")));
    QVERIFY(!reg.active()->knowsStation(QStringLiteral("KMSN")));
}

void TestForecast::hotReloadOnFileDrop()
{
    const QString root = m_dir.filePath(QStringLiteral("registry-watch"));
    QVERIFY(m_model->save(root + QStringLiteral("/v1")).ok());
    ModelRegistry reg(root);
    QVERIFY(reg.activateNewest().ok());
    QCOMPARE(reg.active()->version, QStringLiteral("v1"));
    reg.watch();
    QSignalSpy changed(&reg, &ModelRegistry::activeChanged);
    QSignalSpy refused(&reg, &ModelRegistry::refused);
    const std::shared_ptr<const ForecastModel> inFlight = reg.active(); // a forecast still using v1

    auto v2 = std::make_shared<ForecastModel>(*m_model);
    v2->version = QStringLiteral("v2");
    QVERIFY(v2->save(root + QStringLiteral("/v2")).ok());
    QTRY_COMPARE_WITH_TIMEOUT(reg.active()->version, QStringLiteral("v2"), 10000);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(inFlight->version, QStringLiteral("v1")); // the old one lives as long as it is used

    // A corrupt drop is refused and v2 stays.
    QDir().mkpath(root + QStringLiteral("/v3"));
    QFile bad(root + QStringLiteral("/v3/weights.json"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{\"targets\": [");
    bad.close();
    QFile meta(root + QStringLiteral("/v3/model.json"));
    QVERIFY(meta.open(QIODevice::WriteOnly));
    meta.write("{\"format_version\": 1, \"feature_set_version\": 1, \"version\": \"v3\", \"weights_sha256\": \"00\"}");
    meta.close();
    QTRY_VERIFY_WITH_TIMEOUT(refused.count() >= 1, 10000);
    QCOMPARE(refused.first().at(0).toString(), QStringLiteral("v3"));
    QCOMPARE(reg.active()->version, QStringLiteral("v2"));
    const QJsonObject listing = reg.toJson();
    QCOMPARE(listing.value(QStringLiteral("versions")).toArray().size(), 3);
}

void TestForecast::abSplitIsStableAndShared()
{
    const QString root = m_dir.filePath(QStringLiteral("registry-ab"));
    QVERIFY(m_model->save(root + QStringLiteral("/v1")).ok());
    auto v2 = std::make_shared<ForecastModel>(*m_model);
    v2->version = QStringLiteral("v2");
    QVERIFY(v2->save(root + QStringLiteral("/v2")).ok());
    ModelRegistry reg(root);
    QVERIFY(reg.activate(QStringLiteral("v1")).ok());
    QVERIFY(!reg.setCandidate(QStringLiteral("v2"), 1.5).ok());
    QVERIFY(reg.setCandidate(QStringLiteral("v2"), 0.5).ok());
    // Over many ids about half go to the candidate, and the same id always to the same variant.
    int toCandidate = 0;
    for (int i = 0; i < 2000; ++i) {
        const QString id = QStringLiteral("ST%1").arg(i);
        const QString first = reg.modelFor(id)->version;
        QCOMPARE(reg.modelFor(id)->version, first);
        toCandidate += first == QLatin1String("v2");
    }
    QVERIFY(toCandidate > 900 && toCandidate < 1100);
    QCOMPARE(ModelRegistry::stationBucket(QStringLiteral("Dongsi")), ModelRegistry::stationBucket(QStringLiteral("Dongsi")));
    reg.clearCandidate();
    QCOMPARE(reg.modelFor(QStringLiteral("ST1"))->version, QStringLiteral("v1"));
}

// Real Beijing rows as the engine would receive them (one Reading per station and hour, °C),
// and the one-reading windows they close.
static QList<Reading> readingsAt(const ForecastDataset &ds, qint64 ms)
{
    QList<Reading> out;
    for (const auto &s : ds.stations) {
        const int i = s.slotOf(ms);
        Reading r;
        r.stationId = s.stationId;
        r.timestampMs = ms;
        r.set(Variable::Temperature, s.at(Channel::Temperature, i));
        r.set(Variable::Dewpoint, s.at(Channel::Dewpoint, i));
        r.set(Variable::Pressure, s.at(Channel::Pressure, i));
        r.set(Variable::WindSpeed, s.at(Channel::WindSpeed, i));
        r.set(Variable::WindDirection, s.at(Channel::WindDirection, i));
        r.set(Variable::Precipitation, s.at(Channel::Precipitation, i));
        out.append(r);
    }
    return out;
}

static QList<WindowStats> windowsOf(const QList<Reading> &readings)
{
    QList<WindowStats> out;
    for (const Reading &r : readings) {
        for (Variable v : {Variable::Temperature, Variable::Humidity, Variable::Pressure, Variable::WindSpeed}) {
            if (!r.has(v) && v != Variable::Humidity)
                continue;
            WindowStats w;
            w.stationId = r.stationId;
            w.variable = v;
            w.startMs = r.timestampMs - 5 * 60'000 + 1;
            w.endMs = r.timestampMs + 1;
            w.count = 1;
            w.last = w.first = w.mean = w.min = w.max = r.value(v);
            out.append(w);
        }
    }
    return out;
}

void TestForecast::serviceForecastsInCelsiusAndScoresLive()
{
    const QString root = m_dir.filePath(QStringLiteral("registry-service"));
    QVERIFY(m_model->save(root + QStringLiteral("/v1")).ok());
    ModelRegistry reg(root);
    QVERIFY(reg.activate(QStringLiteral("v1")).ok());
    ForecastService service(&reg);
    // Ten days of the held-out July through the service, hour by hour.
    const qint64 start = iso("2015-07-01T00:00:00Z");
    int modelForecasts = 0;
    for (int h = 0; h < 240; ++h) {
        const QList<Reading> rs = readingsAt(m_beijing, start + h * timeutil::kMsPerHour);
        service.observe(rs);
        for (const Forecast &f : service.forecast(windowsOf(rs))) {
            if (f.model != QLatin1String("ridge"))
                continue;
            ++modelForecasts;
            QCOMPARE(f.modelVersion, QStringLiteral("v1"));
            QCOMPARE(f.points.size(), 24);
            if (f.variable == Variable::Temperature) {
                for (const ForecastPoint &p : f.points) {
                    // Beijing in July, in °C (in °F these would be 70–100).
                    QVERIFY2(p.value > 10 && p.value < 45, qPrintable(QString::number(p.value)));
                    QVERIFY(p.lower < p.value && p.value < p.upper);
                }
            }
        }
    }
    QVERIFY(modelForecasts > 3 * 4 * 180);
    const LiveAccuracy::Cell c6 = reg.liveAccuracy().cell(QStringLiteral("v1"), Variable::Temperature, 6);
    const LiveAccuracy::Cell c1 = reg.liveAccuracy().cell(QStringLiteral("v1"), Variable::Temperature, 1);
    qInfo("live MAE over 10 days of July 2015, 3 stations: 1 h %.3f °C (n=%lld), 6 h %.3f °C (n=%lld)", c1.mae(), c1.n,
          c6.mae(), c6.n);
    QVERIFY(c6.n > 500);
    QVERIFY(c1.mae() < 1.2 && c6.mae() < 3.0);
    const QJsonObject live = reg.liveAccuracy().toJson(QStringLiteral("Dongsi"));
    QVERIFY(live.value(QStringLiteral("stations")).toObject().contains(QStringLiteral("Dongsi")));
}

void TestForecast::serviceFallsBackToPersistenceWhileHistoryIsShort()
{
    const QString root = m_dir.filePath(QStringLiteral("registry-short"));
    QVERIFY(m_model->save(root + QStringLiteral("/v1")).ok());
    ModelRegistry reg(root);
    QVERIFY(reg.activate(QStringLiteral("v1")).ok());
    ForecastService service(&reg);
    const QList<Reading> rs = readingsAt(m_beijing, iso("2015-07-01T00:00:00Z"));
    service.observe(rs);
    const QList<Forecast> fs = service.forecast(windowsOf(rs));
    QVERIFY(!fs.isEmpty());
    for (const Forecast &f : fs) {
        QCOMPARE(f.model, QStringLiteral("persistence"));
        QVERIFY(f.modelVersion.isEmpty());
    }
}

void TestForecast::engineServesTheRegistryModel()
{
    // Six real days of the three stations, cut from the shared file, replayed as fast as possible.
    QFile src(testdata::shared("data/beijing_hourly/beijing_hourly_2013_2016.csv"));
    QVERIFY(src.open(QIODevice::ReadOnly));
    const QString csv = m_dir.filePath(QStringLiteral("beijing_6days.csv"));
    QFile out(csv);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(src.readLine());
    while (!src.atEnd()) {
        const QByteArray line = src.readLine();
        const QByteArray station = line.left(line.indexOf(','));
        if (line.contains(",2016-02-2") && kStations.contains(QString::fromLatin1(station))
            && line.mid(line.indexOf(',') + 1, 10) >= "2016-02-23")
            out.write(line);
    }
    out.close();
    const QString root = m_dir.filePath(QStringLiteral("registry-engine"));
    QVERIFY(m_model->save(root + QStringLiteral("/v1")).ok());

    EngineOptions o;
    o.replayFile = csv;
    o.replaySpeed = 0;
    o.modelDir = root;
    Engine engine(o);
    QVERIFY(engine.models());
    QCOMPARE(engine.models()->active()->version, QStringLiteral("v1"));
    QSignalSpy finished(&engine, &Engine::sourceFinished);
    engine.start();
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 30000);
    const QList<Forecast> fs = engine.state().forecasts(QStringLiteral("Dongsi"));
    QVERIFY(!fs.isEmpty());
    bool ridge = false;
    for (const Forecast &f : fs) {
        if (f.variable == Variable::Temperature) {
            ridge = f.model == QLatin1String("ridge") && f.modelVersion == QLatin1String("v1");
            QCOMPARE(f.points.size(), 24);
            QVERIFY(f.points.front().value > -25 && f.points.front().value < 25); // late February, °C
        }
    }
    QVERIFY(ridge);
    const LiveAccuracy::Cell c = engine.models()->liveAccuracy().cell(QStringLiteral("v1"), Variable::Temperature, 1);
    qInfo("engine replay: live 1 h temperature MAE %.3f °C over %lld forecasts", c.mae(), c.n);
    QVERIFY(c.n > 100);
    QVERIFY(c.mae() < 1.5);
}

void TestForecast::neighbourTermsMatchLiveAndNeverSeeTheFuture()
{
    // The model reads each neighbour separately (and up to a week back): the live service must give
    // the forecast the offline evaluator gives for the same slot, and no value after the issue slot
    // (of this station or a neighbour) may change the features.
    QVERIFY(m_model->neighbourTerms);
    QVERIFY(m_model->featureNames.contains(QStringLiteral("nb_Huairou_d3")));
    QVERIFY(m_model->featureNames.contains(QStringLiteral("nb_Wanliu_dev_x_u")));
    ForecastService service;
    const qint64 start = iso("2015-10-01T00:00:00Z");
    const int hours = 200;
    for (int h = 0; h < hours; ++h)
        service.observe(readingsAt(m_beijing, start + h * timeutil::kMsPerHour));
    const qint64 lastMs = start + (hours - 1) * timeutil::kMsPerHour;
    const QList<Forecast> live =
        service.modelForecast(*m_model, QStringLiteral("Dongsi"), lastMs + timeutil::kMsPerHour, {Variable::Temperature});
    QCOMPARE(live.size(), 1);
    QCOMPARE(live.front().points.size(), 24);

    const ForecastFeatures &f = m_model->featureBuilder();
    std::vector<double> x(static_cast<size_t>(f.size())), xCut(x.size());
    const GroupMeans group(m_beijing);
    const StationSeries *dongsi = group.series(QStringLiteral("Dongsi"));
    QVERIFY(dongsi);
    const int t = dongsi->slotOf(lastMs);
    QVERIFY(f.build(*dongsi, t, group.context(nullptr), x.data()));
    ForecastDataset cut = m_beijing;
    for (auto &s : cut.stations) {
        for (auto &v : s.values) {
            for (int i = std::max(0, s.slotOf(lastMs) + 1); i < s.size(); ++i)
                v[static_cast<size_t>(i)] = kMissing;
        }
    }
    const GroupMeans cutGroup(cut);
    QVERIFY(f.build(*cutGroup.series(QStringLiteral("Dongsi")), t, cutGroup.context(nullptr), xCut.data()));
    for (size_t i = 0; i < x.size(); ++i)
        QVERIFY2(x[i] == xCut[i], qPrintable(f.names().at(static_cast<qsizetype>(i))));

    const double cur = ForecastTrainer::currentValue(*dongsi, Channel::Temperature, t);
    for (int h : {1, 6, 24}) {
        ForecastModel::PointForecast pf;
        QVERIFY(m_model->forecast(Channel::Temperature, h, dongsi->timeOf(t), x.data(), cur, pf));
        const double lv = live.front().points[h - 1].value;
        qInfo("Dongsi +%d h: offline %.4f, live %.4f °C", h, pf.value, lv);
        QVERIFY2(qAbs(pf.value - lv) < 1e-6, qPrintable(QStringLiteral("h %1: %2 vs %3").arg(h).arg(pf.value).arg(lv)));
    }
}

QTEST_GUILESS_MAIN(TestForecast)
#include "tst_pipeline_forecast.moc"
