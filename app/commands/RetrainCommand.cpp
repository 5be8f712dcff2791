#include "RetrainCommand.h"

#include "Console.h"
#include "SettingsLoader.h"
#include "models/ModelRegistry.h"
#include "models/RetrainJob.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTextStream>

namespace stratus {

namespace {

using console::fail;

struct RetrainCommandLine
{
    QCommandLineParser parser;
    QCommandLineOption command{QStringLiteral("retrain"), QStringLiteral("Retrain now.")};
    QCommandLineOption db{QStringLiteral("db"), QStringLiteral("History store file."), QStringLiteral("FILE")};
    QCommandLineOption models{QStringLiteral("models"), QStringLiteral("Model registry directory."), QStringLiteral("DIR")};
    QCommandLineOption config{QStringLiteral("config"), QStringLiteral("Settings file (INI; [retrain] keys)."), QStringLiteral("F")};
    QCommandLineOption trainDays{QStringLiteral("train-days"), QStringLiteral("Days trained on."), QStringLiteral("N")};
    QCommandLineOption heldBack{QStringLiteral("held-back-days"), QStringLiteral("Days held back."), QStringLiteral("N")};
    QCommandLineOption margin{QStringLiteral("margin"), QStringLiteral("Improvement needed (0.02 = 2 %)."), QStringLiteral("X")};
    QCommandLineOption stations{QStringLiteral("stations"), QStringLiteral("Stations (comma list)."), QStringLiteral("IDS")};
    QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Print the decision as JSON.")};

    RetrainCommandLine()
    {
        parser.setApplicationDescription(QStringLiteral(
            "stratus --retrain --db FILE --models DIR [--config F] [--train-days N] [--held-back-days N] [--margin X]\n"
            "        [--stations A,B] [--json]\n"
            "  Trains a candidate from the history store, scores it and the active model on the held-back span, and\n"
            "  promotes it into DIR only when it beats the active model by the margin (else DIR/rejected/). Resumes\n"
            "  an interrupted run from its checkpoint in DIR/.retrain."));
        parser.addHelpOption();
        parser.addOptions({command, db, models, config, trainDays, heldBack, margin, stations, json});
    }
};

} // namespace

QString RetrainCommand::helpText()
{
    RetrainCommandLine o;
    return o.parser.helpText();
}

int RetrainCommand::run(const QStringList &args)
{
    RetrainCommandLine o;
    QCommandLineParser &p = o.parser;
    if (const auto done = console::parseCommand(p, args))
        return *done;
    const auto cfg = SettingsLoader::load(p, o.config,
                                          {{&o.db, "store/path"},
                                           {&o.models, "models/dir"},
                                           {&o.trainDays, "retrain/train_days"},
                                           {&o.heldBack, "retrain/held_back_days"},
                                           {&o.margin, "retrain/margin"},
                                           {&o.stations, "retrain/stations"}});
    if (!cfg)
        return fail(cfg.errorMessage());
    auto options = RetrainOptions::fromConfig(*cfg);
    if (!options)
        return fail(options.errorMessage());
    RetrainJob::Request req;
    req.storePath = cfg->value(QStringLiteral("store/path"));
    req.modelsRoot = cfg->value(QStringLiteral("models/dir"));
    req.options = *options;
    req.reason = QStringLiteral("cli");
    if (req.storePath.isEmpty() || !QFileInfo::exists(req.storePath))
        return fail(QStringLiteral("--retrain needs an existing history store: --db FILE"));
    if (req.modelsRoot.isEmpty())
        return fail(QStringLiteral("--retrain needs the model registry: --models DIR"));
    {
        ModelRegistry registry(req.modelsRoot);
        if (registry.activateNewest())
            req.activeVersion = registry.active()->version;
    }
    QTextStream err(stderr);
    RetrainJob job(req);
    job.setProgressCallback([&err](const RetrainJob::Progress &pr) {
        err << "stratus: retrain " << pr.jobId << ": " << pr.message << '\n' << Qt::flush;
    });
    const auto decision = job.run();
    if (!decision)
        return fail(decision.errorMessage(), console::kFailed);
    const QJsonObject published = RetrainJob::publish(req.modelsRoot, *decision, nullptr);
    QTextStream out(stdout);
    if (p.isSet(o.json)) {
        out << QJsonDocument(published).toJson(QJsonDocument::Indented);
    } else {
        out << (published.value(QStringLiteral("promoted")).toBool() ? "promoted " : "rejected ")
            << published.value(QStringLiteral("version")).toString() << ": "
            << published.value(QStringLiteral("reason")).toString() << '\n'
            << "model directory: " << published.value(QStringLiteral("model_dir")).toString() << '\n';
    }
    return 0;
}

} // namespace stratus
