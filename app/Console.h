#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QTextStream>

#include <optional>

namespace stratus::console {

// Exit codes of every mode and command: 0 done, 1 failed while running, 2 bad usage or settings.
constexpr int kFailed = 1;
constexpr int kBadUsage = 2;

// "stratus: MESSAGE" on stderr; returns `code` so a caller can `return fail(...)`.
inline int fail(const QString &message, int code = kBadUsage)
{
    QTextStream(stderr) << "stratus: " << message << '\n';
    return code;
}

// Parses a command's own arguments. Returns the exit code when the command ends here (an unknown
// option or a missing value: 2; --help, printed: 0), nothing when it should run.
inline std::optional<int> parseCommand(QCommandLineParser &parser, const QStringList &args)
{
    if (!parser.parse(args))
        return fail(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    return std::nullopt;
}

} // namespace stratus::console
