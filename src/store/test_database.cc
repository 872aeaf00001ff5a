#include "store/test_database.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>

namespace hukou::store {
namespace {
std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  return std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
}

const char* PgUrl() {
  const char* url = std::getenv("HUKOU_TEST_PG_URL");
  return url != nullptr && *url != '\0' ? url : nullptr;
}
}  // namespace

std::string BackendName(Backend backend) {
  return backend == Backend::kSqlite ? "SQLite" : "PostgreSQL";
}

std::vector<Backend> TestDatabase::Backends() {
  std::vector<Backend> b = {Backend::kSqlite};
  if (PgUrl() != nullptr) b.push_back(Backend::kPostgres);
  return b;
}

Result<std::unique_ptr<TestDatabase>> TestDatabase::Create(Backend backend, bool migrate) {
  std::unique_ptr<TestDatabase> t(new TestDatabase());
  if (backend == Backend::kSqlite) {
    t->sqlite_path_ =
        (std::filesystem::temp_directory_path() / ("hukou_test_" + UniqueSuffix() + ".db"))
            .string();
    t->url_ = "sqlite:" + t->sqlite_path_;
  } else {
    const char* pg = PgUrl();
    if (pg == nullptr) {
      return UnavailableError("test.pg_url",
                              "未设置 HUKOU_TEST_PG_URL，无法创建 PostgreSQL 测试库");
    }
    HUKOU_ASSIGN_OR_RETURN(t->admin_, Database::Open(pg, Options{.pool_size = 1}));
    t->schema_ = "t_" + UniqueSuffix();
    HUKOU_RETURN_IF_ERROR(t->admin_->Transact(
        [&](Connection& c) { return c.ExecScript("CREATE SCHEMA " + t->schema_); }));
    const std::string base = pg;
    t->url_ = base + (base.find('?') == std::string::npos ? "?" : "&") +
              "options=-csearch_path%3D" + t->schema_;
  }
  HUKOU_ASSIGN_OR_RETURN(t->db_, Database::Open(t->url_));
  if (migrate) {
    HUKOU_ASSIGN_OR_RETURN(int applied, t->db_->Migrate());
    (void)applied;
  }
  return t;
}

TestDatabase::~TestDatabase() {
  db_.reset();
  if (!sqlite_path_.empty()) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(sqlite_path_ + suffix, ec);
    }
  }
  if (admin_) {
    (void)admin_->Transact(
        [&](Connection& c) { return c.ExecScript("DROP SCHEMA " + schema_ + " CASCADE"); });
  }
}

}  // namespace hukou::store
