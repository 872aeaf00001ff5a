#include "demo/demo.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "codes/divisions.h"
#include "codes/id_number.h"
#include "demo/cases_demo.h"
#include "demo/names.h"
#include "exchange/bulk_writer.h"
#include "org/units.h"
#include "org/users.h"
#include "registry/household.h"

namespace hukou::demo {
namespace {

using exchange::AddressRow;
using exchange::ChangeRow;
using exchange::HouseholdRow;
using exchange::PersonRow;
using nlohmann::json;

constexpr int64_t kDaysPerYear = 365;

// The kinds of planted anomalies, in the order they are scheduled.
enum Plant {
  kNone = -1,
  kMainItemsChangedTwice,
  kMainItemChangedThenMovedOut,
  kSupplementaryThenMovedOut,
  kDuplicatePerson,
  kDeadAged,
  kDeathReported,
  kPlantKinds
};

const char* const kStreetSuffixes[] = {"路", "街", "大道", "巷"};
const char* const kCompanyStems[] = {"华丰", "宏达", "鑫源", "长江", "东方", "金龙",
                                     "顺发", "恒通", "新兴", "天成", "永安", "万达"};
const char* const kCompanyKinds[] = {"机械有限公司", "建材有限公司",     "商贸有限公司",
                                     "物流有限公司", "钢铁有限责任公司", "食品有限公司",
                                     "纺织有限公司", "电子科技有限公司"};
const char* const kPublicEmployers[] = {"人民医院", "第一中学",   "实验小学", "农村商业银行",
                                        "供电公司", "自来水公司", "人民政府", "税务局"};
const char* const kOccupations[] = {"工人",   "职员", "教师",     "医生",      "个体经营者",
                                    "公务员", "司机", "销售人员", "技术人员",  "厨师",
                                    "保安",   "会计", "护士",     "自由职业者"};

struct Member {
  PersonRow row;
  std::string surname;  // empty for Mongolian names
  int64_t birth_days = 0;
  std::string division;  // ID-number division
  int64_t reg_days = 0;
  std::string reg_action = "register";
  std::vector<ChangeRow> history;  // entity_id and station filled when written
  bool head = false;
  bool rare = false;
};

int64_t DaysOf(int y, int m, int d) { return Date{y, m, d}.ToDays(); }

std::string DateText(int64_t days) { return Date::FromDays(days).ToString(); }

uint64_t Fnv(std::string_view s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

class CityBuilder {
 public:
  CityBuilder(store::Connection& conn, const DemoOptions& options, const Clock& clock,
              std::ostream& progress)
      : writer_(conn),
        options_(options),
        progress_(progress),
        rng_(options.seed),
        today_days_(clock.Today().ToDays()),
        history_start_(DaysOf(2001, 1, 1)) {}

  Status Build();
  json Truth() const;
  const exchange::BulkWriter& writer() const { return writer_; }
  int64_t cancelled() const { return cancelled_death_ + cancelled_moved_; }

 private:
  // --- places and people ---
  Status LoadPlaces();
  const codes::Place& RandomCommunity() { return communities_[rng_.Below(communities_.size())]; }
  static bool IsVillage(const codes::Place& p) { return p.code[9] == '2'; }
  std::string FullName(const std::string& division);
  std::string BirthDivision(int64_t birth_days, bool city_born);
  std::string AllocateIdNumber(const std::string& division, int64_t birth_days,
                               const std::string& sex);
  std::string Ethnicity();
  std::string MakeName(const std::string& surname, const std::string& sex, int64_t birth_days,
                       const std::string& ethnicity, bool unique, bool* rare);
  Member NewMember(const std::string& sex, int64_t birth_days, const std::string& ethnicity,
                   const std::string& surname, bool rural);
  void FillAuxiliary(Member& m, bool rural);
  // A birth day of someone exactly `age` years old today.
  int64_t BirthDaysForAge(int age) {
    Date t = Date::FromDays(today_days_);
    Date birthday{t.year - age, t.month, std::min(t.day, DaysInMonth(t.year - age, t.month))};
    return birthday.ToDays() - static_cast<int64_t>(rng_.Below(kDaysPerYear));
  }
  int Age(int64_t birth_days) const {
    return Date::FromDays(birth_days).AgeOn(Date::FromDays(today_days_));
  }
  std::string Instant(int64_t days);
  ChangeRow Change(const std::string& field, const std::string& old_value,
                   const std::string& new_value, int64_t days, const std::string& action);
  int64_t DayBetween(int64_t lo, int64_t hi) { return lo >= hi ? lo : rng_.Between(lo, hi); }

  // --- households ---
  Status BuildFamily(int size, Plant plant);
  Status BuildCollective(int size);
  Status BuildCommunityPublic(const codes::Place& township, int size);
  Status WriteHousehold(const std::string& kind, const codes::Place& community,
                        std::vector<Member>& members, int64_t est_days,
                        const std::string& unit_name, int64_t* household_id);
  void AddOrdinaryHistory(std::vector<Member>& members, int64_t est_days, Plant plant);
  void ApplyPlant(Plant plant, Member& m, int64_t est_days);
  void Cancel(Member& m, const std::string& reason, int64_t days);
  void Relate(std::vector<Member>& members);
  void Marry(Member& a, Member& b);
  void SetParents(Member& child, const Member* father, const Member* mother);
  void ReportProgress();

  exchange::BulkWriter writer_;
  const DemoOptions& options_;
  std::ostream& progress_;
  Rng rng_;
  NameGenerator names_;
  const int64_t today_days_;
  const int64_t history_start_;

  std::vector<codes::Place> communities_;
  std::vector<codes::Place> townships_;
  std::vector<std::string> city_counties_, province_counties_, country_counties_;
  std::unordered_map<std::string, std::string> full_names_;
  std::unordered_map<std::string, std::string> township_names_, community_names_;
  std::unordered_map<uint64_t, std::pair<int, int>> sequences_;  // key → (next male, next female)
  std::unordered_set<uint64_t> name_births_;
  std::unordered_map<std::string, int64_t> station_seq_;
  std::vector<int64_t> household_ids_;
  std::string first_station_, other_station_;

  int64_t persons_done_ = 0;
  bool forced_rare_ = false;
  int next_report_ = 1;
  int64_t family_households_ = 0, collective_households_ = 0, public_households_ = 0;
  int64_t cancelled_death_ = 0, cancelled_moved_ = 0;
  std::vector<std::string> main_multi_, main_then_out_, supp_then_out_, dead_aged_, death_reported_;
  std::vector<std::pair<std::string, std::string>> duplicates_;
  json sample_person_, sample_other_station_, sample_rare_, sample_cancelled_, sample_household_,
      sample_former_name_;
};

Status CityBuilder::LoadPlaces() {
  const auto& divisions = codes::Divisions::Get();
  for (const codes::Place& p : divisions.Places(options_.city)) {
    if (p.kind == "township") {
      townships_.push_back(p);
      township_names_[p.code] = p.name;
    } else if (p.kind == "community") {
      communities_.push_back(p);
      community_names_[p.code] = p.name;
    }
  }
  if (communities_.empty() || townships_.empty()) {
    return ValidationError("demo.city", "没有城市“" + options_.city + "”的地点数据", "city");
  }
  const std::string prefix = codes::Divisions::CityPrefix(options_.city);
  for (const auto& d : divisions.Under(prefix)) city_counties_.push_back(d.code);
  for (const auto& d : divisions.Under(prefix.substr(0, 2))) {
    if (!d.code.starts_with(prefix)) province_counties_.push_back(d.code);
  }
  for (const auto& d : divisions.Under("")) {
    if (!d.code.starts_with(prefix.substr(0, 2))) country_counties_.push_back(d.code);
  }
  for (const DemoUser& u : DemoUsers(options_.city)) {
    if (u.login == "police1") first_station_ = u.unit_code;
    if (u.login == "police2") other_station_ = u.unit_code;
  }
  return Status::Ok();
}

std::string CityBuilder::FullName(const std::string& division) {
  auto it = full_names_.find(division);
  if (it != full_names_.end()) return it->second;
  auto d = codes::Divisions::Get().Find(division);
  std::string name = d ? d->FullName() : division;
  full_names_.emplace(division, name);
  return name;
}

std::string CityBuilder::BirthDivision(int64_t birth_days, bool city_born) {
  uint64_t r = rng_.Below(100);
  std::string code;
  if (city_born || r < 80 || (province_counties_.empty() && country_counties_.empty())) {
    code = city_counties_[rng_.Below(city_counties_.size())];
  } else if (r < 92 && !province_counties_.empty()) {
    return province_counties_[rng_.Below(province_counties_.size())];
  } else {
    return country_counties_[rng_.Below(country_counties_.size())];
  }
  // Ordos was 伊克昭盟 (1527xx) until 2001; 康巴什区 (150603) dates from 2016.
  const int year = Date::FromDays(birth_days).year;
  if (code == "150603" && year < 2016) code = "150602";
  if (code.starts_with("1506") && year < 2001) {
    int county = std::stoi(code.substr(4));
    std::string old = county == 2 ? "152701" : "1527" + std::to_string(county + 1);
    if (codes::Divisions::Get().IsKnown(old)) code = old;
  }
  return code;
}

std::string CityBuilder::AllocateIdNumber(const std::string& division, int64_t birth_days,
                                          const std::string& sex) {
  const Date birth = Date::FromDays(birth_days);
  const uint64_t key = std::stoull(division) * 100000000ull +
                       static_cast<uint64_t>(birth.year * 10000 + birth.month * 100 + birth.day);
  auto [it, inserted] = sequences_.try_emplace(key, 0, 0);
  if (inserted) {
    // Sequences start low and grow, as a registration office hands them out.
    int start = static_cast<int>(rng_.Between(1, 30));  // 000 is never handed out
    it->second = {2 * start + 1, 2 * start};
  }
  int& next = sex == "1" ? it->second.first : it->second.second;
  if (next > 999) {
    // This day's numbers are used up: use the next day (never in practice below 10^8 persons).
    return AllocateIdNumber(division, birth_days + 1, sex);
  }
  int seq = next;
  next += 2;
  return codes::ComposeIdNumber(division, birth, seq);
}

std::string CityBuilder::Ethnicity() {
  uint64_t r = rng_.Below(10000);
  if (options_.city == "ordos") {
    if (r < 8700) return "01";
    if (r < 9800) return "02";
    if (r < 9900) return "03";
    if (r < 9960) return "11";
    return "31";
  }
  if (r < 9960) return "01";
  if (r < 9975) return "15";
  if (r < 9985) return "03";
  if (r < 9992) return "06";
  if (r < 9996) return "11";
  return "08";
}

std::string CityBuilder::MakeName(const std::string& surname, const std::string& sex,
                                  int64_t birth_days, const std::string& ethnicity, bool unique,
                                  bool* rare) {
  const int year = Date::FromDays(birth_days).year;
  for (int attempt = 0;; ++attempt) {
    std::string name;
    if (ethnicity == "02" && attempt < 3 && rng_.Chance(600000)) {
      name = names_.MongolianName(rng_, sex);
    } else {
      std::string given = names_.GivenName(rng_, sex, year);
      if (attempt > 20) given += names_.GivenName(rng_, sex, year);
      if (rng_.Chance(1000) || (!forced_rare_ && persons_done_ >= 50)) {
        forced_rare_ = true;
        auto chars = Utf8Chars(given);
        chars.back() = names_.RareCharacter(rng_);
        given.clear();
        for (const auto& c : chars) given += c;
        *rare = true;
      }
      name = (surname.empty() ? names_.Surname(rng_) : surname) + given;
    }
    if (!unique) return name;
    if (name_births_.insert(Fnv(name, static_cast<uint64_t>(birth_days))).second) return name;
    *rare = false;
  }
}

Member CityBuilder::NewMember(const std::string& sex, int64_t birth_days,
                              const std::string& ethnicity, const std::string& surname,
                              bool rural) {
  Member m;
  m.birth_days = birth_days;
  m.row.sex = sex;
  m.row.ethnicity = ethnicity;
  m.row.birth_date = DateText(birth_days);
  m.row.name = MakeName(surname, sex, birth_days, ethnicity, true, &m.rare);
  m.surname = m.row.name.starts_with(surname) ? surname : std::string();
  m.division = BirthDivision(birth_days, false);
  m.row.id_number = AllocateIdNumber(m.division, birth_days, sex);
  m.row.birthplace = FullName(m.division);
  m.row.native_place = m.division;  // 籍贯 as a division code
  FillAuxiliary(m, rural);
  return m;
}

void CityBuilder::FillAuxiliary(Member& m, bool rural) {
  PersonRow& r = m.row;
  const int age = Age(m.birth_days);
  const int year = Date::FromDays(m.birth_days).year;
  // Religion.
  uint64_t rr = rng_.Below(1000);
  if (r.ethnicity == "03") {
    r.religion = "30";
  } else if (r.ethnicity == "02") {
    r.religion = rr < 250 ? "10" : "00";
  } else {
    r.religion = rr < 20 ? "10" : rr < 30 ? "50" : rr < 33 ? "20" : "00";
  }
  // Education by age and generation.
  if (age < 6) {
    r.education = "";
  } else if (age < 12) {
    r.education = "80";
  } else if (age < 15) {
    r.education = "70";
  } else if (age < 18) {
    r.education = "60";
  } else {
    uint64_t e = rng_.Below(1000) + (year >= 1985 ? 350 : year >= 1965 ? 150 : 0);
    r.education = e < 250    ? "81"
                  : e < 560  ? "71"
                  : e < 760  ? "61"
                  : e < 850  ? "41"
                  : e < 1000 ? "31"
                  : e < 1260 ? "21"
                             : "14";
  }
  // Marital status: single by default; Marry() and the household structure refine it.
  r.marital_status = age < 22 ? "10" : age > 70 ? "30" : rng_.Chance(150000) ? "40" : "10";
  // Military service.
  if (age >= 18) {
    r.military_service = r.sex == "1" ? (rng_.Chance(80000)   ? "1"
                                         : rng_.Chance(20000) ? "9"
                                                              : "0")
                                      : "0";
  }
  // Work.
  if (age >= 6 && age < 18) {
    r.occupation = "学生";
    r.workplace = age < 12 ? "实验小学" : "第一中学";
  } else if (age >= 18 && age < 60) {
    if (rural && rng_.Chance(600000)) {
      r.occupation = "农民";
    } else {
      r.occupation = kOccupations[rng_.Below(std::size(kOccupations))];
      if (rng_.Chance(700000)) {
        r.workplace = std::string(kCompanyStems[rng_.Below(std::size(kCompanyStems))]) +
                      kCompanyKinds[rng_.Below(std::size(kCompanyKinds))];
      } else {
        r.workplace = kPublicEmployers[rng_.Below(std::size(kPublicEmployers))];
      }
    }
  } else if (age >= 60) {
    r.occupation = "离退休人员";
  }
  if (age >= 16) {
    static const char* const kPrefixes[] = {"139", "138", "137", "150", "151", "152", "158",
                                            "159", "186", "187", "188", "135", "136", "177",
                                            "189", "133", "153", "180", "181", "199"};
    char digits[9];
    std::snprintf(digits, sizeof digits, "%08llu",
                  static_cast<unsigned long long>(rng_.Below(100000000)));
    r.phone = std::string(kPrefixes[rng_.Below(std::size(kPrefixes))]) + digits;
  }
  // About 12 % of records miss some auxiliary items (A7 missing-information prompts).
  if (age >= 16 && rng_.Chance(120000)) {
    for (std::string* s :
         {&r.marital_status, &r.workplace, &r.military_service, &r.religion, &r.phone}) {
      if (rng_.Chance(400000)) s->clear();
    }
  }
}

std::string CityBuilder::Instant(int64_t days) {
  // Office hours in Beijing time (08:30–17:30) are 00:30–09:30 UTC.
  int64_t seconds = rng_.Between(int64_t{30} * 60, int64_t{9} * 3600 + int64_t{30} * 60);
  char buf[40];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d.000000Z", static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  return DateText(days) + buf;
}

ChangeRow CityBuilder::Change(const std::string& field, const std::string& old_value,
                              const std::string& new_value, int64_t days,
                              const std::string& action) {
  ChangeRow c;
  c.entity = "person";
  c.field = field;
  c.old_value = old_value;
  c.new_value = new_value;
  c.changed_at = Instant(days);
  c.effective_date = DateText(days);
  c.action = action;
  return c;
}

void CityBuilder::Marry(Member& a, Member& b) {
  a.row.marital_status = b.row.marital_status = rng_.Chance(50000) ? "22" : "20";
  a.row.spouse_name = b.row.name;
  a.row.spouse_id_number = b.row.id_number;
  b.row.spouse_name = a.row.name;
  b.row.spouse_id_number = a.row.id_number;
}

void CityBuilder::SetParents(Member& child, const Member* father, const Member* mother) {
  if (father) {
    child.row.father_name = father->row.name;
    child.row.father_id_number = father->row.id_number;
    child.row.native_place = father->row.native_place;
  }
  if (mother) {
    child.row.mother_name = mother->row.name;
    child.row.mother_id_number = mother->row.id_number;
  }
  if (Age(child.birth_days) < 18) {
    const Member* guardian = father ? father : mother;
    if (guardian) {
      child.row.guardian_name = guardian->row.name;
      child.row.guardian_id_number = guardian->row.id_number;
    }
  }
}

void CityBuilder::Cancel(Member& m, const std::string& reason, int64_t days) {
  m.row.status = "cancelled";
  m.row.cancel_reason = reason;
  m.row.cancel_date = DateText(days);
  m.history.push_back(Change("*", "", reason, days, "cancel"));
  (reason == "10" ? cancelled_death_ : cancelled_moved_)++;
}

// Family households: head, spouse, children, sometimes the head's parents or a married son with
// his wife and children. Parents are 20–40 years older than their children.
Status CityBuilder::BuildFamily(int size, Plant plant) {
  const codes::Place& community = RandomCommunity();
  const bool rural = IsVillage(community);
  std::vector<Member> m;
  m.reserve(16);  // husband / wife point into m
  const std::string eth = Ethnicity();
  const std::string surname = names_.Surname(rng_);
  auto other_eth = [&] { return rng_.Chance(700000) ? eth : Ethnicity(); };
  auto child_of = [&](const Member& mother, const std::string& sx, const std::string& sn) {
    // Born when the mother was 20–40, and not after yesterday.
    const int64_t earliest = mother.birth_days + 20 * kDaysPerYear + 5;
    const int64_t latest = std::min(mother.birth_days + 40 * kDaysPerYear, today_days_ - 1);
    const int64_t birth = std::min(DayBetween(earliest, latest), today_days_ - 1);
    return NewMember(sx, birth, eth, sn, rural);
  };
  auto sex = [&] { return rng_.Chance(512000) ? std::string("1") : std::string("2"); };

  // Templates by size: 0 head only; 1 couple; 2 single parent + child; 3 couple + children;
  // 4 couple + children + head's parents; 5 three generations under an old head.
  int templ = 0, children = 0, parents = 0, grandchildren = 0;
  switch (size) {
    case 1:
      templ = 0;
      break;
    case 2:
      templ = rng_.Chance(700000) ? 1 : 2;
      children = templ == 2;
      break;
    case 3:
      templ = 3;
      children = 1;
      break;
    case 4:
      if (rng_.Chance(700000)) {
        templ = 3;
        children = 2;
      } else {
        templ = 4;
        children = 1;
        parents = 1;
      }
      break;
    case 5:
      if (rng_.Chance(500000)) {
        templ = 4;
        children = 2;
        parents = 1;
      } else {
        templ = 5;
        grandchildren = 1;
      }
      break;
    default:
      if (rng_.Chance(500000)) {
        templ = 4;
        children = 2;
        parents = 2;
      } else {
        templ = 5;
        grandchildren = 2;
      }
      break;
  }
  if (plant == kDeadAged) templ = 0;
  if (plant == kDeathReported) templ = 1;
  if (plant == kMainItemsChangedTwice || plant == kMainItemChangedThenMovedOut ||
      plant == kSupplementaryThenMovedOut || plant == kDuplicatePerson) {
    templ = 3;
    children = 1;
  }

  int head_age;
  switch (templ) {
    case 0:
      head_age = plant == kDeadAged ? static_cast<int>(rng_.Between(105, 110))
                                    : static_cast<int>(rng_.Between(20, 88));
      break;
    case 1:
      head_age = plant == kDeathReported ? static_cast<int>(rng_.Between(80, 92))
                                         : static_cast<int>(rng_.Between(22, 88));
      break;
    case 2:
      head_age = static_cast<int>(rng_.Between(38, 80));
      break;
    case 3:
      head_age = static_cast<int>(rng_.Between(plant == kNone ? 24 : 45, 70));
      break;
    case 4:
      head_age = static_cast<int>(rng_.Between(28, 59));
      break;
    default:
      head_age = static_cast<int>(rng_.Between(55, 78));
      break;
  }
  const std::string head_sex = rng_.Chance(780000) ? "1" : "2";
  m.push_back(NewMember(head_sex, BirthDaysForAge(head_age), eth, surname, rural));
  m[0].head = true;
  m[0].row.relation_to_head = "02";
  Member* husband = head_sex == "1" ? &m[0] : nullptr;
  Member* wife = head_sex == "2" ? &m[0] : nullptr;
  bool has_spouse = templ == 1 || templ == 3 || templ == 4 || templ == 5;
  if (has_spouse) {
    // Husbands are on average two years older than their wives.
    const int husband_older = static_cast<int>(rng_.Between(-3, 7));
    const int spouse_age =
        std::clamp(head_sex == "1" ? head_age - husband_older : head_age + husband_older, 20, 99);
    const std::string spouse_sex = head_sex == "1" ? "2" : "1";
    m.push_back(NewMember(spouse_sex, BirthDaysForAge(spouse_age), other_eth(),
                          names_.Surname(rng_), rural));
    m[1].row.relation_to_head = rng_.Chance(500000) ? "10" : (spouse_sex == "1" ? "11" : "12");
    (spouse_sex == "1" ? husband : wife) = &m[1];
    Marry(m[0], m[1]);
  } else if (templ == 0 && head_age > 70) {
    m[0].row.marital_status = "30";
  }
  // Children take the father's surname (mostly) and his ethnicity.
  const Member mother_copy = wife ? *wife : m[0];
  const std::string child_surname = husband ? husband->surname : m[0].surname;
  int sons = 0, daughters = 0;
  std::vector<size_t> child_index;
  for (int i = 0; i < children; ++i) {
    std::string sx = sex();
    Member c = child_of(mother_copy, sx, child_surname);
    SetParents(c, husband, wife);
    child_index.push_back(m.size());
    m.push_back(std::move(c));
    (sx == "1" ? sons : daughters)++;
  }
  // Relation codes in birth order: 独生子/长子/次子 …, 独生女/长女/次女 …
  std::sort(child_index.begin(), child_index.end(),
            [&](size_t a, size_t b) { return m[a].birth_days < m[b].birth_days; });
  int son_no = 0, daughter_no = 0;
  for (size_t idx : child_index) {
    Member& c = m[idx];
    if (c.row.sex == "1") {
      c.row.relation_to_head = children == 1 ? "21" : std::to_string(22 + son_no++);
    } else {
      c.row.relation_to_head = children == 1 ? "31" : std::to_string(32 + daughter_no++);
    }
  }
  if (templ == 2 && m.size() == 2) {
    // Single parent: widowed or divorced.
    m[0].row.marital_status = rng_.Chance(500000) ? "30" : "40";
    SetParents(m[1], husband, wife);
  }
  // The head's parents, 20–40 years older.
  if (parents > 0) {
    const int64_t head_birth = m[0].birth_days;
    Member father = NewMember("1", head_birth - rng_.Between(22, 40) * kDaysPerYear, eth,
                              head_sex == "1" ? surname : names_.Surname(rng_), rural);
    father.row.relation_to_head = "51";
    if (Age(father.birth_days) <= 99) {
      if (head_sex == "1" && m[0].row.father_name.empty()) SetParents(m[0], &father, nullptr);
      m.push_back(std::move(father));
    }
    if (parents > 1) {
      Member mother = NewMember("2", head_birth - rng_.Between(20, 38) * kDaysPerYear, eth,
                                names_.Surname(rng_), rural);
      mother.row.relation_to_head = "52";
      if (Age(mother.birth_days) <= 99) {
        if (m.back().row.relation_to_head == "51") Marry(m.back(), mother);
        m.push_back(std::move(mother));
      }
    }
  }
  // Three generations: the married son, his wife and their children.
  if (templ == 5) {
    Member son = child_of(mother_copy, "1", child_surname);
    if (Age(son.birth_days) >= 22) {
      SetParents(son, husband, wife);
      son.row.relation_to_head = "22";
      int dil_age = std::max(20, Age(son.birth_days) - static_cast<int>(rng_.Between(0, 4)));
      Member dil =
          NewMember("2", BirthDaysForAge(dil_age), other_eth(), names_.Surname(rng_), rural);
      dil.row.relation_to_head = "38";
      Marry(son, dil);
      for (int g = 0; g < grandchildren; ++g) {
        std::string sx = sex();
        Member gc = child_of(dil, sx, son.surname);
        SetParents(gc, &son, &dil);
        gc.row.relation_to_head = sx == "1" ? "41" : "42";
        m.push_back(std::move(gc));
      }
      m.insert(m.begin() + (has_spouse ? 2 : 1), std::move(dil));
      m.insert(m.begin() + (has_spouse ? 2 : 1), std::move(son));
    }
  }

  // The household was established when the head came of age, at the earliest in 1985.
  int64_t est_days = DayBetween(std::max(m[0].birth_days + 20 * kDaysPerYear, DaysOf(1985, 1, 1)),
                                today_days_ - 60);
  if (plant != kNone) est_days = DayBetween(DaysOf(1990, 1, 1), DaysOf(2000, 12, 1));
  AddOrdinaryHistory(m, est_days, plant);
  if (plant != kNone && plant != kDeadAged) {
    ApplyPlant(plant, m[1], est_days);
  }
  int64_t household_id = 0;
  HUKOU_RETURN_IF_ERROR(WriteHousehold("family", community, m, est_days, "", &household_id));
  ++family_households_;
  if (plant == kDeadAged) dead_aged_.push_back(m[0].row.id_number);

  // Samples for tests: an ordinary active head in police1's / police2's station.
  const std::string& station = community.station_code;
  auto sample = [&](const Member& p) {
    return json{{"id_number", p.row.id_number},
                {"name", p.row.name},
                {"station_code", station},
                {"household_id", household_id}};
  };
  if (plant == kNone && !m[0].rare && m[0].row.status == "active") {
    if (sample_person_.is_null() && station == first_station_) sample_person_ = sample(m[0]);
    if (sample_other_station_.is_null() && station == other_station_) {
      sample_other_station_ = sample(m[0]);
    }
    if (sample_household_.is_null() && station == first_station_ && m.size() >= 3) {
      sample_household_ = json{{"household_id", household_id},
                               {"head_id_number", m[0].row.id_number},
                               {"members", m.size()}};
    }
  }
  for (const Member& p : m) {
    if (p.rare && sample_rare_.is_null()) sample_rare_ = sample(p);
    if (p.row.status == "cancelled" && sample_cancelled_.is_null()) sample_cancelled_ = sample(p);
    if (plant == kNone && !p.row.former_names.empty() && sample_former_name_.is_null()) {
      sample_former_name_ = sample(p);
      sample_former_name_["former_name"] = p.row.former_names.front();
    }
  }

  if (plant == kDuplicatePerson) {
    // The same real person registered a second time elsewhere under another ID number.
    const Member& original = m[1];
    Member twin = original;
    twin.history.clear();
    twin.head = true;
    twin.row.relation_to_head = "02";
    twin.row.spouse_name.clear();
    twin.row.spouse_id_number.clear();
    twin.row.marital_status = "10";
    std::string division;
    do {
      division = BirthDivision(twin.birth_days, false);
    } while (division == original.division);
    twin.division = division;
    twin.row.id_number = AllocateIdNumber(division, twin.birth_days, twin.row.sex);
    std::vector<Member> single{std::move(twin)};
    int64_t twin_est = DayBetween(DaysOf(2008, 1, 1), today_days_ - 400);
    single[0].reg_days = twin_est;
    single[0].history.insert(single[0].history.begin(), Change("*", "", "", twin_est, "register"));
    int64_t twin_household = 0;
    HUKOU_RETURN_IF_ERROR(
        WriteHousehold("family", RandomCommunity(), single, twin_est, "", &twin_household));
    ++family_households_;
    duplicates_.emplace_back(original.row.id_number, single[0].row.id_number);
  }
  return Status::Ok();
}

// Registration rows, marriages, moves, name changes, deaths and moves out of the city.
void CityBuilder::AddOrdinaryHistory(std::vector<Member>& members, int64_t est_days, Plant plant) {
  for (size_t i = 0; i < members.size(); ++i) {
    Member& p = members[i];
    p.reg_days = std::max(est_days, p.birth_days + rng_.Between(5, 60));
    p.reg_days = std::min(p.reg_days, today_days_ - 1);
    p.history.push_back(Change("*", "", "", p.reg_days, p.reg_action));
    if (plant != kNone) continue;  // planted households keep a clean, predictable history
    const int64_t lo = std::max(p.reg_days + 1, history_start_);
    const int64_t hi = today_days_ - 2;
    if (lo >= hi) continue;
    const int age = Age(p.birth_days);
    if ((p.row.marital_status == "20" || p.row.marital_status == "22") && rng_.Chance(300000)) {
      p.history.push_back(
          Change("marital_status", "10", p.row.marital_status, DayBetween(lo, hi), "update"));
    }
    if (!p.head && age >= 18 && !household_ids_.empty() && rng_.Chance(80000)) {
      int64_t from = household_ids_[rng_.Below(household_ids_.size())];
      p.history.push_back(
          Change("household_id", std::to_string(from), "", DayBetween(lo, hi), "move"));
    }
    if (age >= 22 && p.row.education.size() == 2 && p.row.education < "61" &&
        rng_.Chance(100000)) {  // finished higher education after registration
      p.history.push_back(Change("education", "61", p.row.education, DayBetween(lo, hi), "update"));
    }
    if (age >= 10 && rng_.Chance(4000)) {
      // A single name change (one main item, once: not an anomaly).
      std::string old_name = p.row.name;
      std::string new_name = MakeName(p.surname, p.row.sex, p.birth_days, "01", true, &p.rare);
      p.row.former_names.push_back(old_name);
      p.row.name = new_name;
      p.history.push_back(Change("name", old_name, new_name, DayBetween(lo, hi), "update"));
      continue;
    }
    if (p.head) continue;
    if (age >= 75 && rng_.Chance(250000)) {
      Cancel(p, "10", DayBetween(lo, hi));
    } else if (age >= 18 && age <= 45 && p.row.relation_to_head != "10" &&
               p.row.relation_to_head != "11" && p.row.relation_to_head != "12" &&
               rng_.Chance(50000)) {
      Cancel(p, "20", DayBetween(lo, hi));
    } else if (rng_.Chance(2000)) {
      p.history.front().action = "supplementary";
    }
  }
}

void CityBuilder::ApplyPlant(Plant plant, Member& m, int64_t est_days) {
  const int64_t lo = std::max(est_days + 30, history_start_ + 30);
  const int64_t hi = today_days_ - 10;
  const int64_t d1 = DayBetween(lo, lo + (hi - lo) / 2);
  const int64_t d2 = DayBetween(d1 + 30, hi);
  PersonRow& r = m.row;
  switch (plant) {
    case kMainItemsChangedTwice: {
      switch (main_multi_.size() % 4) {
        case 0: {  // name changed twice
          const std::string& surname = m.surname;
          std::string n0 = MakeName(surname, r.sex, m.birth_days, "01", true, &m.rare);
          std::string n1 = MakeName(surname, r.sex, m.birth_days, "01", true, &m.rare);
          r.former_names = {n0, n1};
          m.history.push_back(Change("name", n0, n1, d1, "update"));
          m.history.push_back(Change("name", n1, r.name, d2, "update"));
          break;
        }
        case 1: {  // ethnicity changed twice
          std::string e1 = r.ethnicity == "15" ? "11" : "15";
          std::string e0 = r.ethnicity == "01" ? "03" : "01";
          m.history.push_back(Change("ethnicity", e0, e1, d1, "update"));
          m.history.push_back(Change("ethnicity", e1, r.ethnicity, d2, "update"));
          break;
        }
        case 2: {  // birth date changed twice, each time with a new ID number
          int64_t b0 = m.birth_days - rng_.Between(30, 400);
          int64_t b1 = m.birth_days + rng_.Between(1, 20);
          std::string id0 = AllocateIdNumber(m.division, b0, r.sex);
          std::string id1 = AllocateIdNumber(m.division, b1, r.sex);
          m.history.push_back(Change("birth_date", DateText(b0), DateText(b1), d1, "update"));
          m.history.push_back(Change("id_number", id0, id1, d1, "update"));
          m.history.push_back(Change("birth_date", DateText(b1), r.birth_date, d2, "update"));
          m.history.push_back(Change("id_number", id1, r.id_number, d2, "update"));
          break;
        }
        default: {  // sex corrected (with its ID number), later the name
          std::string old_sex = r.sex == "1" ? "2" : "1";
          std::string old_id = AllocateIdNumber(m.division, m.birth_days, old_sex);
          const std::string& surname = m.surname;
          std::string n0 = MakeName(surname, old_sex, m.birth_days, "01", true, &m.rare);
          r.former_names = {n0};
          m.history.push_back(Change("sex", old_sex, r.sex, d1, "update"));
          m.history.push_back(Change("id_number", old_id, r.id_number, d1, "update"));
          m.history.push_back(Change("name", n0, r.name, d2, "update"));
          break;
        }
      }
      main_multi_.push_back(r.id_number);
      break;
    }
    case kMainItemChangedThenMovedOut: {
      const std::string& surname = m.surname;
      std::string n0 = MakeName(surname, r.sex, m.birth_days, "01", true, &m.rare);
      r.former_names = {n0};
      m.history.push_back(Change("name", n0, r.name, d1, "update"));
      Cancel(m, "20", d2);
      main_then_out_.push_back(r.id_number);
      break;
    }
    case kSupplementaryThenMovedOut: {
      m.reg_days = d1;
      m.history.front() = Change("*", "", "", d1, "supplementary");
      Cancel(m, "20", d2);
      supp_then_out_.push_back(r.id_number);
      break;
    }
    case kDeathReported: {
      int64_t death = DayBetween(std::max(lo, today_days_ - 3 * kDaysPerYear), hi - 40);
      m.history.push_back(
          Change("*", "", DateText(death), death + rng_.Between(3, 30), "death_reported"));
      death_reported_.push_back(r.id_number);
      break;
    }
    default:
      break;
  }
}

Status CityBuilder::BuildCollective(int size) {
  const codes::Place& community = RandomCommunity();
  const bool school = rng_.Chance(400000);
  std::string unit = school ? "第" + std::to_string(rng_.Between(1, 9)) + "中学"
                            : std::string(kCompanyStems[rng_.Below(std::size(kCompanyStems))]) +
                                  kCompanyKinds[rng_.Below(std::size(kCompanyKinds))];
  std::vector<Member> m;
  for (int i = 0; i < size; ++i) {
    int age = static_cast<int>(school ? rng_.Between(15, 19) : rng_.Between(20, 55));
    std::string sx = rng_.Chance(500000) ? "1" : "2";
    Member p = NewMember(sx, BirthDaysForAge(age), Ethnicity(), names_.Surname(rng_), false);
    p.row.relation_to_head = "80";
    p.row.workplace = unit;
    p.row.occupation = school ? "学生" : "工人";
    m.push_back(std::move(p));
  }
  int64_t est = DayBetween(DaysOf(1995, 1, 1), today_days_ - 400);
  for (Member& p : m) {
    p.reg_days = std::max(est, p.birth_days + 16 * kDaysPerYear) + rng_.Between(0, 300);
    p.reg_days = std::min(p.reg_days, today_days_ - 1);
    p.history.push_back(Change("*", "", "", p.reg_days, "register"));
  }
  int64_t id = 0;
  HUKOU_RETURN_IF_ERROR(WriteHousehold("collective", community, m, est, unit + "集体户", &id));
  ++collective_households_;
  return Status::Ok();
}

Status CityBuilder::BuildCommunityPublic(const codes::Place& township, int size) {
  const codes::Place* community = nullptr;
  for (const auto& c : communities_) {
    if (c.parent_code == township.code) {
      community = &c;
      break;
    }
  }
  if (community == nullptr) return Status::Ok();
  std::vector<Member> m;
  for (int i = 0; i < size; ++i) {
    int age = static_cast<int>(rng_.Between(18, 80));
    std::string sx = rng_.Chance(500000) ? "1" : "2";
    Member p = NewMember(sx, BirthDaysForAge(age), Ethnicity(), names_.Surname(rng_),
                         IsVillage(*community));
    p.row.relation_to_head = "80";
    p.reg_days =
        DayBetween(std::max(history_start_, p.birth_days + 18 * kDaysPerYear), today_days_ - 2);
    p.history.push_back(Change("*", "", "", p.reg_days, "register"));
    m.push_back(std::move(p));
  }
  int64_t id = 0;
  HUKOU_RETURN_IF_ERROR(WriteHousehold("community_public", *community, m, DaysOf(2001, 1, 1),
                                       township.name + "社区公共户", &id));
  ++public_households_;
  return Status::Ok();
}

Status CityBuilder::WriteHousehold(const std::string& kind, const codes::Place& community,
                                   std::vector<Member>& members, int64_t est_days,
                                   const std::string& unit_name, int64_t* household_id) {
  const std::string county = community.code.substr(0, 6);
  const std::string& township = township_names_[community.parent_code];
  AddressRow a;
  a.division_code = county;
  a.township_code = community.parent_code;
  a.community_code = community.code;
  a.full_text = FullName(county) + township + community.name;
  const std::string stem = Utf8Chars(community.name).size() > 2
                               ? community.name.substr(0, community.name.size() - 6)
                               : community.name;
  if (IsVillage(community)) {
    a.street = std::to_string(rng_.Between(1, 12)) + "组";
    a.house_number = std::to_string(rng_.Between(1, 120));
    a.full_text += a.street + a.house_number + "号";
  } else {
    a.street = stem + kStreetSuffixes[rng_.Below(std::size(kStreetSuffixes))];
    a.house_number = std::to_string(rng_.Between(1, 300));
    a.full_text += a.street + a.house_number + "号";
    if (kind == "family") {
      a.building = std::to_string(rng_.Between(1, 30));
      a.unit_no = std::to_string(rng_.Between(1, 6));
      a.room = std::to_string(rng_.Between(1, 18) * 100 + rng_.Between(1, 4));
      a.full_text += a.building + "栋" + a.unit_no + "单元" + a.room + "室";
    }
  }
  if (!unit_name.empty()) a.full_text += "（" + unit_name + "）";
  const std::string est_instant = Instant(est_days);
  a.created_at = est_instant;
  HUKOU_ASSIGN_OR_RETURN(int64_t address_id, writer_.AddAddress(a));
  const std::string& station = community.station_code;

  HouseholdRow h;
  h.household_number = registry::FormatHouseholdNumber(station, ++station_seq_[station]);
  h.kind = kind;
  h.address_id = address_id;
  h.station_code = station;
  h.created_at = est_instant;
  h.updated_at = est_instant;
  HUKOU_ASSIGN_OR_RETURN(int64_t hid, writer_.AddHousehold(h));
  *household_id = hid;

  ChangeRow hc;
  hc.entity = "household";
  hc.entity_id = hid;
  hc.field = "*";
  hc.changed_at = est_instant;
  hc.effective_date = DateText(est_days);
  hc.action = "register";
  hc.station_code = station;
  HUKOU_RETURN_IF_ERROR(writer_.AddChange(hc));

  for (Member& p : members) {
    p.row.household_id = hid;
    p.row.station_code = station;
    p.row.registered_at = p.history.empty() ? Instant(p.reg_days) : p.history.front().changed_at;
    p.row.updated_at = p.row.registered_at;
    for (const ChangeRow& c : p.history)
      p.row.updated_at = std::max(p.row.updated_at, c.changed_at);
    HUKOU_ASSIGN_OR_RETURN(int64_t pid, writer_.AddPerson(p.row));
    if (p.head) HUKOU_RETURN_IF_ERROR(writer_.SetHead(hid, pid));
    for (ChangeRow& c : p.history) {
      c.entity_id = pid;
      c.station_code = station;
      if (c.action == "move") c.new_value = std::to_string(hid);
      HUKOU_RETURN_IF_ERROR(writer_.AddChange(c));
    }
    ++persons_done_;
  }
  household_ids_.push_back(hid);
  ReportProgress();
  return Status::Ok();
}

void CityBuilder::ReportProgress() {
  while (next_report_ <= 10 && persons_done_ * 10 >= options_.persons * next_report_) {
    progress_ << "已生成 " << persons_done_ << "/" << options_.persons << " 人\n";
    progress_.flush();
    ++next_report_;
  }
}

Status CityBuilder::Build() {
  HUKOU_RETURN_IF_ERROR(LoadPlaces());
  HUKOU_RETURN_IF_ERROR(writer_.DeferIndexes());
  const int64_t n = options_.persons;
  // One community public household (社区公共户) per township.
  for (const auto& t : townships_) {
    int size = static_cast<int>(std::min<int64_t>(rng_.Below(4), n - persons_done_));
    HUKOU_RETURN_IF_ERROR(BuildCommunityPublic(t, size));
  }
  // Planted anomalies at evenly spaced points.
  const int64_t per_kind = std::max<int64_t>(3, n / 20000);
  const int64_t slots = per_kind * kPlantKinds;
  const int64_t interval = std::max<int64_t>(1, n / (slots + 1));
  int64_t slot = 0;
  // Family household sizes (2020 census shares, %): 1:25 2:30 3:21 4:13 5:7 6:4.
  const std::vector<uint32_t> size_weights = {25, 30, 21, 13, 7, 4};
  while (persons_done_ < n) {
    const int64_t remaining = n - persons_done_;
    if (slot < slots && persons_done_ >= (slot + 1) * interval && remaining >= 4) {
      HUKOU_RETURN_IF_ERROR(BuildFamily(3, static_cast<Plant>(slot % kPlantKinds)));
      ++slot;
      continue;
    }
    if (rng_.Chance(4000) && remaining >= 8) {
      HUKOU_RETURN_IF_ERROR(
          BuildCollective(static_cast<int>(std::min<int64_t>(rng_.Between(8, 50), remaining))));
      continue;
    }
    int size = static_cast<int>(rng_.Weighted(size_weights, 100)) + 1;
    size = static_cast<int>(std::min<int64_t>(size, remaining));
    HUKOU_RETURN_IF_ERROR(BuildFamily(size, kNone));
  }
  // Record every sequence handed out in the city's own counties (the only ones newborn
  // registration allocates in) so that newborn allocation never reuses one.
  const std::unordered_set<std::string> own(city_counties_.begin(), city_counties_.end());
  for (const auto& [key, next] : sequences_) {
    const std::string division = std::to_string(key / 100000000ull);
    if (!own.contains(division)) continue;
    const std::string date = std::to_string(key % 100000000ull);
    if (next.first > 1) writer_.NoteIdSequence(division, date, next.first - 2);
    if (next.second > 0) writer_.NoteIdSequence(division, date, next.second - 2);
  }
  progress_ << "正在建立索引……\n";
  progress_.flush();
  HUKOU_RETURN_IF_ERROR(writer_.RestoreIndexes());
  return writer_.Finish();
}

json CityBuilder::Truth() const {
  auto list = [](const std::vector<std::string>& v) { return json(v); };
  json dup = json::array();
  for (const auto& [a, b] : duplicates_) dup.push_back({a, b});
  return json{
      {"city", options_.city},
      {"seed", options_.seed},
      {"as_of", DateText(today_days_)},
      {"password", kDemoPassword},
      {"counts",
       {{"persons", writer_.persons()},
        {"households", writer_.households()},
        {"family_households", family_households_},
        {"collective_households", collective_households_},
        {"community_public_households", public_households_},
        {"addresses", writer_.addresses()},
        {"change_log", writer_.changes()},
        {"cancelled", cancelled_death_ + cancelled_moved_},
        {"cancelled_death", cancelled_death_},
        {"cancelled_moved_out", cancelled_moved_},
        {"active", writer_.persons() - cancelled_death_ - cancelled_moved_}}},
      {"rules",
       {{"main_items_changed_multiple",
         "change_log: at least 2 rows of entity person, field in (name, sex, ethnicity, "
         "birth_date, id_number), effective_date >= 2001-01-01, at different dates"},
        {"main_item_changed_then_moved_out",
         "a main-item change row, then status cancelled with cancel_reason 20 (迁出)"},
        {"supplementary_then_moved_out",
         "a change_log row with action supplementary (补录), then cancel_reason 20"},
        {"duplicate_person",
         "two persons with the same name, sex and birth_date (and parents, native place) under "
         "different id_numbers; no other pair shares name and birth_date"},
        {"dead_not_cancelled_aged",
         "active, aged 105 or more, no change_log row since 2001 (no other person is over 99)"},
        {"dead_not_cancelled_reported",
         "active, with a change_log row action death_reported (new_value = date of death)"}}},
      {"anomalies",
       {{"main_items_changed_multiple", list(main_multi_)},
        {"main_item_changed_then_moved_out", list(main_then_out_)},
        {"supplementary_then_moved_out", list(supp_then_out_)},
        {"duplicate_person", dup},
        {"dead_not_cancelled_aged", list(dead_aged_)},
        {"dead_not_cancelled_reported", list(death_reported_)}}},
      {"sample_person", sample_person_},
      {"sample_other_station_person", sample_other_station_},
      {"sample_household", sample_household_},
      {"sample_rare_name", sample_rare_},
      {"sample_cancelled", sample_cancelled_},
      {"sample_former_name", sample_former_name_},
      {"first_station", first_station_},
      {"other_station", other_station_}};
}

const codes::UnitSeed* FindUnit(const std::vector<codes::UnitSeed>& units,
                                const std::function<bool(const codes::UnitSeed&)>& pred) {
  for (const auto& u : units) {
    if (pred(u)) return &u;
  }
  return nullptr;
}

}  // namespace

std::vector<DemoUser> DemoUsers(const std::string& city) {
  const auto& units = codes::Divisions::Get().Units(city);
  auto kind = [](const char* k) { return [k](const codes::UnitSeed& u) { return u.kind == k; }; };
  const auto* bureau = FindUnit(units, kind("city"));
  const auto* branch = FindUnit(units, kind("branch"));
  if (!bureau || !branch) return {};
  const auto* station = FindUnit(units, [&](const codes::UnitSeed& u) {
    return u.kind == "station" && u.parent_code == branch->code;
  });
  if (!station) return {};
  auto window_of = [&](const codes::UnitSeed* s) {
    const auto* w = FindUnit(units, [&](const codes::UnitSeed& u) {
      return u.kind == "window" && u.parent_code == s->code;
    });
    return w ? w : s;
  };
  const auto* other_station = FindUnit(units, [&](const codes::UnitSeed& u) {
    if (u.kind != "station" || u.parent_code == branch->code) return false;
    const auto* parent =
        FindUnit(units, [&](const codes::UnitSeed& p) { return p.code == u.parent_code; });
    return parent && parent->kind == "branch";
  });
  if (!other_station) other_station = station;
  return {
      {"admin", "系统管理员", "admin", bureau->code, ""},
      {"city1", "周建国", "city_approver", bureau->code, "100001"},
      {"supervisor1", "吴晓燕", "supervisor", bureau->code, "100002"},
      {"branch1", "郑志强", "branch_approver", branch->code, "200001"},
      {"chief1", "孙立新", "station_chief", station->code, "300001"},
      {"police1", "李明", "police", station->code, "300002"},
      {"aux1", "赵磊", "auxiliary", station->code, ""},
      {"clerk1", "王芳", "window_clerk", window_of(station)->code, ""},
      {"worker1", "刘秀兰", "community_worker", station->code, ""},
      {"police2", "陈刚", "police", other_station->code, "310001"},
      {"clerk2", "杨静", "window_clerk", window_of(other_station)->code, ""},
      // The second branch's approvers, so that a case can run through two branches (B2, B4).
      {"chief2", "何建军", "station_chief", other_station->code, "310002"},
      {"branch2", "许志华", "branch_approver", other_station->parent_code, "210001"},
  };
}

Result<DemoSummary> RunDemo(store::Database& db, const DemoOptions& options, const Clock& clock,
                            std::ostream& progress, trust::KeyStore* keys) {
  if (codes::Divisions::CityPrefix(options.city).empty() ||
      codes::Divisions::Get().Places(options.city).empty()) {
    return ValidationError("demo.city", "未知的演示城市“" + options.city + "”（可选 ezhou、ordos）",
                           "city");
  }
  if (options.persons < 1) {
    return ValidationError("demo.persons", "人数至少为1", "persons");
  }
  DemoSummary summary;
  const std::vector<DemoUser> users = DemoUsers(options.city);
  HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) -> Status {
    summary.users_created = 0;
    HUKOU_RETURN_IF_ERROR(org::SeedUnits(conn, options.city, clock));
    for (const DemoUser& u : users) {
      if (org::FindUserByLogin(conn, u.login).ok()) continue;
      org::NewUser nu{u.login, kDemoPassword, u.name, u.role, u.unit_code, u.police_number};
      auto created = org::CreateUser(conn, nu, org::Actor::System(), clock, keys);
      if (!created.ok()) return created.status();
      ++summary.users_created;
    }
    return Status::Ok();
  }));
  json truth;
  HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(store::Rows any, conn.Query("SELECT id FROM persons LIMIT 1"));
    if (!any.empty()) {
      return ConflictError("demo.not_empty", "数据库中已有人口数据，演示数据只能生成到空库中");
    }
    // A bigger page cache for the bulk load (SQLite), restored afterwards.
    const bool sqlite = conn.backend() == store::Backend::kSqlite;
    std::string cache_size;
    if (sqlite) {
      HUKOU_ASSIGN_OR_RETURN(store::Rows old, conn.Query("PRAGMA cache_size"));
      cache_size = old.Text(0, 0);
      HUKOU_RETURN_IF_ERROR(conn.ExecScript("PRAGMA cache_size=-262144"));
    }
    CityBuilder builder(conn, options, clock, progress);
    Status built = builder.Build();
    if (sqlite) HUKOU_RETURN_IF_ERROR(conn.ExecScript("PRAGMA cache_size=" + cache_size));
    HUKOU_RETURN_IF_ERROR(built);
    summary.persons = builder.writer().persons();
    summary.households = builder.writer().households();
    summary.addresses = builder.writer().addresses();
    summary.changes = builder.writer().changes();
    summary.cancelled = builder.cancelled();
    truth = builder.Truth();
    return Status::Ok();
  }));
  json user_list = json::array();
  for (const DemoUser& u : users) {
    user_list.push_back({{"login", u.login},
                         {"name", u.name},
                         {"role", u.role},
                         {"unit_code", u.unit_code},
                         {"police_number", u.police_number}});
  }
  truth["users"] = user_list;
  if (options.cases > 0) {
    HUKOU_ASSIGN_OR_RETURN(CaseDemoSummary cases, RunCaseDemo(db, options.city, options.cases,
                                                              options.seed, clock, keys, progress));
    summary.cases = cases.cases;
    truth["cases"] = cases.ToJson();
    progress << "办件 cases: " << truth["cases"].dump() << "\n";
  }
  summary.truth_json = truth.dump(2);
  if (!options.truth_path.empty()) {
    std::ofstream out(options.truth_path, std::ios::binary | std::ios::trunc);
    out << summary.truth_json << '\n';
    if (!out) {
      return ValidationError("demo.truth_file", "无法写入真值文件 " + options.truth_path, "truth");
    }
  }
  return summary;
}

}  // namespace hukou::demo
