#include "services/notify.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "services/outbox.h"
#include "trust/audit.h"

namespace hukou::services {
namespace {

constexpr size_t kMaxTextChars = 500;
constexpr int kLeaseSeconds = 60;
constexpr int kRetrySeconds = 30;

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool IsMobile(std::string_view s) {
  if (s.size() != 11 || s[0] != '1' || s[1] < '3') return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string MaskRecipient(const Notification& n) {
  if (n.channel != "sms" || n.recipient.size() < 7) return n.recipient;
  return n.recipient.substr(0, 3) + "****" + n.recipient.substr(n.recipient.size() - 4);
}

struct Pending {
  int64_t id = 0;
  int64_t attempts = 0;
  Notification n;
};

Result<std::vector<Pending>> ScanPending(store::Database& db, const Clock& clock, int limit) {
  std::vector<Pending> out;
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& c) -> Status {
    HUKOU_ASSIGN_OR_RETURN(
        auto rows,
        c.Query("SELECT id, channel, recipient, subject_kind, subject_id, text, attempts "
                "FROM notification_outbox WHERE status = 'pending' AND "
                "(next_attempt_at IS NULL OR next_attempt_at <= $1) ORDER BY id LIMIT $2",
                {clock.NowIso(), int64_t{limit}}));
    for (size_t i = 0; i < rows.size(); ++i) {
      out.push_back(
          {rows.Int(i, 0),
           rows.Int(i, 6),
           {rows.Text(i, 1), rows.Text(i, 2), rows.Text(i, 3), rows.Text(i, 4), rows.Text(i, 5)}});
    }
    return Status::Ok();
  }));
  return out;
}

Status RecordAttempt(store::Database& db, const Clock& clock, const Pending& p,
                     const Status& sent) {
  int64_t attempts = p.attempts + 1;
  return db.Transact([&](store::Connection& c) -> Status {
    if (sent.ok()) {
      HUKOU_RETURN_IF_ERROR(
          c.Exec("UPDATE notification_outbox SET status = 'sent', attempts = $1, sent_at = $2, "
                 "next_attempt_at = NULL WHERE id = $3",
                 {attempts, clock.NowIso(), p.id})
              .status());
    } else {
      bool give_up = attempts >= kMaxDeliveryAttempts;
      int64_t wait = int64_t{kRetrySeconds} << (attempts - 1);
      HUKOU_RETURN_IF_ERROR(
          c.Exec("UPDATE notification_outbox SET status = $1, attempts = $2, last_error = $3, "
                 "next_attempt_at = $4 WHERE id = $5",
                 {std::string(give_up ? "failed" : "pending"), attempts,
                  sent.error().code + ": " + sent.error().message,
                  give_up ? store::Value{} : store::Value{InstantAfter(clock, wait)}, p.id})
              .status());
    }
    nlohmann::json detail = {{"channel", p.n.channel}, {"attempts", attempts}};
    if (!sent.ok()) detail["error"] = sent.error().code;
    return trust::AppendAudit(c,
                              {0, sent.ok() ? "notification.sent" : "notification.send_failed",
                               "notification", std::to_string(p.id), detail.dump()},
                              clock);
  });
}

}  // namespace

Status QueueNotification(store::Connection& conn, const Notification& n, const Clock& clock) {
  if (n.channel != "sms" && n.channel != "message") {
    return ValidationError("notify.channel", "通知渠道只能是短信(sms)或站内消息(message)",
                           "channel");
  }
  if (n.channel == "sms" && !IsMobile(n.recipient)) {
    return ValidationError("notify.recipient", "短信接收号码应为11位手机号码", "recipient");
  }
  if (n.channel == "message") {
    HUKOU_ASSIGN_OR_RETURN(auto unit,
                           conn.Query("SELECT 1 FROM units WHERE code = $1", {n.recipient}));
    if (unit.empty()) {
      return ValidationError("notify.recipient", "站内消息的接收单位不存在", "recipient");
    }
  }
  if (n.text.empty() || Utf8Length(n.text) > kMaxTextChars) {
    return ValidationError("notify.text", "通知内容不能为空，且不超过500字", "text");
  }
  return conn
      .Exec(
          "INSERT INTO notification_outbox (channel, recipient, subject_kind, subject_id, text, "
          "created_at) VALUES ($1, $2, $3, $4, $5, $6)",
          {n.channel, n.recipient, n.subject_kind, n.subject_id, n.text, clock.NowIso()})
      .status();
}

Result<int> DeliverPending(store::Database& db, Sender& sender, const Clock& clock, int limit) {
  if (limit <= 0) return 0;
  HUKOU_ASSIGN_OR_RETURN(auto pending, ScanPending(db, clock, limit));
  int sent = 0;
  for (const Pending& p : pending) {
    HUKOU_ASSIGN_OR_RETURN(bool mine,
                           ClaimOutboxRow(db, clock, "notification_outbox", p.id, kLeaseSeconds));
    if (!mine) continue;
    Status s = sender.Send(p.n);
    HUKOU_RETURN_IF_ERROR(RecordAttempt(db, clock, p, s));
    if (s.ok()) ++sent;
  }
  return sent;
}

Status OutboxSender::Send(const Notification& n) {
  if (n.channel == "sms") {
    spdlog::info("notify: sms to {} ({} {}): {}", MaskRecipient(n), n.subject_kind, n.subject_id,
                 n.text);
  }
  return Status::Ok();
}

}  // namespace hukou::services
