#include "ReadingValidator.h"

#include "TimeUtil.h"

namespace stratus {

ReadingValidator::Range ReadingValidator::physicalRange(Variable v)
{
    switch (v) {
    case Variable::Temperature: return {-90.0, 60.0};   // world records −89.2 / 56.7 °C
    case Variable::Dewpoint: return {-90.0, 40.0};      // highest recorded dewpoint ≈ 35 °C
    case Variable::Humidity: return {0.0, 100.5};       // sensors round to slightly above 100
    case Variable::WindSpeed: return {0.0, 75.0};       // sustained; stronger only in tornadoes
    case Variable::WindGust: return {0.0, 113.5};       // record gust 113 m/s (Barrow Island)
    case Variable::WindDirection: return {0.0, 360.0};
    case Variable::Pressure: return {870.0, 1085.0};    // sea-level records 870 / 1084.8 hPa
    case Variable::Precipitation: return {0.0, 400.0};  // mm per hour; record ≈ 305 mm
    case Variable::Visibility: return {0.0, 200.0};
    }
    return {0.0, 0.0};
}

bool ReadingValidator::isValidStationId(QStringView id)
{
    // Real ids are ICAO/WMO codes or site names; decoders sometimes put times ("0030") or junk
    // (".MRO") in the id field, which must not create phantom stations.
    if (id.size() < 2 || id.size() > 32)
        return false;
    bool hasLetter = false;
    for (qsizetype i = 0; i < id.size(); ++i) {
        const QChar c = id[i];
        if (c.isLetter() && c.unicode() < 128)
            hasLetter = true;
        else if (!(c.isDigit() || ((c == u'_' || c == u'-') && i > 0)))
            return false;
    }
    return hasLetter;
}

Validation ReadingValidator::validate(const Reading &reading) const
{
    Validation result;
    if (!isValidStationId(reading.stationId)) {
        result.fatal = true;
        result.problems << QStringLiteral("station id \"%1\" is not a station id").arg(reading.stationId);
    }
    // 1900-01-01 .. 2100-01-01: anything outside is a decoding error, not an observation.
    constexpr qint64 kEarliest = timeutil::daysFromCivil(1900, 1, 1) * timeutil::kMsPerDay;
    constexpr qint64 kLatest = timeutil::daysFromCivil(2100, 1, 1) * timeutil::kMsPerDay;
    if (reading.timestampMs < kEarliest || reading.timestampMs >= kLatest) {
        result.fatal = true;
        result.problems << QStringLiteral("timestamp %1 ms is outside 1900..2100").arg(reading.timestampMs);
    }

    for (Variable v : kAllVariables) {
        const QString problem = describe(reading, v);
        if (!problem.isEmpty()) {
            result.invalidValues.set(index(v));
            result.problems << problem;
        }
    }
    return result;
}

QString ReadingValidator::describe(const Reading &reading, Variable v) const
{
    const double x = reading.value(v);
    if (std::isnan(x))
        return QString();
    const auto inRange = [&](Variable w) {
        const double y = reading.value(w);
        const Range r = physicalRange(w);
        return std::isfinite(y) && y >= r.min && y <= r.max;
    };
    const Range r = physicalRange(v);
    if (!inRange(v))
        return QStringLiteral("%1 %2 %3 is outside the physical range [%4, %5]")
            .arg(variableKey(v))
            .arg(x)
            .arg(unitSymbol(v))
            .arg(r.min)
            .arg(r.max);
    // Consistency between quantities: only when the other quantity is itself plausible.
    if (v == Variable::Dewpoint && inRange(Variable::Temperature) && x > reading.value(Variable::Temperature) + 1.0)
        return QStringLiteral("dewpoint %1 °C is above temperature %2 °C").arg(x).arg(reading.value(Variable::Temperature));
    if (v == Variable::WindGust && inRange(Variable::WindSpeed) && x < reading.value(Variable::WindSpeed))
        return QStringLiteral("wind gust %1 m/s is below wind speed %2 m/s").arg(x).arg(reading.value(Variable::WindSpeed));
    return QString();
}

Reading ReadingValidator::sanitized(const Reading &reading, const Validation &validation) const
{
    Reading out = reading;
    for (Variable v : kAllVariables) {
        if (validation.invalidValues.test(index(v)))
            out.set(v, std::numeric_limits<double>::quiet_NaN());
    }
    return out;
}

} // namespace stratus
