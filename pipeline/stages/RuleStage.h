#pragma once

#include "StageOutput.h"

namespace stratus {

class AlertManager;

// The user's alert rules (AlertManager: config rules, rules and silences added through the API or
// the GUI) evaluated on one partition's accepted readings: firing and resolved notices. The rule
// timers are per station, so they are state of the station's partition like every other stage's.
class RuleStage
{
public:
    explicit RuleStage(AlertManager *rules);
    void process(const QList<Reading> &readings, StageOutput &out);

private:
    AlertManager *m_rules;
};

} // namespace stratus
