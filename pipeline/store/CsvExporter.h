#pragma once

#include "HistoryReader.h"
#include "Result.h"

#include <QIODevice>
#include <QString>

#include <atomic>
#include <optional>

namespace stratus {

// Writes CSV reports (RFC 4180, UTF-8, CRLF line ends) from the history store: a header row whose
// names carry the unit, times as UTC ISO 8601, missing values as empty fields. Streams row by row.
class CsvExporter
{
public:
    enum class Kind { Readings, Features, Predictions, Anomalies, DailySummary };

    struct Request
    {
        Kind kind = Kind::Readings;
        QString station; // empty = all stations
        qint64 fromMs = std::numeric_limits<qint64>::min();
        qint64 toMs = std::numeric_limits<qint64>::max();
    };

    static std::optional<Kind> kindFromKey(QStringView key); // readings|features|predictions|anomalies|daily-summary
    static QString kindKey(Kind kind);
    static QStringList kindKeys();

    explicit CsvExporter(HistoryReader &reader) : m_reader(reader) {}

    // Returns the number of data rows written. cancel, when set, stops the export early.
    Result<qint64> write(const Request &request, QIODevice *out, const std::atomic<bool> *cancel = nullptr);

    // The whole --export command: opens the store read-only, writes `outPath` atomically (a partial
    // report never replaces a good file) and returns the number of data rows.
    static Result<qint64> exportToFile(const QString &dbPath, const Request &request, const QString &outPath);

private:
    HistoryReader &m_reader;
};

} // namespace stratus
