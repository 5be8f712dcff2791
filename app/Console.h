#pragma once

#include <QString>
#include <QTextStream>

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

} // namespace stratus::console
