#pragma once

#include "EngineOptions.h"
#include "Result.h"

#include <QObject>

namespace stratus {

class Source;

// Builds the source EngineOptions asks for (replay, nws, openmeteo), so the Engine needs one call.
class SourceFactory
{
public:
    // nullptr when the options name no source (nothing to collect); an error when they are wrong.
    static Result<Source *> create(const EngineOptions &options, QObject *parent);
};

} // namespace stratus
