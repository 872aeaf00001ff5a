// Periodic SM2-signed checkpoints of the audit chains, and the background upkeep of a serving
// process (key-cache refresh, linking stray rows, checkpoints).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "base/status.h"
#include "store/database.h"
#include "trust/keys.h"

namespace hukou::trust {

// Signs each chain's head with the server key when it moved since the chain's last checkpoint
// (several processes may do it at once: a duplicate is skipped). Returns how many were written.
Result<int> WriteCheckpoints(store::Database& db, KeyStore& keys, const Clock& clock);

// A thread that every `refresh` calls keys.Refresh() and every `checkpoint` runs LinkPending and
// WriteCheckpoints; errors are logged and retried at the next turn.
class Housekeeper {
 public:
  Housekeeper(store::Database& db, KeyStore& keys, const Clock& clock,
              std::chrono::milliseconds refresh = std::chrono::seconds(2),
              std::chrono::milliseconds checkpoint = std::chrono::seconds(60));
  ~Housekeeper();  // Stop()
  Housekeeper(const Housekeeper&) = delete;
  Housekeeper& operator=(const Housekeeper&) = delete;
  // Writes a last checkpoint, then joins the thread. Idempotent.
  void Stop();

 private:
  void Run();
  void Checkpoint();
  store::Database& db_;
  KeyStore& keys_;
  const Clock& clock_;
  const std::chrono::milliseconds refresh_;
  const std::chrono::milliseconds checkpoint_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace hukou::trust
