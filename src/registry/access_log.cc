#include "registry/access_log.h"

#include <algorithm>

namespace hukou::registry {
namespace {

constexpr size_t kRowsPerStatement = 64;
constexpr int kColumns = 8;

std::string InsertSql(size_t rows) {
  std::string sql =
      "INSERT INTO access_log (at, user_id, action, subject_kind, subject, purpose, client) "
      "VALUES ";
  int n = 0;
  for (size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (int c = 0; c < kColumns - 1; ++c) sql += (c ? ", $" : "$") + std::to_string(++n);
    sql += ")";
  }
  return sql;
}

}  // namespace

AccessLog::AccessLog(store::Database& db, const Clock& clock)
    : db_(db), clock_(clock), writer_([this] { Run(); }) {}

AccessLog::~AccessLog() { Stop(); }

Status AccessLog::Record(AccessEntry entry) {
  std::string at = clock_.NowIso();
  std::unique_lock lock(mu_);
  if (stopping_) return UnavailableError("access_log.stopped", "查询留痕服务已停止");
  if (!pending_) pending_ = std::make_shared<Batch>();
  std::shared_ptr<Batch> batch = pending_;
  batch->entries.push_back(std::move(entry));
  batch->at.push_back(std::move(at));
  if (batch->entries.size() == 1) work_cv_.notify_one();
  done_cv_.wait(lock, [&] { return batch->done; });
  return batch->status;
}

void AccessLog::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
  }
  work_cv_.notify_one();
  if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id()) writer_.join();
}

void AccessLog::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    work_cv_.wait(lock, [&] { return stopping_ || pending_; });
    if (!pending_) {
      if (stopping_) return;
      continue;
    }
    std::shared_ptr<Batch> batch = std::move(pending_);
    pending_.reset();
    lock.unlock();
    Status status = Write(*batch);
    lock.lock();
    batch->status = std::move(status);
    batch->done = true;
    done_cv_.notify_all();
  }
}

Status AccessLog::Write(const Batch& batch) {
  return db_.Transact([&](store::Connection& conn) -> Status {
    const size_t n = batch.entries.size();
    for (size_t start = 0; start < n; start += kRowsPerStatement) {
      size_t rows = std::min(kRowsPerStatement, n - start);
      std::vector<store::Value> params;
      params.reserve(rows * (kColumns - 1));
      for (size_t i = start; i < start + rows; ++i) {
        const AccessEntry& e = batch.entries[i];
        params.emplace_back(batch.at[i]);
        params.push_back(e.user_id == 0 ? store::Value{} : store::Value{e.user_id});
        params.emplace_back(e.action);
        params.emplace_back(e.subject_kind);
        params.emplace_back(e.subject);
        params.emplace_back(e.purpose);
        params.emplace_back(e.client);
      }
      HUKOU_RETURN_IF_ERROR(conn.Exec(InsertSql(rows), params).status());
    }
    return Status::Ok();
  });
}

Result<std::vector<AccessRecord>> ListAccess(store::Connection& conn,
                                             const std::string& subject_kind,
                                             const std::string& subject, int limit) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT l.id, l.at, l.user_id, u.name, u.login, l.action, l.subject_kind, "
                 "l.subject, l.purpose, l.client FROM access_log l LEFT JOIN users u ON u.id = "
                 "l.user_id WHERE l.subject_kind = $1 AND l.subject = $2 ORDER BY l.at DESC, "
                 "l.id DESC LIMIT " +
                     std::to_string(std::max(limit, 0)),
                 {subject_kind, subject}));
  std::vector<AccessRecord> out;
  for (size_t i = 0; i < r.size(); ++i) {
    out.push_back({r.Int(i, 0), r.Text(i, 1), r.Int(i, 2), r.Text(i, 3), r.Text(i, 4), r.Text(i, 5),
                   r.Text(i, 6), r.Text(i, 7), r.Text(i, 8), r.Text(i, 9)});
  }
  return out;
}

}  // namespace hukou::registry
