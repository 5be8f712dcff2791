#include "ValidateStage.h"

#include "JsonCodec.h"

#include <QDateTime>

namespace stratus {

bool ValidateStage::process(const Reading &r, const QString &origin, StageOutput &out)
{
    const Validation v = m_validator.validate(r);
    if (v.clean()) {
        out.accepted.append(r);
        ++m_counters.accepted;
        return true;
    }
    DeadLetter d;
    d.origin = origin;
    d.key = r.stationId.toUtf8();
    d.payload = JsonCodec::compact(JsonCodec::toJson(r));
    d.reason = v.problems.join(QStringLiteral("; "));
    d.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
    out.deadLetters.append(d);
    if (v.fatal) {
        ++m_counters.readingsRejected;
        return false;
    }
    m_counters.valuesRejected += static_cast<qint64>(v.invalidValues.count());
    for (Variable var : kAllVariables) {
        if (!v.invalidValues.test(index(var)))
            continue;
        Anomaly a;
        a.stationId = r.stationId;
        a.timestampMs = r.timestampMs;
        a.variable = var;
        a.kind = AnomalyKind::OutOfRange;
        a.severity = Severity::Critical;
        a.score = 1.0;
        a.value = r.value(var);
        a.reason = m_validator.describe(r, var);
        out.anomalies.append(a);
    }
    const Reading clean = m_validator.sanitized(r, v);
    if (clean.isEmpty())
        return false;
    out.accepted.append(clean);
    ++m_counters.accepted;
    return true;
}

} // namespace stratus
