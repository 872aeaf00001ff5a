#include "registry/history.h"

#include <algorithm>
#include <map>
#include <set>

#include "codes/code_tables.h"
#include "registry/person.h"

namespace hukou::registry {
namespace {

constexpr char kSelect[] =
    "SELECT c.id, c.field, c.old_value, c.new_value, c.changed_at, c.effective_date, "
    "c.operator_id, u.name, c.case_id, c.action, c.entity, c.entity_id, c.reason "
    "FROM change_log c "
    "LEFT JOIN users u ON u.id = c.operator_id ";

std::string IdList(const std::set<int64_t>& ids) {
  std::string list;
  for (int64_t id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
  return list;
}

// The code table behind a coded column, or nullptr.
const char* CodeTableOf(std::string_view field) {
  static constexpr std::pair<std::string_view, const char*> kTables[] = {
      {"sex", "sex"},
      {"ethnicity", "ethnicity"},
      {"marital_status", "marital_status"},
      {"education", "education"},
      {"military_service", "military_service"},
      {"relation_to_head", "relation"},
      {"cancel_reason", "cancel_reason"},
      {"religion", "religion"},
  };
  for (const auto& [column, table] : kTables) {
    if (column == field) return table;
  }
  return nullptr;
}

// "20" of marital_status reads "已婚（20）", so that an officer need not know the codes.
std::string CodedValueTitle(std::string_view field, const std::string& value) {
  if (value.empty()) return value;
  if (field == "status") return value == "active" ? "正常" : value == "cancelled" ? "注销" : value;
  const char* table = CodeTableOf(field);
  if (table == nullptr) return value;
  auto name = codes::CodeTables::Get().Name(table, value);
  return name ? *name + "（" + value + "）" : value;
}

std::optional<int64_t> ParseId(const std::string& v) {
  if (v.empty() || v.size() > 18 || !std::all_of(v.begin(), v.end(), ::isdigit)) {
    return std::nullopt;
  }
  return std::stoll(v);
}

// Household ids (household_id) become household numbers and person ids (head_person_id, and the
// subject of membership rows in a household's history) become "name（ID number）".
Status Decorate(store::Connection& conn, std::vector<Change>& changes,
                const std::vector<int64_t>& member_subjects) {
  std::set<int64_t> households, persons(member_subjects.begin(), member_subjects.end());
  persons.erase(0);
  for (const Change& c : changes) {
    if (c.field != "household_id" && c.field != "head_person_id") continue;
    for (const std::string& v : {c.old_value, c.new_value}) {
      if (auto id = ParseId(v)) (c.field == "household_id" ? households : persons).insert(*id);
    }
  }
  std::map<int64_t, std::string> household_numbers, person_names;
  if (!households.empty()) {
    HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                           conn.Query("SELECT id, household_number FROM households WHERE id IN (" +
                                      IdList(households) + ")"));
    for (size_t i = 0; i < r.size(); ++i) household_numbers[r.Int(i, 0)] = r.Text(i, 1);
  }
  if (!persons.empty()) {
    HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                           conn.Query("SELECT id, name, id_number FROM persons WHERE id IN (" +
                                      IdList(persons) + ")"));
    for (size_t i = 0; i < r.size(); ++i) {
      person_names[r.Int(i, 0)] = r.Text(i, 1) + "（" + r.Text(i, 2) + "）";
    }
  }
  for (size_t k = 0; k < changes.size(); ++k) {
    Change& c = changes[k];
    auto& names = c.field == "household_id" ? household_numbers : person_names;
    if (c.field == "household_id" || c.field == "head_person_id") {
      for (std::string* v : {&c.old_value, &c.new_value}) {
        auto id = ParseId(*v);
        if (id && names.count(*id)) *v = names[*id];
      }
    }
    if (k < member_subjects.size() && member_subjects[k] != 0) {
      c.field_name = "户成员变动：" + person_names[member_subjects[k]];
    }
  }
  return Status::Ok();
}

Result<std::vector<Change>> Collect(store::Connection& conn, const std::string& where,
                                    const std::vector<store::Value>& params, bool household_view) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query(kSelect + where + " ORDER BY c.effective_date DESC, c.id DESC", params));
  std::vector<Change> out;
  out.reserve(r.size());
  for (size_t i = 0; i < r.size(); ++i) {
    Change c;
    c.id = r.Int(i, 0);
    c.field = r.Text(i, 1);
    c.old_value = r.Text(i, 2);
    c.new_value = r.Text(i, 3);
    c.changed_at = r.Text(i, 4);
    c.effective_date = r.Text(i, 5);
    c.operator_id = r.Int(i, 6);
    c.operator_name = c.operator_id == 0 ? "系统" : r.Text(i, 7);
    if (!r.IsNull(i, 8)) c.case_id = r.Int(i, 8);
    c.action = r.Text(i, 9);
    c.reason = r.Text(i, 12);
    c.field_name = FieldTitle(c.field);
    if (c.field != "*") {
      c.old_value = CodedValueTitle(c.field, c.old_value);
      c.new_value = CodedValueTitle(c.field, c.new_value);
    }
    if (r.Text(i, 10) == "household" && c.field == "*") c.field_name = "立户";
    out.push_back(std::move(c));
  }
  std::vector<int64_t> member_subjects;
  for (size_t i = 0; i < r.size(); ++i) {
    member_subjects.push_back(r.Text(i, 10) == "person" && household_view ? r.Int(i, 11) : 0);
  }
  HUKOU_RETURN_IF_ERROR(Decorate(conn, out, member_subjects));
  return out;
}

}  // namespace

Result<std::vector<Change>> PersonHistory(store::Connection& conn, int64_t person_id) {
  return Collect(conn, "WHERE c.entity = 'person' AND c.entity_id = $1", {person_id}, false);
}

Result<std::vector<Change>> HouseholdHistory(store::Connection& conn, int64_t household_id) {
  const std::string id = std::to_string(household_id);
  return Collect(conn,
                 "WHERE (c.entity = 'household' AND c.entity_id = $1) OR (c.entity = 'person' "
                 "AND c.field = 'household_id' AND (c.new_value = $2 OR c.old_value = $2))",
                 {household_id, id}, true);
}

}  // namespace hukou::registry
