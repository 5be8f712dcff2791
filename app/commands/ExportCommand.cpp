#include "ExportCommand.h"

#include "Console.h"
#include "SettingsLoader.h"
#include "api/ApiRequest.h"
#include "store/CsvExporter.h"
#include "store/HistoryStore.h"

#include <QCommandLineParser>
#include <QTextStream>

namespace stratus {

namespace {

using console::fail;

struct ExportCommandLine
{
    QCommandLineParser parser;
    QCommandLineOption command{QStringLiteral("export"), QStringLiteral("Write a CSV report from the history store.")};
    QCommandLineOption station{QStringLiteral("station"), QStringLiteral("Station id, or all."), QStringLiteral("ID")};
    QCommandLineOption from{QStringLiteral("from"), QStringLiteral("Start time (ISO 8601 or epoch seconds)."), QStringLiteral("T")};
    QCommandLineOption to{QStringLiteral("to"), QStringLiteral("End time, exclusive (ISO 8601 or epoch seconds)."),
                          QStringLiteral("T")};
    QCommandLineOption kind{QStringLiteral("kind"),
                            QStringLiteral("readings, features, predictions, anomalies or daily-summary (default readings)."),
                            QStringLiteral("KIND"), QStringLiteral("readings")};
    QCommandLineOption out{QStringLiteral("out"), QStringLiteral("CSV file to write."), QStringLiteral("FILE")};
    QCommandLineOption db{QStringLiteral("db"), QStringLiteral("History store (SQLite) file; default under the app data folder."),
                          QStringLiteral("FILE")};
    QCommandLineOption config{QStringLiteral("config"), QStringLiteral("Settings file (INI; [store] path)."),
                              QStringLiteral("FILE")};

    ExportCommandLine()
    {
        parser.setApplicationDescription(QStringLiteral(
            "stratus --export --station ID|all [--from T] [--to T] [--kind K] --out FILE.csv [--db FILE]\n"
            "  Writes a CSV report from the history store (the same bytes as GET /export.csv)."));
        parser.addHelpOption();
        parser.addOptions({command, station, from, to, kind, out, db, config});
    }
};

} // namespace

QString ExportCommand::helpText()
{
    ExportCommandLine o;
    return o.parser.helpText();
}

int ExportCommand::run(const QStringList &args)
{
    ExportCommandLine o;
    QCommandLineParser &p = o.parser;
    if (const auto done = console::parseCommand(p, args))
        return *done;
    for (const auto *required : {&o.station, &o.out}) {
        if (!p.isSet(*required))
            return fail(QStringLiteral("--export needs --%1").arg(required->names().constFirst()));
    }
    const auto config = SettingsLoader::load(p, o.config, {{&o.db, "store/path"}});
    if (!config)
        return fail(config.errorMessage());
    CsvExporter::Request request;
    const auto kind = CsvExporter::kindFromKey(p.value(o.kind));
    if (!kind)
        return fail(QStringLiteral("--kind \"%1\": expected one of %2")
                        .arg(p.value(o.kind), CsvExporter::kindKeys().join(QStringLiteral(", "))));
    request.kind = *kind;
    if (p.value(o.station) != QLatin1String("all"))
        request.station = p.value(o.station);
    for (const auto &[option, target] : {std::pair{&o.from, &request.fromMs}, std::pair{&o.to, &request.toMs}}) {
        if (!p.isSet(*option))
            continue;
        const auto t = ApiRequest::parseTime(p.value(*option));
        if (!t)
            return fail(QStringLiteral("--%1 \"%2\" is not a time (ISO 8601 or epoch seconds)")
                            .arg(option->names().constFirst(), p.value(*option)));
        *target = *t;
    }
    const QString storePath = QStringLiteral("store/path");
    const QString db = config->isSet(storePath) ? config->value(storePath) : HistoryStore::defaultPath();
    const auto rows = CsvExporter::exportToFile(db, request, p.value(o.out));
    if (!rows)
        return fail(rows.errorMessage(), console::kFailed);
    QTextStream(stderr) << "stratus: wrote " << *rows << " rows to " << p.value(o.out) << '\n';
    return 0;
}

} // namespace stratus
