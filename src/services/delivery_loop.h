// The server's background delivery of the notification outbox: DeliverPending every few seconds
// until stopped.
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "services/notify.h"

namespace hukou::services {

class DeliveryLoop {
 public:
  // `db`, `sender` and `clock` must outlive the loop.
  DeliveryLoop(store::Database& db, Sender& sender, const Clock& clock,
               std::chrono::milliseconds interval = std::chrono::seconds(5), int batch = 100);
  ~DeliveryLoop();  // Stop()
  DeliveryLoop(const DeliveryLoop&) = delete;
  DeliveryLoop& operator=(const DeliveryLoop&) = delete;

  // Starts the background thread (a round at once, then one per interval; a full batch is
  // followed by another round without waiting).
  void Start();
  // Wakes the thread, lets a round in progress finish, joins. Idempotent.
  void Stop();
  // Rounds completed so far.
  int rounds() const;

 private:
  void Run();

  store::Database& db_;
  Sender& sender_;
  const Clock& clock_;
  std::chrono::milliseconds interval_;
  int batch_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  int rounds_ = 0;
  std::thread thread_;
};

}  // namespace hukou::services
