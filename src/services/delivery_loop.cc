#include "services/delivery_loop.h"

#include <spdlog/spdlog.h>

namespace hukou::services {

DeliveryLoop::DeliveryLoop(store::Database& db, Sender& sender, const Clock& clock,
                           std::chrono::milliseconds interval, int batch)
    : db_(db), sender_(sender), clock_(clock), interval_(interval), batch_(batch) {}

DeliveryLoop::~DeliveryLoop() { Stop(); }

void DeliveryLoop::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void DeliveryLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int DeliveryLoop::rounds() const {
  std::lock_guard lock(mu_);
  return rounds_;
}

void DeliveryLoop::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Result<int> sent = DeliverPending(db_, sender_, clock_, batch_);
    if (!sent.ok()) {
      spdlog::warn("notify: delivery failed: {} {}", sent.error().code, sent.error().message);
    } else if (*sent > 0) {
      spdlog::info("notify: delivered {} notification(s)", *sent);
    }
    lock.lock();
    ++rounds_;
    if (sent.ok() && *sent == batch_) continue;
    cv_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace hukou::services
