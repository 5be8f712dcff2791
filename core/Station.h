#pragma once

#include <QMetaType>
#include <QString>

#include <cmath>
#include <limits>

namespace stratus {

struct Station
{
    QString id;
    QString name;
    double latitude = std::numeric_limits<double>::quiet_NaN();  // degrees north
    double longitude = std::numeric_limits<double>::quiet_NaN(); // degrees east
    double elevationM = std::numeric_limits<double>::quiet_NaN();
    QString source;  // "nws", "openmeteo", "replay:<file>"
    QString region;  // state / province code where known
    QString country; // 2-letter code where known

    bool hasLocation() const { return !std::isnan(latitude) && !std::isnan(longitude); }
};

} // namespace stratus

Q_DECLARE_METATYPE(stratus::Station)
