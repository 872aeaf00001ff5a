#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "codes/divisions.h"
#include "codes/id_number.h"
#include "exchange/bulk_writer.h"
#include "exchange/csv.h"
#include "registry/household.h"
#include "store/test_database.h"

namespace hukou::exchange {
namespace {

namespace fs = std::filesystem;

TEST(CsvTest, QuotesCommasQuotesAndLineBreaks) {
  std::string out;
  AppendCsvRecord(out, {"plain", "a,b", "say \"hi\"", "two\nlines", "", "𠮷"});
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,𠮷\r\n");
  auto parsed = ParseCsv(out + "x,y\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].fields,
            (std::vector<std::string>{"plain", "a,b", "say \"hi\"", "two\nlines", "", "𠮷"}));
  EXPECT_EQ((*parsed)[0].line, 1);
  EXPECT_EQ((*parsed)[1].line, 3) << "the quoted line break advances the line count";
  EXPECT_EQ((*parsed)[1].fields, (std::vector<std::string>{"x", "y"}));
}

TEST(CsvTest, BomBlankLinesAndErrors) {
  auto parsed = ParseCsv(
      "\xEF\xBB\xBF"
      "a,b\r\n\r\nc,\r\n");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].fields[0], "a");
  EXPECT_EQ((*parsed)[1].line, 3);
  EXPECT_EQ((*parsed)[1].fields, (std::vector<std::string>{"c", ""}));

  auto open = ParseCsv("a,\"never closed\nb\n");
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.error().code, "csv.quote");
  EXPECT_NE(open.error().message.find("第1行"), std::string::npos);
  EXPECT_FALSE(ParseCsv("\"x\"y,z\n").ok());
}

TEST(FormerNamesTest, JoinAndSplit) {
  EXPECT_EQ(JoinFormerNames({"张三", "", "李四"}), "张三、李四");
  EXPECT_EQ(SplitFormerNames("张三、李四"), (std::vector<std::string>{"张三", "李四"}));
  EXPECT_TRUE(SplitFormerNames("").empty());
  EXPECT_EQ(registry::FormatHouseholdNumber("420704510000", 12), "420704510000000012");
  EXPECT_EQ(registry::HouseholdSequenceOf("420704510000000012", "420704510000"), 12);
  EXPECT_FALSE(registry::HouseholdSequenceOf("42070451000000012", "420704510000").has_value());
}

// Builds a small, canonical pair of files (sorted as export sorts them).
struct Fixture {
  std::vector<std::vector<std::string>> households;
  std::vector<std::vector<std::string>> persons;
};

std::vector<std::string> PersonFields(const std::string& id, const std::string& name,
                                      const std::string& household, const std::string& relation) {
  auto info = codes::ValidateIdNumber(id, Date{2026, 1, 1});
  EXPECT_TRUE(info.ok()) << id;
  std::vector<std::string> f(PersonColumns().size());
  f[0] = id;
  f[1] = name;
  f[2] = info.ok() ? info->sex : "1";
  f[3] = "01";
  f[4] = info.ok() ? info->birth_date.ToString() : "";
  f[8] = "00";
  f[10] = "20";
  f[23] = household;
  f[24] = relation;
  f[25] = "active";
  return f;
}

Fixture SampleFixture() {
  const auto& places = codes::Divisions::Get().Places("ezhou");
  const codes::Place* community = nullptr;
  for (const auto& p : places) {
    if (p.kind == "community") {
      community = &p;
      break;
    }
  }
  EXPECT_NE(community, nullptr);
  Fixture fx;
  const std::string town = community->parent_code;
  const std::string county = town.substr(0, 6);
  const std::string hh1 = registry::FormatHouseholdNumber(community->station_code, 1);
  const std::string hh2 = registry::FormatHouseholdNumber(community->station_code, 2);
  fx.households.push_back({hh1, "family", county, town, community->code, "滨湖路", "12", "3", "2",
                           "1501", "湖北省鄂州市, \"滨湖\"小区\n3栋"});
  fx.households.push_back({hh2, "collective", county, town, community->code, "", "", "", "", "",
                           "鄂州市第一中学集体户"});
  std::vector<std::string> a =
      PersonFields(codes::ComposeIdNumber("420704", Date{1980, 5, 1}, 11), "张𠮷", hh1, "02");
  a[5] = "张小吉、张吉";
  a[12] = "鄂州市\"华丰\",机械有限公司";
  std::vector<std::string> b =
      PersonFields(codes::ComposeIdNumber("420704", Date{1982, 7, 9}, 22), "李丽", hh1, "10");
  std::vector<std::string> c =
      PersonFields(codes::ComposeIdNumber("420702", Date{2008, 3, 3}, 41), "王浩然", hh2, "80");
  c[25] = "cancelled";
  c[26] = "20";
  c[27] = "2020-09-01";
  fx.persons = {a, b, c};
  std::sort(fx.persons.begin(), fx.persons.end());
  return fx;
}

std::string ToCsv(const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  AppendCsvRecord(out, header);
  for (const auto& r : rows) AppendCsvRecord(out, r);
  return out;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ExchangeDbTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("hukou_exchange_" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<store::TestDatabase> NewDb() {
    auto t = store::TestDatabase::Create(GetParam());
    EXPECT_TRUE(t.ok()) << t.error().message;
    return t.ok() ? std::move(*t) : nullptr;
  }
  fs::path Write(const std::string& sub, const Fixture& fx) {
    fs::path d = dir_ / sub;
    fs::create_directories(d);
    std::ofstream(d / "households.csv", std::ios::binary)
        << ToCsv(HouseholdColumns(), fx.households);
    std::ofstream(d / "persons.csv", std::ios::binary) << ToCsv(PersonColumns(), fx.persons);
    return d;
  }
  int64_t Count(store::Database& db, const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(db.Read([&](store::Connection& c) -> Status {
                    HUKOU_ASSIGN_OR_RETURN(auto rows, c.Query(sql));
                    n = rows.Int(0, 0);
                    return Status::Ok();
                  }).ok());
    return n;
  }

  fs::path dir_;
  FixedClock clock_{std::chrono::system_clock::from_time_t(1767225600)};  // 2026-01-01
};

TEST_P(ExchangeDbTest, RoundTripIsByteIdentical) {
  Fixture fx = SampleFixture();
  fs::path in = Write("in", fx);
  auto db1 = NewDb();
  ASSERT_TRUE(db1);
  std::ostringstream report;
  auto imported = ImportCsv(db1->db(), in.string(), org::Actor::System(), clock_, report);
  ASSERT_TRUE(imported.ok()) << imported.error().message << "\n" << report.str();
  EXPECT_EQ(imported->households, 2);
  EXPECT_EQ(imported->persons, 3);
  EXPECT_EQ(report.str(), "");
  EXPECT_EQ(Count(db1->db(), "SELECT COUNT(*) FROM change_log WHERE action = 'import'"), 5);
  EXPECT_EQ(Count(db1->db(), "SELECT COUNT(*) FROM audit_log WHERE action = 'registry.import'"), 1);
  EXPECT_EQ(Count(db1->db(), "SELECT COUNT(*) FROM person_former_names"), 2);
  EXPECT_EQ(Count(db1->db(), "SELECT COUNT(*) FROM households WHERE head_person_id IS NOT NULL"),
            1);
  EXPECT_EQ(Count(db1->db(), "SELECT COUNT(*) FROM persons WHERE name_pinyin = 'lili'"), 1);

  auto out1 = ExportCsv(db1->db(), (dir_ / "out1").string(), org::Actor::System(), clock_);
  ASSERT_TRUE(out1.ok()) << out1.error().message;
  EXPECT_EQ(out1->persons, 3);
  EXPECT_EQ(Slurp(out1->households_path), Slurp(in / "households.csv"));
  EXPECT_EQ(Slurp(out1->persons_path), Slurp(in / "persons.csv"));
  EXPECT_EQ(Count(db1->db(), "SELECT COUNT(*) FROM access_log WHERE action = 'export'"), 1);

  auto db2 = NewDb();
  ASSERT_TRUE(db2);
  ASSERT_TRUE(
      ImportCsv(db2->db(), (dir_ / "out1").string(), org::Actor::System(), clock_, report).ok())
      << report.str();
  auto out2 = ExportCsv(db2->db(), (dir_ / "out2").string(), org::Actor::System(), clock_);
  ASSERT_TRUE(out2.ok());
  EXPECT_EQ(Slurp(out2->households_path), Slurp(out1->households_path));
  EXPECT_EQ(Slurp(out2->persons_path), Slurp(out1->persons_path));

  // Export is limited to the actor's data scope.
  org::Actor outsider = org::Actor::System();
  outsider.user_id = 0;
  outsider.scope_prefix = "150602";
  auto none = ExportCsv(db2->db(), (dir_ / "none").string(), outsider, clock_);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->persons, 0);
  EXPECT_EQ(Slurp(none->persons_path), ToCsv(PersonColumns(), {}));

  // Importing the same files again: every row collides with the database.
  std::ostringstream again;
  auto dup = ImportCsv(db2->db(), (dir_ / "out1").string(), org::Actor::System(), clock_, again);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(again.str().find("已存在于系统中"), std::string::npos);
}

TEST_P(ExchangeDbTest, OneBadRowImportsNothingAndNamesLineAndField) {
  Fixture fx = SampleFixture();
  std::string& id = fx.persons[1][0];
  id[17] = id[17] == '0' ? '1' : '0';  // wrong check digit
  fs::path in = Write("bad", fx);
  auto db = NewDb();
  ASSERT_TRUE(db);
  std::ostringstream report;
  auto r = ImportCsv(db->db(), in.string(), org::Actor::System(), clock_, report);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "import.invalid");
  EXPECT_NE(report.str().find("persons.csv:3: id_number: "), std::string::npos) << report.str();
  EXPECT_EQ(Count(db->db(), "SELECT COUNT(*) FROM persons"), 0);
  EXPECT_EQ(Count(db->db(), "SELECT COUNT(*) FROM households"), 0);
  EXPECT_EQ(Count(db->db(), "SELECT COUNT(*) FROM addresses"), 0);
}

TEST_P(ExchangeDbTest, ReportsDuplicatesCodesAndReferences) {
  Fixture fx = SampleFixture();
  fx.persons.push_back(fx.persons[0]);      // line 5: duplicate ID number
  fx.persons[1][3] = "77";                  // line 3: unknown ethnicity
  fx.persons[2][23] = "99999999999999999";  // line 4: unknown household
  fx.households[1][1] = "hotel";            // households line 3: bad kind
  fs::path in = Write("dups", fx);
  auto db = NewDb();
  ASSERT_TRUE(db);
  std::ostringstream report;
  ASSERT_FALSE(ImportCsv(db->db(), in.string(), org::Actor::System(), clock_, report).ok());
  const std::string r = report.str();
  EXPECT_NE(r.find("households.csv:4: kind: "), std::string::npos) << r;
  EXPECT_NE(r.find("persons.csv:3: ethnicity: "), std::string::npos) << r;
  EXPECT_NE(r.find("persons.csv:4: household_number: "), std::string::npos) << r;
  EXPECT_NE(r.find("persons.csv:5: id_number: "), std::string::npos) << r;
  EXPECT_EQ(Count(db->db(), "SELECT COUNT(*) FROM persons"), 0);
}

TEST_P(ExchangeDbTest, WrongHeaderIsRejected) {
  fs::path d = dir_ / "hdr";
  fs::create_directories(d);
  std::ofstream(d / "households.csv") << "number,kind\n";
  std::ofstream(d / "persons.csv") << ToCsv(PersonColumns(), {});
  auto db = NewDb();
  ASSERT_TRUE(db);
  std::ostringstream report;
  auto r = ImportCsv(db->db(), d.string(), org::Actor::System(), clock_, report);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "import.header");
  auto missing =
      ImportCsv(db->db(), (dir_ / "nothing").string(), org::Actor::System(), clock_, report);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "import.file");
}

INSTANTIATE_TEST_SUITE_P(Backends, ExchangeDbTest,
                         ::testing::ValuesIn(store::TestDatabase::Backends()),
                         [](const auto& info) { return store::BackendName(info.param); });

}  // namespace
}  // namespace hukou::exchange
