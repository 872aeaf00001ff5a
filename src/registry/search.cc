#include "registry/search.h"

#include <algorithm>

#include "codes/chinese_text.h"
#include "codes/id_number.h"

namespace hukou::registry {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Upper(std::string s) {
  if (!s.empty() && s.back() == 'x') s.back() = 'X';
  return s;
}

bool ValidCheck(std::string_view number) {
  return number.size() == 18 && std::all_of(number.begin(), number.begin() + 17, IsDigit) &&
         codes::IdCheckCharacter(number.substr(0, 17)) == number[17];
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Sql {
  std::string where;
  std::vector<store::Value> params;
  std::string Add(store::Value v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  }
};

// The condition for a name-like column: exact or prefix range on the folded form.
std::string NameCondition(Sql& sql, const std::string& column, const std::string& folded,
                          bool prefix) {
  if (!prefix) return column + " = " + sql.Add(folded);
  std::string lo = sql.Add(folded);
  std::string hi = sql.Add(internal::PrefixUpperBound(folded));
  return column + " >= " + lo + " AND " + column + " < " + hi;
}

Result<PersonSearchResult> Run(store::Connection& conn, const PersonQuery& q,
                               const std::vector<std::string>& id_numbers, const org::Actor& actor,
                               int limit, int offset) {
  Sql sql;
  std::string& w = sql.where;
  w = " FROM persons p WHERE 1 = 1";
  if (!id_numbers.empty()) {
    if (id_numbers.size() == 1) {
      w += " AND p.id_number = " + sql.Add(id_numbers[0]);
    } else {
      w += " AND p.id_number IN (";
      for (size_t i = 0; i < id_numbers.size(); ++i) {
        w += (i ? ", " : "") + sql.Add(id_numbers[i]);
      }
      w += ")";
    }
  }
  const bool prefix = q.name_mode == "prefix";
  if (!q.name.empty()) {
    if (q.name_mode == "homophone") {
      // 同音: any name read the same way (张三 finds 章三), by the ICU pinyin of the query.
      w += " AND " +
           NameCondition(sql, "p.name_pinyin", codes::ToPinyin(codes::ToSimplified(q.name)), false);
    } else if (codes::LooksLikePinyin(q.name)) {
      w += " AND " + NameCondition(sql, "p.name_pinyin", Lower(q.name), prefix);
    } else {
      w += " AND " + NameCondition(sql, "p.name_simplified", codes::ToSimplified(q.name), prefix);
    }
  }
  if (!q.former_name.empty()) {
    w += " AND p.id IN (SELECT f.person_id FROM person_former_names f WHERE " +
         NameCondition(sql, "f.name_simplified", codes::ToSimplified(q.former_name), prefix) + ")";
  }
  if (!q.household_number.empty()) {
    w += " AND p.household_id IN (SELECT hh.id FROM households hh WHERE hh.household_number = " +
         sql.Add(q.household_number) + ")";
  }
  if (!q.address.empty()) {
    w += " AND p.household_id IN (SELECT ah.id FROM households ah JOIN addresses aa ON aa.id = "
         "ah.address_id WHERE aa.full_text LIKE " +
         sql.Add("%" + LikeEscape(q.address) + "%") + " ESCAPE '\\'" +
         internal::ScopeFilter("aa.station_code", actor, sql.params) + ")";
  }
  if (!q.status.empty()) w += " AND p.status = " + sql.Add(q.status);
  w += internal::ScopeFilter("p.station_code", actor, sql.params);

  PersonSearchResult result;
  HUKOU_ASSIGN_OR_RETURN(store::Rows count, conn.Query("SELECT COUNT(*)" + w, sql.params));
  result.total = count.Int(0, 0);
  if (result.total == 0 || offset >= result.total) return result;
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT p.id, p.id_number, p.name, p.sex, p.birth_date, p.ethnicity, "
                 "h.household_number, a.full_text, p.status, p.station_code, p.relation_to_head "
                 "FROM (SELECT p.id" +
                     w + " ORDER BY p.id LIMIT " + std::to_string(std::max(limit, 0)) + " OFFSET " +
                     std::to_string(std::max(offset, 0)) +
                     ") page JOIN persons p ON p.id = page.id "
                     "LEFT JOIN households h ON h.id = p.household_id "
                     "LEFT JOIN addresses a ON a.id = h.address_id ORDER BY p.id",
                 sql.params));
  for (size_t i = 0; i < r.size(); ++i) {
    PersonSummary s;
    s.id = r.Int(i, 0);
    s.id_number_masked = codes::MaskIdNumber(r.Text(i, 1));
    s.name = r.Text(i, 2);
    s.sex = r.Text(i, 3);
    s.birth_date = r.Text(i, 4);
    s.ethnicity = r.Text(i, 5);
    s.household_number = r.Text(i, 6);
    s.address = r.Text(i, 7);
    s.status = r.Text(i, 8);
    s.station_code = r.Text(i, 9);
    s.relation_to_head = r.Text(i, 10);
    result.items.push_back(std::move(s));
  }
  return result;
}

}  // namespace

std::vector<std::string> ExpandUnknownDigit(std::string_view number) {
  std::vector<std::string> out;
  size_t pos = number.find('?');
  if (pos == std::string_view::npos || number.size() != 18) return out;
  std::string n(number);
  if (pos == 17) {
    n[17] = codes::IdCheckCharacter(n.substr(0, 17));
    out.push_back(n);
    return out;
  }
  for (char d = '0'; d <= '9'; ++d) {
    n[pos] = d;
    if (ValidCheck(n)) out.push_back(n);
  }
  return out;
}

std::vector<std::string> OneDigitVariants(std::string_view number) {
  std::vector<std::string> out;
  if (number.size() != 18 || !std::all_of(number.begin(), number.begin() + 17, IsDigit)) {
    return out;
  }
  std::string n(number);
  for (size_t pos = 0; pos < 17; ++pos) {
    const char original = n[pos];
    for (char d = '0'; d <= '9'; ++d) {
      if (d == original) continue;
      n[pos] = d;
      if (ValidCheck(n)) out.push_back(n);
    }
    n[pos] = original;
  }
  char check = codes::IdCheckCharacter(n.substr(0, 17));
  if (check != n[17]) {
    n[17] = check;
    out.push_back(n);
  }
  return out;
}

Status ValidateQuery(const PersonQuery& q) {
  if (q.id_number.empty() && q.name.empty() && q.former_name.empty() && q.address.empty() &&
      q.household_number.empty() && q.status.empty()) {
    return ValidationError("search.empty", "请至少输入一个查询条件", "name");
  }
  if (!q.id_number.empty()) {
    std::string n = Upper(q.id_number);
    size_t unknown = std::count(n.begin(), n.end(), '?');
    bool ok = n.size() == 18 && unknown <= 1;
    for (size_t i = 0; ok && i < 18; ++i) {
      ok = IsDigit(n[i]) || n[i] == '?' || (i == 17 && n[i] == 'X');
    }
    if (!ok) {
      return ValidationError("search.id_number", "公民身份号码应为18位，未知的一位可用“?”代替",
                             "id_number");
    }
  }
  if (q.name_mode != "exact" && q.name_mode != "prefix" && q.name_mode != "homophone") {
    return ValidationError("search.name_mode", "姓名匹配方式应为 exact、prefix 或 homophone",
                           "name_mode");
  }
  if (!q.status.empty() && q.status != "active" && q.status != "cancelled") {
    return ValidationError("search.status", "状态应为 active 或 cancelled", "status");
  }
  for (const auto& [value, field] :
       {std::pair{&q.name, "name"}, {&q.former_name, "former_name"}, {&q.address, "address"}}) {
    if (value->size() > 200) {
      return ValidationError("search." + std::string(field), "查询条件过长", field);
    }
  }
  return Status::Ok();
}

Result<PersonSearchResult> SearchPersons(store::Connection& conn, const PersonQuery& query,
                                         const org::Actor& actor, int limit, int offset) {
  HUKOU_RETURN_IF_ERROR(ValidateQuery(query));
  if (query.id_number.empty()) return Run(conn, query, {}, actor, limit, offset);
  const std::string number = Upper(query.id_number);
  if (number.find('?') != std::string::npos) {
    std::vector<std::string> candidates = ExpandUnknownDigit(number);
    PersonSearchResult empty;
    empty.id_match = "unknown_digit";
    if (candidates.empty()) return empty;
    HUKOU_ASSIGN_OR_RETURN(PersonSearchResult r,
                           Run(conn, query, candidates, actor, limit, offset));
    r.id_match = "unknown_digit";
    return r;
  }
  HUKOU_ASSIGN_OR_RETURN(PersonSearchResult exact,
                         Run(conn, query, {number}, actor, limit, offset));
  exact.id_match = "exact";
  if (exact.total > 0) return exact;
  std::vector<std::string> variants = OneDigitVariants(number);
  if (variants.empty()) return exact;
  HUKOU_ASSIGN_OR_RETURN(PersonSearchResult r, Run(conn, query, variants, actor, limit, offset));
  r.id_match = "one_wrong_digit";
  return r;
}

}  // namespace hukou::registry
