#pragma once

#include <QHttpServer>

namespace stratus {

class ModelRegistry;

// REST routes of the forecast model registry (one controller per scope):
//   GET  /models                          versions, offline metrics, A/B split, live error per variant
//   GET  /models/live?station=ID          live accuracy per variant, station and horizon
//   POST /models/{version}/activate       hot-load a version (refused ones leave the running one)
//   POST /models/{version}/candidate?share=0.2   A/B: route that share of stations to the version
//   POST /models/candidate/clear          end the A/B split
// Writes must sit behind the API's bearer-token check when it exists.
class ModelsController
{
public:
    static void registerRoutes(QHttpServer &server, ModelRegistry *registry);
};

} // namespace stratus
