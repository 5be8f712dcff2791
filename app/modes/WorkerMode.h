#pragma once

namespace stratus {

class CommandLine;
class Config;

// `stratus --worker --bootstrap H:P --role collect|aggregate|infer|all`: one member of the Kafka
// consumer groups (Worker), stopped by the app's SignalHandler on SIGTERM/SIGINT.
class WorkerMode
{
public:
    // The process exit code: 0 stopped cleanly (or a collected replay ended), 1 failed, 2 bad settings.
    static int run(const CommandLine &cli, const Config &config);
};

} // namespace stratus
