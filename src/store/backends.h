// Internal: constructors of the two backends and helpers they share. Use Database::Open instead.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/database.h"

namespace hukou::store::internal {

// Opens a SQLite database file, or a private in-memory database when path is ":memory:".
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const Options& options);
// Opens a PostgreSQL pool for a libpq connection URI or key=value string.
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& conninfo, const Options& options);

// Error codes and messages shared by both backends.
Error UniqueViolation(std::string_view detail);
Error ConstraintViolation(std::string_view detail);
Error BusyError(std::string_view detail);
Error DbError(std::string_view detail);
Error NestedTransactionError();

// Sleeps before retry number `attempt` (1-based): a short, growing, jittered pause.
void BackoffBeforeRetry(int attempt);

}  // namespace hukou::store::internal
