#include "HistoryDataset.h"

#include "Reading.h"
#include "TimeUtil.h"
#include "store/HistoryReader.h"

#include <QDataStream>
#include <QFile>
#include <QSaveFile>
#include <QSqlQuery>

namespace stratus {

namespace {

constexpr quint32 kMagic = 0x53524331; // "SRC1"

} // namespace

Result<StationSeries> HistoryDataset::readStation(HistoryReader &reader, const QString &station, qint64 fromMs, qint64 toMs)
{
    constexpr qint64 kHour = timeutil::kMsPerHour;
    StationSeries s;
    s.stationId = station;
    s.stepMs = kHour;
    s.startMs = fromMs - ((fromMs % kHour) + kHour) % kHour;
    const int n = static_cast<int>((toMs - s.startMs + kHour - 1) / kHour);
    if (n <= 0)
        return makeError(QStringLiteral("empty period for station %1").arg(station));
    s.resize(n);
    HistoryQuery q;
    q.station = station;
    q.fromMs = fromMs;
    q.toMs = toMs;
    q.limit = std::numeric_limits<int>::max();
    auto rows = reader.readings(q);
    if (!rows)
        return rows.error();
    for (const Reading &r : std::as_const(*rows)) {
        const int i = s.slotOf(r.timestampMs);
        if (i < 0 || i >= n)
            continue;
        for (Variable v : kAllVariables) {
            const auto c = channelOf(v);
            if (c && r.has(v))
                s.values[ch(*c)][static_cast<size_t>(i)] = r.value(v);
        }
    }
    ForecastDataLoader::deriveMoisture(s);
    return s;
}

Result<bool> HistoryDataset::save(const StationSeries &s, const QString &path)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return makeError(QStringLiteral("cannot write checkpoint %1: %2").arg(path, f.errorString()));
    QDataStream out(&f);
    out.setVersion(QDataStream::Qt_6_4);
    out << kMagic << s.stationId << s.startMs << s.stepMs << qint32(kChannelCount) << qint32(s.size());
    for (const auto &v : s.values) {
        for (double x : v)
            out << x;
    }
    if (out.status() != QDataStream::Ok || !f.commit())
        return makeError(QStringLiteral("cannot write checkpoint %1: %2").arg(path, f.errorString()));
    return true;
}

Result<StationSeries> HistoryDataset::load(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("cannot read checkpoint %1: %2").arg(path, f.errorString()));
    QDataStream in(&f);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 magic = 0;
    qint32 channels = 0, n = 0;
    StationSeries s;
    in >> magic >> s.stationId >> s.startMs >> s.stepMs >> channels >> n;
    if (magic != kMagic || channels != kChannelCount || n < 0 || n > 10'000'000 || s.stepMs <= 0)
        return makeError(QStringLiteral("checkpoint %1 is not a station series of this Stratus").arg(path));
    s.resize(n);
    for (auto &v : s.values) {
        for (double &x : v)
            in >> x;
    }
    if (in.status() != QDataStream::Ok || !in.atEnd())
        return makeError(QStringLiteral("checkpoint %1 is truncated or damaged").arg(path));
    return s;
}

Result<qint64> HistoryDataset::newestReadingMs(HistoryReader &reader)
{
    qint64 newest = 0;
    const auto r = reader.stream(QStringLiteral("SELECT MAX(ts) FROM readings"), {}, [&](const QSqlQuery &q) {
        newest = q.value(0).toLongLong();
        return false;
    });
    if (!r)
        return r.error();
    return newest;
}

} // namespace stratus
