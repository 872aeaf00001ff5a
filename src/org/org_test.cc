#include <gtest/gtest.h>

#include <chrono>

#include "org/actor.h"
#include "org/auth.h"
#include "org/units.h"
#include "org/users.h"
#include "store/test_database.h"

namespace hukou::org {
namespace {

TEST(RoleTest, NamesRoundTripAndUnknownIsValidationError) {
  for (auto name : {"window_clerk", "police", "auxiliary", "station_chief", "branch_approver",
                    "city_approver", "supervisor", "community_worker", "admin"}) {
    auto role = ParseRole(name);
    ASSERT_TRUE(role.ok()) << name;
    EXPECT_EQ(RoleName(*role), name);
    EXPECT_FALSE(RoleTitle(*role).empty());
  }
  auto bad = ParseRole("sheriff");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "user.role");
  EXPECT_EQ(bad.error().kind, ErrorKind::kValidation);
}

TEST(RoleTest, AuxiliaryStaffCannotDoPoliceOnlyActs) {
  EXPECT_FALSE(CanEditRegistry(Role::kAuxiliary));
  EXPECT_FALSE(CanEditRegistry(Role::kWindowClerk));
  EXPECT_FALSE(CanEditRegistry(Role::kCommunityWorker));
  EXPECT_TRUE(CanEditRegistry(Role::kPolice));
  EXPECT_FALSE(CanReadPersons(Role::kAdmin));
  EXPECT_TRUE(CanSeeAccessLog(Role::kSupervisor));
  EXPECT_FALSE(CanSeeAccessLog(Role::kPolice));
}

TEST(ScopeTest, PrefixDecidesJurisdiction) {
  Actor station;
  station.scope_prefix = "420704510000";
  Actor branch;
  branch.scope_prefix = "420704";
  Actor city;
  city.scope_prefix = "4207";
  EXPECT_TRUE(station.InScope("420704510000"));
  EXPECT_FALSE(station.InScope("420704520000"));
  EXPECT_TRUE(branch.InScope("420704520000"));
  EXPECT_FALSE(branch.InScope("420703510000"));
  EXPECT_TRUE(city.InScope("420703510000"));
  EXPECT_FALSE(city.InScope("150602510000"));
  Status s = CheckScope(station, "420703510000");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "scope.outside");
  EXPECT_EQ(s.error().kind, ErrorKind::kForbidden);
}

TEST(PasswordTest, Argon2idHashVerifies) {
  const std::string h = HashPassword("correct horse");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u) << h;
  EXPECT_TRUE(VerifyPassword(h, "correct horse"));
  EXPECT_FALSE(VerifyPassword(h, "correct horse "));
  EXPECT_NE(HashPassword("correct horse"), h) << "salt must differ";
}

class OrgDbTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    auto t = store::TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.error().message;
    test_db_ = std::move(*t);
    db_ = &test_db_->db();
    ASSERT_TRUE(
        db_->Transact([&](store::Connection& c) { return SeedUnits(c, "ezhou", clock_); }).ok());
  }
  std::string FirstStation() {
    std::string code;
    EXPECT_TRUE(db_->Read([&](store::Connection& c) -> Status {
                     HUKOU_ASSIGN_OR_RETURN(auto units, ListUnits(c));
                     for (const Unit& u : units) {
                       if (u.kind == "station" && code.empty()) code = u.code;
                     }
                     return Status::Ok();
                   })
                    .ok());
    return code;
  }
  Result<User> Create(const NewUser& nu) {
    Result<User> out = InternalError("x", "");
    Status s = db_->Transact([&](store::Connection& c) -> Status {
      out = CreateUser(c, nu, Actor::System(), clock_);
      return out.status();
    });
    if (!s.ok()) return s.error();
    return out;
  }
  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](store::Connection& c) -> Status {
                     HUKOU_ASSIGN_OR_RETURN(auto rows, c.Query(sql));
                     n = rows.Int(0, 0);
                     return Status::Ok();
                   })
                    .ok());
    return n;
  }

  std::unique_ptr<store::TestDatabase> test_db_;
  store::Database* db_ = nullptr;
  FixedClock clock_{std::chrono::system_clock::from_time_t(1795000000)};
};

TEST_P(OrgDbTest, SeedUnitsBuildsAHierarchyWithScopes) {
  std::vector<Unit> units;
  ASSERT_TRUE(db_->Read([&](store::Connection& c) -> Status {
                   HUKOU_ASSIGN_OR_RETURN(units, ListUnits(c));
                   return Status::Ok();
                 })
                  .ok());
  ASSERT_FALSE(units.empty());
  int cities = 0;
  for (const Unit& u : units) {
    if (u.kind == "city") ++cities;
    if (!u.parent_code.empty()) {
      auto parent = std::find_if(units.begin(), units.end(),
                                 [&](const Unit& p) { return p.code == u.parent_code; });
      ASSERT_NE(parent, units.end()) << u.code;
      // A unit's scope lies inside its parent's.
      EXPECT_EQ(u.scope_prefix.rfind(parent->scope_prefix, 0), 0u) << u.code;
    }
  }
  EXPECT_EQ(cities, 1);
  // Seeding twice is harmless.
  EXPECT_TRUE(
      db_->Transact([&](store::Connection& c) { return SeedUnits(c, "ezhou", clock_); }).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM units"), static_cast<int64_t>(units.size()));
}

TEST_P(OrgDbTest, CreateUserValidatesAndAudits) {
  const std::string station = FirstStation();
  ASSERT_FALSE(station.empty());
  auto bad_login = Create({"x", "password1", "张三", "police", station, ""});
  ASSERT_FALSE(bad_login.ok());
  EXPECT_EQ(bad_login.error().field, "login");
  auto short_pw = Create({"zhang3", "short", "张三", "police", station, ""});
  ASSERT_FALSE(short_pw.ok());
  EXPECT_EQ(short_pw.error().code, "user.password");
  auto bad_unit = Create({"zhang3", "password1", "张三", "police", "999999999999", ""});
  ASSERT_FALSE(bad_unit.ok());
  EXPECT_EQ(bad_unit.error().code, "user.unit");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), 0);

  auto ok = Create({"zhang3", "password1", "张三", "police", station, "100001"});
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->role, Role::kPolice);
  EXPECT_FALSE(ok->unit_name.empty());
  auto dup = Create({"zhang3", "password2", "张三丰", "police", station, ""});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "user.login_taken");
  EXPECT_EQ(dup.error().kind, ErrorKind::kConflict);
  auto same_badge = Create({"li4", "password2", "李四", "police", station, "100001"});
  ASSERT_FALSE(same_badge.ok());
  EXPECT_EQ(same_badge.error().code, "user.police_number_taken");
  EXPECT_EQ(same_badge.error().field, "police_number");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.create'"), 1);
}

TEST_P(OrgDbTest, LoginAuthenticateLogout) {
  const std::string station = FirstStation();
  ASSERT_TRUE(Create({"police9", "password9", "李四", "police", station, ""}).ok());

  auto wrong = Login(*db_, "police9", "nope", "127.0.0.1", clock_);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "auth.invalid_credentials");
  auto unknown = Login(*db_, "nobody", "password9", "127.0.0.1", clock_);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, wrong.error().message);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed'"), 2);

  auto ok = Login(*db_, "police9", "password9", "127.0.0.1", clock_);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->token.size(), 64u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sessions WHERE token_hash = '" + ok->token + "'"), 0)
      << "the raw token must not be stored";

  auto actor = Authenticate(*db_, ok->token, clock_);
  ASSERT_TRUE(actor.ok()) << actor.error().message;
  EXPECT_EQ(actor->login, "police9");
  EXPECT_EQ(actor->role, Role::kPolice);
  EXPECT_TRUE(actor->InScope(station));

  // Expired after 12 hours.
  FixedClock later(clock_.Now() + std::chrono::hours(13));
  EXPECT_FALSE(Authenticate(*db_, ok->token, later).ok());

  ASSERT_TRUE(Logout(*db_, ok->token, clock_).ok());
  auto after = Authenticate(*db_, ok->token, clock_);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().kind, ErrorKind::kUnauthenticated);
  EXPECT_FALSE(Authenticate(*db_, "", clock_).ok());
}

TEST_P(OrgDbTest, SessionCacheTrustsAnEntryOnlyForItsTtlAndTheSessionsLife) {
  const std::string station = FirstStation();
  ASSERT_TRUE(Create({"police8", "password8", "王五", "police", station, ""}).ok());
  auto a = Login(*db_, "police8", "password8", "127.0.0.1", clock_);
  auto b = Login(*db_, "police8", "password8", "127.0.0.1", clock_);
  ASSERT_TRUE(a.ok() && b.ok());
  SessionCache cache(std::chrono::seconds(5));

  auto first = cache.Authenticate(*db_, a->token, clock_);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->login, "police8");
  EXPECT_EQ(first->scope_prefix, Authenticate(*db_, a->token, clock_)->scope_prefix);
  EXPECT_FALSE(cache.Authenticate(*db_, "", clock_).ok());
  EXPECT_FALSE(cache.Authenticate(*db_, std::string(64, '0'), clock_).ok());

  // A logout through the cache ends the session at once.
  ASSERT_TRUE(cache.Logout(*db_, a->token, clock_).ok());
  EXPECT_EQ(cache.Authenticate(*db_, a->token, clock_).error().code, "auth.required");

  // A logout elsewhere (another server process) is seen once the entry's ttl has passed.
  ASSERT_TRUE(cache.Authenticate(*db_, b->token, clock_).ok());
  ASSERT_TRUE(Logout(*db_, b->token, clock_).ok());
  EXPECT_TRUE(cache.Authenticate(*db_, b->token, clock_).ok()) << "still fresh in the cache";
  FixedClock later(clock_.Now() + std::chrono::seconds(6));
  EXPECT_FALSE(cache.Authenticate(*db_, b->token, later).ok());

  // Never past the session's own expiry, however fresh the entry.
  auto c = Login(*db_, "police8", "password8", "127.0.0.1", clock_);
  ASSERT_TRUE(c.ok());
  SessionCache long_lived(std::chrono::hours(100));
  FixedClock almost(clock_.Now() + std::chrono::hours(12) - std::chrono::seconds(1));
  ASSERT_TRUE(long_lived.Authenticate(*db_, c->token, almost).ok());
  FixedClock expired(clock_.Now() + std::chrono::hours(12) + std::chrono::seconds(1));
  EXPECT_FALSE(long_lived.Authenticate(*db_, c->token, expired).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, OrgDbTest, ::testing::ValuesIn(store::TestDatabase::Backends()),
                         [](const auto& info) { return store::BackendName(info.param); });

}  // namespace
}  // namespace hukou::org
