// SQLite backend: one writer connection, a lazily grown pool of query-only reader connections
// (WAL lets them read a consistent snapshot while the writer writes), and per-connection prepared
// statements cached by their SQL text.
//
// Write transactions on a file are group-committed. SQLite has a single writer and
// synchronous=FULL makes every COMMIT wait for an fsync (a few ms on an ordinary disk), so one
// COMMIT per write transaction caps the whole server at the disk's synced-write rate (about 430/s
// measured here: docs/performance.md). Instead, callers that queue for the writer while a
// transaction runs join one SQLite transaction, each inside its own SAVEPOINT: a caller whose
// function fails rolls back to its savepoint and leaves the others' work alone, and the last
// caller of the group (nobody queued behind it, or the group full) issues the one COMMIT for all.
// Every caller still returns only after its own writes are durable, with COMMIT's error if that
// failed, so Transact's contract is unchanged. SQLite offers nothing of this itself.
#include <sqlite3.h>

#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/backends.h"
#include "store/sqlite/sql_rewrite.h"

namespace hukou::store::internal {
namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Beyond this many distinct statements a connection drops its cache (dynamic SQL guard).
constexpr size_t kMaxCachedStatements = 1000;

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    ClearCache();
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // Opens a connection and applies the per-connection settings.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, bool writer,
                                                        const Options& options) {
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    if (writer) flags |= SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
      sqlite3_close_v2(db);
      return UnavailableError("db.open", "无法打开数据库 " + path + "：" + msg);
    }
    auto conn = std::make_unique<SqliteConnection>(db);
    sqlite3_busy_timeout(db, options.busy_timeout_ms);
    sqlite3_extended_result_codes(db, 1);
    // synchronous=FULL: a commit is on disk before it returns (the access log promises a read is
    // recorded durably before the response leaves); group commit keeps the fsyncs few, and
    // bench/http_lookup.sh measured no loss against NORMAL. mmap is off: with the file growing
    // under constant appends, readers' remapping cost 17% of lookup throughput.
    std::string pragmas = options.durable ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=OFF;";
    pragmas += "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=0;";
    pragmas += writer ? "PRAGMA journal_mode=WAL; PRAGMA cache_size=-65536;"
                      : "PRAGMA query_only=ON; PRAGMA cache_size=-16384;";
    HUKOU_RETURN_IF_ERROR(conn->ExecScript(pragmas));
    return conn;
  }

  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
    HUKOU_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    Rows rows;
    const int ncols = sqlite3_column_count(stmt);
    std::vector<std::string> columns;
    columns.reserve(ncols);
    for (int c = 0; c < ncols; ++c) columns.emplace_back(sqlite3_column_name(stmt, c));
    std::vector<std::vector<Value>> data;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<Value>& row = data.emplace_back();
      row.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER:
            row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            row.emplace_back(sqlite3_column_double(stmt, c));
            break;
          case SQLITE_TEXT: {
            auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            row.emplace_back(std::string(p, sqlite3_column_bytes(stmt, c)));
            break;
          }
          case SQLITE_BLOB: {
            auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, c));
            int len = sqlite3_column_bytes(stmt, c);
            row.emplace_back(Blob{len > 0 ? std::string(p, len) : std::string()});
            break;
          }
          default:
            row.emplace_back(std::monostate{});
        }
      }
    }
    if (rc != SQLITE_DONE) return Fail(stmt);
    sqlite3_reset(stmt);
    return Rows(std::move(columns), std::move(data));
  }

  Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) override {
    HUKOU_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return Fail(stmt);
    sqlite3_reset(stmt);
    if (sqlite3_stmt_readonly(stmt)) return int64_t{0};
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Status ExecScript(std::string_view sql) override {
    std::string text(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return Status::Ok();
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return MapError(sqlite3_extended_errcode(db_), msg);
  }

  Backend backend() const override { return Backend::kSqlite; }

  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  // Whether a statement since the last call failed with SQLITE_BUSY/LOCKED; resets the flag.
  bool TakeRetryable() { return std::exchange(retryable_, false); }

  Status Begin(bool immediate) {
    return Exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN", {}).status();
  }
  Status Commit() { return Exec("COMMIT", {}).status(); }
  Status Savepoint() { return Exec("SAVEPOINT hukou_member", {}).status(); }
  Status ReleaseSavepoint() { return Exec("RELEASE hukou_member", {}).status(); }
  // Undoes the work since Savepoint() and ends it; the enclosing transaction stays open when
  // SQLite has not rolled it back on its own (as it does after some I/O errors).
  void RollbackToSavepoint() {
    if (!InTransaction()) return;
    sqlite3_exec(db_, "ROLLBACK TO hukou_member", nullptr, nullptr, nullptr);
    if (InTransaction()) sqlite3_exec(db_, "RELEASE hukou_member", nullptr, nullptr, nullptr);
  }
  void Rollback() {
    if (InTransaction()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

 private:
  // Returns the cached (or newly prepared) statement for sql with params bound.
  Result<sqlite3_stmt*> Prepare(std::string_view sql, const std::vector<Value>& params) {
    sqlite3_stmt* stmt;
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
      stmt = it->second;
    } else {
      std::string rewritten = sqlite::RewritePlaceholders(sql);
      const char* tail = nullptr;
      int rc = sqlite3_prepare_v3(db_, rewritten.data(), static_cast<int>(rewritten.size()),
                                  SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
      if (rc != SQLITE_OK) return MapError(rc, sqlite3_errmsg(db_));
      if (stmt == nullptr) return DbError("空语句");
      if (cache_.size() >= kMaxCachedStatements) ClearCache();
      cache_.emplace(std::string(sql), stmt);
    }
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
      return DbError("参数个数不符：需要 " + std::to_string(expected) + " 个，提供了 " +
                     std::to_string(params.size()) + " 个");
    }
    for (int i = 0; i < expected; ++i) {
      const Value& v = params[i];
      int rc = SQLITE_OK;
      switch (v.index()) {
        case 0:
          rc = sqlite3_bind_null(stmt, i + 1);
          break;
        case 1:
          rc = sqlite3_bind_int64(stmt, i + 1, std::get<int64_t>(v));
          break;
        case 2:
          rc = sqlite3_bind_double(stmt, i + 1, std::get<double>(v));
          break;
        case 3: {
          const std::string& s = std::get<std::string>(v);
          rc = sqlite3_bind_text64(stmt, i + 1, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
          break;
        }
        case 4: {
          const std::string& b = std::get<Blob>(v).bytes;
          rc = b.empty() ? sqlite3_bind_zeroblob(stmt, i + 1, 0)
                         : sqlite3_bind_blob64(stmt, i + 1, b.data(), b.size(), SQLITE_STATIC);
          break;
        }
      }
      if (rc != SQLITE_OK) {
        sqlite3_reset(stmt);
        return MapError(rc, sqlite3_errmsg(db_));
      }
    }
    return stmt;
  }

  Error Fail(sqlite3_stmt* stmt) {
    int rc = sqlite3_extended_errcode(db_);
    std::string msg = sqlite3_errmsg(db_);
    sqlite3_reset(stmt);
    return MapError(rc, msg);
  }

  Error MapError(int rc, std::string_view msg) {
    switch (rc & 0xff) {
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        retryable_ = true;
        return BusyError(msg);
      case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
          return UniqueViolation(msg);
        }
        return ConstraintViolation(msg);
      default:
        return DbError(msg);
    }
  }

  void ClearCache() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    cache_.clear();
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> cache_;
  bool retryable_ = false;
};

// The database whose writer this thread holds, to turn nested write transactions into errors
// instead of deadlocks.
thread_local const void* tls_writer_owner = nullptr;

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, bool memory, const Options& options,
                 std::unique_ptr<SqliteConnection> writer)
      : path_(std::move(path)), memory_(memory), options_(options), writer_(std::move(writer)) {}

  Backend backend() const override { return Backend::kSqlite; }

  Status Transact(const std::function<Status(Connection&)>& fn, TxMode mode) override {
    const bool use_writer = mode == TxMode::kWrite || memory_;
    if (use_writer && tls_writer_owner == this) return NestedTransactionError();
    if (mode == TxMode::kWrite && !memory_) return GroupTransact(fn);
    std::unique_ptr<SqliteConnection> reader;
    if (!use_writer) {
      HUKOU_ASSIGN_OR_RETURN(reader, AcquireReader());
    }
    struct ReaderLease {
      SqliteDatabase& db;
      std::unique_ptr<SqliteConnection>& conn;
      ~ReaderLease() {
        if (conn) db.ReleaseReader(std::move(conn));
      }
    } lease{*this, reader};
    Status result;
    for (int attempt = 0;; ++attempt) {
      bool retryable;
      if (use_writer) {
        std::lock_guard lock(writer_mu_);
        struct Owner {
          explicit Owner(const void* db) { tls_writer_owner = db; }
          ~Owner() { tls_writer_owner = nullptr; }
        } owner(this);
        result = RunOnce(*writer_, fn, mode == TxMode::kWrite, retryable);
      } else {
        result = RunOnce(*reader, fn, false, retryable);
      }
      if (result.ok() || !retryable) break;
      if (attempt >= options_.max_retries) {
        result = BusyError("已重试 " + std::to_string(attempt) + " 次");
        break;
      }
      BackoffBeforeRetry(attempt + 1);
    }
    return result;
  }

 private:
  // Write transactions that share one SQLite transaction and its COMMIT (see the file comment).
  struct Group {
    int members = 0;  // callers whose function succeeded inside this group
    bool done = false;
    Status status;                    // COMMIT's outcome, valid once done
    std::condition_variable done_cv;  // the group's waiting members (with group_mu_)
  };
  // A group commits at the latest once it holds this many callers' work, bounding how long the
  // first of them waits under a steady stream of writers.
  static constexpr int kMaxGroupMembers = 32;

  // Transact for writes on a file: runs fn in a group, retrying busy failures like RunOnce.
  Status GroupTransact(const std::function<Status(Connection&)>& fn) {
    Status result;
    for (int attempt = 0;; ++attempt) {
      bool retryable = false;
      result = RunInGroup(fn, retryable);
      if (result.ok() || !retryable) break;
      if (attempt >= options_.max_retries) {
        result = BusyError("已重试 " + std::to_string(attempt) + " 次");
        break;
      }
      BackoffBeforeRetry(attempt + 1);
    }
    return result;
  }

  // One attempt: waits for the writer, opens a group if none is open, runs fn inside a savepoint,
  // then either hands the writer to the next caller and waits for the group's COMMIT, or (last of
  // the group) commits it. An exception from fn is rethrown after the protocol is complete, so
  // the other members never wait for a COMMIT that nobody will issue.
  Status RunInGroup(const std::function<Status(Connection&)>& fn, bool& retryable) {
    std::unique_lock lock(group_mu_);
    ++queued_writers_;
    writer_cv_.wait(lock, [&] { return !writer_held_; });
    --queued_writers_;
    writer_held_ = true;
    lock.unlock();

    std::shared_ptr<Group> group = open_group_;  // open_group_ belongs to the writer's holder
    if (!group) {
      writer_->Rollback();
      writer_->TakeRetryable();
      Status begun = writer_->Begin(true);
      if (!begun.ok()) {
        retryable = writer_->TakeRetryable() || begun.error().code == "db.busy";
        writer_->Rollback();
        ReleaseWriter();
        return begun;
      }
      group = open_group_ = std::make_shared<Group>();
    }

    Status s;
    std::exception_ptr thrown;
    {
      struct Owner {
        explicit Owner(const void* db) { tls_writer_owner = db; }
        ~Owner() { tls_writer_owner = nullptr; }
      } owner(this);
      s = writer_->Savepoint();
      if (s.ok()) {
        try {
          s = fn(*writer_);
        } catch (...) {
          thrown = std::current_exception();
          s = DbError("事务函数抛出异常");
        }
        if (s.ok()) s = writer_->ReleaseSavepoint();
        if (!s.ok()) writer_->RollbackToSavepoint();
      }
    }
    retryable = writer_->TakeRetryable() || (!s.ok() && s.error().code == "db.busy");
    if (s.ok()) ++group->members;

    const bool lost = !writer_->InTransaction();  // SQLite rolled back the whole group
    lock.lock();
    if (lost) {
      FinishGroup(*group, s.ok() ? DbError("事务已被数据库回滚") : s.error());
    } else if (queued_writers_ > 0 && group->members < kMaxGroupMembers) {
      ReleaseWriterLocked();
      if (!s.ok()) {
        if (thrown) std::rethrow_exception(thrown);
        return s;  // a failed caller does not wait: nothing of it is in the group
      }
      group->done_cv.wait(lock, [&] { return group->done; });
      if (!group->status.ok()) retryable = group->status.error().code == "db.busy";
      return group->status;
    } else {
      lock.unlock();
      Status committed = writer_->Commit();
      if (!committed.ok()) writer_->Rollback();
      lock.lock();
      FinishGroup(*group, committed);
    }
    ReleaseWriterLocked();
    lock.unlock();
    if (thrown) std::rethrow_exception(thrown);
    if (!s.ok()) return s;
    if (!group->status.ok()) retryable = group->status.error().code == "db.busy";
    return group->status;
  }

  // With group_mu_ held: records the group's outcome and wakes its waiting members.
  void FinishGroup(Group& group, Status status) {
    group.status = std::move(status);
    group.done = true;
    open_group_ = nullptr;
    group.done_cv.notify_all();
  }
  // One waiter takes the writer; waking them all cost a fifth of a busy server's CPU in context
  // switches.
  void ReleaseWriterLocked() {
    writer_held_ = false;
    writer_cv_.notify_one();
  }
  void ReleaseWriter() {
    std::lock_guard lock(group_mu_);
    ReleaseWriterLocked();
  }

  // One attempt: BEGIN, fn, COMMIT; rolls back on any failure (or exception).
  static Status RunOnce(SqliteConnection& conn, const std::function<Status(Connection&)>& fn,
                        bool immediate, bool& retryable) {
    struct Guard {
      SqliteConnection& c;
      ~Guard() { c.Rollback(); }
    } guard{conn};
    conn.Rollback();
    conn.TakeRetryable();
    Status s = conn.Begin(immediate);
    if (s.ok()) s = fn(conn);
    if (s.ok()) s = conn.Commit();
    retryable = conn.TakeRetryable() || (!s.ok() && s.error().code == "db.busy");
    return s;
  }

  Result<std::unique_ptr<SqliteConnection>> AcquireReader() {
    {
      std::unique_lock lock(pool_mu_);
      pool_cv_.wait(lock, [&] {
        return !idle_readers_.empty() || readers_total_ < std::max(options_.pool_size, 1);
      });
      if (!idle_readers_.empty()) {
        auto conn = std::move(idle_readers_.back());
        idle_readers_.pop_back();
        return conn;
      }
      ++readers_total_;
    }
    auto conn = SqliteConnection::Open(path_, false, options_);
    if (!conn.ok()) {
      std::lock_guard lock(pool_mu_);
      --readers_total_;
      pool_cv_.notify_one();
    }
    return conn;
  }

  void ReleaseReader(std::unique_ptr<SqliteConnection> conn) {
    std::lock_guard lock(pool_mu_);
    idle_readers_.push_back(std::move(conn));
    pool_cv_.notify_one();
  }

  const std::string path_;
  const bool memory_;
  const Options options_;
  std::mutex writer_mu_;  // the writer of an in-memory database (no groups: no fsync to share)
  std::unique_ptr<SqliteConnection> writer_;
  std::mutex group_mu_;
  std::condition_variable writer_cv_;  // the writer is free
  bool writer_held_ = false;
  int queued_writers_ = 0;
  std::shared_ptr<Group> open_group_;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;
  int readers_total_ = 0;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const Options& options) {
  const bool memory = path == ":memory:" || path.find("mode=memory") != std::string::npos;
  HUKOU_ASSIGN_OR_RETURN(auto writer, SqliteConnection::Open(path, true, options));
  return std::unique_ptr<Database>(
      std::make_unique<SqliteDatabase>(path, memory, options, std::move(writer)));
}

}  // namespace hukou::store::internal
