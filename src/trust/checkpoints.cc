#include "trust/checkpoints.h"

#include <spdlog/spdlog.h>

#include "trust/chain.h"

namespace hukou::trust {

Result<int> WriteCheckpoints(store::Database& db, KeyStore& keys, const Clock& clock) {
  int written = 0;
  for (const ChainSpec* chain : AllChains()) {
    store::Rows head;
    int64_t last_checkpoint = 0;
    HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(head, conn.Query("SELECT last_seq, last_hash FROM audit_chains "
                                              "WHERE name = $1",
                                              {std::string(chain->name)}));
      HUKOU_ASSIGN_OR_RETURN(
          store::Rows last,
          conn.Query("SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints WHERE chain = $1",
                     {std::string(chain->name)}));
      last_checkpoint = last.Int(0, 0);
      return Status::Ok();
    }));
    if (head.empty() || head.Int(0, 0) <= last_checkpoint) continue;
    const int64_t seq = head.Int(0, 0);
    const std::string hash = head.Text(0, 1);
    const std::string at = clock.NowIso();
    HUKOU_ASSIGN_OR_RETURN(Signature sig,
                           keys.SignAsServer(CheckpointPayload(chain->name, seq, hash, at)));
    HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(
          store::Rows inserted,
          conn.Query("INSERT INTO audit_checkpoints (chain, seq, hash, at, key_id, signature) "
                     "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (chain, seq) DO NOTHING "
                     "RETURNING id",
                     {std::string(chain->name), seq, hash, at, sig.key_id, sig.value}));
      if (inserted.empty()) return Status::Ok();
      ++written;
      return RecordKeyUse(conn, sig, "checkpoint", "audit_checkpoint", inserted.Text(0, 0), 0,
                          clock);
    }));
  }
  return written;
}

Housekeeper::Housekeeper(store::Database& db, KeyStore& keys, const Clock& clock,
                         std::chrono::milliseconds refresh, std::chrono::milliseconds checkpoint)
    : db_(db),
      keys_(keys),
      clock_(clock),
      refresh_(refresh),
      checkpoint_(checkpoint),
      thread_([this] { Run(); }) {}

Housekeeper::~Housekeeper() { Stop(); }

void Housekeeper::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  Checkpoint();
}

void Housekeeper::Checkpoint() {
  auto linked = LinkPending(db_);
  if (!linked.ok()) spdlog::warn("audit chain: {}", linked.error().message);
  auto written = WriteCheckpoints(db_, keys_, clock_);
  if (!written.ok()) spdlog::warn("audit checkpoint: {}", written.error().message);
}

void Housekeeper::Run() {
  auto next_checkpoint = std::chrono::steady_clock::now() + checkpoint_;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, refresh_, [&] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    Status refreshed = keys_.Refresh();
    if (!refreshed.ok()) spdlog::warn("key refresh: {}", refreshed.error().message);
    if (std::chrono::steady_clock::now() >= next_checkpoint) {
      Checkpoint();
      next_checkpoint = std::chrono::steady_clock::now() + checkpoint_;
    }
    lock.lock();
  }
}

}  // namespace hukou::trust
