// AxisScale: the live charts' axis ranges. Pure arithmetic, so the inputs are synthetic: a table of
// edge cases and a property check over many random extents (covers the data, round ends, stays put).
#include "AxisScale.h"

#include <QTest>

#include <cmath>
#include <random>

using namespace stratus;

class TestAxisScale : public QObject
{
    Q_OBJECT
private slots:
    void niceStep_data()
    {
        QTest::addColumn<double>("raw");
        QTest::addColumn<double>("step");
        QTest::newRow("exact 1") << 1.0 << 1.0;
        QTest::newRow("just above 1") << 1.01 << 1.5;
        QTest::newRow("0.3") << 0.3 << 0.3;
        QTest::newRow("3.3") << 3.3 << 4.0;
        QTest::newRow("7") << 7.0 << 8.0;
        QTest::newRow("8.5") << 8.5 << 10.0;
        QTest::newRow("1200") << 1200.0 << 1500.0;
        QTest::newRow("zero gives 1") << 0.0 << 1.0;
        QTest::newRow("NaN gives 1") << std::nan("") << 1.0;
    }
    void niceStep()
    {
        QFETCH(double, raw);
        QFETCH(double, step);
        QCOMPARE(AxisScale::niceStep(raw), step);
    }

    void niceRangeCoversOnRoundTicks()
    {
        std::mt19937 rng(3);
        // Spans from 0.5 up: the charts pad every range by at least 0.5 on each side.
        std::uniform_real_distribution<double> centre(-1000, 1000), span(0.5, 200);
        for (int i = 0; i < 20000; ++i) {
            const double lo = centre(rng), hi = lo + span(rng);
            const auto [a, b] = AxisScale::niceRange(lo, hi, 5);
            QVERIFY2(a <= lo + 1e-9 && b >= hi - 1e-9, qPrintable(QStringLiteral("%1..%2 for %3..%4").arg(a).arg(b).arg(lo).arg(hi)));
            const double step = (b - a) / 5;
            QVERIFY(std::abs(AxisScale::niceStep(step * (1 - 1e-9)) - step) <= 1e-6 * step); // a nice step
            QVERIFY(std::abs(a / step - std::round(a / step)) < 1e-6); // ends on a multiple of it
            QVERIFY(b - a <= 4 * std::max(hi - lo, 1.0)); // and snug: at most 4× the data's span
        }
    }

    void niceRangeOfAPointIsNotEmpty()
    {
        const auto [a, b] = AxisScale::niceRange(12.3, 12.3, 5);
        QVERIFY(a < 12.3 && b > 12.3);
    }

    void updateKeepsARangeThatStillFits()
    {
        const auto first = AxisScale::niceRange(8.2, 21.7, 5);
        // The data moves a little inside: no change, so no label re-layout.
        QVERIFY(!AxisScale::update(first.first, first.second, 9.0, 21.0, 5));
        // The data leaves the range: a new one that covers it.
        const auto grown = AxisScale::update(first.first, first.second, 8.2, 40.0, 5);
        QVERIFY(grown && grown->first <= 8.2 && grown->second >= 40.0);
        // The data shrinks to a sliver of the range: a tighter one.
        const auto shrunk = AxisScale::update(-100, 100, 10.0, 11.0, 5);
        QVERIFY(shrunk && shrunk->second - shrunk->first < 20);
        // No current range yet (NaN): always a range.
        QVERIFY(AxisScale::update(std::nan(""), std::nan(""), 1, 2, 5));
    }
};

QTEST_APPLESS_MAIN(TestAxisScale)
#include "tst_ui_axis_scale.moc"
