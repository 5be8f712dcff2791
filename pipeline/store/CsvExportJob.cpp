#include "CsvExportJob.h"

#include "CsvReader.h"
#include "LiveState.h"
#include "TimeUtil.h"

#include <QSaveFile>
#include <QTextStream>

#include <cmath>

namespace stratus {

QString CsvExportJob::columnName(Variable v)
{
    switch (v) {
    case Variable::Temperature: return QStringLiteral("temperature_c");
    case Variable::Dewpoint: return QStringLiteral("dewpoint_c");
    case Variable::Humidity: return QStringLiteral("humidity_pct");
    case Variable::WindSpeed: return QStringLiteral("wind_speed_ms");
    case Variable::WindGust: return QStringLiteral("wind_gust_ms");
    case Variable::WindDirection: return QStringLiteral("wind_dir_deg");
    case Variable::Pressure: return QStringLiteral("pressure_hpa");
    case Variable::Precipitation: return QStringLiteral("precipitation_mm");
    case Variable::Visibility: return QStringLiteral("visibility_km");
    }
    return variableKey(v);
}

void CsvExportJob::run(QPromise<Outcome> &promise, const LiveState *state, const Request &request)
{
    Outcome outcome;
    promise.setProgressRange(0, static_cast<int>(request.stations.size()));
    QSaveFile file(request.path); // a cancelled or failed export leaves no half-written file
    if (!file.open(QIODevice::WriteOnly)) {
        outcome.error = QStringLiteral("cannot write %1: %2").arg(request.path, file.errorString());
        promise.addResult(outcome);
        return;
    }
    QTextStream out(&file);
    out << "station_id,time_utc";
    for (Variable v : request.variables)
        out << ',' << columnName(v);
    out << '\n';
    for (qsizetype i = 0; i < request.stations.size(); ++i) {
        if (promise.isCanceled()) {
            file.cancelWriting();
            outcome.cancelled = true;
            promise.addResult(outcome);
            return;
        }
        const QString &id = request.stations[i];
        const QString idField = csvField(id);
        for (const Reading &r : state->history(id)) {
            if (r.timestampMs < request.fromMs || r.timestampMs > request.toMs)
                continue;
            out << idField << ',' << timeutil::toIsoUtc(r.timestampMs);
            for (Variable v : request.variables) {
                out << ',';
                if (r.has(v))
                    out << QString::number(r.value(v), 'g', 10); // missing stays empty, never 0
            }
            out << '\n';
            ++outcome.rows;
        }
        promise.setProgressValueAndText(static_cast<int>(i + 1), id);
    }
    out.flush();
    if (!file.commit())
        outcome.error = QStringLiteral("cannot write %1: %2").arg(request.path, file.errorString());
    promise.addResult(outcome);
}

} // namespace stratus
