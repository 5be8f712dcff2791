#include "ModelCommands.h"

#include "Console.h"
#include "forecast/ForecastEvaluator.h"
#include "forecast/ForecastTrainer.h"
#include "TimeUtil.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTextStream>

namespace stratus {

namespace {

int fail(const QString &message, int code = 1)
{
    QTextStream(stderr) << "stratus: " << message << '\n';
    return code;
}

// Default held-out period when --to is not given: the last year of hourly data, the last four years
// of daily data. The model is trained on everything before it and scored on it.
constexpr qint64 kHourlyHoldoutDays = 365;
constexpr qint64 kDailyHoldoutDays = 4 * 365 + 1;

struct ModelCommandLine
{
    QCommandLineParser parser;
    QCommandLineOption train{QStringLiteral("train"), QStringLiteral("Train a forecast model.")};
    QCommandLineOption evaluate{QStringLiteral("evaluate"), QStringLiteral("Evaluate a model.")};
    QCommandLineOption data{QStringLiteral("data"), QStringLiteral("Data CSV (repeatable)."), QStringLiteral("FILE")};
    QCommandLineOption out{QStringLiteral("out"), QStringLiteral("Model directory to write."), QStringLiteral("DIR")};
    QCommandLineOption modelDir{QStringLiteral("model"), QStringLiteral("Model directory to read."),
                                QStringLiteral("DIR")};
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print JSON.")};
    QCommandLineOption from{QStringLiteral("from"), QStringLiteral("Start of the period (ISO 8601, UTC)."),
                            QStringLiteral("T")};
    QCommandLineOption to{QStringLiteral("to"), QStringLiteral("End of the period, exclusive."), QStringLiteral("T")};
    QCommandLineOption all{QStringLiteral("all"), QStringLiteral("Train on all the data (no held-out year).")};
    QCommandLineOption version{QStringLiteral("version"), QStringLiteral("Model version name."),
                               QStringLiteral("V")};
    QCommandLineOption stations{QStringLiteral("stations"), QStringLiteral("Only these stations (comma list)."),
                                QStringLiteral("IDS")};
    QCommandLineOption groups{QStringLiteral("groups"),
                              QStringLiteral("Evaluate: station groups for the interval coverage by group, "
                                             "e.g. \"north:A,B;south:C,D\"."),
                              QStringLiteral("SPEC")};
    QCommandLineOption noCross{QStringLiteral("no-cross-station"),
                               QStringLiteral("Train without the other stations' values as features.")};
    QCommandLineOption noNeighbours{QStringLiteral("no-neighbours"),
                                    QStringLiteral("Hourly: use the other stations only through their mean, "
                                                   "not each one's values and upwind terms.")};
    QCommandLineOption noMedianShift{QStringLiteral("no-median-shift"),
                                     QStringLiteral("Keep the least-squares bias (no shift to the median "
                                                    "out-of-fold residual).")};
    QCommandLineOption regimes{
        QStringLiteral("regimes"),
        QStringLiteral("Hourly: blocks of issue hours with their own regressions, as a comma list of partitions "
                       "B or B@OFFSET whose forecasts are averaged (default 3,3@4)."),
        QStringLiteral("LIST"), QStringLiteral("3,3@4")};
    QCommandLineOption boostOpt{QStringLiteral("boost"),
                                QStringLiteral("Hourly: add gradient-boosted trees that correct the ridge's "
                                               "temperature forecast (slow; small gain).")};
    QCommandLineOption boostTrees{QStringLiteral("boost-trees"),
                                  QStringLiteral("Hourly: most trees per horizon (default 200; early stopping "
                                                 "on the last part of the training span picks fewer)."),
                                  QStringLiteral("N")};
    QCommandLineOption boostDepth{QStringLiteral("boost-depth"), QStringLiteral("Hourly: tree depth (default 6)."),
                                  QStringLiteral("D")};
    QCommandLineOption boostRate{QStringLiteral("boost-rate"),
                                 QStringLiteral("Hourly: boosting learning rate (default 0.1)."), QStringLiteral("R")};

    ModelCommandLine()
    {
        parser.setApplicationDescription(QStringLiteral(
            "stratus --train --data FILE... --out DIR [--from T] [--to T | --all] [--stations A,B]\n"
            "  Trains the direct multi-horizon ridge forecaster. Without --to, the last year (hourly) or last\n"
            "  four years (daily) of the data is held out, scored and stored as the model's offline metrics.\n"
            "stratus --evaluate --model DIR --data FILE [--data LATER_FILE] [--from T] [--to T] [--groups SPEC] [--json]\n"
            "  Scores the model and the baselines; by default on the data after the model's training span.\n"
            "  Files holding the same station are put on one time line, so the history can come from one file\n"
            "  and the period scored (from --from) from another."));
        parser.addHelpOption();
        parser.addOptions({train, evaluate, data, out, modelDir, json, from, to, all, version, stations, groups, noCross, noNeighbours,
                           noMedianShift, regimes, boostOpt, boostTrees, boostDepth, boostRate});
    }
};

} // namespace

QString ModelCommands::helpText()
{
    ModelCommandLine cl;
    return cl.parser.helpText();
}

int ModelCommands::run(const QStringList &args)
{
    ModelCommandLine cl;
    QCommandLineParser &p = cl.parser;
    if (const auto done = console::parseCommand(p, args))
        return *done;
    auto time = [&](const QCommandLineOption &o, qint64 fallback) -> std::optional<qint64> {
        if (!p.isSet(o))
            return fallback;
        return timeutil::parseIsoUtc(QStringView(p.value(o)));
    };
    const auto fromMs = time(cl.from, std::numeric_limits<qint64>::min());
    const auto toMs = time(cl.to, std::numeric_limits<qint64>::max());
    if (!fromMs || !toMs)
        return fail(QStringLiteral("--from/--to need an ISO 8601 date or date-time, e.g. 2015-03-01T00:00:00Z"), 2);
    if (p.values(cl.data).isEmpty())
        return fail(QStringLiteral("--data FILE is required"), 2);
    auto loaded = ForecastDataLoader::loadAll(p.values(cl.data));
    if (!loaded)
        return fail(loaded.errorMessage());
    ForecastDataset *ds = &loaded.value();
    if (p.isSet(cl.stations)) {
        ds->keepStations(p.value(cl.stations).split(QLatin1Char(','), Qt::SkipEmptyParts));
        if (ds->stations.empty())
            return fail(QStringLiteral("none of the --stations are in the data"));
    }
    QTextStream err(stderr);
    for (const QString &n : std::as_const(ds->notes))
        err << "stratus: note: " << n << '\n';

    if (p.isSet(cl.train)) {
        if (!p.isSet(cl.out))
            return fail(QStringLiteral("--train needs --out DIR"), 2);
        TrainOptions o;
        o.fromMs = *fromMs;
        o.toMs = *toMs;
        o.crossStation = !p.isSet(cl.noCross);
        o.neighbours = !p.isSet(cl.noNeighbours);
        o.medianShift = !p.isSet(cl.noMedianShift);
        o.version = p.value(cl.version);
        o.members.clear();
        for (const QString &item : p.value(cl.regimes).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QStringList parts = item.split(QLatin1Char('@'));
            bool ok1 = false, ok2 = true;
            ForecastModel::RegimeSpec spec;
            spec.blocks = parts.value(0).toInt(&ok1);
            if (parts.size() > 1)
                spec.offsetH = parts.value(1).toInt(&ok2);
            if (!ok1 || !ok2 || parts.size() > 2 || spec.blocks < 1 || spec.blocks > 24 || spec.offsetH < 0
                || spec.offsetH > 23)
                return fail(QStringLiteral("--regimes \"%1\": expected B or B@OFFSET with B 1 … 24, OFFSET 0 … 23")
                                .arg(item),
                            2);
            o.members.push_back(spec);
        }
        o.boost = p.isSet(cl.boostOpt);
        bool okT = true, okD = true, okR = true;
        if (p.isSet(cl.boostTrees))
            o.boostParams.maxTrees = p.value(cl.boostTrees).toInt(&okT);
        if (p.isSet(cl.boostDepth))
            o.boostParams.maxDepth = p.value(cl.boostDepth).toInt(&okD);
        if (p.isSet(cl.boostRate))
            o.boostParams.learningRate = p.value(cl.boostRate).toDouble(&okR);
        if (!okT || !okD || !okR || o.boostParams.maxTrees < 1 || o.boostParams.maxTrees > 5000
            || o.boostParams.maxDepth < 1 || o.boostParams.maxDepth > 12 || !(o.boostParams.learningRate > 0)
            || o.boostParams.learningRate > 1)
            return fail(QStringLiteral("--boost-trees 1 … 5000, --boost-depth 1 … 12, --boost-rate in (0, 1]"), 2);
        if (o.members.empty() || static_cast<int>(o.members.size()) > ForecastModel::kMaxMembers)
            return fail(QStringLiteral("--regimes: 1 … 8 partitions"), 2);
        qint64 holdoutFrom = std::numeric_limits<qint64>::max();
        if (!p.isSet(cl.to) && !p.isSet(cl.all)) {
            const qint64 days = ds->daily ? kDailyHoldoutDays : kHourlyHoldoutDays;
            holdoutFrom = ds->lastMs() + ds->stations.front().stepMs - days * timeutil::kMsPerDay;
            o.toMs = holdoutFrom;
        } else if (p.isSet(cl.to)) {
            holdoutFrom = *toMs;
        }
        QElapsedTimer timer;
        timer.start();
        QStringList log;
        auto model = ForecastTrainer::train(*ds, o, &log);
        if (!model)
            return fail(model.errorMessage());
        const double seconds = static_cast<double>(timer.elapsed()) / 1000.0;
        (*model)->metrics[QStringLiteral("train_seconds")] = seconds;
        for (const QString &l : std::as_const(log))
            err << "stratus: " << l << '\n';
        if (holdoutFrom < ds->lastMs()) {
            auto ev = ForecastEvaluator::evaluate(**model, *ds, holdoutFrom, ds->lastMs());
            if (ev) {
                (*model)->metrics[QStringLiteral("holdout")] = ev->toJson();
                QTextStream(stdout) << ev->toText();
            } else {
                err << "stratus: note: held-out evaluation skipped: " << ev.errorMessage() << '\n';
            }
        }
        const auto saved = (*model)->save(p.value(cl.out));
        if (!saved)
            return fail(saved.errorMessage());
        QTextStream(stdout) << "stratus: model " << (*model)->version << " written to " << p.value(cl.out) << " (trained on "
                            << timeutil::toIsoUtc((*model)->dataFromMs) << " … " << timeutil::toIsoUtc((*model)->dataToMs)
                            << " in " << seconds << " s)\n";
        return 0;
    }

    if (!p.isSet(cl.modelDir))
        return fail(QStringLiteral("--evaluate needs --model DIR"), 2);
    const auto model = ForecastModel::load(p.value(cl.modelDir));
    if (!model)
        return fail(model.errorMessage());
    const qint64 step = ds->daily ? timeutil::kMsPerDay : timeutil::kMsPerHour;
    const qint64 evalFrom = p.isSet(cl.from) ? *fromMs : (*model)->dataToMs + step;
    if (evalFrom <= (*model)->dataToMs && evalFrom + step > (*model)->dataFromMs)
        err << "stratus: warning: the period overlaps the model's training span ("
            << timeutil::toIsoUtc((*model)->dataFromMs) << " … " << timeutil::toIsoUtc((*model)->dataToMs)
            << "): these scores are optimistic\n";
    const auto groupMap = ForecastEvaluator::parseGroups(p.value(cl.groups));
    if (!groupMap)
        return fail(QStringLiteral("--groups: ") + groupMap.errorMessage(), 2);
    auto ev = ForecastEvaluator::evaluate(**model, *ds, evalFrom, std::min(*toMs, ds->lastMs()), {}, *groupMap);
    if (!ev)
        return fail(ev.errorMessage());
    QTextStream o(stdout);
    if (p.isSet(cl.json))
        o << QJsonDocument(ev->toJson()).toJson(QJsonDocument::Indented);
    else
        o << "model " << (*model)->version << '\n' << ev->toText();
    return 0;
}

} // namespace stratus
