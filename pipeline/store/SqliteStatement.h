#pragma once

#include "Result.h"

#include <QString>

struct sqlite3;
struct sqlite3_stmt;

namespace stratus {

// A prepared SQLite statement bound directly through the C API, on the connection Qt's QSQLITE
// driver opened (QSqlDriver::handle()). The store's inserts go through it: QSqlQuery wraps every
// bound value in a QVariant and copies it into a vector per execution, which cost more than
// SQLite's own insert (about 3× the time per row on the METAR replay). Move-only.
class SqliteStatement
{
public:
    SqliteStatement() = default;
    ~SqliteStatement();
    SqliteStatement(SqliteStatement &&other) noexcept;
    SqliteStatement &operator=(SqliteStatement &&other) noexcept;
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    static Result<SqliteStatement> prepare(sqlite3 *db, const QString &sql);

    bool isValid() const { return m_stmt != nullptr; }
    // Parameters are numbered from 0 (SQLite's are from 1). NaN binds NULL: a missing value.
    void bind(int index, qint64 value);
    void bind(int index, int value) { bind(index, static_cast<qint64>(value)); }
    void bind(int index, double value);
    void bind(int index, const QString &text);
    // Runs the statement once and resets it for the next binding; false with error() on failure.
    bool exec();
    QString error() const { return m_error; }
    int code() const { return m_code; } // SQLite's primary result code of the last failure
    // A failure the disk or another process causes (full, I/O error, busy, locked, read-only): the same
    // rows will go in once it passes. Anything else (a constraint, a type mismatch) is the rows' fault.
    static bool isTransient(int code);

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
    QString m_error;
    int m_code = 0;
};

} // namespace stratus
