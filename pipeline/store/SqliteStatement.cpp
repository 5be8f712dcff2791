#include "SqliteStatement.h"

#include <sqlite3.h>

#include <cmath>
#include <utility>

namespace stratus {

SqliteStatement::~SqliteStatement()
{
    if (m_stmt)
        sqlite3_finalize(m_stmt);
}

SqliteStatement::SqliteStatement(SqliteStatement &&other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_stmt(std::exchange(other.m_stmt, nullptr)), m_error(std::move(other.m_error))
{
}

SqliteStatement &SqliteStatement::operator=(SqliteStatement &&other) noexcept
{
    if (this != &other) {
        if (m_stmt)
            sqlite3_finalize(m_stmt);
        m_db = std::exchange(other.m_db, nullptr);
        m_stmt = std::exchange(other.m_stmt, nullptr);
        m_error = std::move(other.m_error);
    }
    return *this;
}

Result<SqliteStatement> SqliteStatement::prepare(sqlite3 *db, const QString &sql)
{
    if (!db)
        return makeError(QStringLiteral("no SQLite connection"));
    SqliteStatement s;
    s.m_db = db;
    const QByteArray utf8 = sql.toUtf8();
    if (sqlite3_prepare_v2(db, utf8.constData(), static_cast<int>(utf8.size()), &s.m_stmt, nullptr) != SQLITE_OK)
        return makeError(QStringLiteral("%1: %2").arg(QString::fromUtf8(sqlite3_errmsg(db)), sql));
    return s;
}

void SqliteStatement::bind(int index, qint64 value)
{
    sqlite3_bind_int64(m_stmt, index + 1, value);
}

void SqliteStatement::bind(int index, double value)
{
    if (std::isnan(value))
        sqlite3_bind_null(m_stmt, index + 1);
    else
        sqlite3_bind_double(m_stmt, index + 1, value);
}

void SqliteStatement::bind(int index, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    sqlite3_bind_text(m_stmt, index + 1, utf8.constData(), static_cast<int>(utf8.size()), SQLITE_TRANSIENT);
}

bool SqliteStatement::exec()
{
    const int rc = sqlite3_step(m_stmt);
    const bool ok = rc == SQLITE_DONE || rc == SQLITE_ROW;
    if (!ok) {
        m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
        m_code = sqlite3_errcode(m_db) & 0xff;
    }
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    return ok;
}

bool SqliteStatement::isTransient(int code)
{
    switch (code & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
        return true;
    default:
        return false;
    }
}

} // namespace stratus
