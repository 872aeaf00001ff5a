// The move-out outbox of one-stop migration (B9) on a real database: SQLite always, PostgreSQL too
// when HUKOU_TEST_PG_URL is set. The peer is a stand-in transport.
#include "services/move_out.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "services/delivery_loop.h"
#include "store/test_database.h"

namespace hukou::services {
namespace {

std::chrono::system_clock::time_point T0() {
  return std::chrono::system_clock::from_time_t(1795000000);
}

// Answers from a script: an error (peer down) or an answer, the last one repeated.
class ScriptedPeer : public MoveOutTransport {
 public:
  Result<MoveOutAnswer> Send(const MoveOutRequest& r) override {
    seen.push_back(r);
    if (answers.empty()) return UnavailableError("move_out.peer", "对端不可用");
    Result<MoveOutAnswer> a = answers.front();
    if (answers.size() > 1) answers.erase(answers.begin());
    return a;
  }
  std::vector<Result<MoveOutAnswer>> answers;
  std::vector<MoveOutRequest> seen;
};

MoveOutRequest Request(std::string case_no = "20261122000001") {
  MoveOutRequest r;
  r.peer = "ordos";
  r.case_no = std::move(case_no);
  r.item_name = "省内跨市户口迁移（一站式办理）";
  r.id_number = "150602199001011234";
  r.name = "张三";
  r.destination_station_code = "420704510000";
  r.destination_station_name = "凤凰派出所";
  r.destination_division_code = "420704";
  r.destination_division_name = "湖北省鄂州市鄂城区";
  r.move_date = "2026-11-22";
  return r;
}

class MoveOutTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    auto t = store::TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.error().message;
    t_ = std::move(t).value();
    case_id_ = NewCase("20261122000001");
  }
  store::Database& db() { return t_->db(); }

  int64_t NewCase(const std::string& case_no) {
    int64_t id = 0;
    EXPECT_TRUE(
        db().Transact([&](store::Connection& c) -> Status {
              HUKOU_RETURN_IF_ERROR(
                  c.Exec("INSERT INTO cases (case_no, item_code, item_version, item_name, effect, "
                         "status, receiving_unit_code, receiving_station_code, receiving_user_id, "
                         "station_code, applicant_name, applicant_id_number, received_at, "
                         "received_date, due_date, step_due_date, step_started_at) VALUES ($1, "
                         "'HK0302', 1, '省内跨市户口迁移', 'migrate_in', 'approved', "
                         "'420704510000', '420704510000', 1, '420704510000', '张三', '', $2, "
                         "'2026-11-22', '2026-12-01', '2026-12-01', $2)",
                         {case_no, clock_.NowIso()})
                      .status());
              HUKOU_ASSIGN_OR_RETURN(auto rows,
                                     c.Query("SELECT id FROM cases WHERE case_no = $1", {case_no}));
              id = rows.Int(0, 0);
              return Status::Ok();
            })
            .ok());
    return id;
  }
  Status Queue(int64_t case_id, int seq, const MoveOutRequest& r) {
    return db().Transact(
        [&](store::Connection& c) { return QueueMoveOut(c, case_id, seq, r, clock_); });
  }
  std::vector<MoveOutState> States(int64_t case_id) {
    std::vector<MoveOutState> out;
    EXPECT_TRUE(db().Read([&](store::Connection& c) -> Status {
                      HUKOU_ASSIGN_OR_RETURN(out, MoveOutsOfCase(c, case_id));
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }
  int64_t Audits(const std::string& action) {
    int64_t n = -1;
    EXPECT_TRUE(db().Read([&](store::Connection& c) -> Status {
                      HUKOU_ASSIGN_OR_RETURN(
                          auto rows,
                          c.Query("SELECT COUNT(*) FROM audit_log WHERE action = $1", {action}));
                      n = rows.Int(0, 0);
                      return Status::Ok();
                    })
                    .ok());
    return n;
  }

  FixedClock clock_{T0()};
  std::unique_ptr<store::TestDatabase> t_;
  int64_t case_id_ = 0;
};

TEST(MoveOutRetryTest, BackOffDoublesUpToAnHour) {
  EXPECT_EQ(MoveOutRetryDelay(1), 15);
  EXPECT_EQ(MoveOutRetryDelay(2), 30);
  EXPECT_EQ(MoveOutRetryDelay(3), 60);
  EXPECT_EQ(MoveOutRetryDelay(9), 3600);
  EXPECT_EQ(MoveOutRetryDelay(200), 3600);  // never gives up, never overflows
}

TEST_P(MoveOutTest, QueuedOnlyWhenTheApprovalCommitsAndOncePerSubject) {
  Status failed = db().Transact([&](store::Connection& c) -> Status {
    HUKOU_RETURN_IF_ERROR(QueueMoveOut(c, case_id_, 1, Request(), clock_));
    return BusinessRuleError("case.rule", "审批未通过");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_TRUE(States(case_id_).empty());
  ASSERT_TRUE(Queue(case_id_, 1, Request()).ok());
  Status again = Queue(case_id_, 1, Request());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "move_out.exists");
  auto s = States(case_id_);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].status, "pending");
  EXPECT_EQ(s[0].peer, "ordos");
  EXPECT_EQ(s[0].attempts, 0);
  EXPECT_EQ(s[0].destination_division_name, "湖北省鄂州市鄂城区");
}

TEST_P(MoveOutTest, UnreachablePeerIsRetriedWithBackOffThenDone) {
  ASSERT_TRUE(Queue(case_id_, 1, Request()).ok());
  ScriptedPeer peer;  // no answers: down
  auto sent = DeliverMoveOuts(db(), peer, clock_, 10);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(*sent, 0);
  auto s = States(case_id_);
  EXPECT_EQ(s[0].status, "pending");
  EXPECT_EQ(s[0].attempts, 1);
  EXPECT_NE(s[0].last_error.find("对端不可用"), std::string::npos);
  EXPECT_EQ(Audits("move_out.send_failed"), 1);

  clock_.Set(T0() + std::chrono::seconds(10));  // before the back-off: not tried
  EXPECT_EQ(*DeliverMoveOuts(db(), peer, clock_, 10), 0);
  EXPECT_EQ(peer.seen.size(), 1u);
  clock_.Set(T0() + std::chrono::seconds(16));
  EXPECT_EQ(*DeliverMoveOuts(db(), peer, clock_, 10), 0);
  EXPECT_EQ(peer.seen.size(), 2u);
  EXPECT_EQ(States(case_id_)[0].attempts, 2);

  peer.answers = {MoveOutAnswer{true, "", "已迁出", "康巴什派出所"}};
  clock_.Set(T0() + std::chrono::seconds(16 + 31));
  EXPECT_EQ(*DeliverMoveOuts(db(), peer, clock_, 10), 1);
  s = States(case_id_);
  EXPECT_EQ(s[0].status, "done");
  EXPECT_EQ(s[0].attempts, 3);
  EXPECT_EQ(s[0].origin_station, "康巴什派出所");
  EXPECT_EQ(s[0].answer_message, "已迁出");
  EXPECT_EQ(s[0].answered_at, FormatIso(clock_.Now()));
  EXPECT_EQ(s[0].last_error, "");
  EXPECT_EQ(Audits("move_out.done"), 1);
  // What the peer was sent.
  const MoveOutRequest& r = peer.seen.back();
  EXPECT_EQ(r.id_number, "150602199001011234");
  EXPECT_EQ(r.case_no, "20261122000001");
  EXPECT_EQ(r.destination_station_name, "凤凰派出所");
  EXPECT_EQ(r.move_date, "2026-11-22");
  // Done is final: nothing is sent again.
  clock_.Set(T0() + std::chrono::hours(3));
  EXPECT_EQ(*DeliverMoveOuts(db(), peer, clock_, 10), 0);
  EXPECT_EQ(peer.seen.size(), 3u);
}

TEST_P(MoveOutTest, RefusalIsRecordedWithThePeersReasonAndNotRetried) {
  ASSERT_TRUE(Queue(case_id_, 1, Request()).ok());
  ScriptedPeer peer;
  peer.answers = {MoveOutAnswer{false, "move_out.not_registered", "本地未登记该人员", ""}};
  EXPECT_EQ(*DeliverMoveOuts(db(), peer, clock_, 10), 1);
  auto s = States(case_id_);
  EXPECT_EQ(s[0].status, "refused");
  EXPECT_EQ(s[0].answer_code, "move_out.not_registered");
  EXPECT_EQ(s[0].answer_message, "本地未登记该人员");
  EXPECT_EQ(Audits("move_out.refused"), 1);
  clock_.Set(T0() + std::chrono::hours(3));
  EXPECT_EQ(*DeliverMoveOuts(db(), peer, clock_, 10), 0);
  EXPECT_EQ(peer.seen.size(), 1u);
}

TEST_P(MoveOutTest, OneCasesRequestsCanBeDeliveredAloneAndALeaseKeepsOthersOff) {
  const int64_t other = NewCase("20261122000002");
  ASSERT_TRUE(Queue(case_id_, 1, Request()).ok());
  ASSERT_TRUE(Queue(other, 1, Request("20261122000002")).ok());
  ScriptedPeer peer;
  peer.answers = {MoveOutAnswer{true, "", "已迁出", ""}};
  EXPECT_EQ(*DeliverMoveOuts(db(), peer, clock_, 10, other), 1);
  EXPECT_EQ(States(other)[0].status, "done");
  EXPECT_EQ(States(case_id_)[0].status, "pending");
  // A deliverer holding the row (lease) keeps a second one off until the lease ends.
  ASSERT_TRUE(db().Transact([&](store::Connection& c) {
                    return c
                        .Exec(
                            "UPDATE move_out_requests SET next_attempt_at = $1 WHERE case_id = $2",
                            {FormatIso(clock_.Now() + std::chrono::seconds(60)), case_id_})
                        .status();
                  })
                  .ok());
  EXPECT_EQ(*DeliverMoveOuts(db(), peer, clock_, 10), 0);
  clock_.Set(T0() + std::chrono::seconds(61));
  EXPECT_EQ(*DeliverMoveOuts(db(), peer, clock_, 10), 1);
}

TEST_P(MoveOutTest, LoopWakesForAPromptRound) {
  ASSERT_TRUE(Queue(case_id_, 1, Request()).ok());
  ScriptedPeer peer;
  peer.answers = {MoveOutAnswer{true, "", "已迁出", ""}};
  std::atomic<int> rounds{0};
  DeliveryLoop loop(
      [&](int n) {
        auto delivered = DeliverMoveOuts(db(), peer, clock_, n);
        ++rounds;  // after the round's work, which the test then looks at
        return delivered;
      },
      "move_out", std::chrono::hours(1));
  loop.Start();
  for (int i = 0; i < 200 && rounds < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(States(case_id_)[0].status, "done");
  loop.Wake();
  for (int i = 0; i < 200 && rounds < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(rounds.load(), 2);  // woken long before the hour's interval
  loop.Stop();
}

INSTANTIATE_TEST_SUITE_P(Backends, MoveOutTest,
                         ::testing::ValuesIn(store::TestDatabase::Backends()),
                         [](const auto& info) { return store::BackendName(info.param); });

}  // namespace
}  // namespace hukou::services
