// Notification outbox tests on a real database: SQLite always, PostgreSQL too when
// HUKOU_TEST_PG_URL is set.
#include "services/notify.h"

#include <gtest/gtest.h>

#include <thread>

#include "services/delivery_loop.h"
#include "services/inbox.h"
#include "store/test_database.h"

namespace hukou::services {
namespace {

constexpr char kStation[] = "420704510000";

std::chrono::system_clock::time_point T0() {
  return std::chrono::system_clock::from_time_t(1795000000);
}

// Fails every send with the given code, and counts calls.
class FailingSender : public Sender {
 public:
  Status Send(const Notification&) override {
    ++calls;
    return UnavailableError("sms.gateway", "短信网关不可用");
  }
  int calls = 0;
};

class NotifyTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    auto t = store::TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.error().message;
    t_ = std::move(t).value();
    ASSERT_TRUE(db().Transact([&](store::Connection& c) {
                      return c
                          .Exec(
                              "INSERT INTO units (code, name, kind, scope_prefix, division_code, "
                              "created_at) VALUES ($1, '凤凰派出所', 'station', $1, '420704', $2)",
                              {std::string(kStation), clock_.NowIso()})
                          .status();
                    })
                    .ok());
  }
  store::Database& db() { return t_->db(); }

  Status Queue(const Notification& n) {
    return db().Transact([&](store::Connection& c) { return QueueNotification(c, n, clock_); });
  }
  store::Rows Outbox() {
    store::Rows out;
    EXPECT_TRUE(db().Read([&](store::Connection& c) -> Status {
                      HUKOU_ASSIGN_OR_RETURN(
                          out, c.Query("SELECT id, channel, recipient, status, attempts, sent_at, "
                                       "last_error, text FROM notification_outbox ORDER BY id"));
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }
  int64_t Count(std::string_view sql) {
    int64_t n = -1;
    EXPECT_TRUE(db().Read([&](store::Connection& c) -> Status {
                      HUKOU_ASSIGN_OR_RETURN(auto rows, c.Query(sql));
                      n = rows.Int(0, 0);
                      return Status::Ok();
                    })
                    .ok());
    return n;
  }

  FixedClock clock_{T0()};
  std::unique_ptr<store::TestDatabase> t_;
};

Notification Sms(std::string text = "您的业务已办结，请到窗口领取。") {
  return {"sms", "13800138000", "case", "C2026000001", std::move(text)};
}
Notification Message() {
  return {"message", kStation, "case", "C2026000001", "有新的待办业务：出生登记"};
}

TEST_P(NotifyTest, QueueValidatesChannelRecipientAndText) {
  auto code = [&](const Notification& n) {
    Status s = Queue(n);
    return s.ok() ? std::string("ok") : s.error().code;
  };
  EXPECT_EQ(code({"fax", "13800138000", "case", "1", "x"}), "notify.channel");
  EXPECT_EQ(code({"sms", "0710-1234567", "case", "1", "x"}), "notify.recipient");
  EXPECT_EQ(code({"sms", "1380013800", "case", "1", "x"}), "notify.recipient");
  EXPECT_EQ(code({"message", "999999999999", "case", "1", "x"}), "notify.recipient");
  EXPECT_EQ(code(Sms("")), "notify.text");
  std::string long_text;
  for (int i = 0; i < 501; ++i) long_text += "字";
  EXPECT_EQ(code(Sms(long_text)), "notify.text");
  EXPECT_EQ(code(Sms(long_text.substr(3))), "ok");  // 500 characters
  EXPECT_EQ(code(Message()), "ok");
  EXPECT_EQ(Outbox().size(), 2u);
}

TEST_P(NotifyTest, QueuedOnlyWhenTheCallersTransactionCommits) {
  Status failed = db().Transact([&](store::Connection& c) -> Status {
    HUKOU_RETURN_IF_ERROR(QueueNotification(c, Sms(), clock_));
    return BusinessRuleError("case.rule", "审批未通过");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_TRUE(Outbox().empty());
  ASSERT_TRUE(Queue(Sms()).ok());
  store::Rows rows = Outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.Text(0, "status"), "pending");
  EXPECT_EQ(rows.Int(0, "attempts"), 0);
}

TEST_P(NotifyTest, DeliverMarksSentUpToTheLimitWithAudit) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Queue(Sms("第" + std::to_string(i) + "条")).ok());
  ASSERT_TRUE(Queue(Message()).ok());
  OutboxSender sender;
  clock_.Set(T0() + std::chrono::seconds(5));
  auto sent = DeliverPending(db(), sender, clock_, 3);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(*sent, 3);
  store::Rows rows = Outbox();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(rows.Text(i, "status"), "sent");
    EXPECT_EQ(rows.Int(i, "attempts"), 1);
    EXPECT_EQ(rows.Text(i, "sent_at"), FormatIso(clock_.Now()));
  }
  EXPECT_EQ(rows.Text(3, "status"), "pending");  // beyond the limit: the next round
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'notification.sent'"), 3);
  EXPECT_EQ(*DeliverPending(db(), sender, clock_, 10), 1);
  EXPECT_EQ(*DeliverPending(db(), sender, clock_, 10), 0);
}

TEST_P(NotifyTest, FailedAttemptsBackOffThenGiveUp) {
  ASSERT_TRUE(Queue(Sms()).ok());
  FailingSender failing;
  auto sent = DeliverPending(db(), failing, clock_, 10);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(*sent, 0);
  store::Rows rows = Outbox();
  EXPECT_EQ(rows.Text(0, "status"), "pending");
  EXPECT_EQ(rows.Int(0, "attempts"), 1);
  EXPECT_EQ(rows.Text(0, "last_error"), "sms.gateway: 短信网关不可用");
  // Not tried again before its back-off (30 s after the first failure).
  clock_.Set(T0() + std::chrono::seconds(29));
  EXPECT_EQ(*DeliverPending(db(), failing, clock_, 10), 0);
  EXPECT_EQ(failing.calls, 1);
  auto t = T0();
  for (int attempt = 2; attempt <= kMaxDeliveryAttempts; ++attempt) {
    t += std::chrono::seconds(30 << (attempt - 2));
    clock_.Set(t);
    EXPECT_EQ(*DeliverPending(db(), failing, clock_, 10), 0);
    EXPECT_EQ(failing.calls, attempt);
  }
  rows = Outbox();
  EXPECT_EQ(rows.Text(0, "status"), "failed");
  EXPECT_EQ(rows.Int(0, "attempts"), kMaxDeliveryAttempts);
  clock_.Set(t + std::chrono::hours(24));
  OutboxSender ok;
  EXPECT_EQ(*DeliverPending(db(), ok, clock_, 10), 0);  // failed is final
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'notification.send_failed'"),
            kMaxDeliveryAttempts);
}

// A second delivery loop running while the first is sending does not send the same row.
class ReentrantSender : public Sender {
 public:
  ReentrantSender(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}
  Status Send(const Notification&) override {
    OutboxSender other;
    inner = DeliverPending(db_, other, clock_, 10);
    return Status::Ok();
  }
  Result<int> inner = 0;

 private:
  store::Database& db_;
  const Clock& clock_;
};

TEST_P(NotifyTest, ASecondDelivererSkipsARowBeingSent) {
  ASSERT_TRUE(Queue(Sms()).ok());
  ReentrantSender sender(db(), clock_);
  EXPECT_EQ(*DeliverPending(db(), sender, clock_, 10), 1);
  ASSERT_TRUE(sender.inner.ok());
  EXPECT_EQ(*sender.inner, 0);
  EXPECT_EQ(Outbox().Int(0, "attempts"), 1);
}

TEST_P(NotifyTest, InboxNewestFirstWithUnreadCountAndMarkRead) {
  ASSERT_TRUE(Queue(Message()).ok());
  ASSERT_TRUE(Queue({"message", kStation, "case", "C2026000002", "业务已退回补正"}).ok());
  ASSERT_TRUE(Queue(Sms()).ok());  // not in any inbox
  Inbox inbox;
  auto list = [&] {
    return db().Read([&](store::Connection& c) -> Status {
      HUKOU_ASSIGN_OR_RETURN(inbox, ListInbox(c, kStation, 0, 10));
      return Status::Ok();
    });
  };
  ASSERT_TRUE(list().ok());
  ASSERT_EQ(inbox.messages.size(), 2u);
  EXPECT_EQ(inbox.total, 2);
  EXPECT_EQ(inbox.unread, 2);
  EXPECT_EQ(inbox.messages[0].subject_id, "C2026000002");
  EXPECT_EQ(inbox.messages[0].read_at, "");
  int64_t id = inbox.messages[0].id;

  auto mark = [&](int64_t which, std::string unit) {
    Result<std::string> at = InternalError("x", "");
    Status s = db().Transact([&](store::Connection& c) -> Status {
      at = MarkRead(c, which, unit, 7, clock_);
      return at.status();
    });
    return at;
  };
  EXPECT_EQ(mark(id, "420704520000").error().code, "notification.not_found");
  EXPECT_EQ(mark(Outbox().Int(2, "id"), kStation).error().code, "notification.not_found");
  auto first = mark(id, kStation);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, clock_.NowIso());
  clock_.Set(T0() + std::chrono::hours(1));
  EXPECT_EQ(*mark(id, kStation), *first);  // the first read is kept
  ASSERT_TRUE(list().ok());
  EXPECT_EQ(inbox.unread, 1);
  EXPECT_EQ(inbox.messages[0].read_at, *first);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'notification.read'"), 1);
}

TEST_P(NotifyTest, NoticeGoesToTheUnitAndItsSubunits) {
  ASSERT_TRUE(db().Transact([&](store::Connection& c) -> Status {
                    HUKOU_RETURN_IF_ERROR(
                        c.Exec("INSERT INTO units (code, name, kind, parent_code, scope_prefix, "
                               "division_code, created_at) VALUES ('420704510100', '凤凰窗口', "
                               "'window', $1, $1, '420704', $2)",
                               {std::string(kStation), clock_.NowIso()})
                            .status());
                    return c
                        .Exec(
                            "INSERT INTO units (code, name, kind, scope_prefix, division_code, "
                            "created_at) VALUES ('420704520000', '古楼派出所', 'station', "
                            "'420704520000', '420704', $1)",
                            {clock_.NowIso()})
                        .status();
                  })
                  .ok());
  auto notice = [&](std::string unit, bool sub, std::string text) {
    Result<int> n = InternalError("x", "");
    Status s = db().Transact([&](store::Connection& c) -> Status {
      n = SendNotice(c, unit, sub, text, 1, clock_);
      return n.status();
    });
    return n;
  };
  EXPECT_EQ(*notice(kStation, true, "年底前完成户口整顿"), 2);
  EXPECT_EQ(*notice(kStation, false, "周五停电"), 1);
  EXPECT_EQ(notice("999999999999", true, "x").error().code, "notify.recipient");
  EXPECT_EQ(notice(kStation, true, "").error().code, "notify.text");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notification_outbox WHERE recipient = '420704510000'"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notification_outbox WHERE recipient = '420704510100'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notification_outbox WHERE recipient = '420704520000'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'notification.notice'"), 2);
}

TEST_P(NotifyTest, DeliveryLoopDeliversAtOnceAndStopsWithoutWaitingTheInterval) {
  ASSERT_TRUE(Queue(Sms()).ok());
  OutboxSender sender;
  DeliveryLoop loop(db(), sender, clock_, std::chrono::hours(1), 10);
  loop.Start();
  for (int i = 0; i < 10000 && loop.rounds() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  loop.Stop();  // would block for the hour if Stop did not wake the loop
  EXPECT_GE(loop.rounds(), 1);
  EXPECT_EQ(Outbox().Text(0, "status"), "sent");
}

INSTANTIATE_TEST_SUITE_P(Backends, NotifyTest, ::testing::ValuesIn(store::TestDatabase::Backends()),
                         [](const auto& info) { return store::BackendName(info.param); });

}  // namespace
}  // namespace hukou::services
