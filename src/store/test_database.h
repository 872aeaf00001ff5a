// Fresh databases for tests: a temporary SQLite file, or a new schema on the PostgreSQL server
// named by the environment variable HUKOU_TEST_PG_URL. Each is dropped when destroyed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/database.h"

namespace hukou::store {

class TestDatabase {
 public:
  // SQLite always; PostgreSQL too when HUKOU_TEST_PG_URL is set and not empty.
  static std::vector<Backend> Backends();
  // Creates the database and, when `migrate`, applies every migration.
  static Result<std::unique_ptr<TestDatabase>> Create(Backend backend, bool migrate = true);
  ~TestDatabase();

  Database& db() { return *db_; }
  // A URL that opens the same database again (another process or pool).
  const std::string& url() const { return url_; }

 private:
  TestDatabase() = default;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Database> admin_;  // PostgreSQL: the connection that created the schema
  std::string url_;
  std::string sqlite_path_;
  std::string schema_;
};

// "SQLite" / "PostgreSQL", for parameterised test names.
std::string BackendName(Backend backend);

}  // namespace hukou::store
