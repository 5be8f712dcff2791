#include "GuiMode.h"

#include "CommandLine.h"
#include "Console.h"
#include "EngineOptionsLoader.h"
#include "EngineThread.h"
#include "MainWindow.h"
#include "NearOption.h"
#include "NearStationsView.h"
#include "StationMapView.h"

#include <QApplication>
#include <QLabel>
#include <QMessageBox>
#include <QTimer>

#include <memory>

namespace stratus {

namespace {

// The engine and the window that reads its state, declared in this order so the window goes first.
struct Desktop
{
    std::unique_ptr<EngineThread> engine;
    std::unique_ptr<MainWindow> window;

    void launch(const EngineOptions &options, const UserLocation::Options &location)
    {
        engine = std::make_unique<EngineThread>(options);
        window = std::make_unique<MainWindow>(engine->state());
        window->setAlertManager(&engine->alerts());
        window->nearStationsView()->setBaseOptions(location);
        window->show();
        engine->start();
    }
};

// --near auto: the sources need the position before they start, but nothing waits for it on the
// GUI thread; a small window says what is happening until UserLocation answers.
int locateThenLaunch(const EngineOptions &options, const UserLocation::Options &location)
{
    Desktop desktop;
    auto locating = std::make_unique<QLabel>(QStringLiteral("Locating you for --near auto…"));
    locating->setWindowTitle(QStringLiteral("Stratus"));
    locating->setMargin(24);
    locating->show();
    QApplication::setQuitOnLastWindowClosed(false); // closing the message box must not quit with 0
    UserLocation finder(location);
    QObject::connect(&finder, &UserLocation::located, &finder, [&](const UserLocation::Fix &fix) {
        NearOption::report(fix);
        locating.reset();
        QApplication::setQuitOnLastWindowClosed(true);
        EngineOptions o = options;
        o.near->center = fix.coordinate;
        desktop.launch(o, location);
        desktop.window->mapView()->setUserPosition(fix.coordinate, fix.origin);
    });
    QObject::connect(&finder, &UserLocation::unavailable, &finder, [&](const QString &why) {
        locating.reset();
        const QString message = QStringLiteral("--near auto: ") + why;
        console::fail(message);
        QMessageBox::critical(nullptr, QStringLiteral("Stratus"), message);
        QCoreApplication::exit(console::kBadUsage);
    });
    QTimer::singleShot(0, &finder, &UserLocation::start);
    return QApplication::exec();
}

} // namespace

int GuiMode::run(const CommandLine &cli, const Config &config)
{
    const auto options = cli.engineOptions(config, false);
    if (!options)
        return console::fail(options.errorMessage());
    const auto location = EngineOptionsLoader::location(config);
    if (!location)
        return console::fail(location.errorMessage());
    if (options->near && options->near->needsUserLocation())
        return locateThenLaunch(*options, *location);
    Desktop desktop;
    desktop.launch(*options, *location);
    return QApplication::exec();
}

} // namespace stratus
