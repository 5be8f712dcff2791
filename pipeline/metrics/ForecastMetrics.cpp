#include "ForecastMetrics.h"

#include "MetricUnits.h"
#include "models/LiveAccuracy.h"

#include <QMap>

namespace stratus {

void ForecastMetrics::write(MetricsWriter &w, const LiveAccuracy &live)
{
    const QList<LiveAccuracy::PooledCell> cells = live.pooled();
    if (cells.isEmpty())
        return;
    w.family("stratus_forecast_live_scored_total", MetricsWriter::Type::Counter,
             "Forecast points scored against the reading that arrived, per variant, variable and horizon.");
    for (const auto &c : cells)
        w.sample({{"variant", c.variant}, {"variable", variableKey(c.variable)}, {"horizon_hours", QString::number(c.horizonH)}},
                 static_cast<double>(c.cell.n));
    // One family per unit: Prometheus names carry the unit, and temperature and dew point share one.
    QMap<QByteArray, QList<const LiveAccuracy::PooledCell *>> byUnit;
    for (const auto &c : cells) {
        if (c.cell.n > 0)
            byUnit[MetricUnit::of(c.variable).unit].append(&c);
    }
    for (auto it = byUnit.cbegin(); it != byUnit.cend(); ++it) {
        const QByteArray help = "Live mean absolute forecast error, " + QByteArray(it.key()).replace('_', ' ') + '.';
        w.family("stratus_forecast_live_mae_" + it.key(), MetricsWriter::Type::Gauge, help.constData());
        for (const LiveAccuracy::PooledCell *c : it.value())
            w.sample({{"variant", c->variant}, {"variable", variableKey(c->variable)}, {"horizon_hours", QString::number(c->horizonH)}},
                     MetricUnit::of(c->variable).expose(c->cell.mae()));
    }
}

} // namespace stratus
