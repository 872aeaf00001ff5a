// The audit-trail endpoints through the Router, on SQLite and PostgreSQL: roles, the required
// purpose, the person filter, branch scope and the search's own access-log entry.
#include <gtest/gtest.h>

#include "codes/id_number.h"
#include "http/app.h"
#include "org/auth.h"
#include "org/units.h"
#include "org/users.h"
#include "registry/access_log.h"
#include "registry/household.h"
#include "registry/person.h"
#include "store/test_database.h"

namespace hukou::http {
namespace {

using nlohmann::json;

constexpr char kStation[] = "420704510000";  // 凤凰派出所, 鄂城区分局 420704

class AuditHandlersTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    auto t = store::TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.error().message;
    t_ = std::move(*t);
    org::Actor system = org::Actor::System();
    Status s = db().Transact([&](store::Connection& c) -> Status {
      HUKOU_RETURN_IF_ERROR(org::SeedUnits(c, "ezhou", clock_));
      for (auto [login, role, unit] : {std::tuple{"police1", "police", kStation},
                                       {"super1", "supervisor", "420700000000"},
                                       {"super2", "supervisor", "420703000000"},
                                       {"admin1", "admin", "420700000000"}}) {
        HUKOU_RETURN_IF_ERROR(
            org::CreateUser(c, {login, "password123", std::string("用户") + login, role, unit, ""},
                            system, clock_)
                .status());
      }
      registry::Address a;
      a.division_code = "420704";
      a.township_code = "420704001";
      a.community_code = "420704001001";
      a.street = "文星路";
      a.house_number = "12号";
      a.station_code = kStation;
      HUKOU_ASSIGN_OR_RETURN(registry::Address addr, registry::CreateAddress(c, a, system, clock_));
      HUKOU_ASSIGN_OR_RETURN(registry::Household h,
                             registry::CreateHousehold(c, "family", addr.id, system, clock_));
      registry::NewPerson p;
      id_number_ = codes::ComposeIdNumber("420704", Date{1990, 5, 1}, 123);
      p.id_number = id_number_;
      p.name = "王五";
      p.ethnicity = "01";
      p.household_id = h.id;
      p.relation_to_head = "02";
      return registry::RegisterPerson(c, p, system, clock_).status();
    });
    ASSERT_TRUE(s.ok()) << s.error().message;
    access_log_ = std::make_unique<registry::AccessLog>(db(), clock_);
    app_.db = &db();
    app_.clock = &clock_;
    app_.access_log = access_log_.get();
    RegisterRegistryRoutes(router_, app_);
    RegisterAuditRoutes(router_, app_);
  }
  void TearDown() override { access_log_.reset(); }
  store::Database& db() { return t_->db(); }

  Response Get(const std::string& target, const std::string& login) {
    auto token = org::Login(db(), login, "password123", "test", clock_);
    EXPECT_TRUE(token.ok());
    Request req;
    req.method = "GET";
    EXPECT_TRUE(ParseTarget(target, req).ok());
    req.headers["cookie"] = std::string(kSessionCookie) + "=" + (token.ok() ? token->token : "");
    req.remote = "192.0.2.7";
    return Settle(router_.Dispatch(req));
  }
  json Body(const Response& r) { return json::parse(r.body); }

  FixedClock clock_{std::chrono::system_clock::time_point(
      std::chrono::hours(24 * Date{2026, 1, 5}.ToDays() + 4))};
  std::unique_ptr<store::TestDatabase> t_;
  std::unique_ptr<registry::AccessLog> access_log_;
  App app_;
  Router router_;
  std::string id_number_;
};

TEST_P(AuditHandlersTest, SupervisorFindsReadsAndTheSearchIsLogged) {
  clock_.Set(clock_.Now() + std::chrono::minutes(5));  // the read after the registration
  ASSERT_EQ(Get("/api/v1/persons/" + id_number_ + "?purpose=%E6%A0%B8%E6%9F%A5", "police1").status,
            200);
  EXPECT_EQ(Get("/api/v1/audit?person=" + id_number_ + "&purpose=x", "police1").status, 403);
  Response missing = Get("/api/v1/audit?person=" + id_number_, "super1");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(Body(missing)["error"]["code"], "request.purpose");

  Response found = Get("/api/v1/audit?person=" + id_number_ + "&purpose=first", "super1");
  ASSERT_EQ(found.status, 200) << found.body;
  json items = Body(found)["items"];
  ASSERT_EQ(items.size(), 2u);  // police1's read, then the system's registration
  EXPECT_EQ(items[0]["action"], "read_person");
  EXPECT_EQ(items[0]["officer"]["login"], "police1");
  EXPECT_EQ(items[0]["purpose"], "核查");
  EXPECT_EQ(items[0]["client"], "192.0.2.7");
  EXPECT_EQ(items[0]["object"], codes::MaskIdNumber(id_number_));
  EXPECT_EQ(items[1]["action"], "person.register");
  EXPECT_TRUE(items[1]["officer"].is_null());

  // The first search is now in the trail under the person, with its purpose; admin may search.
  Response again =
      Get("/api/v1/audit?person=" + id_number_ + "&action=search_audit&purpose=second", "admin1");
  ASSERT_EQ(again.status, 200) << again.body;
  items = Body(again)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["officer"]["login"], "super1");
  EXPECT_EQ(items[0]["purpose"], "first");
}

TEST_P(AuditHandlersTest, BranchSupervisorStaysInItsBranch) {
  ASSERT_EQ(Get("/api/v1/persons/" + id_number_, "police1").status, 200);
  Response outside = Get("/api/v1/audit?person=" + id_number_ + "&purpose=x", "super2");
  EXPECT_EQ(outside.status, 403);
  EXPECT_EQ(Body(outside)["error"]["code"], "scope.outside");
  Response officer = Get("/api/v1/audit?officer=police1&purpose=x", "super2");
  ASSERT_EQ(officer.status, 200);
  EXPECT_TRUE(Body(officer)["items"].empty());
  Response city = Get("/api/v1/audit?officer=police1&purpose=x", "super1");
  EXPECT_FALSE(Body(city)["items"].empty());
}

TEST_P(AuditHandlersTest, VerifyStatusListsBothChains) {
  Response r = Get("/api/v1/audit/verify-status", "super1");
  ASSERT_EQ(r.status, 200);
  json chains = Body(r)["chains"];
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_EQ(chains[0]["chain"], "audit");
  EXPECT_GT(chains[0]["head_seq"].get<int64_t>(), 0);
  EXPECT_EQ(Get("/api/v1/audit/verify-status", "police1").status, 403);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditHandlersTest,
                         ::testing::ValuesIn(store::TestDatabase::Backends()),
                         [](const auto& info) { return store::BackendName(info.param); });

}  // namespace
}  // namespace hukou::http
