#include "RuleStage.h"

#include "alerts/AlertManager.h"

namespace stratus {

RuleStage::RuleStage(AlertManager *rules) : m_rules(rules) {}

void RuleStage::process(const QList<Reading> &readings, StageOutput &out)
{
    if (m_rules && !readings.isEmpty())
        out.anomalies += m_rules->process(readings);
}

} // namespace stratus
