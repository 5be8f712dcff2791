#include "StationMetrics.h"

#include "MetricUnits.h"

#include <QStringList>

#include <algorithm>
#include <cmath>

namespace stratus {

namespace {
void writeInfo(MetricsWriter &w, const QStringList &ids, const StationCatalogue &catalogue)
{
    w.family("stratus_station_info", MetricsWriter::Type::Gauge,
             "Always 1 for each exposed station; its name and position (degrees) as labels, for maps and legends.");
    for (const QString &id : ids) {
        const Station *s = catalogue.find(id);
        const auto coordinate = [&](double x) { return s && s->hasLocation() ? QString::number(x, 'f', 4) : QString(); };
        w.sample({{"station", id},
                  {"name", s ? s->name : QString()},
                  {"latitude", coordinate(s ? s->latitude : 0)},
                  {"longitude", coordinate(s ? s->longitude : 0)}},
                 1);
    }
}
} // namespace

void StationMetrics::write(MetricsWriter &w, const QHash<QString, Reading> &latest, const StationCatalogue &catalogue,
                           int maxStations)
{
    QStringList ids = latest.keys();
    std::sort(ids.begin(), ids.end());
    const qsizetype omitted = std::max<qsizetype>(0, ids.size() - std::max(0, maxStations));
    ids.resize(ids.size() - omitted);

    w.gauge("stratus_station_metrics_limit", "Most stations exposed with per-station series ([metrics] max_stations).",
            maxStations);
    w.gauge("stratus_station_metrics_omitted", "Stations with readings left out of the per-station series by the limit.",
            static_cast<double>(omitted));
    if (ids.isEmpty())
        return;
    writeInfo(w, ids, catalogue);
    w.family("stratus_station_last_reading_timestamp_seconds", MetricsWriter::Type::Gauge,
             "Event time of the station's latest reading, Unix seconds.");
    for (const QString &id : ids)
        w.sample({{"station", id}}, static_cast<double>(latest.value(id).timestampMs) / 1000.0);

    for (Variable v : kAllVariables) {
        const MetricUnit unit = MetricUnit::of(v);
        bool started = false;
        for (const QString &id : ids) {
            const double x = latest.value(id).value(v);
            if (!std::isfinite(x))
                continue; // missing stays missing: no sample rather than a 0
            if (!started) {
                const QByteArray help = QByteArray(unit.quantity) + " in the station's latest reading, " + unit.unit + '.';
                w.family(MetricUnit::metricName("stratus_station_", v), MetricsWriter::Type::Gauge, help.constData());
                started = true;
            }
            w.sample({{"station", id}}, unit.expose(x));
        }
    }
}

} // namespace stratus
