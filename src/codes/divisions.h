// Administrative divisions (GB/T 2260) and the demo cities' townships, communities and police
// stations.
//
// County-level codes come from Debian's python3-stdnum (stdnum/cn/loc.dat, historical codes
// included), compiled into the binary at build time, plus codes it lacks (e.g. 150603 康巴什区)
// from data/codes/divisions_extra.tsv. Townships, communities and station jurisdictions of Ezhou
// (4207xx) and Ordos (1506xx) come from data/places/places_*.tsv.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hukou::codes {

struct Division {
  std::string code;              // 6 digits
  std::string name;              // county name, e.g. 鄂城区
  std::string prefecture;        // e.g. 鄂州市 (or 市辖区 in the source data)
  std::string province;          // e.g. 湖北省
  bool current = true;           // false for historical (abolished) codes
  std::string FullName() const;  // province + prefecture + county, skipping 市辖区/县
};

// A place below county level: township (9-digit code) or community/village (12-digit code).
struct Place {
  std::string code;
  std::string name;
  std::string kind;          // township | community
  std::string parent_code;   // county (6) for townships, township (9) for communities
  std::string station_code;  // police station (12-digit unit code) whose jurisdiction it is in
};

// A police unit of a demo city: city bureau, branches, stations (see data/places/units_*.tsv).
struct UnitSeed {
  std::string code;
  std::string name;
  std::string kind;         // city | branch | station | window
  std::string parent_code;  // empty for the city bureau
  std::string scope_prefix;
  std::string division_code;
};

class Divisions {
 public:
  // The process-wide table, loaded on first use from the embedded data. Thread-safe.
  static const Divisions& Get();

  // Any known county-level code, current or historical, or a prefecture/province code
  // (e.g. 420700, 420000) that has counties under it.
  bool IsKnown(std::string_view code6) const;
  // The county, or for a prefecture/province code a Division whose name is the prefecture or
  // province name (prefecture left empty); nullopt when unknown.
  std::optional<Division> Find(std::string_view code6) const;
  // Counties whose code starts with prefix (e.g. "4207"), current ones only unless asked.
  std::vector<Division> Under(std::string_view prefix, bool include_historical = false) const;

  // Demo-city places: "ezhou" or "ordos".
  const std::vector<Place>& Places(std::string_view city) const;
  const std::vector<UnitSeed>& Units(std::string_view city) const;
  std::optional<Place> FindPlace(std::string_view code) const;
  // City prefix ("4207" for ezhou, "1506" for ordos); empty if unknown city.
  static std::string CityPrefix(std::string_view city);
  // The demo cities with place data: {"ezhou", "ordos"}.
  static std::vector<std::string> Cities();

  size_t size() const;

 private:
  Divisions();
  struct Impl;
  Impl* impl_;
};

}  // namespace hukou::codes
