#include "services/inbox.h"

#include <nlohmann/json.hpp>

#include "services/notify.h"
#include "trust/audit.h"

namespace hukou::services {

Result<Inbox> ListInbox(store::Connection& conn, std::string_view unit_code, int offset,
                        int limit) {
  Inbox inbox;
  std::string unit(unit_code);
  HUKOU_ASSIGN_OR_RETURN(
      auto counts,
      conn.Query("SELECT COUNT(*), COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0) "
                 "FROM notification_outbox WHERE channel = 'message' AND recipient = $1",
                 {unit}));
  inbox.total = counts.Int(0, 0);
  inbox.unread = counts.Int(0, 1);
  HUKOU_ASSIGN_OR_RETURN(
      auto rows, conn.Query("SELECT id, subject_kind, subject_id, text, created_at, read_at "
                            "FROM notification_outbox WHERE channel = 'message' AND recipient = $1 "
                            "ORDER BY id DESC LIMIT $2 OFFSET $3",
                            {unit, int64_t{limit}, int64_t{offset}}));
  for (size_t i = 0; i < rows.size(); ++i) {
    inbox.messages.push_back({rows.Int(i, 0), rows.Text(i, 1), rows.Text(i, 2), rows.Text(i, 3),
                              rows.Text(i, 4), rows.Text(i, 5)});
  }
  return inbox;
}

Result<std::string> MarkRead(store::Connection& conn, int64_t id, std::string_view unit_code,
                             int64_t user_id, const Clock& clock) {
  HUKOU_ASSIGN_OR_RETURN(auto rows,
                         conn.Query("SELECT read_at FROM notification_outbox WHERE id = $1 AND "
                                    "channel = 'message' AND recipient = $2",
                                    {id, std::string(unit_code)}));
  if (rows.empty()) return NotFoundError("notification.not_found", "没有这条消息", "id");
  if (!rows.IsNull(0, 0)) return rows.Text(0, 0);
  std::string now = clock.NowIso();
  HUKOU_RETURN_IF_ERROR(
      conn.Exec("UPDATE notification_outbox SET read_at = $1 WHERE id = $2 AND read_at IS NULL",
                {now, id})
          .status());
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
      conn, {user_id, "notification.read", "notification", std::to_string(id), ""}, clock));
  return now;
}

Result<int> SendNotice(store::Connection& conn, std::string_view unit_code, bool include_subunits,
                       const std::string& text, int64_t user_id, const Clock& clock) {
  std::string unit(unit_code);
  HUKOU_ASSIGN_OR_RETURN(
      auto units,
      include_subunits
          ? conn.Query("WITH RECURSIVE sub(code) AS (SELECT code FROM units WHERE code = $1 "
                       "UNION ALL SELECT u.code FROM units u JOIN sub ON u.parent_code = sub.code) "
                       "SELECT code FROM sub ORDER BY code",
                       {unit})
          : conn.Query("SELECT code FROM units WHERE code = $1", {unit}));
  if (units.empty()) {
    return ValidationError("notify.recipient", "接收单位不存在", "unit_code");
  }
  for (size_t i = 0; i < units.size(); ++i) {
    HUKOU_RETURN_IF_ERROR(
        QueueNotification(conn, {"message", units.Text(i, 0), "notice", "", text}, clock));
  }
  nlohmann::json detail = {{"units", units.size()}, {"include_subunits", include_subunits}};
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
      conn, {user_id, "notification.notice", "unit", unit, detail.dump()}, clock));
  return static_cast<int>(units.size());
}

}  // namespace hukou::services
