// The server's background delivery of an outbox: the notification outbox (DeliverPending) or
// any other round of work (the move-out requests of one-stop migration) every few seconds until
// stopped, or at once when woken.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "services/notify.h"

namespace hukou::services {

class DeliveryLoop {
 public:
  // One round: delivers up to `batch` items, returns how many were delivered.
  using Round = std::function<Result<int>(int batch)>;
  // The notification outbox; `db`, `sender` and `clock` must outlive the loop.
  DeliveryLoop(store::Database& db, Sender& sender, const Clock& clock,
               std::chrono::milliseconds interval = std::chrono::seconds(5), int batch = 100);
  // Any outbox: `round` is run as above; `name` is used in the log.
  DeliveryLoop(Round round, std::string name,
               std::chrono::milliseconds interval = std::chrono::seconds(5), int batch = 100);
  ~DeliveryLoop();  // Stop()
  DeliveryLoop(const DeliveryLoop&) = delete;
  DeliveryLoop& operator=(const DeliveryLoop&) = delete;

  // Starts the background thread (a round at once, then one per interval; a full batch is
  // followed by another round without waiting).
  void Start();
  // Wakes the thread, lets a round in progress finish, joins. Idempotent.
  void Stop();
  // Starts a round now instead of at the end of the interval (e.g. right after a commit that
  // queued something); a round in progress is followed by another one.
  void Wake();
  // Rounds completed so far.
  int rounds() const;

 private:
  void Run();

  Round round_;
  std::string name_;
  std::chrono::milliseconds interval_;
  int batch_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  int rounds_ = 0;
  std::thread thread_;
};

}  // namespace hukou::services
