// A unit's inbox (站内消息): the channel 'message' rows of notification_outbox addressed to it,
// and notices (通知公告) an administrator sends to units.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "store/database.h"

namespace hukou::services {

struct InboxMessage {
  int64_t id = 0;
  std::string subject_kind;
  std::string subject_id;
  std::string text;
  std::string created_at;
  std::string read_at;  // "" while unread
};

struct Inbox {
  std::vector<InboxMessage> messages;  // newest first
  int64_t total = 0;
  int64_t unread = 0;
};

// One page of the unit's messages with its total and unread counts.
Result<Inbox> ListInbox(store::Connection& conn, std::string_view unit_code, int offset, int limit);

// Marks a message of the unit read (the first read is kept) with an audit entry; returns read_at.
// Errors: kNotFound notification.not_found when it is not a message to that unit.
Result<std::string> MarkRead(store::Connection& conn, int64_t id, std::string_view unit_code,
                             int64_t user_id, const Clock& clock);

// Queues a notice to the unit and, with include_subunits, to every unit under it, with an audit
// entry by user_id. Returns how many units it went to.
// Errors: kValidation notify.recipient (unknown unit) / notify.text.
Result<int> SendNotice(store::Connection& conn, std::string_view unit_code, bool include_subunits,
                       const std::string& text, int64_t user_id, const Clock& clock);

}  // namespace hukou::services
