#include "codes/divisions.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "codes/embedded_data.h"

namespace hukou::codes {
namespace {

const Divisions& D() { return Divisions::Get(); }

TEST(DivisionsTest, LoadsLocDatCounties) {
  EXPECT_GT(D().size(), 3000u);
  std::optional<Division> d = D().Find("420704");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->name, "鄂城区");
  EXPECT_EQ(d->prefecture, "鄂州市");
  EXPECT_EQ(d->province, "湖北省");
  EXPECT_TRUE(d->current);
  EXPECT_EQ(d->FullName(), "湖北省鄂州市鄂城区");
  EXPECT_EQ(D().Find("110105")->FullName(), "北京市朝阳区");
}

TEST(DivisionsTest, ExtraCodesAndHistoricalFlags) {
  std::optional<Division> kangbashi = D().Find("150603");
  ASSERT_TRUE(kangbashi.has_value());
  EXPECT_EQ(kangbashi->name, "康巴什区");
  EXPECT_EQ(kangbashi->FullName(), "内蒙古自治区鄂尔多斯市康巴什区");
  EXPECT_TRUE(kangbashi->current);
  std::optional<Division> chongwen = D().Find("110103");
  ASSERT_TRUE(chongwen.has_value());
  EXPECT_EQ(chongwen->name, "崇文区");
  EXPECT_FALSE(chongwen->current);
  EXPECT_TRUE(D().IsKnown("110103"));
  EXPECT_TRUE(D().IsKnown("152701"));
}

TEST(DivisionsTest, IsKnownAcceptsPrefectureAndProvinceCodes) {
  EXPECT_TRUE(D().IsKnown("420700"));
  EXPECT_TRUE(D().IsKnown("420000"));
  EXPECT_TRUE(D().IsKnown("150600"));
  EXPECT_EQ(D().Find("420700")->FullName(), "湖北省鄂州市");
  EXPECT_EQ(D().Find("420000")->FullName(), "湖北省");
  EXPECT_FALSE(D().IsKnown("990000"));
  EXPECT_FALSE(D().IsKnown("420799"));
  EXPECT_FALSE(D().IsKnown("42070"));
  EXPECT_FALSE(D().IsKnown("42070a"));
  EXPECT_FALSE(D().Find("990101").has_value());
}

TEST(DivisionsTest, DemoCityCountiesMatchLocDat) {
  std::map<std::string, std::string> ezhou;
  for (const Division& d : D().Under("4207")) ezhou[d.code] = d.name;
  EXPECT_EQ(ezhou, (std::map<std::string, std::string>{{"420701", "市辖区"},
                                                       {"420702", "梁子湖区"},
                                                       {"420703", "华容区"},
                                                       {"420704", "鄂城区"}}));
  std::map<std::string, std::string> ordos;
  for (const Division& d : D().Under("1506")) ordos[d.code] = d.name;
  EXPECT_EQ(ordos["150602"], "东胜区");
  EXPECT_EQ(ordos["150603"], "康巴什区");
  EXPECT_EQ(ordos["150621"], "达拉特旗");
  EXPECT_EQ(ordos["150622"], "准格尔旗");
  EXPECT_EQ(ordos["150623"], "鄂托克前旗");
  EXPECT_EQ(ordos["150624"], "鄂托克旗");
  EXPECT_EQ(ordos["150625"], "杭锦旗");
  EXPECT_EQ(ordos["150626"], "乌审旗");
  EXPECT_EQ(ordos["150627"], "伊金霍洛旗");
  // The old 伊克昭盟 codes only appear with historical ones.
  EXPECT_TRUE(D().Under("1527").empty());
  EXPECT_EQ(D().Under("1527", true).size(), 8u);
}

TEST(DivisionsTest, CityPrefix) {
  EXPECT_EQ(Divisions::CityPrefix("ezhou"), "4207");
  EXPECT_EQ(Divisions::CityPrefix("ordos"), "1506");
  EXPECT_EQ(Divisions::CityPrefix("wuhan"), "");
  EXPECT_TRUE(D().Places("wuhan").empty());
  EXPECT_TRUE(D().Units("wuhan").empty());
}

TEST(DivisionsTest, FindPlace) {
  std::optional<Place> fenghuang = D().FindPlace("420704001");
  ASSERT_TRUE(fenghuang.has_value());
  EXPECT_EQ(fenghuang->name, "凤凰街道");
  EXPECT_EQ(fenghuang->kind, "township");
  EXPECT_EQ(fenghuang->station_code, "420704510000");
  EXPECT_FALSE(D().FindPlace("420704999").has_value());
}

// Structural checks of the demo-city data, for every city.
class CityDataTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CityDataTest, PlacesAreConsistent) {
  const std::string city = GetParam();
  const std::string prefix = Divisions::CityPrefix(city);
  const std::vector<Place>& places = D().Places(city);
  std::map<std::string, const UnitSeed*> units;
  for (const UnitSeed& u : D().Units(city)) units[u.code] = &u;
  std::map<std::string, int> communities_per_township;
  std::set<std::string> codes;
  int townships = 0;
  for (const Place& p : places) {
    EXPECT_TRUE(codes.insert(p.code).second) << "duplicate " << p.code;
    EXPECT_TRUE(p.code.starts_with(prefix)) << p.code;
    EXPECT_TRUE(p.code.starts_with(p.parent_code)) << p.code;
    ASSERT_TRUE(units.contains(p.station_code)) << p.code << " " << p.station_code;
    EXPECT_EQ(units[p.station_code]->kind, "station");
    if (p.kind == "township") {
      ++townships;
      EXPECT_EQ(p.code.size(), 9u);
      std::optional<Division> county = D().Find(p.parent_code);
      ASSERT_TRUE(county.has_value()) << p.parent_code;
      EXPECT_TRUE(county->current);
      EXPECT_TRUE(p.name.ends_with("街道") || p.name.ends_with("镇") || p.name.ends_with("乡") ||
                  p.name.ends_with("苏木"))
          << p.name;
      // A township's station belongs to the branch of its county.
      EXPECT_TRUE(p.station_code.starts_with(p.parent_code));
    } else {
      ASSERT_EQ(p.kind, "community") << p.code;
      EXPECT_EQ(p.code.size(), 12u);
      std::optional<Place> township = D().FindPlace(p.parent_code);
      ASSERT_TRUE(township.has_value()) << p.parent_code;
      EXPECT_EQ(township->kind, "township");
      EXPECT_EQ(township->station_code, p.station_code);
      EXPECT_TRUE(p.name.ends_with("社区") || p.name.ends_with("村") || p.name.ends_with("嘎查"))
          << p.name;
      ++communities_per_township[p.parent_code];
    }
  }
  EXPECT_GE(townships, 20);
  EXPECT_LE(townships, 40);
  EXPECT_EQ(static_cast<int>(communities_per_township.size()), townships);
  for (const auto& [code, n] : communities_per_township) {
    EXPECT_GE(n, 3) << code;
    EXPECT_LE(n, 8) << code;
  }
}

TEST_P(CityDataTest, UnitsFormATreeWithNestedScopes) {
  const std::string city = GetParam();
  const std::string prefix = Divisions::CityPrefix(city);
  const std::vector<UnitSeed>& units = D().Units(city);
  std::map<std::string, const UnitSeed*> by_code;
  for (const UnitSeed& u : units) {
    EXPECT_EQ(u.code.size(), 12u);
    EXPECT_TRUE(by_code.emplace(u.code, &u).second) << "duplicate " << u.code;
    EXPECT_TRUE(D().IsKnown(u.division_code)) << u.division_code;
    EXPECT_TRUE(u.scope_prefix.starts_with(prefix)) << u.code;
  }
  int cities = 0;
  std::set<std::string> stations;
  for (const UnitSeed& u : units) {
    if (u.kind == "city") {
      ++cities;
      EXPECT_TRUE(u.parent_code.empty());
      EXPECT_EQ(u.scope_prefix, prefix);
      continue;
    }
    ASSERT_TRUE(by_code.contains(u.parent_code)) << u.code;
    const UnitSeed& parent = *by_code[u.parent_code];
    if (u.kind == "branch") {
      EXPECT_EQ(parent.kind, "city");
      EXPECT_EQ(u.scope_prefix, u.division_code);
    } else if (u.kind == "station") {
      EXPECT_EQ(parent.kind, "branch");
      EXPECT_EQ(u.scope_prefix, u.code);
      EXPECT_TRUE(u.code.starts_with(parent.scope_prefix)) << u.code;
      stations.insert(u.code);
    } else {
      ASSERT_EQ(u.kind, "window") << u.code;
      EXPECT_EQ(parent.kind, "station");
      EXPECT_EQ(u.scope_prefix, parent.scope_prefix);
    }
    EXPECT_TRUE(u.scope_prefix.starts_with(parent.scope_prefix)) << u.code;
    EXPECT_TRUE(u.name.ends_with("分局") || u.name.ends_with("公安局") ||
                u.name.ends_with("派出所") || u.name.ends_with("窗口"))
        << u.name;
  }
  EXPECT_EQ(cities, 1);
  // Each station's scope covers exactly its own station code.
  for (const std::string& s : stations) {
    int covered = 0;
    for (const std::string& other : stations) covered += other.starts_with(s) ? 1 : 0;
    EXPECT_EQ(covered, 1) << s;
  }
  // Every station has townships and a window.
  std::set<std::string> used;
  for (const Place& p : D().Places(city)) used.insert(p.station_code);
  EXPECT_EQ(used, stations);
}

INSTANTIATE_TEST_SUITE_P(DemoCities, CityDataTest, ::testing::Values("ezhou", "ordos"));

TEST(EmbeddedDataTest, BaseNamesAreUnique) {
  std::set<std::string_view> names;
  for (std::string_view n : data::EmbeddedNames()) EXPECT_TRUE(names.insert(n).second) << n;
  EXPECT_TRUE(names.contains("loc.dat"));
}

}  // namespace
}  // namespace hukou::codes
