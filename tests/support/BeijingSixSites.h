#pragma once

// Six Beijing sites, 2013-03 … 2013-10 of the real hourly data: the stream the anomaly and dropout
// tests inject their faults into.
#include "TestData.h"
#include "TimeUtil.h"
#include "sources/RecordedDataReader.h"

#include <QList>
#include <QSet>

namespace testdata {

struct BeijingSixSites
{
    QList<stratus::Reading> readings;
    QList<stratus::Station> stations;
    QString error; // empty when the file was read
};

inline BeijingSixSites beijingSixSites()
{
    BeijingSixSites out;
    const auto data = stratus::RecordedDataReader::read(shared("data/beijing_hourly/beijing_hourly_2013_2016.csv"));
    if (!data) {
        out.error = data.errorMessage();
        return out;
    }
    const QSet<QString> sites = {QStringLiteral("Aotizhongxin"), QStringLiteral("Changping"), QStringLiteral("Dingling"),
                                 QStringLiteral("Dongsi"),       QStringLiteral("Guanyuan"),  QStringLiteral("Gucheng")};
    const qint64 end = *stratus::timeutil::parseIsoUtc(QStringLiteral("2013-11-01T00:00:00Z"));
    for (const stratus::Reading &r : data->readings) {
        if (sites.contains(r.stationId) && r.timestampMs < end)
            out.readings.append(r);
    }
    for (const stratus::Station &s : data->stations) {
        if (sites.contains(s.id))
            out.stations.append(s);
    }
    return out;
}

} // namespace testdata
