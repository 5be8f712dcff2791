#pragma once

#include "Anomaly.h"
#include "Result.h"
#include "Variable.h"

#include <QString>

namespace stratus {

// One user-defined alert condition, as operators know them from Grafana: a threshold on a
// variable, for one station or all, that must hold for a pending duration before it fires.
//
// Text format (one rule per line in the config file, also accepted by the API):
//   <variable> <op> <number>[unit] [for <duration>] [station=<ID>] [severity=info|warning|critical]
//   [name=<word>|name="a few words"]
// e.g.  temperature < -20 for 10m station=KMSN severity=critical
//       wind_speed > 20 m/s
//       pressure <= 29.5 inHg for 1h30m name="deep low"
// <variable> is a JSON key (temperature, dewpoint, humidity, wind_speed, wind_gust, wind_direction,
// pressure, precipitation, visibility); <op> one of < <= > >= == !=; the unit, when given, is any
// unit units::toInternal accepts for the variable (°C, C, °F, F, m/s, km/h, mph, kn, hPa, inHg, %,
// mm, in, km, ...) and the threshold is stored in internal units; <duration> is a sum of
// <n>s|m|h|d parts (30s, 10m, 1h30m); station=* or no station means every station.
struct AlertRule
{
    enum class Op { Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual };

    QString id;           // assigned by AlertRuleEngine ("r1", "r2", ...)
    QString name;         // optional label
    Variable variable = Variable::Temperature;
    Op op = Op::Greater;
    double threshold = 0; // internal units (Variable.h)
    qint64 forMs = 0;     // pending duration; 0 fires on the first matching reading
    QString stationId;    // empty = all stations
    Severity severity = Severity::Warning;

    // Parses one rule; the error names the offending word and what was expected.
    static Result<AlertRule> parse(QStringView text);
    // Canonical text (parse(toText()) gives the same rule), threshold in internal units.
    QString toText() const;
    bool holds(double value) const;
    static QString opSymbol(Op op);
    // A duration in the rule syntax (30s, 10m, 1h30m, 2d) in ms; nullopt if it is not one.
    static std::optional<qint64> durationMs(const QString &text);
    // The rule syntax for a duration in ms (10m, 1h30m).
    static QString durationText(qint64 ms);
};

} // namespace stratus
