#pragma once

#include "Variable.h"

#include <QMetaType>
#include <QString>

#include <limits>

namespace stratus {

// Aggregate of one variable of one station over the event-time window [startMs, endMs).
struct WindowStats
{
    QString stationId;
    Variable variable = Variable::Temperature;
    qint64 startMs = 0;
    qint64 endMs = 0;
    qint64 count = 0; // non-missing readings in the window
    double mean = std::numeric_limits<double>::quiet_NaN();
    double stddev = std::numeric_limits<double>::quiet_NaN(); // population standard deviation
    double min = std::numeric_limits<double>::quiet_NaN();
    double max = std::numeric_limits<double>::quiet_NaN();
    double first = std::numeric_limits<double>::quiet_NaN(); // value of the earliest reading (event time)
    double last = std::numeric_limits<double>::quiet_NaN();  // value of the latest reading (event time)
    // Angular variables only: length of the mean unit vector, 1 = steady direction, 0 = all over.
    double resultantLength = std::numeric_limits<double>::quiet_NaN();
    int revision = 0; // 0 on first emission; incremented when a late reading updates the window
};

} // namespace stratus

Q_DECLARE_METATYPE(stratus::WindowStats)
