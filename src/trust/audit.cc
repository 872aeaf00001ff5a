#include "trust/audit.h"

namespace hukou::trust {

Status AppendAudit(store::Connection& conn, const AuditEntry& e, const Clock& clock) {
  auto r = conn.Exec(
      "INSERT INTO audit_log (at, user_id, action, object_kind, object_id, detail) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      {clock.NowIso(), e.user_id == 0 ? store::Value{} : store::Value{e.user_id}, e.action,
       e.object_kind, e.object_id, e.detail});
  return r.status();
}

}  // namespace hukou::trust
