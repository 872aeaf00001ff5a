#include "services/outbox.h"

#include <chrono>

namespace hukou::services {

std::string InstantAfter(const Clock& clock, int64_t seconds) {
  return FormatIso(clock.Now() + std::chrono::seconds(seconds));
}

Result<bool> ClaimOutboxRow(store::Database& db, const Clock& clock, std::string_view table,
                            int64_t id, int64_t lease_seconds) {
  const std::string sql = "UPDATE " + std::string(table) +
                          " SET next_attempt_at = $1 WHERE id = $2 AND status = 'pending' AND "
                          "(next_attempt_at IS NULL OR next_attempt_at <= $3)";
  int64_t changed = 0;
  HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& c) -> Status {
    HUKOU_ASSIGN_OR_RETURN(changed,
                           c.Exec(sql, {InstantAfter(clock, lease_seconds), id, clock.NowIso()}));
    return Status::Ok();
  }));
  return changed == 1;
}

}  // namespace hukou::services
