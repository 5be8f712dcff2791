#pragma once

#include "Variable.h"

#include <QList>
#include <QMetaType>
#include <QString>

namespace stratus {

struct ForecastPoint
{
    int horizonH = 0;   // hours after issuedAtMs
    qint64 targetMs = 0;
    double value = 0;   // central estimate, internal unit of the variable
    double lower = 0;   // 10 % quantile
    double upper = 0;   // 90 % quantile
};

// A multi-horizon forecast of one variable at one station, issued at one instant by one model.
struct Forecast
{
    QString stationId;
    Variable variable = Variable::Temperature;
    qint64 issuedAtMs = 0;
    QString model;        // e.g. "persistence", "ridge"
    QString modelVersion; // registry version, empty for built-in baselines
    QList<ForecastPoint> points;
};

} // namespace stratus

Q_DECLARE_METATYPE(stratus::Forecast)
