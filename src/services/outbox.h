// What the outboxes (notification_outbox, move_out_requests) share: a pending row whose next
// attempt is due is leased to one deliverer at a time, by pushing its next_attempt_at forward.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"
#include "store/database.h"

namespace hukou::services {

// The instant `seconds` after the clock's now, as stored (ISO-8601 UTC).
std::string InstantAfter(const Clock& clock, int64_t seconds);

// Takes row `id` of `table` (a trusted table name with id, status and next_attempt_at columns)
// for `lease_seconds`; false when it is not pending, not yet due, or another deliverer holds it.
Result<bool> ClaimOutboxRow(store::Database& db, const Clock& clock, std::string_view table,
                            int64_t id, int64_t lease_seconds);

}  // namespace hukou::services
