#include "demo/demo.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "catalog/catalog.h"
#include "codes/code_tables.h"
#include "codes/id_number.h"
#include "demo/names.h"
#include "exchange/csv.h"
#include "store/test_database.h"
#include "trust/keys.h"

namespace hukou::demo {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(RngTest, SameSeedSameSequenceAndBounds) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    uint64_t x = a.Below(7);
    EXPECT_EQ(x, b.Below(7));
    EXPECT_LT(x, 7u);
    differs |= x != c.Below(7);
  }
  EXPECT_TRUE(differs);
}

TEST(NameGeneratorTest, SurnamesFollowFrequencies) {
  NameGenerator names;
  Rng rng(1);
  std::map<std::string, int> counts;
  for (int i = 0; i < 100000; ++i) counts[names.Surname(rng)]++;
  // 王 (7.1 %) is far more common than 孔 (0.17 %); compound surnames are rare but present.
  EXPECT_GT(counts["王"], 20 * counts["孔"]);
  EXPECT_GT(counts["王"], 5000);
  EXPECT_LT(counts["欧阳"], 100);
  std::string given = names.GivenName(rng, "2", 2015);
  size_t chars = Utf8Chars(given).size();
  EXPECT_TRUE(chars == 1 || chars == 2) << given;
  EXPECT_EQ(Utf8Chars(names.RareCharacter(rng)).front().size(), 4u) << "outside the BMP";
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DemoTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("hukou_demo_" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Builds a city and returns a text digest of everything generated (export + history).
  std::string BuildCity(uint64_t seed, int64_t persons, const std::string& city,
                        std::unique_ptr<store::TestDatabase>* keep = nullptr,
                        DemoSummary* summary_out = nullptr) {
    auto t = store::TestDatabase::Create(GetParam());
    EXPECT_TRUE(t.ok()) << t.error().message;
    if (!t.ok()) return {};
    auto test_db = std::move(*t);
    std::ostringstream progress;
    DemoOptions options{persons, seed, city, ""};
    auto summary = RunDemo(test_db->db(), options, clock_, progress);
    EXPECT_TRUE(summary.ok()) << summary.error().code << " " << summary.error().message;
    if (!summary.ok()) return {};
    EXPECT_EQ(summary->persons, persons);
    EXPECT_NE(progress.str().find("已生成 " + std::to_string(persons) + "/"), std::string::npos);
    fs::path out = dir_ / ("export_" + std::to_string(seed) + "_" + std::to_string(++runs_));
    auto exported = exchange::ExportCsv(test_db->db(), out.string(), org::Actor::System(), clock_);
    EXPECT_TRUE(exported.ok());
    std::string digest = Slurp(out / "households.csv") + Slurp(out / "persons.csv");
    EXPECT_TRUE(test_db->db()
                    .Read([&](store::Connection& c) -> Status {
                      HUKOU_ASSIGN_OR_RETURN(
                          auto rows,
                          c.Query("SELECT entity, entity_id, field, old_value, new_value, "
                                  "changed_at, effective_date, action, station_code "
                                  "FROM change_log ORDER BY id"));
                      for (size_t r = 0; r < rows.size(); ++r) {
                        for (size_t col = 0; col < rows.columns().size(); ++col) {
                          digest += rows.Text(r, col) + "|";
                        }
                      }
                      return Status::Ok();
                    })
                    .ok());
    if (summary_out) *summary_out = *summary;
    if (keep) *keep = std::move(test_db);
    return digest;
  }

  fs::path dir_;
  int runs_ = 0;
  FixedClock clock_{std::chrono::system_clock::from_time_t(1767225600)};  // 2026-01-01
};

TEST_P(DemoTest, SameSeedSameCityOtherSeedOtherCity) {
  std::string a = BuildCity(7, 1500, "ezhou");
  std::string b = BuildCity(7, 1500, "ezhou");
  std::string c = BuildCity(8, 1500, "ezhou");
  ASSERT_FALSE(a.empty());
  EXPECT_TRUE(a == b) << "same seed must give the same city";
  EXPECT_FALSE(a == c);
}

// Everything below checks one generated city against the rules and its truth file.
TEST_P(DemoTest, CityIsConsistentAndTruthIsPresent) {
  std::unique_ptr<store::TestDatabase> t;
  DemoSummary summary;
  BuildCity(11, 6000, "ordos", &t, &summary);
  ASSERT_TRUE(t);
  store::Database& db = t->db();
  const Date today{2026, 1, 1};
  const auto& tables = codes::CodeTables::Get();
  json truth = json::parse(summary.truth_json);

  ASSERT_TRUE(
      db.Read([&](store::Connection& c) -> Status {
          // Every ID number validates, and agrees with sex and birth date.
          HUKOU_ASSIGN_OR_RETURN(
              auto persons,
              c.Query("SELECT id_number, sex, birth_date, relation_to_head, ethnicity, "
                      "status, name FROM persons"));
          EXPECT_EQ(persons.size(), 6000u);
          int mongol = 0;
          bool rare = false;
          for (size_t r = 0; r < persons.size(); ++r) {
            auto info = codes::ValidateIdNumber(persons.Text(r, 0), today);
            EXPECT_TRUE(info.ok()) << persons.Text(r, 0);
            if (!info.ok()) continue;
            EXPECT_EQ(info->sex, persons.Text(r, 1));
            EXPECT_EQ(info->birth_date.ToString(), persons.Text(r, 2));
            EXPECT_TRUE(tables.Contains("relation", persons.Text(r, 3))) << persons.Text(r, 3);
            EXPECT_TRUE(tables.Contains("ethnicity", persons.Text(r, 4)));
            mongol += persons.Text(r, 4) == "02";
            for (unsigned char ch : persons.Text(r, 6)) rare |= ch >= 0xF0;
          }
          EXPECT_GT(mongol, 300) << "Ordos has a Mongolian minority of about 10 %";
          EXPECT_LT(mongol, 1200);
          EXPECT_TRUE(rare) << "some names use characters outside the BMP";

          // Exactly one active head per family household, and it is the recorded head.
          HUKOU_ASSIGN_OR_RETURN(
              auto heads, c.Query("SELECT h.id, h.head_person_id, "
                                  "(SELECT COUNT(*) FROM persons p WHERE p.household_id = h.id "
                                  " AND p.relation_to_head = '02' AND p.status = 'active'), "
                                  "(SELECT MIN(p.id) FROM persons p WHERE p.household_id = h.id "
                                  " AND p.relation_to_head = '02') "
                                  "FROM households h WHERE h.kind = 'family'"));
          EXPECT_GT(heads.size(), 1000u);
          for (size_t r = 0; r < heads.size(); ++r) {
            EXPECT_EQ(heads.Int(r, 2), 1) << "household " << heads.Int(r, 0);
            EXPECT_EQ(heads.Int(r, 1), heads.Int(r, 3));
          }
          // Children are 20–40 years younger than their mother in the same household.
          HUKOU_ASSIGN_OR_RETURN(auto gaps,
                                 c.Query("SELECT c.birth_date, m.birth_date FROM persons c "
                                         "JOIN persons m ON m.id_number = c.mother_id_number "
                                         "AND m.household_id = c.household_id"));
          EXPECT_GT(gaps.size(), 100u);
          for (size_t r = 0; r < gaps.size(); ++r) {
            int gap = Date::Parse(gaps.Text(r, 1))->AgeOn(*Date::Parse(gaps.Text(r, 0)));
            EXPECT_GE(gap, 19);
            EXPECT_LE(gap, 41);
          }
          HUKOU_ASSIGN_OR_RETURN(auto kinds,
                                 c.Query("SELECT kind, COUNT(*) FROM households GROUP BY kind "
                                         "ORDER BY kind"));
          std::map<std::string, int64_t> by_kind;
          for (size_t r = 0; r < kinds.size(); ++r) by_kind[kinds.Text(r, 0)] = kinds.Int(r, 1);
          EXPECT_GT(by_kind["community_public"], 10) << "one per township";
          EXPECT_EQ(by_kind["community_public"],
                    truth["counts"]["community_public_households"].get<int64_t>());
          EXPECT_EQ(by_kind["family"], truth["counts"]["family_households"].get<int64_t>());

          // Every sequence used in the city's counties is recorded for newborn allocation.
          HUKOU_ASSIGN_OR_RETURN(
              auto unrecorded,
              c.Query("SELECT COUNT(*) FROM persons p WHERE substr(p.id_number, 1, 4) = "
                      "'1506' AND NOT EXISTS (SELECT 1 FROM "
                      "id_sequences s WHERE s.division_code = substr(p.id_number, 1, 6) "
                      "AND s.birth_date = substr(p.id_number, 7, 8) AND "
                      "CAST(substr(p.id_number, 15, 3) AS INTEGER) <= "
                      "CASE WHEN p.sex = '1' THEN s.last_male ELSE s.last_female END)"));
          EXPECT_EQ(unrecorded.Int(0, 0), 0);
          HUKOU_ASSIGN_OR_RETURN(auto users, c.Query("SELECT COUNT(*) FROM users"));
          EXPECT_EQ(users.Int(0, 0), 13);
          return Status::Ok();
        }).ok());

  // The planted anomalies are really in the database.
  const json& an = truth["anomalies"];
  for (const char* kind : {"main_items_changed_multiple", "main_item_changed_then_moved_out",
                           "supplementary_then_moved_out", "duplicate_person",
                           "dead_not_cancelled_aged", "dead_not_cancelled_reported"}) {
    EXPECT_GE(an[kind].size(), 3u) << kind;
  }
  auto query = [&](const std::string& sql, const std::string& id) {
    store::Rows rows;
    EXPECT_TRUE(db.Read([&](store::Connection& c) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(rows, c.Query(sql, {id}));
                    return Status::Ok();
                  }).ok());
    return rows;
  };
  const std::string main_changes =
      "SELECT COUNT(DISTINCT cl.effective_date) FROM change_log cl JOIN persons p ON "
      "p.id = cl.entity_id WHERE cl.entity = 'person' AND p.id_number = $1 AND cl.field IN "
      "('name', 'sex', 'ethnicity', 'birth_date', 'id_number') AND cl.effective_date >= "
      "'2001-01-01'";
  for (const auto& id : an["main_items_changed_multiple"]) {
    EXPECT_GE(query(main_changes, id).Int(0, 0), 2) << id;
  }
  for (const auto& id : an["main_item_changed_then_moved_out"]) {
    EXPECT_EQ(query(main_changes, id).Int(0, 0), 1) << id;
    auto p = query("SELECT status, cancel_reason FROM persons WHERE id_number = $1", id);
    EXPECT_EQ(p.Text(0, 0), "cancelled");
    EXPECT_EQ(p.Text(0, 1), "20");
  }
  for (const auto& id : an["supplementary_then_moved_out"]) {
    auto p = query(
        "SELECT p.cancel_reason, (SELECT COUNT(*) FROM change_log cl WHERE cl.entity = 'person' "
        "AND cl.entity_id = p.id AND cl.action = 'supplementary') FROM persons p "
        "WHERE p.id_number = $1",
        id);
    EXPECT_EQ(p.Text(0, 0), "20");
    EXPECT_EQ(p.Int(0, 1), 1);
  }
  for (const auto& pair : an["duplicate_person"]) {
    auto a = query("SELECT name, birth_date, sex, household_id FROM persons WHERE id_number = $1",
                   pair[0]);
    auto b = query("SELECT name, birth_date, sex, household_id FROM persons WHERE id_number = $1",
                   pair[1]);
    ASSERT_EQ(a.size(), 1u);
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(a.Text(0, 0), b.Text(0, 0));
    EXPECT_EQ(a.Text(0, 1), b.Text(0, 1));
    EXPECT_NE(a.Int(0, 3), b.Int(0, 3));
  }
  for (const auto& id : an["dead_not_cancelled_aged"]) {
    auto p = query("SELECT status, birth_date FROM persons WHERE id_number = $1", id);
    EXPECT_EQ(p.Text(0, 0), "active");
    EXPECT_GE(Date::Parse(p.Text(0, 1))->AgeOn(today), 105);
  }
  for (const auto& id : an["dead_not_cancelled_reported"]) {
    auto p = query(
        "SELECT p.status, (SELECT COUNT(*) FROM change_log cl WHERE cl.entity = 'person' AND "
        "cl.entity_id = p.id AND cl.action = 'death_reported') FROM persons p WHERE "
        "p.id_number = $1",
        id);
    EXPECT_EQ(p.Text(0, 0), "active");
    EXPECT_EQ(p.Int(0, 1), 1);
  }
  // The rules in the truth file find nothing but the planted cases.
  ASSERT_TRUE(
      db.Read([&](store::Connection& c) -> Status {
          HUKOU_ASSIGN_OR_RETURN(
              auto multi, c.Query("SELECT COUNT(*) FROM (SELECT cl.entity_id FROM change_log cl "
                                  "WHERE cl.entity = 'person' AND cl.field IN ('name', 'sex', "
                                  "'ethnicity', 'birth_date', 'id_number') GROUP BY cl.entity_id "
                                  "HAVING COUNT(DISTINCT cl.effective_date) >= 2) x"));
          EXPECT_EQ(multi.Int(0, 0),
                    static_cast<int64_t>(an["main_items_changed_multiple"].size()));
          HUKOU_ASSIGN_OR_RETURN(
              auto twins, c.Query("SELECT COUNT(*) FROM (SELECT name, birth_date FROM "
                                  "persons GROUP BY name, birth_date HAVING COUNT(*) > 1) x"));
          EXPECT_EQ(twins.Int(0, 0), static_cast<int64_t>(an["duplicate_person"].size()));
          HUKOU_ASSIGN_OR_RETURN(auto old,
                                 c.Query("SELECT COUNT(*) FROM persons WHERE status = 'active' AND "
                                         "birth_date <= '1926-01-01'"));
          EXPECT_EQ(old.Int(0, 0), static_cast<int64_t>(an["dead_not_cancelled_aged"].size()));
          return Status::Ok();
        }).ok());
  // Samples for browser tests: an active person in police1's station.
  ASSERT_TRUE(truth["sample_person"].is_object());
  auto sample = query("SELECT status, station_code, name FROM persons WHERE id_number = $1",
                      truth["sample_person"]["id_number"]);
  EXPECT_EQ(sample.Text(0, 0), "active");
  EXPECT_EQ(sample.Text(0, 2), truth["sample_person"]["name"].get<std::string>());
  EXPECT_EQ(sample.Text(0, 1), truth["first_station"].get<std::string>());
  EXPECT_EQ(truth["users"].size(), 13u);
}

// `--cases`: the same seed gives the same cases (numbers, items, steps, officers, instants,
// captured scans); the mix holds issued, open, overdue, returned and rejected or withdrawn cases;
// every decision is SM2-signed; every issued birth produced a person whose history names the case.
TEST_P(DemoTest, CasesRunThroughTheEngineDeterministically) {
  auto run = [&](uint64_t seed, json* truth) -> std::string {
    auto t = store::TestDatabase::Create(GetParam());
    EXPECT_TRUE(t.ok());
    if (!t.ok()) return {};
    store::Database& db = (*t)->db();
    EXPECT_TRUE(db.Transact([&](store::Connection& c) {
                    return catalog::LoadShippedCatalog(c, clock_).status();
                  }).ok());
    auto keys = trust::KeyStore::Open(db, trust::ServerKey::FromMaterial(std::string(32, 'k')));
    EXPECT_TRUE(keys.ok());
    if (!keys.ok()) return {};
    std::ostringstream progress;
    DemoOptions options{2000, seed, "ezhou", (dir_ / "truth.json").string(), 60};
    auto summary = RunDemo(db, options, clock_, progress, keys->get());
    EXPECT_TRUE(summary.ok()) << summary.error().code << " " << summary.error().message;
    if (!summary.ok()) return {};
    EXPECT_EQ(summary->cases, 60);
    *truth = json::parse(Slurp(dir_ / "truth.json"))["cases"];
    std::string digest;
    EXPECT_TRUE(db.Read([&](store::Connection& c) -> Status {
                    for (const char* sql :
                         {"SELECT case_no, item_code, status, received_at, due_date, "
                          "current_step, form, effect_result FROM cases ORDER BY case_no",
                          "SELECT c.case_no, s.step_no, s.action, s.decision, s.officer_id, "
                          "s.acted_at, s.payload_sm3 FROM case_steps s JOIN cases c ON c.id = "
                          "s.case_id ORDER BY c.case_no, s.step_no",
                          "SELECT m.case_no, m.material_code, f.sm3 FROM archive_materials m "
                          "JOIN files f ON f.id = m.file_id ORDER BY m.case_no, m.material_code"}) {
                      HUKOU_ASSIGN_OR_RETURN(auto rows, c.Query(sql));
                      for (size_t r = 0; r < rows.size(); ++r) {
                        for (size_t col = 0; col < rows.columns().size(); ++col) {
                          digest += rows.Text(r, col) + "|";
                        }
                        digest += "\n";
                      }
                    }
                    HUKOU_ASSIGN_OR_RETURN(
                        auto unsigned_steps,
                        c.Query("SELECT COUNT(*) FROM case_steps WHERE officer_id IS NOT NULL "
                                "AND officer_id <> 0 AND signature IS NULL"));
                    EXPECT_EQ(unsigned_steps.Int(0, 0), 0) << "every decision is signed";
                    // Every issued birth: a new person whose change_log names the case.
                    HUKOU_ASSIGN_OR_RETURN(
                        auto births, c.Query("SELECT c.id, c.case_no, p.person_id FROM cases c "
                                             "JOIN case_persons p ON p.case_id = c.id WHERE "
                                             "c.effect = 'birth' AND c.status = 'issued'"));
                    EXPECT_GT(births.size(), 0u);
                    for (size_t r = 0; r < births.size(); ++r) {
                      HUKOU_ASSIGN_OR_RETURN(auto log,
                                             c.Query("SELECT reason FROM change_log WHERE entity = "
                                                     "'person' AND entity_id = $1 AND case_id = $2",
                                                     {births.Int(r, 2), births.Int(r, 0)}));
                      EXPECT_FALSE(log.empty()) << births.Text(r, 1);
                      if (!log.empty()) {
                        EXPECT_NE(log.Text(0, 0).find(births.Text(r, 1)), std::string::npos);
                      }
                    }
                    return Status::Ok();
                  }).ok());
    return digest;
  };
  json truth_a, truth_b, truth_c;
  const std::string a = run(5, &truth_a);
  const std::string b = run(5, &truth_b);
  const std::string c = run(6, &truth_c);
  ASSERT_FALSE(a.empty());
  EXPECT_TRUE(a == b) << "same seed must give the same cases";
  EXPECT_FALSE(a == c);
  EXPECT_EQ(truth_a, truth_b);
  const json& st = truth_a["by_status"];
  EXPECT_GT(st.value("issued", 0), 30) << truth_a.dump();
  EXPECT_GT(st.value("received", 0) + st.value("accepted", 0) + st.value("approved", 0), 0);
  EXPECT_GT(st.value("returned", 0), 0) << truth_a.dump();
  EXPECT_GT(st.value("rejected", 0) + st.value("withdrawn", 0), 0) << truth_a.dump();
  EXPECT_GT(truth_a["overdue"].get<int>(), 0) << truth_a.dump();
  EXPECT_GT(truth_a["returned_once"].get<int>(), st.value("returned", 0))
      << "some returned cases were resubmitted";
  EXPECT_GT(truth_a["materials"].get<int>(), 30);
  EXPECT_GE(truth_a["by_item"].size(), 8u) << "a mix of items";
}

TEST_P(DemoTest, RefusesUnknownCityAndNonEmptyDatabase) {
  auto t = store::TestDatabase::Create(GetParam());
  ASSERT_TRUE(t.ok());
  std::ostringstream progress;
  auto bad = RunDemo((*t)->db(), DemoOptions{10, 1, "atlantis", ""}, clock_, progress);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "demo.city");
  ASSERT_TRUE(RunDemo((*t)->db(), DemoOptions{50, 1, "ezhou", ""}, clock_, progress).ok());
  auto again = RunDemo((*t)->db(), DemoOptions{50, 1, "ezhou", ""}, clock_, progress);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "demo.not_empty");
}

INSTANTIATE_TEST_SUITE_P(Backends, DemoTest, ::testing::ValuesIn(store::TestDatabase::Backends()),
                         [](const auto& info) { return store::BackendName(info.param); });

}  // namespace
}  // namespace hukou::demo
