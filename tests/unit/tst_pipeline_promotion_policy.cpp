// PromotionPolicy on the scores of real retraining runs: the per-horizon temperature MAEs that
// tests/data/retrain_decisions_snapshot.json recorded (six Beijing stations, held-back span
// 2015-01-30 … 2015-03-01) are turned back into evaluations, and the policy must reach the decisions
// the run recorded; then the same real scores around the thresholds.
#include "TestData.h"
#include "models/PromotionPolicy.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <cmath>

using namespace stratus;

namespace {

QJsonArray recordedDecisions()
{
    QFile f(testdata::source("tests/data/retrain_decisions_snapshot.json"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).array();
}

QJsonObject mae(const QJsonValue &v)
{
    return QJsonObject{{QStringLiteral("mae"), v}};
}

// An Evaluation::toJson()-shaped object whose "model" scores are the decision's `who` column
// ("candidate" or "active"), with the baselines the run measured on the same span.
QJsonObject evaluation(const QJsonObject &decision, const char *who)
{
    QJsonArray horizons;
    for (const QJsonValue &v : decision.value(QStringLiteral("temperature_mae_by_horizon")).toArray()) {
        const QJsonObject h = v.toObject();
        if (!h.contains(QLatin1String(who)))
            return {};
        horizons.append(QJsonObject{{QStringLiteral("h"), h.value(QStringLiteral("h"))},
                                    {QStringLiteral("model"), mae(h.value(QLatin1String(who)))},
                                    {QStringLiteral("persistence"), mae(h.value(QStringLiteral("persistence")))},
                                    {QStringLiteral("same_hour_yesterday"), mae(h.value(QStringLiteral("same_hour_yesterday")))}});
    }
    return QJsonObject{{QStringLiteral("variable"), QStringLiteral("temperature")}, {QStringLiteral("horizons"), horizons}};
}

// The same evaluation with the model's scores replaced by a baseline's: a candidate no better than it.
QJsonObject asGoodAs(const QJsonObject &eval, const QString &baseline)
{
    QJsonArray horizons;
    for (const QJsonValue &v : eval.value(QStringLiteral("horizons")).toArray()) {
        QJsonObject h = v.toObject();
        h[QStringLiteral("model")] = h.value(baseline);
        horizons.append(h);
    }
    QJsonObject out = eval;
    out[QStringLiteral("horizons")] = horizons;
    return out;
}

} // namespace

class TestPromotionPolicy : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        m_decisions = recordedDecisions();
        QCOMPARE(m_decisions.size(), 2);
    }

    void meanOverTheHorizons()
    {
        const QJsonObject first = evaluation(m_decisions.at(0).toObject(), "candidate");
        // (0.7065 + 1.2752 + 1.7578 + 2.1346 + 2.2498) / 5, by hand.
        QCOMPARE(PromotionPolicy::meanMae(first, QStringLiteral("model")), 8.1239 / 5);
        QCOMPARE(PromotionPolicy::meanMae(first, QStringLiteral("persistence")), (0.9716 + 2.3857 + 4.0336 + 5.6056 + 2.3726) / 5);
        // A horizon without a score (too few points) does not count as zero.
        QJsonObject gap = first;
        QJsonArray horizons = gap.value(QStringLiteral("horizons")).toArray();
        QJsonObject h24 = horizons.last().toObject();
        h24[QStringLiteral("model")] = mae(QJsonValue::Null);
        horizons.replace(horizons.size() - 1, h24);
        gap[QStringLiteral("horizons")] = horizons;
        QCOMPARE(PromotionPolicy::meanMae(gap, QStringLiteral("model")), (0.7065 + 1.2752 + 1.7578 + 2.1346) / 4);
        QVERIFY(std::isnan(PromotionPolicy::meanMae(QJsonObject(), QStringLiteral("model"))));
    }

    void reachesTheRecordedDecisions_data()
    {
        QTest::addColumn<int>("index");
        QTest::newRow("240 days, no active model: promoted over the baselines") << 0;
        QTest::newRow("30 days against the 240-day model: rejected by the margin") << 1;
    }
    void reachesTheRecordedDecisions()
    {
        QFETCH(int, index);
        const QJsonObject recorded = m_decisions.at(index).toObject();
        const QJsonObject active = recorded.value(QStringLiteral("active_version")).toString().isEmpty()
            ? QJsonObject()
            : evaluation(recorded, "active");
        const auto d = PromotionPolicy::decide(evaluation(recorded, "candidate"), active,
                                               recorded.value(QStringLiteral("margin")).toDouble());
        const QJsonObject got = d.toJson();
        for (const char *key : {"promoted", "reason", "candidate_mae", "active_mae", "persistence_mae", "same_hour_yesterday_mae"})
            QCOMPARE(got.value(QLatin1String(key)), recorded.value(QLatin1String(key)));
    }

    void aCandidateNoBetterThanABaselineIsRejected_data()
    {
        QTest::addColumn<QString>("baseline");
        QTest::newRow("persistence") << "persistence";
        QTest::newRow("same hour yesterday") << "same_hour_yesterday";
    }
    void aCandidateNoBetterThanABaselineIsRejected()
    {
        QFETCH(QString, baseline);
        const QJsonObject candidate = asGoodAs(evaluation(m_decisions.at(0).toObject(), "candidate"), baseline);
        const auto d = PromotionPolicy::decide(candidate, QJsonObject(), 0.02);
        QVERIFY(!d.promote);
        QVERIFY2(d.reason.contains(QStringLiteral("does not beat the baselines")), qPrintable(d.reason));
        // Even against an active model it is worse than.
        const QJsonObject worse = asGoodAs(evaluation(m_decisions.at(0).toObject(), "candidate"), QStringLiteral("persistence"));
        QVERIFY(!PromotionPolicy::decide(candidate, worse, 0).promote);
    }

    void theMarginIsABound()
    {
        // The promoted candidate of the first run against itself: equal scores pass a zero margin
        // (≤), not a 2 % one.
        const QJsonObject eval = evaluation(m_decisions.at(0).toObject(), "candidate");
        const auto zero = PromotionPolicy::decide(eval, eval, 0.0);
        QVERIFY2(zero.promote, qPrintable(zero.reason));
        QCOMPARE(zero.activeMae, zero.candidateMae);
        const auto two = PromotionPolicy::decide(eval, eval, 0.02);
        QVERIFY(!two.promote);
        QVERIFY2(two.reason.contains(QStringLiteral("needs ≤ 1.592 °C")), qPrintable(two.reason));
        // The first run's candidate beats the second's by 11.7 %: a 10 % margin lets it through, 12 % not.
        const QJsonObject slow = evaluation(m_decisions.at(1).toObject(), "candidate");
        QVERIFY(PromotionPolicy::decide(eval, slow, 0.10).promote);
        QVERIFY(!PromotionPolicy::decide(eval, slow, 0.12).promote);
    }

    void anUnscoredCandidateIsNeverPromoted()
    {
        const auto d = PromotionPolicy::decide(QJsonObject(), QJsonObject(), 0.0);
        QVERIFY(!d.promote);
        QCOMPARE(d.reason, QStringLiteral("the candidate could not be scored on the held-back span"));
        QVERIFY(d.toJson().value(QStringLiteral("candidate_mae")).isNull());
    }

private:
    QJsonArray m_decisions;
};

QTEST_APPLESS_MAIN(TestPromotionPolicy)
#include "tst_pipeline_promotion_policy.moc"
