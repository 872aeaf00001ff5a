// PostgreSQL backend over libpq: a lazily grown pool of connections, each with its prepared
// statements cached by SQL text. Parameters go as text except blobs (binary); results come as
// text and are converted by column type.
#include <libpq-fe.h>

#include <array>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/backends.h"

namespace hukou::store::internal {
namespace {

// Type OIDs from pg_type.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

constexpr size_t kMaxCachedStatements = 1000;
constexpr auto kPoolWait = std::chrono::seconds(30);

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes bytea text output ("\x0a1b…" hex format; escape format as a fallback).
std::string DecodeBytea(const char* text, int len) {
  if (len >= 2 && text[0] == '\\' && text[1] == 'x') {
    std::string out;
    out.resize((len - 2) / 2);
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] = static_cast<char>(HexDigit(text[2 + 2 * i]) << 4 | HexDigit(text[3 + 2 * i]));
    }
    return out;
  }
  size_t n = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &n);
  std::string out(reinterpret_cast<const char*>(raw), n);
  PQfreemem(raw);
  return out;
}

Value ConvertCell(Oid type, const char* text, int len) {
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      int64_t v = 0;
      std::from_chars(text, text + len, v);
      return v;
    }
    case kBoolOid:
      return static_cast<int64_t>(len > 0 && text[0] == 't');
    case kFloat4Oid:
    case kFloat8Oid:
      return std::strtod(text, nullptr);
    case kNumericOid: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(text, text + len, v);
      if (ec == std::errc() && end == text + len) return v;
      return std::strtod(text, nullptr);
    }
    case kByteaOid:
      return Blob{DecodeBytea(text, len)};
    default:
      return std::string(text, len);
  }
}

void IgnoreNotice(void*, const char*) {}

class PgConnection final : public Connection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  ~PgConnection() override { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  static Result<std::unique_ptr<PgConnection>> Open(const std::string& conninfo,
                                                    const Options& options) {
    PGconn* raw = PQconnectdb(conninfo.c_str());
    auto conn = std::make_unique<PgConnection>(raw);
    if (raw == nullptr || PQstatus(raw) != CONNECTION_OK) {
      std::string msg = raw ? PQerrorMessage(raw) : "内存不足";
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      return UnavailableError("db.open", "无法连接 PostgreSQL 数据库：" + msg);
    }
    PQsetNoticeProcessor(raw, IgnoreNotice, nullptr);
    PQsetClientEncoding(raw, "UTF8");
    if (!options.durable) HUKOU_RETURN_IF_ERROR(conn->ExecScript("SET synchronous_commit = off"));
    return conn;
  }

  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params) override {
    HUKOU_ASSIGN_OR_RETURN(ResultPtr res, Run(sql, params));
    const int ncols = PQnfields(res.get());
    const int nrows = PQntuples(res.get());
    std::vector<std::string> columns;
    columns.reserve(ncols);
    std::vector<Oid> types(ncols);
    for (int c = 0; c < ncols; ++c) {
      columns.emplace_back(PQfname(res.get(), c));
      types[c] = PQftype(res.get(), c);
    }
    std::vector<std::vector<Value>> data(nrows);
    for (int r = 0; r < nrows; ++r) {
      std::vector<Value>& row = data[r];
      row.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          row.emplace_back(std::monostate{});
        } else {
          row.push_back(
              ConvertCell(types[c], PQgetvalue(res.get(), r, c), PQgetlength(res.get(), r, c)));
        }
      }
    }
    return Rows(std::move(columns), std::move(data));
  }

  Result<int64_t> Exec(std::string_view sql, const std::vector<Value>& params) override {
    HUKOU_ASSIGN_OR_RETURN(ResultPtr res, Run(sql, params));
    if (std::string_view(PQcmdStatus(res.get())).starts_with("SELECT")) return int64_t{0};
    const char* n = PQcmdTuples(res.get());
    return static_cast<int64_t>(n && *n ? std::atoll(n) : 0);
  }

  Status ExecScript(std::string_view sql) override {
    ResultPtr res(PQexec(conn_, std::string(sql).c_str()));
    ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
      return Status::Ok();
    }
    return MapError(res.get());
  }

  Backend backend() const override { return Backend::kPostgres; }

  bool broken() const { return broken_ || PQstatus(conn_) != CONNECTION_OK; }
  bool TakeRetryable() { return std::exchange(retryable_, false); }
  bool InTransaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

  // Runs a parameterless control statement (BEGIN, COMMIT…) and returns its command tag.
  Result<std::string> Control(const char* sql) {
    ResultPtr res(PQexec(conn_, sql));
    if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) return MapError(res.get());
    return std::string(PQcmdStatus(res.get()));
  }

  void Rollback() {
    if (!broken() && InTransaction()) ResultPtr(PQexec(conn_, "ROLLBACK"));
  }

 private:
  // Prepares sql once (cached by text) and executes it with params.
  Result<ResultPtr> Run(std::string_view sql, const std::vector<Value>& params) {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      if (prepared_.size() >= kMaxCachedStatements && !InFailedTransaction()) {
        PQclear(PQexec(conn_, "DEALLOCATE ALL"));
        prepared_.clear();
      }
      std::string name = "h" + std::to_string(++statement_counter_);
      std::string text(sql);
      ResultPtr res(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
      if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) return MapError(res.get());
      it = prepared_.emplace(std::move(text), std::move(name)).first;
    }
    const size_t n = params.size();
    if (values_.size() < n) {
      values_.resize(n);
      lengths_.resize(n);
      formats_.resize(n);
      numbers_.resize(n);
    }
    for (size_t i = 0; i < n; ++i) {
      const Value& v = params[i];
      lengths_[i] = 0;
      formats_[i] = 0;
      switch (v.index()) {
        case 0:
          values_[i] = nullptr;
          break;
        case 1: {
          auto end =
              std::to_chars(numbers_[i].data(), numbers_[i].data() + 31, std::get<int64_t>(v)).ptr;
          *end = '\0';
          values_[i] = numbers_[i].data();
          break;
        }
        case 2: {
          auto end =
              std::to_chars(numbers_[i].data(), numbers_[i].data() + 31, std::get<double>(v)).ptr;
          *end = '\0';
          values_[i] = numbers_[i].data();
          break;
        }
        case 3:
          values_[i] = std::get<std::string>(v).c_str();
          break;
        case 4: {
          const std::string& b = std::get<Blob>(v).bytes;
          values_[i] = b.data();
          lengths_[i] = static_cast<int>(b.size());
          formats_[i] = 1;
          break;
        }
      }
    }
    ResultPtr res(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(n), values_.data(),
                                 lengths_.data(), formats_.data(), 0));
    ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return MapError(res.get());
    return res;
  }

  bool InFailedTransaction() const { return PQtransactionStatus(conn_) == PQTRANS_INERROR; }

  Error MapError(const PGresult* res) {
    std::string msg = res ? PQresultErrorMessage(res) : "";
    if (msg.empty()) msg = PQerrorMessage(conn_);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    if (PQstatus(conn_) != CONNECTION_OK) {
      broken_ = true;
      retryable_ = true;
      return UnavailableError("db.connection", "数据库连接中断：" + msg);
    }
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string_view sqlstate = state ? state : "";
    if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
      retryable_ = true;
      return BusyError(msg);
    }
    if (sqlstate == "23505") return UniqueViolation(msg);
    if (sqlstate.starts_with("23")) return ConstraintViolation(msg);
    if (sqlstate == "0A000" && msg.find("cached plan") != std::string::npos) {
      // A schema change invalidated a prepared statement: replace the connection and retry.
      broken_ = true;
      retryable_ = true;
    }
    return DbError(msg);
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> prepared_;
  uint64_t statement_counter_ = 0;
  bool broken_ = false;
  bool retryable_ = false;
  // Parameter arrays reused across calls.
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  std::vector<std::array<char, 32>> numbers_;
};

class PgDatabase final : public Database {
 public:
  PgDatabase(std::string conninfo, const Options& options, std::unique_ptr<PgConnection> first)
      : conninfo_(std::move(conninfo)), options_(options) {
    idle_.push_back(std::move(first));
    total_ = 1;
  }

  Backend backend() const override { return Backend::kPostgres; }

  Status Transact(const std::function<Status(Connection&)>& fn, TxMode mode) override {
    Status result;
    for (int attempt = 0;; ++attempt) {
      bool retryable = false;
      {
        HUKOU_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, Acquire());
        struct Lease {
          PgDatabase& db;
          std::unique_ptr<PgConnection>& conn;
          ~Lease() {
            conn->Rollback();
            db.Release(std::move(conn));
          }
        } lease{*this, conn};
        result = RunOnce(*conn, fn, mode, retryable);
      }
      if (result.ok() || !retryable) break;
      if (attempt >= options_.max_retries) {
        if (result.error().code != "db.connection") {
          result = BusyError("已重试 " + std::to_string(attempt) + " 次");
        }
        break;
      }
      BackoffBeforeRetry(attempt + 1);
    }
    return result;
  }

 private:
  static Status RunOnce(PgConnection& conn, const std::function<Status(Connection&)>& fn,
                        TxMode mode, bool& retryable) {
    conn.TakeRetryable();
    Status s =
        conn.Control(mode == TxMode::kWrite ? "BEGIN"
                                            : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .status();
    if (s.ok()) s = fn(conn);
    bool fn_retryable = conn.TakeRetryable() || (!s.ok() && s.error().code == "db.busy");
    if (!s.ok()) {
      retryable = fn_retryable;
      return s;
    }
    Result<std::string> tag = conn.Control("COMMIT");
    if (!tag.ok()) {
      // A commit whose connection broke may have happened: only serialization failures retry.
      retryable = conn.TakeRetryable() && !conn.broken();
      return tag.status();
    }
    if (*tag != "COMMIT") {
      return DbError("事务因先前的语句出错而回滚，未提交");
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<PgConnection>> Acquire() {
    {
      std::unique_lock lock(mu_);
      bool ready = cv_.wait_for(lock, kPoolWait, [&] {
        return !idle_.empty() || total_ < std::max(options_.pool_size, 1);
      });
      if (!ready) return BusyError("数据库连接池已满");
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return conn;
      }
      ++total_;
    }
    auto conn = PgConnection::Open(conninfo_, options_);
    if (!conn.ok()) {
      std::lock_guard lock(mu_);
      --total_;
      cv_.notify_one();
    }
    return conn;
  }

  void Release(std::unique_ptr<PgConnection> conn) {
    const bool discard = conn->broken() || conn->InTransaction();
    if (discard) conn.reset();
    std::lock_guard lock(mu_);
    if (discard) {
      --total_;
    } else {
      idle_.push_back(std::move(conn));
    }
    cv_.notify_one();
  }

  const std::string conninfo_;
  const Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  int total_ = 0;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& conninfo,
                                               const Options& options) {
  HUKOU_ASSIGN_OR_RETURN(auto first, PgConnection::Open(conninfo, options));
  return std::unique_ptr<Database>(
      std::make_unique<PgDatabase>(conninfo, options, std::move(first)));
}

}  // namespace hukou::store::internal
