// Notifications (B6, G7): written to an outbox in the caller's transaction, delivered afterwards
// by a pluggable sender (SMS gateway, messaging); the default sender only marks them delivered.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"
#include "store/database.h"

namespace hukou::services {

struct Notification {
  std::string channel;       // sms | message (站内消息 to a unit's inbox)
  std::string recipient;     // phone number for sms, unit code for message
  std::string subject_kind;  // case | person | …
  std::string subject_id;    // e.g. the case number
  std::string text;          // Chinese text as sent
};

// Queues a notification in notification_outbox inside the caller's transaction.
// Errors: kValidation notify.channel / notify.recipient / notify.text.
Status QueueNotification(store::Connection& conn, const Notification& n, const Clock& clock);

class Sender {
 public:
  virtual ~Sender() = default;
  // Delivers one notification; an error leaves it pending for the next attempt.
  virtual Status Send(const Notification& n) = 0;
};

// Delivers up to `limit` pending notifications through `sender`, marking each sent (or counting
// a failed attempt). Returns how many were sent.
Result<int> DeliverPending(store::Database& db, Sender& sender, const Clock& clock, int limit);

// After this many failed attempts a notification is marked failed and no longer tried; between
// attempts it waits 30 s × 2^(attempts-1). A row being sent is leased for 60 s, so two delivery
// loops (the server's and `hukou notify deliver`) do not send it twice.
inline constexpr int kMaxDeliveryAttempts = 5;

// The default sender: messages are already in the unit's inbox; SMS are only logged (number
// masked) and marked sent. A real SMS gateway implements Sender (docs/operations.md).
class OutboxSender : public Sender {
 public:
  Status Send(const Notification& n) override;
};

}  // namespace hukou::services
