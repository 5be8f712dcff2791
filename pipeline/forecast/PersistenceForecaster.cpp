#include "PersistenceForecaster.h"

#include "TimeUtil.h"

namespace stratus {

bool PersistenceForecaster::isForecastVariable(Variable v)
{
    return v == Variable::Temperature || v == Variable::Humidity || v == Variable::Pressure
        || v == Variable::WindSpeed;
}

QList<Forecast> PersistenceForecaster::forecast(const QList<WindowStats> &windows) const
{
    QList<Forecast> out;
    for (const WindowStats &w : windows) {
        if (!isForecastVariable(w.variable) || w.count == 0)
            continue;
        Forecast f;
        f.stationId = w.stationId;
        f.variable = w.variable;
        f.issuedAtMs = w.endMs;
        f.model = QStringLiteral("persistence");
        f.points.reserve(kMaxHorizonH);
        for (int h = 1; h <= kMaxHorizonH; ++h) {
            ForecastPoint p;
            p.horizonH = h;
            p.targetMs = w.endMs + h * timeutil::kMsPerHour;
            p.value = w.last;
            p.lower = std::numeric_limits<double>::quiet_NaN();
            p.upper = std::numeric_limits<double>::quiet_NaN();
            f.points.append(p);
        }
        out.append(std::move(f));
    }
    return out;
}

} // namespace stratus
