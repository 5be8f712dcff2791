#pragma once

#include "Forecast.h"
#include "WindowStats.h"

#include <QList>

namespace stratus {

// The persistence baseline: every horizon repeats the last observed value. It is what any real model
// must beat, and what the engine serves until a trained model is loaded. It gives no interval
// (lower/upper are missing) because it has no error model.
class PersistenceForecaster
{
public:
    static constexpr int kMaxHorizonH = 24;

    QList<Forecast> forecast(const QList<WindowStats> &windows) const;
    static bool isForecastVariable(Variable v);
};

} // namespace stratus
