#include "HistoryReader.h"

#include "StoreSchema.h"

#include <QAtomicInteger>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

#include <cmath>
#include <limits>

namespace stratus {

namespace {
QAtomicInteger<quint64> g_readerSerial;

double real(const QVariant &v)
{
    return v.isNull() ? std::numeric_limits<double>::quiet_NaN() : v.toDouble();
}

// WHERE clause for an optional station and a time range on the given column.
QString where(const HistoryQuery &q, const QString &timeColumn, QVariantList &binds)
{
    QString w = QStringLiteral(" WHERE %1 >= ? AND %1 < ?").arg(timeColumn);
    binds << q.fromMs << q.toMs;
    if (!q.station.isEmpty()) {
        w += QStringLiteral(" AND station = ?");
        binds << q.station;
    }
    return w;
}

QString page(const HistoryQuery &q)
{
    return QStringLiteral(" LIMIT %1 OFFSET %2").arg(q.limit).arg(q.offset);
}
} // namespace

HistoryReader::HistoryReader(QString path)
    : m_path(std::move(path)), m_connection(QStringLiteral("stratus-reader-%1").arg(++g_readerSerial))
{
}

HistoryReader::~HistoryReader()
{
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

Result<bool> HistoryReader::open()
{
    if (m_db.isOpen())
        return true;
    auto db = storeschema::open(m_connection, m_path, true);
    if (!db)
        return db.error();
    m_db = *db;
    return true;
}

Result<qint64> HistoryReader::stream(const QString &sql, const QVariantList &binds,
                                     const std::function<bool(const QSqlQuery &)> &row)
{
    const auto opened = open();
    if (!opened)
        return opened.error();
    QSqlQuery q(m_db);
    q.setForwardOnly(true); // no row cache: memory stays flat for a million-row export
    if (!q.prepare(sql))
        return makeError(QStringLiteral("history store query failed: %1").arg(q.lastError().text()));
    for (const QVariant &b : binds)
        q.addBindValue(b);
    if (!q.exec())
        return makeError(QStringLiteral("history store query failed: %1").arg(q.lastError().text()));
    qint64 n = 0;
    while (q.next()) {
        ++n;
        if (!row(q))
            break;
    }
    return n;
}

Result<QList<Reading>> HistoryReader::readings(const HistoryQuery &hq)
{
    QVariantList binds;
    QString cols;
    for (Variable v : kAllVariables)
        cols += QStringLiteral(", ") + storeschema::column(v);
    const QString sql = QStringLiteral("SELECT station, ts") + cols + QStringLiteral(" FROM readings")
                        + where(hq, QStringLiteral("ts"), binds) + QStringLiteral(" ORDER BY ts, station") + page(hq);
    QList<Reading> out;
    const auto r = stream(sql, binds, [&](const QSqlQuery &q) {
        Reading x;
        x.stationId = q.value(0).toString();
        x.timestampMs = q.value(1).toLongLong();
        for (int i = 0; i < kVariableCount; ++i)
            x.values[i] = real(q.value(2 + i));
        out.append(x);
        return true;
    });
    if (!r)
        return r.error();
    return out;
}

Result<QList<WindowStats>> HistoryReader::features(const HistoryQuery &hq)
{
    QVariantList binds;
    const QString sql = QStringLiteral("SELECT station, variable, start_ms, end_ms, count, mean, std, min, max, first, "
                                       "last, resultant_length, revision FROM features")
                        + where(hq, QStringLiteral("end_ms"), binds)
                        + QStringLiteral(" ORDER BY end_ms, station, variable") + page(hq);
    QList<WindowStats> out;
    const auto r = stream(sql, binds, [&](const QSqlQuery &q) {
        WindowStats w;
        w.stationId = q.value(0).toString();
        w.variable = variableFromKey(q.value(1).toString()).value_or(Variable::Temperature);
        w.startMs = q.value(2).toLongLong();
        w.endMs = q.value(3).toLongLong();
        w.count = q.value(4).toLongLong();
        w.mean = real(q.value(5));
        w.stddev = real(q.value(6));
        w.min = real(q.value(7));
        w.max = real(q.value(8));
        w.first = real(q.value(9));
        w.last = real(q.value(10));
        w.resultantLength = real(q.value(11));
        w.revision = q.value(12).toInt();
        out.append(w);
        return true;
    });
    if (!r)
        return r.error();
    return out;
}

Result<QList<Forecast>> HistoryReader::predictions(const HistoryQuery &hq)
{
    // One query: page over whole forecasts (so a page never cuts a forecast in two), then join their
    // points. A query per forecast cost a thousand round trips for one full page.
    QVariantList binds;
    const QString sql =
        QStringLiteral("WITH heads AS (SELECT DISTINCT station, issued_ms, variable, model, version FROM predictions")
        + where(hq, QStringLiteral("issued_ms"), binds)
        + QStringLiteral(" ORDER BY issued_ms DESC, station, variable, model, version") + page(hq)
        + QStringLiteral(") SELECT p.station, p.issued_ms, p.variable, p.model, p.version, p.horizon_h, p.target_ms, "
                         "p.value, p.lower, p.upper FROM heads h JOIN predictions p ON p.issued_ms = h.issued_ms AND "
                         "p.station = h.station AND p.variable = h.variable AND p.model = h.model AND p.version = "
                         "h.version ORDER BY p.issued_ms DESC, p.station, p.variable, p.model, p.version, p.horizon_h");
    QList<Forecast> out;
    const auto r = stream(sql, binds, [&](const QSqlQuery &q) {
        const QString station = q.value(0).toString();
        const qint64 issued = q.value(1).toLongLong();
        const Variable variable = variableFromKey(q.value(2).toString()).value_or(Variable::Temperature);
        const QString model = q.value(3).toString();
        const QString version = q.value(4).toString();
        if (out.isEmpty() || out.back().issuedAtMs != issued || out.back().stationId != station
            || out.back().variable != variable || out.back().model != model || out.back().modelVersion != version) {
            Forecast f;
            f.stationId = station;
            f.issuedAtMs = issued;
            f.variable = variable;
            f.model = model;
            f.modelVersion = version;
            out.append(f);
        }
        ForecastPoint p;
        p.horizonH = q.value(5).toInt();
        p.targetMs = q.value(6).toLongLong();
        p.value = real(q.value(7));
        p.lower = real(q.value(8));
        p.upper = real(q.value(9));
        out.back().points.append(p);
        return true;
    });
    if (!r)
        return r.error();
    return out;
}

Result<QList<Anomaly>> HistoryReader::anomalies(const HistoryQuery &hq)
{
    QVariantList binds;
    const QString sql = QStringLiteral("SELECT station, ts, variable, kind, severity, score, value, reason FROM anomalies")
                        + where(hq, QStringLiteral("ts"), binds) + QStringLiteral(" ORDER BY ts DESC, id DESC")
                        + page(hq);
    QList<Anomaly> out;
    const auto r = stream(sql, binds, [&](const QSqlQuery &q) {
        Anomaly a;
        a.stationId = q.value(0).toString();
        a.timestampMs = q.value(1).toLongLong();
        a.variable = variableFromKey(q.value(2).toString()).value_or(Variable::Temperature);
        a.kind = anomalyKindFromKey(q.value(3).toString()).value_or(AnomalyKind::OutOfRange);
        a.severity = severityFromKey(q.value(4).toString()).value_or(Severity::Warning);
        a.score = real(q.value(5));
        a.value = real(q.value(6));
        a.reason = q.value(7).toString();
        out.append(a);
        return true;
    });
    if (!r)
        return r.error();
    return out;
}

Result<QList<ModelVersionRow>> HistoryReader::modelVersions()
{
    QList<ModelVersionRow> out;
    const auto r = stream(QStringLiteral("SELECT version, model, trained_at_ms, metadata, active FROM model_versions "
                                         "ORDER BY registered_ms, version"),
                          {}, [&](const QSqlQuery &q) {
                              ModelVersionRow m;
                              m.version = q.value(0).toString();
                              m.model = q.value(1).toString();
                              m.trainedAtMs = q.value(2).toLongLong();
                              m.metadata = QJsonDocument::fromJson(q.value(3).toString().toUtf8()).object();
                              m.active = q.value(4).toInt() != 0;
                              out.append(m);
                              return true;
                          });
    if (!r)
        return r.error();
    return out;
}

Result<QStringList> HistoryReader::stations()
{
    QStringList out;
    const auto r = stream(QStringLiteral("SELECT DISTINCT station FROM readings ORDER BY station"), {},
                          [&](const QSqlQuery &q) {
                              out.append(q.value(0).toString());
                              return true;
                          });
    if (!r)
        return r.error();
    return out;
}

Result<qint64> HistoryReader::count(const QString &table)
{
    static const QStringList known = {QStringLiteral("readings"), QStringLiteral("features"),
                                      QStringLiteral("predictions"), QStringLiteral("anomalies"),
                                      QStringLiteral("model_versions")};
    if (!known.contains(table))
        return makeError(QStringLiteral("no table \"%1\"").arg(table));
    qint64 n = 0;
    const auto r = stream(QStringLiteral("SELECT count(*) FROM ") + table, {}, [&](const QSqlQuery &q) {
        n = q.value(0).toLongLong();
        return false;
    });
    if (!r)
        return r.error();
    return n;
}

} // namespace stratus
