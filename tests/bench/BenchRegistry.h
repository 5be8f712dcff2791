#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <memory>
#include <vector>

class QCoreApplication;

// The subcommands of stratus-bench. Each area registers itself from its own file, so areas can be
// added without touching main.
struct BenchContext
{
    bool json = false;  // print the figures as one JSON object instead of a table
    bool smoke = false; // a few seconds only, for CI
    int repeats = 5;    // runs per figure; the median is reported
    QStringList args;   // extra arguments after the area name
};

struct BenchArea
{
    QString name;
    QString description;
    // Returns the figures; the area prints its own table when !ctx.json.
    std::function<QJsonObject(const BenchContext &ctx)> run;
};

std::vector<BenchArea> &benchAreas();

// What an area returns when its work failed: stratus-bench then exits non-zero, so a smoke run in CI
// fails instead of printing an empty table.
inline QJsonObject benchFailure(const QString &why)
{
    return QJsonObject{{QStringLiteral("error"), why}};
}

struct BenchRegistration
{
    explicit BenchRegistration(BenchArea area) { benchAreas().push_back(std::move(area)); }
};

// Median of repeated measurements (noisy machines).
double median(std::vector<double> values);

// An area that needs more than a QCoreApplication (the GUI bench needs a QApplication) registers a
// factory for its application object; main() uses it when that area runs.
using BenchAppFactory = std::function<std::unique_ptr<QCoreApplication>(int &argc, char **argv)>;
std::map<QString, BenchAppFactory> &benchAppFactories();

struct BenchAppRegistration
{
    BenchAppRegistration(const QString &area, BenchAppFactory factory) { benchAppFactories()[area] = std::move(factory); }
};
