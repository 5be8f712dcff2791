#include "SettingsLoader.h"

#include <QProcessEnvironment>

namespace stratus {

Result<Config> SettingsLoader::load(const QCommandLineParser &parser, const QCommandLineOption &configFile,
                                    const QList<Mapping> &mapping)
{
    Config config;
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QString path = parser.isSet(configFile) ? parser.value(configFile) : Config::defaultPath(env);
    if (!path.isEmpty()) {
        if (const auto loaded = config.loadFile(path); !loaded)
            return loaded.error();
    }
    if (const auto applied = config.applyEnvironment(env); !applied)
        return applied.error();
    for (const auto &[option, key] : mapping) {
        if (!parser.isSet(*option))
            continue;
        const QString name = option->names().constFirst();
        const auto set = config.set(QString::fromLatin1(key), parser.value(*option), QStringLiteral("command line --") + name);
        if (!set)
            return makeError(QStringLiteral("--%1: %2").arg(name, set.errorMessage()));
    }
    return config;
}

} // namespace stratus
