#include "RetrainCommand.h"

#include "Config.h"
#include "models/ModelRegistry.h"
#include "models/RetrainJob.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QTextStream>

namespace stratus {

namespace {
int fail(const QString &message, int code = 1)
{
    QTextStream(stderr) << "stratus: " << message << '\n';
    return code;
}
} // namespace

bool RetrainCommand::wants(const QStringList &args)
{
    return args.contains(QLatin1String("--retrain"));
}

int RetrainCommand::run(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "stratus --retrain --db FILE --models DIR [--config F] [--train-days N] [--held-back-days N] [--margin X]\n"
        "        [--stations A,B] [--json]\n"
        "  Trains a candidate from the history store, scores it and the active model on the held-back span, and\n"
        "  promotes it into DIR only when it beats the active model by the margin (else DIR/rejected/). Resumes\n"
        "  an interrupted run from its checkpoint in DIR/.retrain."));
    const QCommandLineOption retrain(QStringLiteral("retrain"), QStringLiteral("Retrain now."));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("History store file."), QStringLiteral("FILE"));
    const QCommandLineOption models(QStringLiteral("models"), QStringLiteral("Model registry directory."), QStringLiteral("DIR"));
    const QCommandLineOption config(QStringLiteral("config"), QStringLiteral("Config file ([retrain] keys)."), QStringLiteral("F"));
    const QCommandLineOption trainDays(QStringLiteral("train-days"), QStringLiteral("Days trained on."), QStringLiteral("N"));
    const QCommandLineOption heldBack(QStringLiteral("held-back-days"), QStringLiteral("Days held back."), QStringLiteral("N"));
    const QCommandLineOption margin(QStringLiteral("margin"), QStringLiteral("Improvement needed (0.02 = 2 %)."), QStringLiteral("X"));
    const QCommandLineOption stations(QStringLiteral("stations"), QStringLiteral("Stations (comma list)."), QStringLiteral("IDS"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the decision as JSON."));
    p.addHelpOption();
    for (const auto *o : {&retrain, &db, &models, &config, &trainDays, &heldBack, &margin, &stations, &json})
        p.addOption(*o);
    if (!p.parse(args))
        return fail(p.errorText(), 2);
    if (p.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << p.helpText();
        return 0;
    }
    Config cfg;
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QString path = p.isSet(config) ? p.value(config) : Config::defaultPath(env);
    if (!path.isEmpty()) {
        if (const auto loaded = cfg.loadFile(path); !loaded)
            return fail(loaded.errorMessage(), 2);
    }
    if (const auto applied = cfg.applyEnvironment(env); !applied)
        return fail(applied.errorMessage(), 2);
    const std::pair<const QCommandLineOption *, const char *> mapping[] = {
        {&db, "store/path"}, {&models, "models/dir"}, {&trainDays, "retrain/train_days"},
        {&heldBack, "retrain/held_back_days"}, {&margin, "retrain/margin"}, {&stations, "retrain/stations"}};
    for (const auto &[o, key] : mapping) {
        if (!p.isSet(*o))
            continue;
        if (const auto r = cfg.set(QString::fromLatin1(key), p.value(*o), QStringLiteral("command line")); !r)
            return fail(QStringLiteral("--%1: %2").arg(o->names().first(), r.errorMessage()), 2);
    }
    auto options = RetrainOptions::fromConfig(cfg);
    if (!options)
        return fail(options.errorMessage(), 2);
    RetrainJob::Request req;
    req.storePath = cfg.value(QStringLiteral("store/path"));
    req.modelsRoot = cfg.value(QStringLiteral("models/dir"));
    req.options = *options;
    req.reason = QStringLiteral("cli");
    if (req.storePath.isEmpty() || !QFileInfo::exists(req.storePath))
        return fail(QStringLiteral("--retrain needs an existing history store: --db FILE"), 2);
    if (req.modelsRoot.isEmpty())
        return fail(QStringLiteral("--retrain needs the model registry: --models DIR"), 2);
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
        return fail(decision.errorMessage());
    const QJsonObject published = RetrainJob::publish(req.modelsRoot, *decision, nullptr);
    QTextStream out(stdout);
    if (p.isSet(json)) {
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
