// Picks the mode from the command line, creates the application class it needs, and hands over.
#include "CommandLine.h"
#include "Console.h"
#include "EngineOptionsLoader.h"
#include "commands/AnomalyCommand.h"
#include "commands/ExportCommand.h"
#include "commands/ModelCommands.h"
#include "commands/RetrainCommand.h"
#include "modes/ServerMode.h"
#include "modes/WorkerMode.h"

#ifdef STRATUS_HAS_GUI
#include "modes/GuiMode.h"
#include <QApplication>
#endif

#include <QCoreApplication>
#include <QTextStream>

#include <memory>

using namespace stratus;
using Mode = CommandLine::Mode;

namespace {

std::unique_ptr<QCoreApplication> makeApplication(Mode mode, int &argc, char **argv)
{
#ifdef STRATUS_HAS_GUI
    if (mode == Mode::Gui)
        return std::make_unique<QApplication>(argc, argv);
#endif
    return std::make_unique<QCoreApplication>(argc, argv);
}

// The modes that run the engine share one command line and the settings it points at.
int runEngineMode(Mode mode, const QStringList &args)
{
    CommandLine cli;
    cli.process(args);
    const auto config = cli.settings();
    if (!config)
        return console::fail(config.errorMessage());
    if (mode == Mode::PrintConfig) {
        QTextStream(stdout) << config->describe();
        return 0;
    }
    if (EngineOptionsLoader::runsDemoByDefault(*config))
        QTextStream(stderr) << "stratus: no data source configured: running on the bundled demo data "
                               "(the recorded NWS stream); see --source\n";
    switch (mode) {
    case Mode::Worker:
        return WorkerMode::run(cli, *config);
    case Mode::Server:
        return ServerMode::run(cli, *config);
    default:
#ifdef STRATUS_HAS_GUI
        return GuiMode::run(cli, *config);
#else
        return console::fail(QStringLiteral("this stratus was built without the GUI (STRATUS_GUI=OFF); use --server"));
#endif
    }
}

} // namespace

int main(int argc, char **argv)
{
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    const Mode mode = CommandLine::modeOf(args);
    const auto app = makeApplication(mode, argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("stratus"));
    QCoreApplication::setOrganizationName(QStringLiteral("Stratus"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STRATUS_VERSION));

    switch (mode) {
    case Mode::Help:
        QTextStream(stdout) << CommandLine::helpText();
        return 0;
    case Mode::Version:
        QTextStream(stdout) << QCoreApplication::applicationName() << ' ' << QCoreApplication::applicationVersion() << '\n';
        return 0;
    case Mode::Bench:
        return console::fail(QStringLiteral("benchmarks are a separate program: run stratus-bench --help"));
    case Mode::Export:
        return ExportCommand::run(args);
    case Mode::Models:
        return ModelCommands::run(args);
    case Mode::Retrain:
        return RetrainCommand::run(args);
    case Mode::AnomalyEvaluation:
        return AnomalyCommand::run(args);
    default:
        return runEngineMode(mode, args);
    }
}
