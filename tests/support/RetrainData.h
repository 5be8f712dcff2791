#pragma once

// Real Beijing hourly readings (beijing_hourly, 12 stations 2013-03 … 2017-02) for the retraining
// tests: a subset of stations and months, written into a real SQLite history store through the bus,
// as the engine writes them.
#include "StoreFeed.h"
#include "TestData.h"
#include "TimeUtil.h"
#include "bus/LocalBus.h"
#include "sources/RecordedDataReader.h"
#include "store/HistoryStore.h"

#include <QCryptographicHash>
#include <QFile>
#include <QList>
#include <QStringList>

namespace retraindata {

inline const QList<stratus::Reading> &beijingAll()
{
    static const QList<stratus::Reading> all = [] {
        auto data = stratus::RecordedDataReader::read(testdata::shared("data/beijing_hourly/beijing_hourly_2013_2016.csv"));
        return data ? data->readings : QList<stratus::Reading>();
    }();
    return all;
}

// A model file's fingerprint: resumed and uninterrupted runs must write the same bytes.
inline QByteArray sha256(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
}

inline qint64 iso(const char *t)
{
    return *stratus::timeutil::parseIsoUtc(QByteArrayView(t));
}

inline QList<stratus::Reading> beijing(const QStringList &stations, qint64 fromMs, qint64 toMs)
{
    QList<stratus::Reading> out;
    for (const stratus::Reading &r : beijingAll()) {
        if (r.timestampMs >= fromMs && r.timestampMs < toMs && stations.contains(r.stationId))
            out.append(r);
    }
    return out;
}

// Writes readings into a new history store file (no retention: the data is years old).
inline bool fillStore(const QString &path, const QList<stratus::Reading> &readings)
{
    stratus::StoreOptions o;
    o.path = path;
    o.retentionDays = 0;
    stratus::HistoryStore store(o);
    if (!store.open())
        return false;
    stratus::LocalBus bus;
    feedStoreFromBus(bus, store);
    for (qsizetype i = 0; i < readings.size(); i += 2000)
        bus.publishReadings(readings.mid(i, 2000));
    store.flush();
    store.close();
    return true;
}

} // namespace retraindata
