#include "trust/audit.h"

#include "trust/chain.h"

namespace hukou::trust {

Status AppendAudit(store::Connection& conn, const AuditEntry& e, const Clock& clock) {
  HUKOU_ASSIGN_OR_RETURN(ChainWriter chain, ChainWriter::Open(conn, AuditChain()));
  const std::string at = clock.NowIso();
  const std::string user = e.user_id == 0 ? std::string() : std::to_string(e.user_id);
  ChainLink link = chain.Next({at, user, e.action, e.object_kind, e.object_id, e.detail});
  HUKOU_RETURN_IF_ERROR(
      conn.Exec("INSERT INTO audit_log (at, user_id, action, object_kind, object_id, detail, seq, "
                "prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                {at, e.user_id == 0 ? store::Value{} : store::Value{e.user_id}, e.action,
                 e.object_kind, e.object_id, e.detail, link.seq, link.prev_hash, link.hash})
          .status());
  return chain.Close();
}

}  // namespace hukou::trust
