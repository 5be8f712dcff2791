#pragma once

#include "Variable.h"

#include <QList>
#include <QPromise>
#include <QString>
#include <QStringList>

namespace stratus {

class LiveState;

// Writes stations' readings from LiveState to a CSV file in a worker thread (QtConcurrent), reporting
// progress per station and honouring cancel. The columns are those RecordedDataReader reads
// (station_id, time_utc, temperature_c, ...), in internal units, so an export can be replayed.
class CsvExportJob
{
public:
    struct Request
    {
        QString path;
        QStringList stations;
        QList<Variable> variables;
        qint64 fromMs = 0; // inclusive, UTC
        qint64 toMs = 0;   // inclusive, UTC
    };
    struct Outcome
    {
        int rows = 0;
        bool cancelled = false;
        QString error; // empty on success
    };

    static QString columnName(Variable v); // "temperature_c", "wind_speed_ms", ...
    // Runs to completion in the calling thread; QtConcurrent::run(&CsvExportJob::run, ...) for a worker.
    static void run(QPromise<Outcome> &promise, const LiveState *state, const Request &request);
};

} // namespace stratus
