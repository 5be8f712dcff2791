// TopoJSON decoding on the real us-atlas / world-atlas files the map draws.
#include "TestData.h"
#include "TopoJson.h"

#include <QTest>

using namespace stratus;

namespace {
// Ray casting: the test's own oracle for "this point lies inside this ring".
bool inside(const QList<QPointF> &ring, QPointF p)
{
    bool in = false;
    for (qsizetype i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const QPointF a = ring[i], b = ring[j];
        if ((a.y() > p.y()) != (b.y() > p.y()) && p.x() < (b.x() - a.x()) * (p.y() - a.y()) / (b.y() - a.y()) + a.x())
            in = !in;
    }
    return in;
}

const GeoFeature *byName(const QList<GeoFeature> &features, const QString &name)
{
    for (const GeoFeature &f : features) {
        if (f.name == name)
            return &f;
    }
    return nullptr;
}
} // namespace

class TestTopoJson : public QObject
{
    Q_OBJECT
private slots:
    void statesDecode()
    {
        const auto topo = TopoJson::load(testdata::shared("data/maps/states-10m.json"));
        QVERIFY2(topo, qPrintable(topo.errorMessage()));
        const auto states = topo->features(QStringLiteral("states"));
        QVERIFY2(states, qPrintable(states.errorMessage()));
        QCOMPARE(states->size(), 56); // 50 states, DC and 5 territories
        const GeoFeature *wi = byName(*states, QStringLiteral("Wisconsin"));
        QVERIFY(wi);
        QCOMPARE(wi->id, QStringLiteral("55"));
        // Stations from nws_recorded: Madison and Milwaukee are in Wisconsin, Chicago Midway is not.
        const auto inWi = [&](double lat, double lon) {
            return std::any_of(wi->rings.begin(), wi->rings.end(), [&](const auto &r) { return inside(r, QPointF(lon, lat)); });
        };
        QVERIFY(inWi(43.1399, -89.3375));
        QVERIFY(inWi(42.9472, -87.8967));
        QVERIFY(!inWi(41.7868, -87.7522));
        const GeoFeature *il = byName(*states, QStringLiteral("Illinois"));
        QVERIFY(il);
        QVERIFY(std::any_of(il->rings.begin(), il->rings.end(), [](const auto &r) { return inside(r, QPointF(-87.7522, 41.7868)); }));
        // Rings are closed: the decoder joins arcs without repeating the shared point.
        for (const auto &ring : wi->rings)
            QVERIFY(qFuzzyCompare(ring.first().x(), ring.last().x()) && qFuzzyCompare(ring.first().y(), ring.last().y()));
    }

    void landDecodes()
    {
        const auto topo = TopoJson::load(testdata::shared("data/maps/land-50m.json"));
        QVERIFY2(topo, qPrintable(topo.errorMessage()));
        const QRectF box = topo->bbox();
        QVERIFY(box.left() >= -180.001 && box.right() <= 180.001);
        QVERIFY(box.top() >= -90.001 && box.bottom() <= 90.001);
        const auto land = topo->features(QStringLiteral("land"));
        QVERIFY(land);
        qsizetype rings = 0;
        for (const GeoFeature &f : *land)
            rings += f.rings.size();
        QVERIFY(rings > 1000);
    }

    void badInputIsAnErrorWithAReason_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{oops") << QStringLiteral("not JSON");
        QTest::newRow("not a topology") << QByteArray(R"({"type":"FeatureCollection"})") << QStringLiteral("not a TopoJSON");
        QTest::newRow("bad transform") << QByteArray(R"({"type":"Topology","transform":{"scale":[1]},"arcs":[],"objects":{}})")
                                       << QStringLiteral("transform");
    }
    void badInputIsAnErrorWithAReason()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        const auto topo = TopoJson::parse(json);
        QVERIFY(!topo);
        QVERIFY2(topo.errorMessage().contains(expected), qPrintable(topo.errorMessage()));
    }

    void arcOutOfRangeAndUnknownObject()
    {
        const auto topo = TopoJson::parse(
            R"({"type":"Topology","arcs":[[[0,0],[1,0],[1,1]]],"objects":{"x":{"type":"Polygon","arcs":[[0,5]]}}})");
        QVERIFY(topo);
        const auto f = topo->features(QStringLiteral("x"));
        QVERIFY(!f);
        QVERIFY2(f.errorMessage().contains(QLatin1String("arc index 5")), qPrintable(f.errorMessage()));
        const auto missing = topo->features(QStringLiteral("nope"));
        QVERIFY(!missing);
        QVERIFY(missing.errorMessage().contains(QLatin1String("has: x")));
    }
};

QTEST_APPLESS_MAIN(TestTopoJson)
#include "tst_core_topojson.moc"
