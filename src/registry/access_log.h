// 查询留痕 (A8): every read of personal data is written to access_log, durably, before the
// response leaves. Entries are group-committed: callers enqueue and block until a background
// writer has committed the batch holding their entry (one transaction per batch; a lone entry is
// written at once, so single requests are not delayed).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "store/database.h"

namespace hukou::registry {

struct AccessEntry {
  int64_t user_id = 0;
  std::string action;        // read_person | search_persons | read_household | history | export …
  std::string subject_kind;  // person | household | query
  std::string subject;       // ID number, household number or the query text
  std::string purpose;
  std::string client;
};

class AccessLog {
 public:
  AccessLog(store::Database& db, const Clock& clock);
  ~AccessLog();  // Stop()
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Blocks until the entry is committed. Returns the write's error when the batch failed, and
  // kUnavailable access_log.stopped after Stop(); the caller must then fail the read.
  Status Record(AccessEntry entry);
  // Flushes what is queued, then joins the writer. Idempotent.
  void Stop();

 private:
  struct Batch {
    std::vector<AccessEntry> entries;
    std::vector<std::string> at;
    bool done = false;
    Status status;
  };
  void Run();
  Status Write(const Batch& batch);

  store::Database& db_;
  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable work_cv_;  // writer waits for entries
  std::condition_variable done_cv_;  // callers wait for their batch
  std::shared_ptr<Batch> pending_;
  bool stopping_ = false;
  std::thread writer_;
};

struct AccessRecord {
  int64_t id = 0;
  std::string at;
  int64_t user_id = 0;
  std::string user_name;
  std::string user_login;
  std::string action;
  std::string subject_kind;
  std::string subject;
  std::string purpose;
  std::string client;
};

// Access-log rows about one subject, newest first, at most `limit`.
Result<std::vector<AccessRecord>> ListAccess(store::Connection& conn,
                                             const std::string& subject_kind,
                                             const std::string& subject, int limit);

}  // namespace hukou::registry
