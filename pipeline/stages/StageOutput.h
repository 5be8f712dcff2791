#pragma once

#include "Anomaly.h"
#include "DeadLetter.h"
#include "Forecast.h"
#include "Reading.h"
#include "WindowStats.h"

#include <QList>

namespace stratus {

// What one pass of the stages produced, in the order it was produced. The in-process engine
// publishes it on the LocalBus; a Kafka worker produces it to the topics of the same names.
struct StageOutput
{
    QList<Reading> accepted;       // validated (and sanitised) readings: the raw topic
    QList<WindowStats> windows;    // closed windows: the features topic
    QList<Forecast> forecasts;     // the predictions topic
    QList<Anomaly> anomalies;      // anomalies, rule notices, out-of-range values
    QList<DeadLetter> deadLetters; // what was refused, with the reason

    bool isEmpty() const
    {
        return accepted.isEmpty() && windows.isEmpty() && forecasts.isEmpty() && anomalies.isEmpty()
            && deadLetters.isEmpty();
    }
    void clear()
    {
        accepted.clear();
        windows.clear();
        forecasts.clear();
        anomalies.clear();
        deadLetters.clear();
    }
};

} // namespace stratus
