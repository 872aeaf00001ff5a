// The audit trail of writes: every write appends its entry in the same transaction, so the
// change and its record commit together or not at all. Entries are chained by SM3 (trust/chain.h).
#pragma once

#include <cstdint>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "store/database.h"

namespace hukou::trust {

struct AuditEntry {
  int64_t user_id = 0;      // 0: the system
  std::string action;       // "user.create", "person.update", "auth.login", …
  std::string object_kind;  // "user", "person", "household", "session", …
  std::string object_id;
  std::string detail;  // JSON text, may be empty
};

// Appends the entry inside the caller's transaction.
Status AppendAudit(store::Connection& conn, const AuditEntry& entry, const Clock& clock);

}  // namespace hukou::trust
