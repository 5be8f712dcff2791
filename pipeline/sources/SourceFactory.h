#pragma once

#include "SourceOptions.h"
#include "Result.h"

#include <QList>
#include <QObject>

#include <optional>
#include <utility>

namespace stratus {

class Source;

// Builds the source SourceOptions ask for (replay, nws, openmeteo), so the Engine needs one call.
class SourceFactory
{
public:
    // nullptr when the options name no source (nothing to collect); an error when they are wrong.
    static Result<Source *> create(const SourceOptions &options, QObject *parent);
    // The companion replays (SourceOptions::companionReplays), paced like the main replay.
    static QList<Source *> createCompanions(const SourceOptions &options, QObject *parent);
    // Where the live sources point: the centre of --near (nullopt without one, or while unresolved).
    static std::optional<std::pair<double, double>> sourcePoint(const SourceOptions &options);
};

} // namespace stratus
