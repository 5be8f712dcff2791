#pragma once

#include "Anomaly.h"
#include "Forecast.h"
#include "Reading.h"
#include "Result.h"
#include "WindowStats.h"

#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <functional>

namespace stratus {

// A time range [fromMs, toMs) plus a page. Station empty = every station.
struct HistoryQuery
{
    QString station;
    qint64 fromMs = std::numeric_limits<qint64>::min();
    qint64 toMs = std::numeric_limits<qint64>::max();
    qint64 limit = 1000;
    qint64 offset = 0;
};

struct ModelVersionRow
{
    QString version;
    QString model;
    qint64 trainedAtMs = 0;
    QJsonObject metadata;
    bool active = false;
};

// Read-only access to the history store on its own SQLite connection. A connection belongs to the
// thread that opened it, so each thread (API, export worker, GUI) makes its own HistoryReader;
// WAL lets them read the last commit while the writer carries on.
class HistoryReader
{
public:
    explicit HistoryReader(QString path);
    ~HistoryReader();
    HistoryReader(const HistoryReader &) = delete;
    HistoryReader &operator=(const HistoryReader &) = delete;

    Result<bool> open();
    bool isOpen() const { return m_db.isOpen(); }
    const QString &path() const { return m_path; }

    Result<QList<Reading>> readings(const HistoryQuery &q);
    Result<QList<WindowStats>> features(const HistoryQuery &q);
    // Forecasts issued in the range, newest first; one Forecast per (issued, variable, model, version).
    Result<QList<Forecast>> predictions(const HistoryQuery &q);
    // Anomalies at or after fromMs, newest first.
    Result<QList<Anomaly>> anomalies(const HistoryQuery &q);
    Result<QList<ModelVersionRow>> modelVersions();
    Result<QStringList> stations();
    Result<qint64> count(const QString &table);

    // Streams the rows of a SELECT to a callback, one row at a time (exports of millions of rows).
    // The callback returns false to stop.
    Result<qint64> stream(const QString &sql, const QVariantList &binds,
                          const std::function<bool(const class QSqlQuery &)> &row);

private:
    QString m_path;
    QString m_connection;
    QSqlDatabase m_db;
};

} // namespace stratus
