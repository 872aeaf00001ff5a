// 查询留痕 (A8): every read of personal data is written to access_log, durably, before the
// response leaves. Entries are group-committed: callers enqueue and are told (blocking in
// Record, by callback in RecordAsync) once a background writer has committed the batch holding
// their entry (one transaction per batch; a lone entry is written at once, so single requests
// are not delayed).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
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

  // Called once with the outcome of an entry's write.
  using Done = std::function<void(Status)>;

  // Blocks until the entry is committed. Returns the write's error when the batch failed, and
  // kUnavailable access_log.stopped after Stop(); the caller must then fail the read.
  Status Record(AccessEntry entry);
  // The same without blocking: `done` is called exactly once with what Record would return, on
  // the writer thread after the batch's commit (or at once, on the caller's thread, after
  // Stop()). It must not block or call back into this log.
  void RecordAsync(AccessEntry entry, Done done);
  // Flushes what is queued, then joins the writer. Idempotent.
  void Stop();

 private:
  struct Batch {
    std::vector<AccessEntry> entries;
    std::vector<std::string> at;
    std::vector<Done> done;  // one per entry
  };
  void Run();
  Status Write(const Batch& batch);

  store::Database& db_;
  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable work_cv_;  // writer waits for entries
  std::unique_ptr<Batch> pending_;
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
