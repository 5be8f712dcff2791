#pragma once

#include <QStringList>

namespace stratus {

// The command-line side of forecasting: `stratus --train` and `stratus --evaluate`. It parses its own
// options so app/main.cpp only needs to hand the arguments over.
class ModelCommands
{
public:
    // True when the arguments ask for --train or --evaluate.
    static bool wants(const QStringList &args);
    // Runs the command; returns the process exit code (0 ok, 1 failed, 2 bad usage).
    static int run(const QStringList &args);
};

} // namespace stratus
