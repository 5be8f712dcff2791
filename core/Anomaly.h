#pragma once

#include "Variable.h"

#include <QMetaType>
#include <QString>

#include <optional>

namespace stratus {

enum class AnomalyKind {
    OutOfRange,       // outside physical limits
    Spike,            // rate of change impossible for the quantity
    WindowDeviation,  // robust (median/MAD) deviation from the station's recent window
    ForecastResidual, // far from what the model expected
    Stuck,            // sensor repeating the same value
    Dropout,          // station stopped reporting
    Spatial,          // far from all nearest neighbours
    Model,            // the model itself drifted
    Rule,             // a user-defined alert rule fired
};

enum class Severity { Info, Warning, Critical };

QString anomalyKindKey(AnomalyKind kind);
std::optional<AnomalyKind> anomalyKindFromKey(QStringView key);
QString severityKey(Severity severity);
std::optional<Severity> severityFromKey(QStringView key);

struct Anomaly
{
    QString stationId;
    qint64 timestampMs = 0;
    Variable variable = Variable::Temperature;
    AnomalyKind kind = AnomalyKind::OutOfRange;
    Severity severity = Severity::Warning;
    double score = 0; // ≥ 0, larger = more anomalous; 1 ≈ the detection threshold
    double value = 0;
    QString reason;   // in words, for operators
};

} // namespace stratus

Q_DECLARE_METATYPE(stratus::Anomaly)
