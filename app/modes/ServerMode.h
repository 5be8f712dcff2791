#pragma once

namespace stratus {

class CommandLine;
class Config;

// `stratus --server [--connect H:P]`: the engine (or a view of a remote cluster) with a history
// store, serving the REST API on its own thread until SIGTERM/SIGINT, then a graceful shutdown:
// stop listening, stop intake, flush the store.
class ServerMode
{
public:
    // The process exit code: 0 after a signal, 1 failed to start, 2 bad settings.
    static int run(const CommandLine &cli, const Config &config);
};

} // namespace stratus
