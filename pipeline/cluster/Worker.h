#pragma once

#include "EngineOptions.h"
#include "bus/KafkaSettings.h"

#include <QObject>

namespace stratus {

// `stratus --worker`: one member of the Kafka consumer groups. Roles:
//  - collect:   runs the sources (e.g. a replay) with the Engine's validation and publishes into
//               stratus.raw (plus anomalies and dead letters); at the end of a finite replay it
//               writes the end-of-stream marker and exits;
//  - all:       the in-process engine's stages on the raw topic (EngineStage: windows, anomalies,
//               alert rules, forecasts with the --models registry), exactly once, or at least
//               once with [kafka] delivery = at_least_once (see TransactionalStage, DuplicateFilter);
//  - aggregate: the windows only, to the features topic;
//  - infer:     forecasts, anomalies and rules, in their own consumer group on the raw topic, so
//               the two halves scale apart.
// Every worker publishes a heartbeat (role, partitions, rates) to stratus.heartbeats every 2 s.
class Worker : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        KafkaSettings kafka;
        QString role = QStringLiteral("all");
        QString id;                  // empty = host-pid
        EngineOptions engine;        // collect: the sources; aggregate: the window options
        int heartbeatIntervalMs = 2000;
        int metricsPort = -1;        // its own /metrics and /health (StatusServer); -1 = none, 0 = any free port
        QString metricsBind = QStringLiteral("127.0.0.1");
    };

    static bool isRole(const QString &role);
    // Runs until the application's event loop quits (app/ quits it on SIGTERM/SIGINT) or, for
    // collect, the end of the replay. Returns the exit code and prints errors to stderr.
    static int run(Options options);
};

} // namespace stratus
