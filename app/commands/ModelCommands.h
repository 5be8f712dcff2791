#pragma once

#include <QString>
#include <QStringList>

namespace stratus {

// The command-line side of forecasting: `stratus --train` and `stratus --evaluate`. It parses its own
// options so app/main.cpp only needs to hand the arguments over; helpText() is its part of
// `stratus --help`.
class ModelCommands
{
public:
    static QString helpText();
    // Runs the command; returns the process exit code (0 ok, 1 failed, 2 bad usage).
    static int run(const QStringList &args);
};

} // namespace stratus
