#pragma once

// The store tests' shared data: the first rows (about six hours) of the real 1995-03-18 SAO/METAR day
// copied unchanged, what the engine's validator accepts from them (the oracle), and the readings a
// history store file holds.
#include "ReadingValidator.h"
#include "TestData.h"
#include "sources/RecordedDataReader.h"

#include <QFile>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>

namespace saohead {

using Key = QPair<QString, qint64>; // station, time

// Writes the header and the first `rows` rows to `path`; false if the recording is missing.
inline bool writeHead(const QString &path, int rows = 12000)
{
    QFile in(testdata::shared("data/sao_19950318/observations.csv"));
    QFile out(path);
    if (!in.open(QIODevice::ReadOnly) || !out.open(QIODevice::WriteOnly))
        return false;
    for (int i = 0; i <= rows && !in.atEnd(); ++i)
        out.write(in.readLine());
    return true;
}

// The (station, time) of every reading the engine accepts from the file.
inline QSet<Key> accepted(const QString &path)
{
    QSet<Key> keys;
    const auto data = stratus::RecordedDataReader::read(path);
    if (!data)
        return keys;
    stratus::ReadingValidator validator;
    for (const stratus::Reading &r : data->readings) {
        const stratus::Validation v = validator.validate(r);
        if (v.clean() || (!v.fatal && !validator.sanitized(r, v).isEmpty()))
            keys.insert({r.stationId, r.timestampMs});
    }
    return keys;
}

// The readings stored in a history store file up to `maxTs`; `rows` gets the table's row count.
inline QSet<Key> stored(const QString &db, qint64 maxTs = std::numeric_limits<qint64>::max(), qint64 *rows = nullptr)
{
    QSet<Key> keys;
    {
        QSqlDatabase c = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("probe"));
        c.setDatabaseName(db);
        if (c.open()) {
            QSqlQuery q(c);
            q.prepare(QStringLiteral("SELECT station, ts FROM readings WHERE ts <= ?"));
            q.addBindValue(maxTs);
            q.exec();
            while (q.next())
                keys.insert({q.value(0).toString(), q.value(1).toLongLong()});
            QSqlQuery n(c);
            n.exec(QStringLiteral("SELECT count(*) FROM readings"));
            n.next();
            if (rows)
                *rows = n.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("probe"));
    return keys;
}

} // namespace saohead
