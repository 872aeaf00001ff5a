#include "codes/divisions.h"

#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "codes/embedded_data.h"

namespace hukou::codes {
namespace {

bool IsSixDigits(std::string_view s) {
  if (s.size() != 6) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Value of key="..." in a loc.dat line, or empty when the key is missing.
std::string Attribute(std::string_view line, std::string_view key) {
  std::string pattern = " " + std::string(key) + "=\"";
  size_t start = line.find(pattern);
  if (start == std::string_view::npos) return {};
  start += pattern.size();
  size_t end = line.find('"', start);
  if (end == std::string_view::npos) return {};
  return std::string(line.substr(start, end - start));
}

bool IsPlaceholderName(const std::string& name) { return name == "市辖区" || name == "县"; }

}  // namespace

std::string Division::FullName() const {
  std::string out;
  for (const std::string* part : {&province, &prefecture, &name}) {
    if (part->empty() || IsPlaceholderName(*part)) continue;
    if (!out.empty() && out.ends_with(*part)) continue;
    out += *part;
  }
  return out;
}

struct Divisions::Impl {
  std::map<std::string, Division, std::less<>> counties;
  // Prefecture (XXXX00) and province (XX0000) codes with at least one county under them.
  std::map<std::string, Division, std::less<>> upper;
  std::map<std::string, std::vector<Place>, std::less<>> places;
  std::map<std::string, std::vector<UnitSeed>, std::less<>> units;
  std::unordered_map<std::string, Place> place_by_code;

  void LoadLocDat(std::string_view text);
  void LoadExtra(std::string_view text);
  void BuildUpper();
  void LoadCity(const std::string& city);
};

void Divisions::Impl::LoadLocDat(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line.front() == '#' || line.size() < 6) continue;
    std::string_view code = line.substr(0, 6);
    if (!IsSixDigits(code)) continue;
    Division d;
    d.code = std::string(code);
    d.name = Attribute(line, "county");
    d.prefecture = Attribute(line, "prefecture");
    d.province = Attribute(line, "province");
    counties[d.code] = std::move(d);
  }
}

void Divisions::Impl::LoadExtra(std::string_view text) {
  // code, name, prefecture, province, current (1 current, 0 abolished).
  for (auto& row : internal::ParseTsv(text)) {
    if (row.size() < 5 || !IsSixDigits(row[0])) continue;
    Division d;
    d.code = row[0];
    d.name = row[1];
    d.prefecture = row[2];
    d.province = row[3];
    d.current = row[4] != "0";
    counties[d.code] = std::move(d);
  }
}

void Divisions::Impl::BuildUpper() {
  for (const auto& [code, d] : counties) {
    std::string province_code = code.substr(0, 2) + "0000";
    if (!upper.contains(province_code)) {
      Division p;
      p.code = province_code;
      p.name = d.province;
      p.current = false;
      upper[province_code] = p;
    }
    std::string prefecture_code = code.substr(0, 4) + "00";
    if (prefecture_code != province_code && !upper.contains(prefecture_code)) {
      Division p;
      p.code = prefecture_code;
      p.name = d.prefecture;
      p.province = d.province;
      p.current = false;
      upper[prefecture_code] = p;
    }
    // A prefecture or province is current when any county under it is.
    if (d.current) {
      upper[province_code].current = true;
      upper[prefecture_code].current = true;
    }
  }
}

void Divisions::Impl::LoadCity(const std::string& city) {
  // places_<city>.tsv: code, name, kind, parent_code, station_code.
  std::vector<Place>& city_places = places[city];
  for (auto& row : internal::ParseTsv(data::Embedded("places_" + city + ".tsv"))) {
    if (row.size() < 5) continue;
    Place p{row[0], row[1], row[2], row[3], row[4]};
    place_by_code[p.code] = p;
    city_places.push_back(std::move(p));
  }
  // units_<city>.tsv: code, name, kind, parent_code, scope_prefix, division_code.
  std::vector<UnitSeed>& city_units = units[city];
  for (auto& row : internal::ParseTsv(data::Embedded("units_" + city + ".tsv"))) {
    if (row.size() < 6) continue;
    city_units.push_back(UnitSeed{row[0], row[1], row[2], row[3], row[4], row[5]});
  }
}

const Divisions& Divisions::Get() {
  static const Divisions* divisions = new Divisions();
  return *divisions;
}

Divisions::Divisions() : impl_(new Impl) {
  impl_->LoadLocDat(data::Embedded("loc.dat"));
  impl_->LoadExtra(data::Embedded("divisions_extra.tsv"));
  impl_->BuildUpper();
  impl_->LoadCity("ezhou");
  impl_->LoadCity("ordos");
}

bool Divisions::IsKnown(std::string_view code6) const {
  if (!IsSixDigits(code6)) return false;
  return impl_->counties.find(code6) != impl_->counties.end() ||
         impl_->upper.find(code6) != impl_->upper.end();
}

std::optional<Division> Divisions::Find(std::string_view code6) const {
  if (auto it = impl_->counties.find(code6); it != impl_->counties.end()) return it->second;
  if (auto it = impl_->upper.find(code6); it != impl_->upper.end()) return it->second;
  return std::nullopt;
}

std::vector<Division> Divisions::Under(std::string_view prefix, bool include_historical) const {
  std::vector<Division> out;
  for (auto it = impl_->counties.lower_bound(prefix);
       it != impl_->counties.end() && it->first.starts_with(prefix); ++it) {
    if (it->second.current || include_historical) out.push_back(it->second);
  }
  return out;
}

const std::vector<Place>& Divisions::Places(std::string_view city) const {
  static const std::vector<Place> kEmpty;
  auto it = impl_->places.find(city);
  return it == impl_->places.end() ? kEmpty : it->second;
}

const std::vector<UnitSeed>& Divisions::Units(std::string_view city) const {
  static const std::vector<UnitSeed> kEmpty;
  auto it = impl_->units.find(city);
  return it == impl_->units.end() ? kEmpty : it->second;
}

std::optional<Place> Divisions::FindPlace(std::string_view code) const {
  auto it = impl_->place_by_code.find(std::string(code));
  if (it == impl_->place_by_code.end()) return std::nullopt;
  return it->second;
}

std::string Divisions::CityPrefix(std::string_view city) {
  if (city == "ezhou") return "4207";
  if (city == "ordos") return "1506";
  return {};
}

std::vector<std::string> Divisions::Cities() { return {"ezhou", "ordos"}; }

size_t Divisions::size() const { return impl_->counties.size(); }

}  // namespace hukou::codes
