#pragma once

#include "Result.h"
#include "Variable.h"

#include <QSqlDatabase>
#include <QStringList>

namespace stratus::storeschema {

// Schema version written to meta.schema_version; bump with a migration when tables change.
inline constexpr int kSchemaVersion = 1;

// Column name of a variable in the readings table (same as the JSON key).
inline QString column(Variable v) { return variableKey(v); }

// Opens (creating if needed) a SQLite connection with the pragmas every Stratus connection uses.
// readOnly connections never take the write lock, so they never stall the writer (WAL).
Result<QSqlDatabase> open(const QString &connectionName, const QString &path, bool readOnly);

// Creates the tables and indexes if missing, switches the file to WAL mode.
Result<bool> create(QSqlDatabase &db);

// Runs one statement, returning the driver's message on failure.
Result<bool> exec(QSqlDatabase &db, const QString &sql);

} // namespace stratus::storeschema
