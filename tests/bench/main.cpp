#include "BenchRegistry.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QTextStream>

#include <algorithm>

std::vector<BenchArea> &benchAreas()
{
    static std::vector<BenchArea> areas;
    return areas;
}

std::map<QString, BenchAppFactory> &benchAppFactories()
{
    static std::map<QString, BenchAppFactory> factories;
    return factories;
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

int main(int argc, char **argv)
{
    // The area is the first argument that is not an option; it may need its own application class.
    QString area;
    for (int i = 1; i < argc && area.isEmpty(); ++i) {
        if (argv[i][0] != '-')
            area = QString::fromLocal8Bit(argv[i]);
    }
    const auto factory = benchAppFactories().find(area);
    std::unique_ptr<QCoreApplication> app = factory != benchAppFactories().end()
                                                ? factory->second(argc, argv)
                                                : std::make_unique<QCoreApplication>(argc, argv);
    QStringList args = app->arguments().mid(1);
    QTextStream out(stdout);
    BenchContext ctx;
    ctx.json = args.removeAll(QStringLiteral("--json")) > 0;
    ctx.smoke = args.removeAll(QStringLiteral("--smoke")) > 0;
    if (ctx.smoke)
        ctx.repeats = 1;
    std::sort(benchAreas().begin(), benchAreas().end(), [](const BenchArea &a, const BenchArea &b) { return a.name < b.name; });
    // --help anywhere: `stratus-bench kafka --help` must not start a 10-minute benchmark.
    if (args.isEmpty() || args.contains(QLatin1String("--help")) || args.contains(QLatin1String("-h"))) {
        out << "usage: stratus-bench AREA [--json] [--smoke] [area options]\n"
               "(each area's options are listed in tests/bench/RESULTS.md)\nareas:\n";
        for (const BenchArea &a : benchAreas())
            out << "  " << a.name.leftJustified(12) << a.description << '\n';
        return args.isEmpty() ? 2 : 0;
    }
    const QString name = args.takeFirst();
    ctx.args = args;
    for (const BenchArea &a : benchAreas()) {
        if (a.name == name) {
            const QJsonObject figures = a.run(ctx);
            if (ctx.json)
                out << QJsonDocument(figures).toJson(QJsonDocument::Compact) << '\n';
            if (figures.isEmpty()) {
                QTextStream(stderr) << "stratus-bench: " << name << " returned no figures\n";
                return 1;
            }
            if (figures.contains(QStringLiteral("error"))) {
                QTextStream(stderr) << "stratus-bench: " << name << " failed: " << figures.value(QStringLiteral("error")).toString() << '\n';
                return 1;
            }
            return 0;
        }
    }
    QTextStream(stderr) << "stratus-bench: unknown area \"" << name << "\"; try --help\n";
    return 2;
}
