// The storage interface: one SQL dialect over SQLite (embedded default) and PostgreSQL 15.
//
// SQL is written once, PostgreSQL style, with $1, $2 … placeholders; the SQLite backend
// rewrites them. Both backends report the same error codes:
//   db.unique_violation (kConflict), db.busy (kUnavailable, after retries),
//   db.constraint (kValidation: NOT NULL, foreign key, check), db.error (kInternal),
//   db.open / db.connection (kUnavailable: cannot connect, connection lost),
//   db.nested_transaction (kInternal: a write Transact inside another on SQLite's single writer).
// Types: integers as int64, text as UTF-8 std::string, bytes as Blob, NULL as std::monostate.
// PostgreSQL results follow the column type: int2/int4/int8 and bool (1/0) → int64, float → double,
// numeric → int64 when integral (e.g. SUM of BIGINT) else double, bytea → Blob, others → text.
// Dates are TEXT "YYYY-MM-DD", instants TEXT ISO-8601 UTC (see base/clock.h).
// Thread safety: a Database may be used from many threads at once; a Connection only by the thread
// whose Transact callback received it. PostgreSQL infers parameter types from the statement, so a
// parameter whose type the statement does not fix needs CAST($1 AS TEXT), which SQLite accepts too.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"

namespace hukou::store {

struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};

using Value = std::variant<std::monostate, int64_t, double, std::string, Blob>;

// Convenience for optional parameters: empty optional binds NULL.
Value Nullable(const std::optional<std::string>& s);
// Empty string binds NULL.
Value TextOrNull(std::string_view s);

// A result set, fully materialised. Column lookups by name are linear; use indexes in hot paths.
class Rows {
 public:
  Rows() = default;
  Rows(std::vector<std::string> columns, std::vector<std::vector<Value>> rows)
      : columns_(std::move(columns)), rows_(std::move(rows)) {}

  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  const std::vector<std::string>& columns() const { return columns_; }
  // Index of a column, or -1.
  int ColumnIndex(std::string_view name) const;

  const Value& At(size_t row, size_t col) const { return rows_[row][col]; }
  bool IsNull(size_t row, size_t col) const;
  // Text of a cell; NULL reads as "", integers are formatted.
  std::string Text(size_t row, size_t col) const;
  std::string Text(size_t row, std::string_view column) const;
  // Integer of a cell; NULL reads as 0, numeric text is parsed.
  int64_t Int(size_t row, size_t col) const;
  int64_t Int(size_t row, std::string_view column) const;
  std::optional<std::string> OptText(size_t row, std::string_view column) const;

  std::vector<std::vector<Value>>& raw() { return rows_; }

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<Value>> rows_;
};

enum class Backend { kSqlite, kPostgres };

// One connection, used by one thread at a time inside Database::Read / Transact.
class Connection {
 public:
  virtual ~Connection() = default;
  // Runs a statement (prepared once per connection and cached by its text) and returns its rows.
  virtual Result<Rows> Query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs a statement and returns the number of rows it changed (0 for a SELECT).
  virtual Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs several statements separated by ';' without parameters (migrations).
  virtual Status ExecScript(std::string_view sql) = 0;
  virtual Backend backend() const = 0;
};

enum class TxMode {
  kWrite,  // SQLite: BEGIN IMMEDIATE; PostgreSQL: READ COMMITTED read-write
  kRead,   // a consistent read-only snapshot
};

struct Options {
  int pool_size = 8;    // connections (PostgreSQL pool; SQLite readers)
  int max_retries = 5;  // on busy / serialization failure / deadlock
  int busy_timeout_ms = 5000;
  // false: a commit returns before it is on disk (SQLite synchronous=OFF, PostgreSQL
  // synchronous_commit=off). Only for a database that is rebuilt rather than recovered after a
  // crash, such as `hukou demo` building a demo city; never for a registry in service.
  bool durable = true;
};

class Database {
 public:
  virtual ~Database() = default;

  // Opens "sqlite:PATH", "sqlite::memory:", a bare file path, or "postgresql://…"/"postgres://…".
  // SQLite files are put in WAL mode with foreign keys on.
  static Result<std::unique_ptr<Database>> Open(std::string_view url, const Options& options = {});

  virtual Backend backend() const = 0;

  // Runs fn inside a transaction: commits when fn returns OK, rolls back otherwise. A busy or
  // serialization failure (from fn's statements or the commit) rolls back and runs fn again, up
  // to Options::max_retries times, so fn must have no effects outside the connection.
  virtual Status Transact(const std::function<Status(Connection&)>& fn,
                          TxMode mode = TxMode::kWrite) = 0;

  // Shorthand: Transact in read mode.
  Status Read(const std::function<Status(Connection&)>& fn) { return Transact(fn, TxMode::kRead); }

  // Applies every embedded migration (store/migrations/NNN_name.sql) not yet applied, in order,
  // each in its own transaction, recording it in schema_migrations. Returns how many ran.
  Result<int> Migrate();
};

// The embedded migration files, sorted by name, with backend-specific tokens already replaced:
// {{ID}} → auto-increment primary key, {{BLOB}} → BLOB/BYTEA, {{C}} → bytewise collation.
std::vector<std::pair<std::string, std::string>> MigrationScripts(Backend backend);

}  // namespace hukou::store
