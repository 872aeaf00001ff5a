-- Notifications (B6, G7): an outbox written in the transaction of the act that causes it and
-- delivered afterwards by a pluggable sender. channel 'message' rows are also the inbox of a unit
-- (站内消息: recipient = unit code), read_at marking them read.
CREATE TABLE notification_outbox (
  id {{ID}},
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'message')),
  recipient TEXT NOT NULL,          -- phone number (sms) or unit code (message)
  subject_kind TEXT NOT NULL DEFAULT '',  -- case | person | notice …
  subject_id TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,             -- not tried again before this instant (claim lease, back-off)
  created_at TEXT NOT NULL,
  sent_at TEXT,
  last_error TEXT,
  read_at TEXT                      -- messages: when the unit first read it
);
-- The delivery loop's scan of pending rows in queue order.
CREATE INDEX notification_outbox_pending ON notification_outbox(id) WHERE status = 'pending';
-- A unit's inbox, newest first, and its unread count.
CREATE INDEX notification_outbox_inbox ON notification_outbox(recipient, id) WHERE channel = 'message';
CREATE INDEX notification_outbox_unread ON notification_outbox(recipient)
  WHERE channel = 'message' AND read_at IS NULL;
