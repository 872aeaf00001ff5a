#include "registry/access_log.h"

#include <algorithm>
#include <future>

#include "trust/chain.h"

namespace hukou::registry {
AccessLog::AccessLog(store::Database& db, const Clock& clock)
    : db_(db), clock_(clock), writer_([this] { Run(); }) {}

AccessLog::~AccessLog() { Stop(); }

Status AccessLog::Record(AccessEntry entry) {
  // Each caller waits on its own future: a batch's commit wakes only its own callers.
  std::promise<Status> outcome;
  std::future<Status> result = outcome.get_future();
  RecordAsync(std::move(entry),
              [&outcome](Status status) { outcome.set_value(std::move(status)); });
  return result.get();
}

void AccessLog::RecordAsync(AccessEntry entry, Done done) {
  std::string at = clock_.NowIso();
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      if (!pending_) {
        pending_ = std::make_unique<Batch>();
        work_cv_.notify_one();
      }
      pending_->entries.push_back(std::move(entry));
      pending_->at.push_back(std::move(at));
      pending_->done.push_back(std::move(done));
      return;
    }
  }
  done(UnavailableError("access_log.stopped", "查询留痕服务已停止"));
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
    std::unique_ptr<Batch> batch = std::move(pending_);
    lock.unlock();
    const Status status = Write(*batch);
    for (Done& done : batch->done) done(status);
    lock.lock();
  }
}

Status AccessLog::Write(const Batch& batch) {
  std::vector<trust::AccessLogRow> rows;
  rows.reserve(batch.entries.size());
  for (size_t i = 0; i < batch.entries.size(); ++i) {
    const AccessEntry& e = batch.entries[i];
    rows.push_back(
        {batch.at[i], e.user_id, e.action, e.subject_kind, e.subject, e.purpose, e.client});
  }
  // Chained by SM3 (trust/chain.h): one head lock per batch.
  return db_.Transact([&](store::Connection& conn) { return trust::AppendAccessRows(conn, rows); });
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
