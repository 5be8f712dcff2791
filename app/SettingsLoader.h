#pragma once

#include "Config.h"
#include "Result.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>

namespace stratus {

// The settings of one run, in order of precedence: defaults < config file (--config FILE, else
// $STRATUS_CONFIG, ~/.config/stratus/stratus.conf, /etc/stratus/stratus.conf) < environment
// (STRATUS_SECTION_KEY) < command line. Shared by every mode and command that reads settings.
class SettingsLoader
{
public:
    // A command-line option that sets a config key when it is given.
    struct Mapping
    {
        const QCommandLineOption *option;
        const char *key;
    };

    // Any invalid value stops here, with where it came from (file and line, variable, option).
    static Result<Config> load(const QCommandLineParser &parser, const QCommandLineOption &configFile,
                               const QList<Mapping> &mapping);
};

} // namespace stratus
