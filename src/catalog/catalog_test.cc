// Catalogue tests: the item rules without a database, the shipped catalogue's coverage, and
// storage on real databases (SQLite always, PostgreSQL when HUKOU_TEST_PG_URL is set).
#include "catalog/catalog.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>

#include "store/test_database.h"

namespace hukou::catalog {
namespace {

Item Simple() {
  Item item;
  item.code = "HK9901";
  item.name = "测试事项";
  item.major_category = "户口簿";
  item.minor_category = "测试";
  item.materials = {{"id_card", "居民身份证", "data_sharing", true, true, ""},
                    {"form", "申请表", "form", true, false, ""}};
  item.chain = {{"accept", "station", "police", 1}, {"approve", "station", "station_chief", 2}};
  item.time_limit_days = 3;
  item.effect = "document";
  return item;
}

std::string FieldOf(const Item& item) {
  Status s = ValidateItem(item);
  return s.ok() ? "ok" : s.error().field;
}

TEST(ValidateItemTest, AcceptsASoundItemAndNamesTheBadField) {
  EXPECT_EQ(FieldOf(Simple()), "ok");
  Item i = Simple();
  i.major_category = "其他";
  EXPECT_EQ(FieldOf(i), "major_category");
  i = Simple();
  i.code = "HK 01";
  EXPECT_EQ(FieldOf(i), "code");
  i = Simple();
  i.materials[1].code = "id_card";
  EXPECT_EQ(FieldOf(i), "materials[1].code");
  i = Simple();
  i.materials[0].capture = "scan";  // system_verified needs data_sharing
  EXPECT_EQ(FieldOf(i), "materials[0].system_verified");
  i = Simple();
  i.chain.clear();
  EXPECT_EQ(FieldOf(i), "chain");
  i.chain = {{"accept", "station", "police", 1}};  // acceptance alone never approves
  EXPECT_EQ(FieldOf(i), "chain");
  i = Simple();
  i.chain[0].action = "review";
  EXPECT_EQ(FieldOf(i), "chain[0].action");
  i = Simple();
  i.chain[1].role = "branch_approver";  // not a station role
  EXPECT_EQ(FieldOf(i), "chain[1].role");
  i = Simple();
  i.chain[1].action = "review";  // the last step must approve
  EXPECT_EQ(FieldOf(i), "chain[1].action");
  i = Simple();
  i.time_limit_days = 2;  // below the sum 3 of the steps
  EXPECT_EQ(FieldOf(i), "time_limit_days");
  i = Simple();
  i.time_limit_days = 21;
  EXPECT_EQ(FieldOf(i), "time_limit_days");
  i = Simple();
  i.effect = "teleport";
  EXPECT_EQ(FieldOf(i), "effect");
  i = Simple();
  i.effect = "cancel";
  i.effect_param = "99";
  EXPECT_EQ(FieldOf(i), "effect_param");
  i.effect_param = "30";
  EXPECT_EQ(FieldOf(i), "ok");
  i = Simple();
  i.effect = "change_main";
  i.effect_param = "height";
  EXPECT_EQ(FieldOf(i), "effect_param");
  i = Simple();
  i.chain = {{"accept", "station", "police", 1},
             {"approve", "branch", "branch_approver", 1},
             {"approve", "station", "station_chief", 1}};
  EXPECT_EQ(FieldOf(i), "chain[2].level");
}

// 成年人变更姓名 as shipped: station 1 + 14 days, branch 5.
Item NameChange() {
  Item item = Simple();
  item.code = "HK9902";
  item.major_category = "主项变更更正";
  item.chain = {{"accept", "station", "police", 1},
                {"review", "station", "station_chief", 14},
                {"approve", "branch", "branch_approver", 5}};
  item.time_limit_days = 20;
  item.effect = "change_main";
  item.effect_param = "name";
  return item;
}

std::string CodeOf(const Item& item) {
  Status s = ValidateItem(item);
  return s.ok() ? "ok" : s.error().code;
}

TEST(ValidateItemTest, MainItemChangesKeepTheStationAndBranchLimits) {
  Item i = NameChange();
  ASSERT_EQ(FieldOf(i), "ok");
  i.chain[1].time_limit_days = 15;  // station 16 days, total still within 20 with a 4-day branch
  i.chain[2].time_limit_days = 4;
  EXPECT_EQ(CodeOf(i), "catalog.main_change_station_limit");
  EXPECT_EQ(FieldOf(i), "chain[1].time_limit_days");
  EXPECT_NE(ValidateItem(i).error().message.find("15"), std::string::npos);
  i = NameChange();
  i.chain[1].time_limit_days = 9;
  i.chain[2].time_limit_days = 6;  // branch 6 days
  EXPECT_EQ(CodeOf(i), "catalog.main_change_branch_limit");
  EXPECT_EQ(FieldOf(i), "chain[2].time_limit_days");
  i = NameChange();  // two branch steps of 3: 6 together
  i.chain = {{"accept", "station", "police", 1},
             {"review", "station", "station_chief", 5},
             {"review", "branch", "branch_approver", 3},
             {"approve", "branch", "branch_approver", 3}};
  EXPECT_EQ(CodeOf(i), "catalog.main_change_branch_limit");
  EXPECT_EQ(FieldOf(i), "chain[3].time_limit_days");
  i = Simple();  // other items are not bound by the main-change limits
  i.chain = {{"accept", "station", "police", 1}, {"approve", "station", "station_chief", 16}};
  i.time_limit_days = 17;
  EXPECT_EQ(FieldOf(i), "ok");
  i = NameChange();  // the total stays ≤ 20 whatever the levels
  i.time_limit_days = 21;
  EXPECT_EQ(CodeOf(i), "catalog.time_limit");
}

TEST(ValidateItemTest, SexAndEthnicityChangesNeedTheCity) {
  for (const char* field : {"sex", "ethnicity"}) {
    Item i = NameChange();
    i.effect_param = field;
    EXPECT_EQ(CodeOf(i), "catalog.city_approval_required") << field;
    EXPECT_EQ(FieldOf(i), "chain") << field;
    EXPECT_NE(ValidateItem(i).error().message.find("市局"), std::string::npos);
    i.chain = {{"accept", "station", "police", 1},
               {"review", "station", "station_chief", 9},
               {"review", "branch", "branch_approver", 5},
               {"approve", "city", "city_approver", 5}};
    EXPECT_EQ(FieldOf(i), "ok") << field;
  }
  Item i = NameChange();
  i.effect_param = "birth_date";
  EXPECT_EQ(FieldOf(i), "ok") << "a birth-date correction is decided at the branch";
}

TEST(ItemJsonTest, RoundTripsAndReportsTypeErrors) {
  Item item = Simple();
  item.handling_mode = HandlingMode::kRegistrationPlace;
  item.fee_fen = 1050;
  item.national_check = true;
  Result<Item> back = ItemFromJson(ItemToJson(item));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->handling_mode, HandlingMode::kRegistrationPlace);
  EXPECT_EQ(back->fee_fen, 1050);
  EXPECT_TRUE(back->national_check);
  ASSERT_EQ(back->materials.size(), 2u);
  EXPECT_TRUE(back->materials[0].system_verified);
  ASSERT_EQ(back->chain.size(), 2u);
  EXPECT_EQ(back->chain[1].role, "station_chief");
  EXPECT_NE(ItemToJson(item).find("\"fee\":\"10.50 元\""), std::string::npos);

  auto bad = ItemFromJson(R"({"code":"HK1","time_limit_days":"ten"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "time_limit_days");
  auto bad_step = ItemFromJson(R"({"chain":[{"action":"accept","time_limit_days":true}]})");
  ASSERT_FALSE(bad_step.ok());
  EXPECT_EQ(bad_step.error().field, "chain[0].time_limit_days");
  EXPECT_EQ(ItemFromJson("{").error().code, "catalog.json");
  EXPECT_EQ(ItemFromJson(R"({"handling_mode":"anywhere"})").error().field, "handling_mode");
}

class CatalogDbTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    auto t = store::TestDatabase::Create(GetParam());
    ASSERT_TRUE(t.ok()) << t.error().message;
    test_db_ = std::move(*t);
    db_ = &test_db_->db();
    admin_.user_id = 7;
    admin_.role = org::Role::kAdmin;
    police_.user_id = 8;
    police_.role = org::Role::kPolice;
  }
  int Load() {
    int n = -1;
    EXPECT_TRUE(db_->Transact([&](store::Connection& c) -> Status {
                     HUKOU_ASSIGN_OR_RETURN(n, LoadShippedCatalog(c, clock_));
                     return Status::Ok();
                   })
                    .ok());
    return n;
  }
  std::vector<Item> List(bool include_inactive = false) {
    std::vector<Item> items;
    EXPECT_TRUE(db_->Read([&](store::Connection& c) -> Status {
                     HUKOU_ASSIGN_OR_RETURN(items, ListItems(c, include_inactive));
                     return Status::Ok();
                   })
                    .ok());
    return items;
  }
  Result<Item> Save(const Item& item, const org::Actor& actor) {
    Result<Item> out = InternalError("x", "");
    Status s = db_->Transact([&](store::Connection& c) -> Status {
      out = SaveItem(c, item, actor, clock_);
      return out.status();
    });
    if (!s.ok()) return s.error();
    return out;
  }
  Result<Item> Get(const std::string& code, std::optional<int> version = std::nullopt) {
    Result<Item> out = InternalError("x", "");
    EXPECT_TRUE(db_->Read([&](store::Connection& c) -> Status {
                     out = GetItem(c, code, version);
                     return Status::Ok();
                   })
                    .ok());
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
  org::Actor admin_;
  org::Actor police_;
};

TEST_P(CatalogDbTest, ShippedCatalogueIsCompleteAndValid) {
  const int loaded = Load();
  EXPECT_GE(loaded, 56);
  EXPECT_EQ(Load(), 0) << "loading again inserts nothing";
  std::vector<Item> items = List();
  ASSERT_EQ(static_cast<int>(items.size()), loaded);
  std::set<std::string> categories;
  std::map<std::string, int> effects;
  std::set<std::string> main_fields;
  std::set<std::string> cancel_reasons;
  std::set<std::string> household_kinds;
  for (const Item& item : items) {
    SCOPED_TRACE(item.code);
    EXPECT_TRUE(ValidateItem(item).ok()) << ValidateItem(item).error().message;
    EXPECT_EQ(item.version, 1);
    EXPECT_FALSE(item.legal_basis.empty());
    EXPECT_FALSE(item.conditions.empty());
    EXPECT_FALSE(item.materials.empty());
    categories.insert(item.major_category);
    ++effects[item.effect];
    if (item.effect == "change_main") {
      main_fields.insert(item.effect_param);
      // B4: station within 15 working days, branch within 5; sex and ethnicity up to the city.
      int station = 0;
      int branch = 0;
      for (const ApprovalStep& s : item.chain) {
        if (s.level == "station") station += s.time_limit_days;
        if (s.level == "branch") branch += s.time_limit_days;
      }
      EXPECT_LE(station, 15);
      EXPECT_LE(branch, 5);
      EXPECT_EQ(item.chain.back().level == "city",
                item.effect_param == "sex" || item.effect_param == "ethnicity");
    }
    if (item.effect == "cancel") cancel_reasons.insert(item.effect_param);
    if (item.effect == "household_create") household_kinds.insert(item.effect_param);
    // B10: national check and biometrics for in-migration from outside the city, restoration,
    // supplementary and no-hukou registration.
    const bool from_outside = (item.effect == "migrate_in" && item.effect_param != "within_city") ||
                              item.effect == "restore" || item.effect == "register";
    EXPECT_EQ(item.national_check, from_outside);
    EXPECT_EQ(item.biometrics, from_outside);
    // B3: migration in goes to the destination; splits, new households, rural migration and
    // items needing investigation to the registration place.
    if (item.effect == "migrate_in") {
      EXPECT_EQ(item.handling_mode, HandlingMode::kDestination);
    }
    if (item.effect == "household_split" || item.effect == "household_create" ||
        item.effect_param == "rural" || item.effect == "restore" || item.effect == "register") {
      EXPECT_EQ(item.handling_mode, HandlingMode::kRegistrationPlace);
    }
  }
  EXPECT_EQ(categories.size(), 14u);
  EXPECT_EQ(categories, std::set<std::string>(MajorCategories().begin(), MajorCategories().end()));
  for (const char* effect : {"birth", "death", "cancel", "migrate_in", "migrate_out", "restore",
                             "register", "change_main", "change_aux", "household_split",
                             "household_create", "household_head", "document"}) {
    EXPECT_GT(effects[effect], 0) << effect;
  }
  EXPECT_EQ(main_fields,
            (std::set<std::string>{"name", "sex", "ethnicity", "birth_date", "id_number"}));
  for (const char* reason : {"11", "30", "31", "40"}) EXPECT_EQ(cancel_reasons.count(reason), 1u);
  EXPECT_EQ(household_kinds, (std::set<std::string>{"family", "collective", "community_public"}));
  for (const char* code :
       {"HK0101", "HK0102", "HK0103", "HK0104", "HK0105", "HK0201", "HK0302", "HK0303",
        "HK0304", "HK0305", "HK0306", "HK0307", "HK0308", "HK0309", "HK0310", "HK0401",
        "HK0501", "HK0503", "HK0601", "HK0602", "HK0603", "HK0701", "HK0801", "HK0802",
        "HK1001", "HK1002", "HK1003", "HK1102", "HK1201", "HK1301", "HK1302"}) {
    EXPECT_TRUE(Get(code).ok()) << code;
  }
  // G4: the identity card and booklet of registry persons are verified by the system.
  Item migrate = *Get("HK0302");
  bool id_verified = false;
  for (const Material& m : migrate.materials) {
    if (m.code == "id_card") id_verified = m.system_verified;
  }
  EXPECT_TRUE(id_verified);
  EXPECT_EQ(Get("HK1301")->fee_fen, 0);
  EXPECT_EQ(Get("HK1301")->fee_note, "首次申领免费");
}

TEST_P(CatalogDbTest, SavingMakesANewVersionAndKeepsTheOld) {
  Load();
  Item item = *Get("HK1302");
  const std::string old_name = item.name;
  item.name = "居民户口簿补领（遗失）";
  item.time_limit_days = 5;

  auto forbidden = Save(item, police_);
  ASSERT_FALSE(forbidden.ok());
  EXPECT_EQ(forbidden.error().kind, ErrorKind::kForbidden);

  auto saved = Save(item, admin_);
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_EQ(saved->version, 2);
  EXPECT_EQ(Get("HK1302")->name, item.name);
  EXPECT_EQ(Get("HK1302")->version, 2);
  EXPECT_EQ(Get("HK1302", 1)->name, old_name);
  EXPECT_EQ(Get("HK1302", 3).error().code, "catalog.not_found");
  EXPECT_EQ(Get("HK9999").error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'catalog.update' AND "
                  "object_id = 'HK1302'"),
            1);
  EXPECT_EQ(Load(), 0) << "an edited item is left alone";
  EXPECT_EQ(Get("HK1302")->version, 2);

  item.time_limit_days = 1;  // below the steps
  auto invalid = Save(item, admin_);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().field, "time_limit_days");

  Item fresh = Simple();
  fresh.active = false;
  auto created = Save(fresh, admin_);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->version, 1);
  const size_t active = List().size();
  EXPECT_EQ(List(true).size(), active + 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'catalog.create'"), 1);
}

TEST_P(CatalogDbTest, CalendarEditsOverrideTheShippedDays) {
  Load();
  EXPECT_GT(Count("SELECT COUNT(*) FROM calendar_days"), 100);
  auto calendar = [&] {
    WorkCalendar cal;
    EXPECT_TRUE(db_->Read([&](store::Connection& c) -> Status {
                     HUKOU_ASSIGN_OR_RETURN(cal, LoadCalendar(c));
                     return Status::Ok();
                   })
                    .ok());
    return cal;
  };
  auto set = [&](const char* date, DayKind kind, const char* name, const org::Actor& actor) {
    return db_->Transact([&](store::Connection& c) {
      return SetCalendarDay(c, *Date::Parse(date), kind, name, actor, clock_);
    });
  };
  const Date eve = *Date::Parse("2026-02-13");
  EXPECT_EQ(calendar().AddWorkdays(eve, 2), *Date::Parse("2026-02-24"));
  // The 2026-02-14 make-up Saturday undone: the first working day becomes 2026-02-24.
  ASSERT_TRUE(set("2026-02-14", DayKind::kOrdinary, "", admin_).ok());
  EXPECT_EQ(calendar().AddWorkdays(eve, 1), *Date::Parse("2026-02-24"));
  ASSERT_TRUE(set("2026-02-24", DayKind::kHoliday, "地方假日", admin_).ok());
  EXPECT_EQ(calendar().AddWorkdays(eve, 1), *Date::Parse("2026-02-25"));
  EXPECT_EQ(calendar().NameOf(*Date::Parse("2026-02-24")), "地方假日");
  EXPECT_EQ(Load(), 0);
  EXPECT_EQ(calendar().KindOf(*Date::Parse("2026-02-14")), DayKind::kOrdinary)
      << "seeding again must not bring back an undone shipped day";

  Status forbidden = set("2026-03-02", DayKind::kHoliday, "假日", police_);
  ASSERT_FALSE(forbidden.ok());
  EXPECT_EQ(forbidden.error().kind, ErrorKind::kForbidden);
  Status unnamed = set("2026-03-02", DayKind::kHoliday, "", admin_);
  ASSERT_FALSE(unnamed.ok());
  EXPECT_EQ(unnamed.error().field, "name");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'calendar.set'"), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogDbTest,
                         ::testing::ValuesIn(store::TestDatabase::Backends()),
                         [](const auto& info) { return store::BackendName(info.param); });

}  // namespace
}  // namespace hukou::catalog
