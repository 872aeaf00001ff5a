#include "trust/trail.h"

#include <gtest/gtest.h>

#include "store/test_database.h"
#include "trust/audit.h"
#include "trust/chain.h"
#include "trust/checkpoints.h"
#include "trust/keys.h"
#include "trust/server_key.h"

namespace hukou::trust {
namespace {

constexpr char kP1[] = "420704199001010011";  // a person of station 420704510 (branch 420704)
constexpr char kP2[] = "420705199202020022";  // a person of station 420705510 (branch 420705)

class TrailTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    auto t = store::TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.error().message;
    t_ = std::move(*t);
    Exec(
        "INSERT INTO units (code, name, kind, scope_prefix, division_code, created_at) VALUES "
        "('420704510000', '凤凰派出所', 'station', '420704510', '420704', 'x'), "
        "('420705510000', '西山派出所', 'station', '420705510', '420705', 'x')");
    Exec(
        "INSERT INTO users (login, password_hash, name, police_number, role, unit_code, "
        "created_at) VALUES ('police1', 'x', '李明', '100001', 'police', '420704510000', 'x'), "
        "('police2', 'x', '王强', '100002', 'police', '420705510000', 'x')");
    for (auto [id_number, station] : {std::pair{kP1, "420704510"}, {kP2, "420705510"}}) {
      Exec(
          std::string("INSERT INTO persons (id_number, name, name_simplified, name_pinyin, sex, "
                      "ethnicity, birth_date, station_code, registered_at, updated_at) VALUES ('") +
          id_number + "', '张三', '张三', 'zhangsan', '1', '01', '1990-01-01', '" + station +
          "', 'x', 'x')");
    }
    // In time order: writes and reads by both officers.
    Audit(1, "person.update", "person", kP1);                  // 08:00:01
    Access(2, "read_person", "person", kP1, "核查户籍");       // 08:00:02
    Audit(2, "person.update", "person", kP2);                  // 08:00:03
    Audit(1, "case.approve", "case", "20261122000001");        // 08:00:04
    Access(1, "read_case", "case", "20261122000001", "审批");  // 08:00:05
    Audit(2, "auth.login", "user", "2");                       // 08:00:06
  }
  store::Database& db() { return t_->db(); }
  void Exec(const std::string& sql) {
    Status s = db().Transact([&](store::Connection& c) { return c.Exec(sql).status(); });
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  void Tick() { clock_.Set(clock_.Now() + std::chrono::seconds(1)); }
  void Audit(int64_t user, const char* action, const char* kind, const char* object) {
    Tick();
    ASSERT_TRUE(db().Transact([&](store::Connection& c) {
                      return AppendAudit(c, {user, action, kind, object, "{\"n\":1}"}, clock_);
                    })
                    .ok());
  }
  void Access(int64_t user, const char* action, const char* kind, const char* subject,
              const char* purpose) {
    Tick();
    AccessLogRow row{clock_.NowIso(), user, action, kind, subject, purpose, "10.0.0.9"};
    ASSERT_TRUE(
        db().Transact([&](store::Connection& c) { return AppendAccessRows(c, {row}); }).ok());
  }
  // The actions found, newest first.
  std::vector<std::string> Search(TrailFilter f, bool* has_more = nullptr) {
    std::vector<std::string> actions;
    EXPECT_TRUE(db().Read([&](store::Connection& c) -> Status {
                      HUKOU_ASSIGN_OR_RETURN(TrailPage page, SearchTrail(c, f));
                      for (const TrailEntry& e : page.entries) actions.push_back(e.action);
                      if (has_more != nullptr) *has_more = page.has_more;
                      return Status::Ok();
                    })
                    .ok());
    return actions;
  }
  std::unique_ptr<store::TestDatabase> t_;
  FixedClock clock_{std::chrono::system_clock::from_time_t(1767600000)};  // 2026-01-05 08:00Z
};

using Actions = std::vector<std::string>;

TEST_P(TrailTest, PersonGivesItsWritesAndReadsNewestFirst) {
  TrailFilter f;
  f.person = kP1;
  EXPECT_EQ(Search(f), (Actions{"read_person", "person.update"}));
  f.source = "audit";
  EXPECT_EQ(Search(f), (Actions{"person.update"}));
}

TEST_P(TrailTest, OfficerCaseActionAndTimeFilters) {
  TrailFilter officer;
  officer.user_id = 1;
  EXPECT_EQ(Search(officer), (Actions{"read_case", "case.approve", "person.update"}));
  TrailFilter c;
  c.case_no = "20261122000001";
  EXPECT_EQ(Search(c), (Actions{"read_case", "case.approve"}));
  TrailFilter action;
  action.action = "person.update";
  EXPECT_EQ(Search(action), (Actions{"person.update", "person.update"}));
  TrailFilter window;
  window.from = "2026-01-05T08:00:02";
  window.before = "2026-01-05T08:00:04";
  EXPECT_EQ(Search(window), (Actions{"person.update", "read_person"}));
}

TEST_P(TrailTest, EntriesCarryOfficerPurposeAndClient) {
  std::vector<TrailEntry> found;
  ASSERT_TRUE(db().Read([&](store::Connection& c) -> Status {
                    TrailFilter f;
                    f.person = kP1;
                    f.source = "access";
                    HUKOU_ASSIGN_OR_RETURN(TrailPage page, SearchTrail(c, f));
                    found = page.entries;
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].user_name, "王强");
  EXPECT_EQ(found[0].police_number, "100002");
  EXPECT_EQ(found[0].unit_name, "西山派出所");
  EXPECT_EQ(found[0].purpose, "核查户籍");
  EXPECT_EQ(found[0].client, "10.0.0.9");
  EXPECT_EQ(found[0].seq, 1);
  EXPECT_EQ(found[0].hash.size(), 64u);
}

TEST_P(TrailTest, BranchScopeKeepsItsStationsPersonsAndOfficers) {
  TrailFilter f;
  f.scope_prefix = "420704";
  // P1's entries (also police2's read of P1), and police1's case entries (by police1's unit);
  // P2's update and police2's login are outside.
  EXPECT_EQ(Search(f), (Actions{"read_case", "case.approve", "read_person", "person.update"}));
  f.scope_prefix = "420705";
  EXPECT_EQ(Search(f), (Actions{"auth.login", "person.update"}));
  f.scope_prefix = "";
  EXPECT_EQ(Search(f).size(), 6u);
}

TEST_P(TrailTest, PagesAreContiguous) {
  TrailFilter f;
  f.limit = 4;
  bool more = false;
  EXPECT_EQ(Search(f, &more),
            (Actions{"auth.login", "read_case", "case.approve", "person.update"}));
  EXPECT_TRUE(more);
  f.offset = 4;
  EXPECT_EQ(Search(f, &more), (Actions{"read_person", "person.update"}));
  EXPECT_FALSE(more);
}

TEST_P(TrailTest, CheckpointSealsEarlierEntriesAndHealthReportsIt) {
  TrailFilter day;  // the entries of the test's day (opening the key store writes its own)
  day.from = "2026-01-05";
  day.before = "2026-01-06";
  std::vector<TrailEntry> before;
  ASSERT_TRUE(db().Read([&](store::Connection& c) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(TrailPage page, SearchTrail(c, day));
                    before = page.entries;
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_FALSE(before[0].checkpoint.has_value());
  auto keys = KeyStore::Open(db(), ServerKey::FromMaterial(std::string(32, '\x5a')));
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  ASSERT_TRUE(WriteCheckpoints(db(), **keys, clock_).ok());
  Audit(1, "person.update", "person", kP1);  // after the checkpoint: not sealed yet
  std::vector<TrailEntry> after;
  std::vector<ChainHealth> health;
  ASSERT_TRUE(db().Read([&](store::Connection& c) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(TrailPage page, SearchTrail(c, day));
                    after = page.entries;
                    HUKOU_ASSIGN_OR_RETURN(health, ChainsHealth(c, 5));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(after.size(), 7u);
  EXPECT_FALSE(after[0].checkpoint.has_value());
  ASSERT_EQ(after[1].action, "auth.login");
  ASSERT_TRUE(after[1].checkpoint.has_value());
  EXPECT_GE(after[1].checkpoint->seq, after[1].seq);
  EXPECT_TRUE(after[1].checkpoint->signature_valid);
  EXPECT_TRUE(after[1].checkpoint->hash_matches);
  ASSERT_EQ(health.size(), 2u);
  EXPECT_EQ(health[0].chain, "audit");
  EXPECT_EQ(health[0].head_seq, after[0].seq);
  EXPECT_EQ(health[0].unsealed, 1);
  ASSERT_EQ(health[0].checkpoints.size(), 1u);
  EXPECT_EQ(health[0].checkpoints[0].seq, after[1].checkpoint->seq);
  EXPECT_EQ(health[0].checkpoints[0].signed_by, "city");
  EXPECT_EQ(health[1].unsealed, 0);

  // A rewritten row at the checkpoint's position shows as a mismatch; a forged signature too.
  Exec("UPDATE audit_log SET hash = 'ff' WHERE seq = " +
       std::to_string(health[0].checkpoints[0].seq));
  Exec("UPDATE audit_checkpoints SET signature = 'AAAA' WHERE chain = 'access'");
  ASSERT_TRUE(db().Read([&](store::Connection& c) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(health, ChainsHealth(c, 5));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_FALSE(health[0].checkpoints[0].hash_matches);
  EXPECT_TRUE(health[0].checkpoints[0].signature_valid);
  EXPECT_FALSE(health[1].checkpoints[0].signature_valid);
}

INSTANTIATE_TEST_SUITE_P(Backends, TrailTest, ::testing::ValuesIn(store::TestDatabase::Backends()),
                         [](const auto& info) { return store::BackendName(info.param); });

}  // namespace
}  // namespace hukou::trust
