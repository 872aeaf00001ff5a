// The registry endpoints end to end through the Router, on a temporary SQLite database.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "codes/id_number.h"
#include "http/app.h"
#include "org/auth.h"
#include "org/units.h"
#include "org/users.h"
#include "registry/access_log.h"
#include "registry/household.h"
#include "registry/person.h"

namespace hukou::http {
namespace {

using nlohmann::json;

constexpr char kStation[] = "420704510000";  // 凤凰派出所
constexpr char kOtherStation[] = "420704520000";

class RegistryHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("hukou_reg_http_" + std::to_string(std::random_device{}()) + ".db"))
                .string();
    auto db = store::Database::Open("sqlite:" + path_);
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Migrate().ok());
    org::Actor system = org::Actor::System();
    Status s = db_->Transact([&](store::Connection& c) -> Status {
      HUKOU_RETURN_IF_ERROR(org::SeedUnits(c, "ezhou", clock_));
      for (auto [login, role, unit] : {std::tuple{"police1", "police", kStation},
                                       {"police2", "police", kOtherStation},
                                       {"aux1", "auxiliary", kStation},
                                       {"admin1", "admin", "420700000000"},
                                       {"super1", "supervisor", "420700000000"}}) {
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
      HUKOU_ASSIGN_OR_RETURN(household_,
                             registry::CreateHousehold(c, "family", addr.id, system, clock_));
      registry::NewPerson p;
      id_number_ = codes::ComposeIdNumber("420704", Date{1990, 5, 1}, 123);
      p.id_number = id_number_;
      p.name = "王𠀾";
      p.ethnicity = "01";
      p.household_id = household_.id;
      p.relation_to_head = "02";
      HUKOU_ASSIGN_OR_RETURN(registry::Person person,
                             registry::RegisterPerson(c, p, system, clock_));
      person_id_ = person.id;
      return Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.error().message;
    access_log_ = std::make_unique<registry::AccessLog>(*db_, clock_);
    app_.db = db_.get();
    app_.clock = &clock_;
    app_.access_log = access_log_.get();
    RegisterRegistryRoutes(router_, app_);
  }

  void TearDown() override {
    access_log_.reset();
    db_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }

  std::string Token(const std::string& login) {
    auto r = org::Login(*db_, login, "password123", "test", clock_);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->token : "";
  }

  Response Call(const std::string& method, const std::string& target, const std::string& login,
                const std::string& body = "") {
    Request req;
    req.method = method;
    EXPECT_TRUE(ParseTarget(target, req).ok());
    if (!login.empty()) req.headers["cookie"] = std::string(kSessionCookie) + "=" + Token(login);
    req.body = body;
    req.remote = "192.0.2.1";
    return Settle(router_.Dispatch(req));
  }

  int64_t AccessRows() {
    int64_t n = -1;
    (void)db_->Read([&](store::Connection& c) -> Status {
      HUKOU_ASSIGN_OR_RETURN(store::Rows r, c.Query("SELECT COUNT(*) FROM access_log"));
      n = r.Int(0, 0);
      return Status::Ok();
    });
    return n;
  }

  FixedClock clock_{std::chrono::system_clock::time_point(
      std::chrono::hours(24 * Date{2024, 6, 1}.ToDays() + 4))};
  std::string path_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<registry::AccessLog> access_log_;
  App app_;
  Router router_;
  registry::Household household_;
  std::string id_number_;
  int64_t person_id_ = 0;
};

TEST_F(RegistryHandlersTest, ReadPersonLogsAccessAndChecksRoleAndScope) {
  EXPECT_EQ(Call("GET", "/api/v1/persons/" + id_number_, "").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/persons/" + id_number_, "admin1").status, 403);
  Response outside = Call("GET", "/api/v1/persons/" + id_number_, "police2");
  EXPECT_EQ(outside.status, 403);
  EXPECT_EQ(json::parse(outside.body)["error"]["code"], "scope.outside");

  const int64_t before = AccessRows();
  Response ok =
      Call("GET", "/api/v1/persons/" + id_number_ + "?purpose=%E6%A0%B8%E6%9F%A5", "police1");
  ASSERT_EQ(ok.status, 200) << ok.body;
  json p = json::parse(ok.body);
  EXPECT_EQ(p["name"], "王𠀾");
  EXPECT_EQ(p["id_number"], id_number_);
  EXPECT_EQ(p["sex_name"], "男");
  EXPECT_EQ(p["household"]["number"], household_.household_number);
  EXPECT_EQ(p["station_name"], "凤凰派出所");
  EXPECT_TRUE(p["missing_items"].is_array());
  EXPECT_FALSE(p["missing_items"].empty());
  EXPECT_EQ(AccessRows(), before + 1);

  Response by_id = Call("GET", "/api/v1/persons/" + std::to_string(person_id_), "police1");
  EXPECT_EQ(by_id.status, 200);
  Response bad_param = Call("GET", "/api/v1/persons/" + id_number_ + "?foo=1", "police1");
  EXPECT_EQ(bad_param.status, 400);
  EXPECT_EQ(json::parse(bad_param.body)["error"]["field"], "foo");
  EXPECT_EQ(Call("GET", "/api/v1/persons/" + id_number_ + "?as_of=2024-13-01", "police1").status,
            400);
}

TEST_F(RegistryHandlersTest, SearchReturnsMaskedSummaries) {
  Response r = Call("GET", "/api/v1/persons?name=%E7%8E%8B%F0%A0%80%BE", "police1");
  ASSERT_EQ(r.status, 200) << r.body;
  json body = json::parse(r.body);
  EXPECT_EQ(body["total"], 1);
  EXPECT_EQ(body["page"], 1);
  EXPECT_EQ(body["items"][0]["id_number_masked"], codes::MaskIdNumber(id_number_));
  EXPECT_FALSE(body["items"][0].contains("id_number"));
  EXPECT_EQ(Call("GET", "/api/v1/persons?name=%E7%8E%8B%F0%A0%80%BE", "police2").status, 200);
  EXPECT_EQ(json::parse(
                Call("GET", "/api/v1/persons?name=%E7%8E%8B%F0%A0%80%BE", "police2").body)["total"],
            0);
  EXPECT_EQ(Call("GET", "/api/v1/persons", "police1").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/persons?status=dead", "police1").status, 400);
}

TEST_F(RegistryHandlersTest, PatchChangesAuxiliaryItemsOnly) {
  const std::string url = "/api/v1/persons/" + id_number_;
  EXPECT_EQ(Call("PATCH", url, "aux1", R"({"phone":"13800000000","reason":"核实"})").status, 403);
  EXPECT_EQ(Call("PATCH", url, "police1", R"({"phone":"13800000000"})").status, 400);
  Response name = Call("PATCH", url, "police1", R"({"name":"王五","reason":"核实"})");
  EXPECT_EQ(name.status, 400);
  EXPECT_EQ(json::parse(name.body)["error"]["field"], "name");
  Response ok = Call("PATCH", url, "police1",
                     R"({"phone":"13800000000","father":{"name":"王大"},"reason":"入户核实"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::parse(ok.body)["phone"], "13800000000");
  EXPECT_EQ(json::parse(ok.body)["father"]["name"], "王大");
  Response history = Call("GET", url + "/history", "police1");
  ASSERT_EQ(history.status, 200);
  json items = json::parse(history.body)["items"];
  bool phone = false;
  for (const json& c : items) {
    if (c["field"] == "phone") {
      phone = true;
      EXPECT_EQ(c["field_name"], "联系电话");
      EXPECT_EQ(c["new_value"], "13800000000");
      EXPECT_EQ(c["operator"]["name"], "用户police1");
    }
  }
  EXPECT_TRUE(phone);
  Response stale =
      Call("PATCH", url, "police1", R"({"phone":"13900000000","version":1,"reason":"x"})");
  EXPECT_EQ(stale.status, 409);
}

TEST_F(RegistryHandlersTest, HouseholdsAddressesAndAccessLog) {
  Response h = Call("GET", "/api/v1/households/" + household_.household_number, "police1");
  ASSERT_EQ(h.status, 200) << h.body;
  json body = json::parse(h.body);
  EXPECT_EQ(body["members"].size(), 1u);
  EXPECT_EQ(body["members"][0]["relation_name"], "户主");
  EXPECT_EQ(body["kind_name"], "家庭户");
  Response list =
      Call("GET", "/api/v1/households?household_number=" + household_.household_number, "police1");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(json::parse(list.body)["items"][0]["member_count"], 1);
  Response addresses = Call("GET", "/api/v1/addresses?community_code=420704001001", "police1");
  ASSERT_EQ(addresses.status, 200) << addresses.body;
  EXPECT_EQ(json::parse(addresses.body)["items"][0]["household_numbers"][0],
            household_.household_number);
  Response tree = Call("GET", "/api/v1/addresses/tree", "police1");
  ASSERT_EQ(tree.status, 200);
  EXPECT_EQ(json::parse(tree.body)["items"][0]["code"], "420704");

  ASSERT_EQ(Call("GET", "/api/v1/persons/" + id_number_, "police1").status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/persons/" + id_number_ + "/access-log", "police1").status, 403);
  Response log = Call("GET", "/api/v1/persons/" + id_number_ + "/access-log", "super1");
  ASSERT_EQ(log.status, 200) << log.body;
  json entries = json::parse(log.body)["items"];
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries[0]["client"], "192.0.2.1");
  EXPECT_EQ(entries[0]["user"]["login"], "police1");
  EXPECT_EQ(entries[0]["action"], "read_person");
}

}  // namespace
}  // namespace hukou::http
