#pragma once

#include "LiveState.h"

#include <QJsonObject>

namespace stratus {

// The one conversion from a ClusterMonitor snapshot (ClusterHealth::toJson(), what /cluster serves
// and LiveState::setCluster() keeps) to the LiveState::ClusterStatus the GUI's cluster view reads:
// brokers with the controller, one row per topic partition and consumer group (leader, replicas,
// ISR, end and committed offsets, lag in records and seconds), and workers with their heartbeat
// age, liveness and per-stage rates. An empty object is "not connected"; a snapshot with an error
// is connected with that problem. Missing fields stay at their "unknown" defaults, never invented.
class ClusterStatusConverter
{
public:
    static LiveState::ClusterStatus fromHealthJson(const QJsonObject &health);
};

} // namespace stratus
