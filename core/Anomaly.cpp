#include "Anomaly.h"

#include <array>

namespace stratus {

namespace {
constexpr std::array<const char *, 9> kKindKeys = {
    "out_of_range", "spike", "window_deviation", "forecast_residual", "stuck",
    "dropout",      "spatial", "model",          "rule",
};
constexpr std::array<const char *, 3> kSeverityKeys = {"info", "warning", "critical"};
} // namespace

QString anomalyKindKey(AnomalyKind kind)
{
    return QString::fromLatin1(kKindKeys[static_cast<size_t>(kind)]);
}

std::optional<AnomalyKind> anomalyKindFromKey(QStringView key)
{
    for (size_t i = 0; i < kKindKeys.size(); ++i) {
        if (key == QLatin1String(kKindKeys[i]))
            return static_cast<AnomalyKind>(i);
    }
    return std::nullopt;
}

QString severityKey(Severity severity)
{
    return QString::fromLatin1(kSeverityKeys[static_cast<size_t>(severity)]);
}

std::optional<Severity> severityFromKey(QStringView key)
{
    for (size_t i = 0; i < kSeverityKeys.size(); ++i) {
        if (key == QLatin1String(kSeverityKeys[i]))
            return static_cast<Severity>(i);
    }
    return std::nullopt;
}

} // namespace stratus
