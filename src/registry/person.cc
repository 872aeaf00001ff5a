#include "registry/person.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "codes/chinese_text.h"
#include "codes/code_tables.h"
#include "codes/divisions.h"
#include "codes/id_number.h"
#include "registry/validate.h"
#include "trust/audit.h"

namespace hukou::registry {
namespace {

struct StringField {
  const char* column;
  const char* title;
  std::string Person::*member;
};

// Text columns of persons, in the order they are selected.
const std::array<StringField, 29> kStringFields = {{
    {"id_number", "公民身份号码", &Person::id_number},
    {"name", "姓名", &Person::name},
    {"former_names", "曾用名", &Person::former_names},
    {"sex", "性别", &Person::sex},
    {"ethnicity", "民族", &Person::ethnicity},
    {"birth_date", "出生日期", &Person::birth_date},
    {"native_place", "籍贯", &Person::native_place},
    {"birthplace", "出生地", &Person::birthplace},
    {"religion", "宗教信仰", &Person::religion},
    {"education", "文化程度", &Person::education},
    {"marital_status", "婚姻状况", &Person::marital_status},
    {"military_service", "兵役状况", &Person::military_service},
    {"workplace", "服务处所", &Person::workplace},
    {"occupation", "职业", &Person::occupation},
    {"phone", "联系电话", &Person::phone},
    {"father_name", "父亲姓名", &Person::father_name},
    {"father_id_number", "父亲公民身份号码", &Person::father_id_number},
    {"mother_name", "母亲姓名", &Person::mother_name},
    {"mother_id_number", "母亲公民身份号码", &Person::mother_id_number},
    {"guardian_name", "监护人姓名", &Person::guardian_name},
    {"guardian_id_number", "监护人公民身份号码", &Person::guardian_id_number},
    {"spouse_name", "配偶姓名", &Person::spouse_name},
    {"spouse_id_number", "配偶公民身份号码", &Person::spouse_id_number},
    {"relation_to_head", "与户主关系", &Person::relation_to_head},
    {"status", "状态", &Person::status},
    {"cancel_reason", "注销原因", &Person::cancel_reason},
    {"cancel_date", "注销日期", &Person::cancel_date},
    {"station_code", "所属派出所", &Person::station_code},
    {"registered_at", "登记时间", &Person::registered_at},
}};

const StringField* FindStringField(std::string_view column) {
  for (const StringField& f : kStringFields) {
    if (column == f.column) return &f;
  }
  return nullptr;
}

std::string SelectPersonSql() {
  std::string sql = "SELECT ";
  for (const StringField& f : kStringFields) {
    sql += "p.";
    sql += f.column;
    sql += ", ";
  }
  sql +=
      "p.photo_file_id, p.household_id, p.updated_at, p.version, p.id, h.household_number, "
      "h.kind, a.id, a.full_text, u.name FROM persons p "
      "LEFT JOIN households h ON h.id = p.household_id "
      "LEFT JOIN addresses a ON a.id = h.address_id "
      "LEFT JOIN units u ON u.code = p.station_code WHERE ";
  return sql;
}

const std::string& SelectById() {
  static const std::string sql = SelectPersonSql() + "p.id = $1";
  return sql;
}
const std::string& SelectByIdNumber() {
  static const std::string sql = SelectPersonSql() + "p.id_number = $1";
  return sql;
}

std::optional<int64_t> OptInt(const store::Rows& rows, size_t r, size_t c) {
  if (rows.IsNull(r, c)) return std::nullopt;
  return rows.Int(r, c);
}

Person PersonFromRow(const store::Rows& rows, size_t r) {
  Person p;
  size_t c = 0;
  for (const StringField& f : kStringFields) p.*(f.member) = rows.Text(r, c++);
  p.photo_file_id = OptInt(rows, r, c++);
  p.household_id = OptInt(rows, r, c++);
  p.updated_at = rows.Text(r, c++);
  p.version = rows.Int(r, c++);
  p.id = rows.Int(r, c++);
  p.household_number = rows.Text(r, c++);
  p.household_kind = rows.Text(r, c++);
  p.address_id = rows.Int(r, c++);
  p.address = rows.Text(r, c++);
  p.station_name = rows.Text(r, c++);
  return p;
}

std::string OptToText(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : std::string();
}

std::optional<int64_t> TextToOpt(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return std::stoll(s);
}

store::Value OptValue(const std::optional<int64_t>& v) {
  return v ? store::Value{*v} : store::Value{};
}

Error PersonNotFound() { return NotFoundError("person.not_found", "未找到该人员", "id_number"); }

// Undoes change_log entries after as_of, newest first. kNotFound when created after as_of.
Status UndoChanges(store::Connection& conn, Person& p, const Date& as_of) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query("SELECT field, old_value, action FROM change_log WHERE entity = 'person' AND "
                 "entity_id = $1 AND effective_date > $2 ORDER BY effective_date DESC, id DESC",
                 {p.id, as_of.ToString()}));
  const int64_t household_before = p.household_id.value_or(0);
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string field = rows.Text(r, 0);
    std::string old_value = rows.Text(r, 1);
    if (field == "*") {
      if (old_value.empty()) return PersonNotFound();
      continue;
    }
    if (field == "household_id") {
      p.household_id = TextToOpt(old_value);
    } else if (field == "photo_file_id") {
      p.photo_file_id = TextToOpt(old_value);
    } else if (const StringField* f = FindStringField(field)) {
      p.*(f->member) = old_value;
    }
  }
  p.as_of = as_of.ToString();
  if (p.household_id.value_or(0) != household_before) {
    p.household_number.clear();
    p.household_kind.clear();
    p.address.clear();
    p.address_id = 0;
    if (p.household_id) {
      HUKOU_ASSIGN_OR_RETURN(
          store::Rows h,
          conn.Query("SELECT h.household_number, h.kind, a.id, a.full_text FROM households h "
                     "JOIN addresses a ON a.id = h.address_id WHERE h.id = $1",
                     {*p.household_id}));
      if (!h.empty()) {
        p.household_number = h.Text(0, 0);
        p.household_kind = h.Text(0, 1);
        p.address_id = h.Int(0, 2);
        p.address = h.Text(0, 3);
      }
    }
  }
  return Status::Ok();
}

Result<Person> Finish(store::Connection& conn, Result<store::Rows> rows, const org::Actor& actor,
                      const std::optional<Date>& as_of) {
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return PersonNotFound();
  Person p = PersonFromRow(*rows, 0);
  HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, p.station_code));
  if (as_of) HUKOU_RETURN_IF_ERROR(UndoChanges(conn, p, *as_of));
  return p;
}

// Validates one person item (column, value) for register/update.
Status ValidateItem(std::string_view column, const std::string& value, const Date& today) {
  using namespace validate;
  if (column == "name") return Name(value, "name", true);
  if (column == "former_names") {
    for (const std::string& n : SplitFormerNames(value)) {
      HUKOU_RETURN_IF_ERROR(Name(n, "former_names", true));
    }
    return Status::Ok();
  }
  if (column == "sex") return Code("sex", value, "sex", true);
  if (column == "ethnicity") return Code("ethnicity", value, "ethnicity", true);
  if (column == "birth_date") return PastDate(value, "birth_date", today, true);
  if (column == "religion") return Code("religion", value, "religion", false);
  if (column == "education") return Code("education", value, "education", false);
  if (column == "marital_status") return Code("marital_status", value, "marital_status", false);
  if (column == "military_service") {
    return Code("military_service", value, "military_service", false);
  }
  if (column == "relation_to_head") return Code("relation", value, "relation_to_head", true);
  if (column == "phone") return Phone(value);
  if (column == "id_number") return IdNumber(value, "id_number", today, true);
  if (column.ends_with("_id_number")) return IdNumber(value, std::string(column), today, false);
  if (column.ends_with("_name")) return Name(value, std::string(column), false);
  if (column == "native_place" || column == "birthplace" || column == "workplace" ||
      column == "occupation") {
    return FreeText(value, std::string(column), 200);
  }
  return ValidationError("person.field", "不能修改该项：" + std::string(column),
                         std::string(column));
}

// ID number, sex and birth date must agree.
Status CheckIdConsistency(const std::string& id_number, const std::string& sex,
                          const std::string& birth_date, const Date& today) {
  HUKOU_ASSIGN_OR_RETURN(codes::IdNumberInfo info, codes::ValidateIdNumber(id_number, today));
  if (info.sex != sex) {
    return ValidationError("person.sex_mismatch", "性别与公民身份号码不一致", "sex");
  }
  if (info.birth_date.ToString() != birth_date) {
    return ValidationError("person.birth_date_mismatch", "出生日期与公民身份号码不一致",
                           "birth_date");
  }
  return Status::Ok();
}

Status WriteFormerNames(store::Connection& conn, int64_t person_id, const std::string& text) {
  HUKOU_RETURN_IF_ERROR(
      conn.Exec("DELETE FROM person_former_names WHERE person_id = $1", {person_id}).status());
  std::set<std::string> seen;
  for (const std::string& n : SplitFormerNames(text)) {
    if (!seen.insert(n).second) continue;
    HUKOU_RETURN_IF_ERROR(conn.Exec("INSERT INTO person_former_names (person_id, name, "
                                    "name_simplified) VALUES ($1, $2, $3)",
                                    {person_id, n, codes::ToSimplified(n)})
                              .status());
  }
  return Status::Ok();
}

struct HouseholdRef {
  int64_t id = 0;
  std::string number;
  std::string station_code;
  std::string status;
  std::optional<int64_t> head_person_id;
};

Result<HouseholdRef> LoadHousehold(store::Connection& conn, int64_t id, const org::Actor& actor) {
  HUKOU_ASSIGN_OR_RETURN(store::Rows rows,
                         conn.Query("SELECT household_number, station_code, status, "
                                    "head_person_id FROM households WHERE id = $1",
                                    {id}));
  if (rows.empty()) return NotFoundError("household.not_found", "未找到该户", "household_id");
  HouseholdRef h{id, rows.Text(0, 0), rows.Text(0, 1), rows.Text(0, 2), OptInt(rows, 0, 3)};
  HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, h.station_code));
  if (h.status != "active") {
    return BusinessRuleError("household.cancelled", "该户已注销", "household_id");
  }
  return h;
}

// Makes the person the head of the household when the relation is 02 (户主).
Status MaybeSetHead(store::Connection& conn, const HouseholdRef& h, int64_t person_id,
                    std::string_view relation, const ChangeContext& ctx, std::string_view action,
                    const org::Actor& actor, const Clock& clock) {
  if (relation != "02" || h.head_person_id == person_id) return Status::Ok();
  HUKOU_RETURN_IF_ERROR(conn.Exec("UPDATE households SET head_person_id = $1, updated_at = $2 "
                                  "WHERE id = $3",
                                  {person_id, clock.NowIso(), h.id})
                            .status());
  return internal::LogChange(conn, "household", h.id, "head_person_id", OptToText(h.head_person_id),
                             std::to_string(person_id), action, ctx, actor, h.station_code, clock);
}

std::string AuditDetail(const std::vector<std::array<std::string, 3>>& changes,
                        const std::string& reason) {
  // JSON without a dependency: values are escaped minimally (quotes, backslashes, controls).
  auto esc = [](const std::string& s) {
    std::string out;
    for (char ch : s) {
      if (ch == '"' || ch == '\\') {
        out += '\\';
        out += ch;
      } else if (static_cast<unsigned char>(ch) < 0x20) {
        out += ' ';
      } else {
        out += ch;
      }
    }
    return out;
  };
  std::string json = "{\"changes\":[";
  for (size_t i = 0; i < changes.size(); ++i) {
    if (i) json += ',';
    json += "{\"field\":\"" + esc(changes[i][0]) + "\",\"old\":\"" + esc(changes[i][1]) +
            "\",\"new\":\"" + esc(changes[i][2]) + "\"}";
  }
  return json + "],\"reason\":\"" + esc(reason) + "\"}";
}

}  // namespace

PersonSummary Summarize(const Person& p) {
  return {p.id,
          codes::MaskIdNumber(p.id_number),
          p.name,
          p.sex,
          p.birth_date,
          p.ethnicity,
          p.household_number,
          p.address,
          p.status,
          p.station_code,
          p.relation_to_head};
}

std::vector<std::string> SplitFormerNames(std::string_view text) {
  static constexpr std::string_view kSep = "、";
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t pos = text.find(kSep, start);
    std::string_view part =
        text.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    if (pos == std::string_view::npos) break;
    start = pos + kSep.size();
  }
  return out;
}

std::string FieldTitle(std::string_view field) {
  if (const StringField* f = FindStringField(field)) return f->title;
  static const std::map<std::string, std::string, std::less<>> kOther = {
      {"*", "整条记录"},          {"household_id", "户号/所属户"},
      {"photo_file_id", "照片"},  {"household_number", "户号"},
      {"kind", "户别"},           {"address_id", "住址"},
      {"head_person_id", "户主"}, {"updated_at", "更新时间"},
  };
  auto it = kOther.find(field);
  return it == kOther.end() ? std::string(field) : it->second;
}

std::vector<std::string> MissingItems(const Person& p, const Date& today) {
  std::vector<std::string> missing;
  std::optional<Date> birth = Date::Parse(p.birth_date);
  int age = birth ? birth->AgeOn(today) : 0;
  bool adult = age >= 18;
  if (adult && p.marital_status.empty()) missing.push_back("婚姻状况");
  if (age >= 16 && p.workplace.empty()) missing.push_back("服务处所");
  if (adult && p.military_service.empty()) missing.push_back("兵役状况");
  if (p.religion.empty()) missing.push_back("宗教信仰");
  if (p.phone.empty()) missing.push_back("联系电话");
  if (adult) {
    if (p.father_name.empty()) missing.push_back("父亲");
    if (p.mother_name.empty()) missing.push_back("母亲");
  } else {
    bool has_parent = !p.father_name.empty() || !p.mother_name.empty();
    if (!has_parent && p.guardian_name.empty()) missing.push_back("监护人");
  }
  static const std::set<std::string> kMarried = {"20", "21", "22", "23"};
  if (kMarried.count(p.marital_status) && p.spouse_name.empty()) missing.push_back("配偶");
  if (age >= 16 && !p.photo_file_id) missing.push_back("照片");
  return missing;
}

Result<Person> ReadPerson(store::Connection& conn, std::string_view key, const org::Actor& actor,
                          const std::optional<Date>& as_of) {
  if (key.size() == 18) {
    std::string number(key);
    if (number[17] == 'x') number[17] = 'X';
    return Finish(conn, conn.Query(SelectByIdNumber(), {number}), actor, as_of);
  }
  if (!key.empty() && key.size() <= 15 &&
      std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return ReadPersonById(conn, std::stoll(std::string(key)), actor, as_of);
  }
  return ValidationError("person.key", "请输入18位公民身份号码或人员编号", "id_number");
}

Result<Person> ReadPersonById(store::Connection& conn, int64_t id, const org::Actor& actor,
                              const std::optional<Date>& as_of) {
  return Finish(conn, conn.Query(SelectById(), {id}), actor, as_of);
}

namespace internal {

Status LogChange(store::Connection& conn, std::string_view entity, int64_t entity_id,
                 std::string_view field, std::string_view old_value, std::string_view new_value,
                 std::string_view action, const ChangeContext& ctx, const org::Actor& actor,
                 std::string_view station_code, const Clock& clock) {
  HUKOU_ASSIGN_OR_RETURN(std::string effective, EffectiveDate(ctx, clock));
  return conn
      .Exec(
          "INSERT INTO change_log (entity, entity_id, field, old_value, new_value, changed_at, "
          "effective_date, operator_id, case_id, action, station_code, reason) VALUES ($1, $2, $3, "
          "$4, $5, $6, $7, $8, $9, $10, $11, $12)",
          {std::string(entity), entity_id, std::string(field), std::string(old_value),
           std::string(new_value), clock.NowIso(), effective,
           actor.user_id == 0 ? store::Value{} : store::Value{actor.user_id}, OptValue(ctx.case_id),
           std::string(ctx.action.empty() ? action : ctx.action), std::string(station_code),
           ctx.reason})
      .status();
}

Result<std::string> EffectiveDate(const ChangeContext& ctx, const Clock& clock) {
  if (ctx.effective_date.empty()) return clock.Today().ToString();
  std::optional<Date> d = Date::Parse(ctx.effective_date);
  if (!d) {
    return ValidationError("change.effective_date", "生效日期格式应为 YYYY-MM-DD",
                           "effective_date");
  }
  return d->ToString();
}

Status CheckCanEdit(const org::Actor& actor, std::string_view what) {
  if (actor.user_id == 0) return Status::Ok();
  return org::CheckRole(actor, org::CanEditRegistry(actor.role), what);
}

std::string PrefixUpperBound(std::string_view prefix) {
  // Appending U+10FFFF (the largest code point) bounds every string that starts with prefix
  // under bytewise (UTF-8 code point) ordering.
  return std::string(prefix) + "\xF4\x8F\xBF\xBF";
}

std::string ScopeFilter(std::string_view column, const org::Actor& actor,
                        std::vector<store::Value>& params) {
  if (actor.scope_prefix.empty()) return "";
  std::string upper = actor.scope_prefix;
  if (static_cast<unsigned char>(upper.back()) < 0x7E) {
    upper.back() = static_cast<char>(upper.back() + 1);
  } else {
    upper = PrefixUpperBound(actor.scope_prefix);
  }
  params.emplace_back(actor.scope_prefix);
  std::string sql = " AND " + std::string(column) + " >= $" + std::to_string(params.size());
  params.emplace_back(upper);
  return sql + " AND " + std::string(column) + " < $" + std::to_string(params.size());
}

}  // namespace internal

Result<Person> RegisterPerson(store::Connection& conn, const NewPerson& in, const org::Actor& actor,
                              const Clock& clock, const ChangeContext& ctx) {
  HUKOU_RETURN_IF_ERROR(internal::CheckCanEdit(actor, "登记人员"));
  const Date today = clock.Today();
  HUKOU_ASSIGN_OR_RETURN(codes::IdNumberInfo info, codes::ValidateIdNumber(in.id_number, today));
  Person p;
  p.id_number = info.number;
  p.name = in.name;
  std::vector<std::string> former;
  for (const std::string& n : in.former_names) {
    for (std::string& part : SplitFormerNames(n)) former.push_back(std::move(part));
  }
  for (size_t i = 0; i < former.size(); ++i) p.former_names += (i ? "、" : "") + former[i];
  p.sex = in.sex.empty() ? info.sex : in.sex;
  p.ethnicity = in.ethnicity;
  p.birth_date = in.birth_date.empty() ? info.birth_date.ToString() : in.birth_date;
  p.native_place = in.native_place;
  p.birthplace = in.birthplace;
  p.religion = in.religion;
  p.education = in.education;
  p.marital_status = in.marital_status;
  p.military_service = in.military_service;
  p.workplace = in.workplace;
  p.occupation = in.occupation;
  p.phone = in.phone;
  p.father_name = in.father_name;
  p.father_id_number = in.father_id_number;
  p.mother_name = in.mother_name;
  p.mother_id_number = in.mother_id_number;
  p.guardian_name = in.guardian_name;
  p.guardian_id_number = in.guardian_id_number;
  p.spouse_name = in.spouse_name;
  p.spouse_id_number = in.spouse_id_number;
  p.relation_to_head = in.relation_to_head;
  for (const StringField& f : kStringFields) {
    std::string_view col = f.column;
    if (col == "id_number" || col == "status" || col == "cancel_reason" || col == "cancel_date" ||
        col == "station_code" || col == "registered_at") {
      continue;
    }
    HUKOU_RETURN_IF_ERROR(ValidateItem(col, p.*(f.member), today));
  }
  HUKOU_RETURN_IF_ERROR(CheckIdConsistency(p.id_number, p.sex, p.birth_date, today));
  HUKOU_ASSIGN_OR_RETURN(std::string effective, internal::EffectiveDate(ctx, clock));
  HUKOU_ASSIGN_OR_RETURN(HouseholdRef h, LoadHousehold(conn, in.household_id, actor));

  HUKOU_ASSIGN_OR_RETURN(store::Rows dup,
                         conn.Query("SELECT id FROM persons WHERE id_number = $1", {p.id_number}));
  if (!dup.empty()) {
    return ConflictError("person.duplicate_id_number", "该公民身份号码已登记", "id_number");
  }
  const std::string now = clock.NowIso();
  std::string cols, placeholders;
  std::vector<store::Value> params;
  for (const StringField& f : kStringFields) {
    std::string_view col = f.column;
    if (col == "status" || col == "cancel_reason" || col == "cancel_date" ||
        col == "station_code" || col == "registered_at") {
      continue;
    }
    cols += std::string(col) + ", ";
    params.emplace_back(p.*(f.member));
    placeholders += "$" + std::to_string(params.size()) + ", ";
  }
  std::string simplified = codes::ToSimplified(p.name);
  for (store::Value v : {store::Value{simplified}, store::Value{codes::ToPinyin(simplified)},
                         OptValue(in.photo_file_id), store::Value{h.id},
                         store::Value{h.station_code}, store::Value{now}, store::Value{now}}) {
    params.push_back(std::move(v));
    placeholders += "$" + std::to_string(params.size()) + ", ";
  }
  placeholders.resize(placeholders.size() - 2);
  cols +=
      "name_simplified, name_pinyin, photo_file_id, household_id, station_code, registered_at, "
      "updated_at";
  auto inserted = conn.Query(
      "INSERT INTO persons (" + cols + ") VALUES (" + placeholders + ") RETURNING id", params);
  if (!inserted.ok()) {
    if (inserted.error().code == "db.unique_violation") {
      return ConflictError("person.duplicate_id_number", "该公民身份号码已登记", "id_number");
    }
    return inserted.error();
  }
  const int64_t id = inserted->Int(0, 0);
  HUKOU_RETURN_IF_ERROR(WriteFormerNames(conn, id, p.former_names));
  ChangeContext c = ctx;
  c.effective_date = effective;
  HUKOU_RETURN_IF_ERROR(internal::LogChange(conn, "person", id, "*", "", "active", "register", c,
                                            actor, h.station_code, clock));
  HUKOU_RETURN_IF_ERROR(MaybeSetHead(conn, h, id, p.relation_to_head, c, "register", actor, clock));
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(conn,
                                           {actor.user_id, "person.register", "person", p.id_number,
                                            "{\"household_number\":\"" + h.number + "\"}"},
                                           clock));
  return ReadPersonById(conn, id, actor);
}

Result<Person> UpdatePerson(store::Connection& conn, int64_t person_id,
                            const std::map<std::string, std::string>& changes,
                            int64_t expected_version, const org::Actor& actor, const Clock& clock,
                            const ChangeContext& ctx) {
  HUKOU_RETURN_IF_ERROR(internal::CheckCanEdit(actor, "修改人员信息"));
  HUKOU_ASSIGN_OR_RETURN(Person current, ReadPersonById(conn, person_id, actor));
  if (current.status != "active") {
    return BusinessRuleError("person.cancelled", "该人员已注销，不能修改", "status");
  }
  if (expected_version > 0 && expected_version != current.version) {
    return ConflictError("person.version_conflict", "该人员信息已被他人修改，请刷新后重试",
                         "version");
  }
  const Date today = clock.Today();
  static const std::set<std::string> kNotHere = {"status", "cancel_reason", "cancel_date",
                                                 "station_code", "registered_at"};
  Person next = current;
  std::vector<std::array<std::string, 3>> diff;
  for (const auto& [column, raw] : changes) {
    const StringField* f = FindStringField(column);
    if (!f || kNotHere.count(column)) {
      return ValidationError("person.field", "不能修改该项：" + column, column);
    }
    std::string value = raw;
    if (column == "id_number" && value.size() == 18 && value[17] == 'x') value[17] = 'X';
    if (column == "former_names") {
      std::vector<std::string> parts = SplitFormerNames(value);
      value.clear();
      for (size_t i = 0; i < parts.size(); ++i) value += (i ? "、" : "") + parts[i];
    }
    HUKOU_RETURN_IF_ERROR(ValidateItem(column, value, today));
    if (current.*(f->member) == value) continue;
    next.*(f->member) = value;
    diff.push_back({column, current.*(f->member), value});
  }
  if (diff.empty()) return current;
  bool identity_changed = std::any_of(diff.begin(), diff.end(), [](const auto& d) {
    return d[0] == "id_number" || d[0] == "sex" || d[0] == "birth_date";
  });
  if (identity_changed) {
    HUKOU_RETURN_IF_ERROR(CheckIdConsistency(next.id_number, next.sex, next.birth_date, today));
  }
  HUKOU_ASSIGN_OR_RETURN(std::string effective, internal::EffectiveDate(ctx, clock));
  std::string sql = "UPDATE persons SET ";
  std::vector<store::Value> params;
  auto set = [&](const std::string& col, store::Value v) {
    params.push_back(std::move(v));
    sql += col + " = $" + std::to_string(params.size()) + ", ";
  };
  for (const auto& d : diff) {
    set(d[0], d[2]);
    if (d[0] == "name") {
      std::string simplified = codes::ToSimplified(d[2]);
      set("name_simplified", simplified);
      set("name_pinyin", codes::ToPinyin(simplified));
    }
  }
  set("updated_at", clock.NowIso());
  sql += "version = version + 1 WHERE id = $" + std::to_string(params.size() + 1) +
         " AND version = $" + std::to_string(params.size() + 2);
  params.emplace_back(person_id);
  params.emplace_back(current.version);
  HUKOU_ASSIGN_OR_RETURN(int64_t updated, conn.Exec(sql, params));
  if (updated != 1) {
    return ConflictError("person.version_conflict", "该人员信息已被他人修改，请刷新后重试",
                         "version");
  }
  ChangeContext c = ctx;
  c.effective_date = effective;
  for (const auto& d : diff) {
    if (d[0] == "former_names") HUKOU_RETURN_IF_ERROR(WriteFormerNames(conn, person_id, d[2]));
    HUKOU_RETURN_IF_ERROR(internal::LogChange(conn, "person", person_id, d[0], d[1], d[2], "update",
                                              c, actor, current.station_code, clock));
  }
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
      conn,
      {actor.user_id, "person.update", "person", current.id_number, AuditDetail(diff, ctx.reason)},
      clock));
  return ReadPersonById(conn, person_id, actor);
}

Result<Person> MovePerson(store::Connection& conn, int64_t person_id, int64_t to_household_id,
                          std::string_view relation_to_head, const org::Actor& actor,
                          const Clock& clock, const ChangeContext& ctx) {
  HUKOU_RETURN_IF_ERROR(internal::CheckCanEdit(actor, "办理人员迁移"));
  HUKOU_ASSIGN_OR_RETURN(Person current, ReadPersonById(conn, person_id, actor));
  if (current.status != "active") {
    return BusinessRuleError("person.cancelled", "该人员已注销", "status");
  }
  HUKOU_RETURN_IF_ERROR(
      validate::Code("relation", std::string(relation_to_head), "relation_to_head", true));
  HUKOU_ASSIGN_OR_RETURN(HouseholdRef h, LoadHousehold(conn, to_household_id, actor));
  if (current.household_id == h.id) {
    return BusinessRuleError("person.same_household", "该人员已在此户中", "household_id");
  }
  HUKOU_ASSIGN_OR_RETURN(std::string effective, internal::EffectiveDate(ctx, clock));
  ChangeContext c = ctx;
  c.effective_date = effective;
  HUKOU_ASSIGN_OR_RETURN(
      int64_t updated,
      conn.Exec("UPDATE persons SET household_id = $1, relation_to_head = $2, station_code = $3, "
                "updated_at = $4, version = version + 1 WHERE id = $5 AND version = $6",
                {h.id, std::string(relation_to_head), h.station_code, clock.NowIso(), person_id,
                 current.version}));
  if (updated != 1) {
    return ConflictError("person.version_conflict", "该人员信息已被他人修改，请刷新后重试",
                         "version");
  }
  std::vector<std::array<std::string, 3>> diff = {
      {"household_id", OptToText(current.household_id), std::to_string(h.id)}};
  if (current.relation_to_head != relation_to_head) {
    diff.push_back({"relation_to_head", current.relation_to_head, std::string(relation_to_head)});
  }
  if (current.station_code != h.station_code) {
    diff.push_back({"station_code", current.station_code, h.station_code});
  }
  for (const auto& d : diff) {
    HUKOU_RETURN_IF_ERROR(internal::LogChange(conn, "person", person_id, d[0], d[1], d[2], "move",
                                              c, actor, h.station_code, clock));
  }
  // The household the person left no longer has them as head.
  if (current.household_id) {
    HUKOU_ASSIGN_OR_RETURN(store::Rows old_h,
                           conn.Query("SELECT head_person_id, station_code FROM households "
                                      "WHERE id = $1",
                                      {*current.household_id}));
    if (!old_h.empty() && !old_h.IsNull(0, 0) && old_h.Int(0, 0) == person_id) {
      HUKOU_RETURN_IF_ERROR(conn.Exec("UPDATE households SET head_person_id = NULL, updated_at "
                                      "= $1 WHERE id = $2",
                                      {clock.NowIso(), *current.household_id})
                                .status());
      HUKOU_RETURN_IF_ERROR(internal::LogChange(conn, "household", *current.household_id,
                                                "head_person_id", std::to_string(person_id), "",
                                                "move", c, actor, old_h.Text(0, 1), clock));
    }
  }
  HUKOU_RETURN_IF_ERROR(
      MaybeSetHead(conn, h, person_id, relation_to_head, c, "move", actor, clock));
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
      conn,
      {actor.user_id, "person.move", "person", current.id_number, AuditDetail(diff, ctx.reason)},
      clock));
  return ReadPersonById(conn, person_id, actor);
}

Result<Person> CancelPerson(store::Connection& conn, int64_t person_id,
                            std::string_view cancel_reason, std::string_view cancel_date,
                            const org::Actor& actor, const Clock& clock, const ChangeContext& ctx) {
  HUKOU_RETURN_IF_ERROR(internal::CheckCanEdit(actor, "注销户口"));
  const Date today = clock.Today();
  if (!codes::CodeTables::Get().Contains("cancel_reason", cancel_reason)) {
    return ValidationError("person.cancel_reason", "注销原因无效", "cancel_reason");
  }
  std::string date(cancel_date);
  if (date.empty()) date = today.ToString();
  HUKOU_RETURN_IF_ERROR(validate::PastDate(date, "cancel_date", today, true));
  date = Date::Parse(date)->ToString();
  HUKOU_ASSIGN_OR_RETURN(Person current, ReadPersonById(conn, person_id, actor));
  if (current.status != "active") {
    return BusinessRuleError("person.cancelled", "该人员已注销", "status");
  }
  ChangeContext c = ctx;
  if (c.effective_date.empty()) c.effective_date = date;
  HUKOU_ASSIGN_OR_RETURN(std::string effective, internal::EffectiveDate(c, clock));
  c.effective_date = effective;
  HUKOU_ASSIGN_OR_RETURN(
      int64_t updated,
      conn.Exec("UPDATE persons SET status = 'cancelled', cancel_reason = $1, cancel_date = $2, "
                "updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5",
                {std::string(cancel_reason), date, clock.NowIso(), person_id, current.version}));
  if (updated != 1) {
    return ConflictError("person.version_conflict", "该人员信息已被他人修改，请刷新后重试",
                         "version");
  }
  std::vector<std::array<std::string, 3>> diff = {
      {"status", current.status, "cancelled"},
      {"cancel_reason", current.cancel_reason, std::string(cancel_reason)},
      {"cancel_date", current.cancel_date, date}};
  for (const auto& d : diff) {
    HUKOU_RETURN_IF_ERROR(internal::LogChange(conn, "person", person_id, d[0], d[1], d[2], "cancel",
                                              c, actor, current.station_code, clock));
  }
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
      conn,
      {actor.user_id, "person.cancel", "person", current.id_number, AuditDetail(diff, ctx.reason)},
      clock));
  return ReadPersonById(conn, person_id, actor);
}

Result<Person> RestorePerson(store::Connection& conn, int64_t person_id, int64_t household_id,
                             std::string_view relation_to_head, const org::Actor& actor,
                             const Clock& clock, const ChangeContext& ctx) {
  HUKOU_RETURN_IF_ERROR(internal::CheckCanEdit(actor, "恢复户口"));
  HUKOU_ASSIGN_OR_RETURN(Person current, ReadPersonById(conn, person_id, org::Actor::System()));
  if (current.status != "cancelled") {
    return BusinessRuleError("person.active", "该人员户口未注销，无需恢复", "status");
  }
  HUKOU_RETURN_IF_ERROR(
      validate::Code("relation", std::string(relation_to_head), "relation_to_head", true));
  HUKOU_ASSIGN_OR_RETURN(HouseholdRef h, LoadHousehold(conn, household_id, actor));
  HUKOU_ASSIGN_OR_RETURN(std::string effective, internal::EffectiveDate(ctx, clock));
  ChangeContext c = ctx;
  c.effective_date = effective;
  HUKOU_ASSIGN_OR_RETURN(
      int64_t updated,
      conn.Exec("UPDATE persons SET status = 'active', cancel_reason = '', cancel_date = '', "
                "household_id = $1, relation_to_head = $2, station_code = $3, updated_at = $4, "
                "version = version + 1 WHERE id = $5 AND version = $6",
                {h.id, std::string(relation_to_head), h.station_code, clock.NowIso(), person_id,
                 current.version}));
  if (updated != 1) {
    return ConflictError("person.version_conflict", "该人员信息已被他人修改，请刷新后重试",
                         "version");
  }
  std::vector<std::array<std::string, 3>> diff = {{"status", current.status, "active"},
                                                  {"cancel_reason", current.cancel_reason, ""},
                                                  {"cancel_date", current.cancel_date, ""}};
  if (current.household_id != h.id) {
    diff.push_back({"household_id", OptToText(current.household_id), std::to_string(h.id)});
  }
  if (current.relation_to_head != relation_to_head) {
    diff.push_back({"relation_to_head", current.relation_to_head, std::string(relation_to_head)});
  }
  if (current.station_code != h.station_code) {
    diff.push_back({"station_code", current.station_code, h.station_code});
  }
  for (const auto& d : diff) {
    HUKOU_RETURN_IF_ERROR(internal::LogChange(conn, "person", person_id, d[0], d[1], d[2],
                                              "restore", c, actor, h.station_code, clock));
  }
  HUKOU_RETURN_IF_ERROR(
      MaybeSetHead(conn, h, person_id, relation_to_head, c, "restore", actor, clock));
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
      conn,
      {actor.user_id, "person.restore", "person", current.id_number, AuditDetail(diff, ctx.reason)},
      clock));
  return ReadPersonById(conn, person_id, actor);
}

Result<std::string> AllocateIdNumber(store::Connection& conn, std::string_view division_code,
                                     const Date& birth_date, std::string_view sex) {
  if (division_code.size() != 6 ||
      !std::all_of(division_code.begin(), division_code.end(),
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      !codes::Divisions::Get().IsKnown(division_code)) {
    return ValidationError("id_number.division", "行政区划代码无效", "division_code");
  }
  if (!birth_date.IsValid()) {
    return ValidationError("id_number.birth_date", "出生日期无效", "birth_date");
  }
  if (sex != "1" && sex != "2") {
    return ValidationError("id_number.sex", "性别应为 1（男）或 2（女）", "sex");
  }
  const bool male = sex == "1";
  const std::string sql =
      male ? "INSERT INTO id_sequences (division_code, birth_date, last_male, last_female) "
             "VALUES ($1, $2, 1, -2) ON CONFLICT (division_code, birth_date) DO UPDATE SET "
             "last_male = id_sequences.last_male + 2 RETURNING last_male"
           : "INSERT INTO id_sequences (division_code, birth_date, last_male, last_female) "
             "VALUES ($1, $2, -1, 0) ON CONFLICT (division_code, birth_date) DO UPDATE SET "
             "last_female = id_sequences.last_female + 2 RETURNING last_female";
  while (true) {
    HUKOU_ASSIGN_OR_RETURN(store::Rows rows,
                           conn.Query(sql, {std::string(division_code), birth_date.Compact()}));
    int64_t seq = rows.Int(0, 0);
    if (seq > 999) {
      return BusinessRuleError(
          "id_number.exhausted",
          "该地区该出生日期的" + std::string(male ? "男性" : "女性") + "顺序码已用完",
          "birth_date");
    }
    std::string number = codes::ComposeIdNumber(division_code, birth_date, static_cast<int>(seq));
    HUKOU_ASSIGN_OR_RETURN(store::Rows used,
                           conn.Query("SELECT 1 FROM persons WHERE id_number = $1", {number}));
    if (used.empty()) return number;
  }
}

}  // namespace hukou::registry
