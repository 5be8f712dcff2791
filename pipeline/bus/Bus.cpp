#include "Bus.h"

namespace stratus {

QString Bus::topicName(Topic topic)
{
    switch (topic) {
    case Topic::Raw: return QStringLiteral("stratus.raw");
    case Topic::Features: return QStringLiteral("stratus.features");
    case Topic::Predictions: return QStringLiteral("stratus.predictions");
    case Topic::Anomalies: return QStringLiteral("stratus.anomalies");
    case Topic::DeadLetter: return QStringLiteral("stratus.deadletter");
    }
    return QString();
}

} // namespace stratus
