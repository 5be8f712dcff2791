#pragma once

namespace stratus {

class CommandLine;
class Config;

// The desktop window (`stratus`, `--demo`, `--connect H:P`): the engine on its own thread so a fast
// replay never stalls the window. With `--near auto` the window opens at once and the sources start
// when UserLocation answers.
class GuiMode
{
public:
    // The process exit code: 0 when the window closes, 2 bad settings or no position for --near auto.
    static int run(const CommandLine &cli, const Config &config);
};

} // namespace stratus
