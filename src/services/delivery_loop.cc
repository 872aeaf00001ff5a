#include "services/delivery_loop.h"

#include <spdlog/spdlog.h>

namespace hukou::services {

DeliveryLoop::DeliveryLoop(store::Database& db, Sender& sender, const Clock& clock,
                           std::chrono::milliseconds interval, int batch)
    : DeliveryLoop([&db, &sender, &clock](int n) { return DeliverPending(db, sender, clock, n); },
                   "notify", interval, batch) {}

DeliveryLoop::DeliveryLoop(Round round, std::string name, std::chrono::milliseconds interval,
                           int batch)
    : round_(std::move(round)), name_(std::move(name)), interval_(interval), batch_(batch) {}

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

void DeliveryLoop::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

int DeliveryLoop::rounds() const {
  std::lock_guard lock(mu_);
  return rounds_;
}

void DeliveryLoop::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    woken_ = false;
    lock.unlock();
    Result<int> sent = round_(batch_);
    if (!sent.ok()) {
      spdlog::warn("{}: delivery failed: {} {}", name_, sent.error().code, sent.error().message);
    } else if (*sent > 0) {
      spdlog::info("{}: delivered {}", name_, *sent);
    }
    lock.lock();
    ++rounds_;
    if (sent.ok() && *sent == batch_) continue;
    cv_.wait_for(lock, interval_, [this] { return stopping_ || woken_; });
  }
}

}  // namespace hukou::services
