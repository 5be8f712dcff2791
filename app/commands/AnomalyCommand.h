#pragma once

#include <QString>
#include <QStringList>

namespace stratus {

// `stratus --evaluate-anomalies --data FILE [--json] [--seed N] [--faults N]`: scores the anomaly
// detectors. A file with a label column is scored as labelled data; a recorded stream (NWS JSONL,
// surface CSV) is scored with seeded injected faults. Parses its own options, like ModelCommands.
class AnomalyCommand
{
public:
    static QString helpText();
    // The process exit code: 0 scored, 2 bad usage or unreadable data.
    static int run(const QStringList &args);
};

} // namespace stratus
