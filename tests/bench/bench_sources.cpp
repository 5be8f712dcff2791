// stratus-bench sources: decoding cost of the recorded API answers and reading speed of the replay
// files — the per-reading overhead the collectors add before the engine sees anything.
#include "BenchRegistry.h"

#include "sources/NwsCodec.h"
#include "sources/OpenMeteoCodec.h"
#include "sources/RecordedDataReader.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QTextStream>

using namespace stratus;

namespace {

QByteArray readShared(const char *relative)
{
    QFile f(QStringLiteral(STRATUS_SHARED_DIR "/") + QString::fromUtf8(relative));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Runs `work` (which returns how many items it handled) `repeats` times; median items per second.
template <typename F>
double rate(int repeats, F work)
{
    std::vector<double> rates;
    for (int i = 0; i < repeats; ++i) {
        QElapsedTimer t;
        t.start();
        const double items = work();
        rates.push_back(items / std::max<double>(1e-9, t.nsecsElapsed() / 1e9));
    }
    return median(rates);
}

QJsonObject run(const BenchContext &ctx)
{
    const int repeats = ctx.smoke ? 1 : ctx.repeats;
    const int loops = ctx.smoke ? 200 : 5000;
    const QByteArray nws = readShared("fixtures/api/nws/stations_KFLL_observations_latest.json");
    const QByteArray om = readShared("fixtures/api/openmeteo/forecast_current_hourly_daily.json");

    const double nwsPerS = rate(repeats, [&] {
        for (int i = 0; i < loops; ++i) {
            const auto o = NwsCodec::parseObject(nws);
            const auto obs = NwsCodec::observation(*o);
            if (!obs)
                return 0.0;
        }
        return double(loops);
    });
    const double omRowsPerS = rate(repeats, [&] {
        qsizetype rows = 0;
        for (int i = 0; i < loops / 10; ++i) {
            const auto o = OpenMeteoCodec::parseObject(om);
            rows += OpenMeteoCodec::hourly(*o, QStringLiteral("OM5252N01342E"), nullptr).size();
        }
        return double(rows);
    });
    const QString metar = QStringLiteral(STRATUS_SHARED_DIR "/data/sao_19950318/observations.csv");
    const double replayRowsPerS = rate(repeats, [&] {
        const auto d = RecordedDataReader::read(metar);
        return d ? double(d->readings.size()) : 0.0;
    });

    QJsonObject out;
    out.insert(QLatin1String("nws_observations_decoded_per_s"), nwsPerS);
    out.insert(QLatin1String("openmeteo_hourly_rows_decoded_per_s"), omRowsPerS);
    out.insert(QLatin1String("metar_csv_rows_read_per_s"), replayRowsPerS);
    if (!ctx.json) {
        QTextStream o(stdout);
        o << "sources (median of " << repeats << ")\n"
          << "  NWS observation JSON → Reading   " << qRound64(nwsPerS) << " /s\n"
          << "  Open-Meteo hourly rows → Reading " << qRound64(omRowsPerS) << " /s\n"
          << "  METAR day CSV rows read (replay) " << qRound64(replayRowsPerS) << " /s\n";
    }
    return out;
}

BenchRegistration reg{{QStringLiteral("sources"), QStringLiteral("decode rate of NWS/Open-Meteo answers, replay CSV read rate"), run}};

} // namespace
