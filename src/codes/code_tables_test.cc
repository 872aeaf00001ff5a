#include "codes/code_tables.h"

#include <gtest/gtest.h>

#include <set>

namespace hukou::codes {
namespace {

TEST(CodeTablesTest, AllTablesPresentWithTitlesAndUniqueCodes) {
  const CodeTables& t = CodeTables::Get();
  std::set<std::string> ids;
  for (const CodeTable& table : t.All()) {
    ids.insert(table.id);
    EXPECT_FALSE(table.entries.empty()) << table.id;
    EXPECT_NE(table.title, table.id) << "missing Chinese title for " << table.id;
    std::set<std::string> codes;
    for (const CodeEntry& e : table.entries) {
      EXPECT_TRUE(codes.insert(e.code).second) << table.id << " duplicate " << e.code;
      EXPECT_FALSE(e.name.empty());
    }
  }
  EXPECT_EQ(ids, (std::set<std::string>{"sex", "ethnicity", "marital_status", "relation",
                                        "education", "military_service", "cancel_reason",
                                        "migration_reason", "household_kind", "religion"}));
}

TEST(CodeTablesTest, Lookups) {
  const CodeTables& t = CodeTables::Get();
  EXPECT_EQ(t.Name("sex", "1"), "男");
  EXPECT_EQ(t.Name("sex", "2"), "女");
  EXPECT_EQ(t.Name("ethnicity", "01"), "汉族");
  EXPECT_EQ(t.Name("ethnicity", "02"), "蒙古族");
  EXPECT_EQ(t.Name("ethnicity", "56"), "基诺族");
  EXPECT_EQ(t.Name("marital_status", "20"), "已婚");
  EXPECT_EQ(t.Name("relation", "02"), "户主");
  EXPECT_EQ(t.Name("household_kind", "family"), "家庭户");
  EXPECT_EQ(t.Find("ethnicity")->title, "民族 (GB/T 3304)");
  EXPECT_TRUE(t.Contains("military_service", "0"));
  EXPECT_FALSE(t.Contains("sex", "3"));
  EXPECT_FALSE(t.Name("nonexistent", "1").has_value());
  EXPECT_EQ(t.Find("nonexistent"), nullptr);
}

TEST(CodeTablesTest, EthnicityHas56GroupsPlusTwo) {
  const CodeTable* e = CodeTables::Get().Find("ethnicity");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->entries.size(), 58u);
  std::set<std::string> names;
  for (const CodeEntry& entry : e->entries) names.insert(entry.name);
  EXPECT_EQ(names.size(), 58u);
}

}  // namespace
}  // namespace hukou::codes
