#include "registry/household.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "codes/code_tables.h"
#include "codes/divisions.h"
#include "codes/id_number.h"
#include "registry/validate.h"
#include "trust/audit.h"

namespace hukou::registry {

std::string FormatHouseholdNumber(std::string_view station_code, int64_t seq) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(seq));
  return std::string(station_code) + buf;
}

std::optional<int64_t> HouseholdSequenceOf(std::string_view number, std::string_view station_code) {
  constexpr size_t kSeqDigits = 6;
  if (number.size() != station_code.size() + kSeqDigits || !number.starts_with(station_code)) {
    return std::nullopt;
  }
  int64_t seq = 0;
  for (char c : number.substr(station_code.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + (c - '0');
  }
  return seq;
}
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string Limit(int limit, int offset) {
  return " LIMIT " + std::to_string(std::max(limit, 0)) + " OFFSET " +
         std::to_string(std::max(offset, 0));
}

Result<Address> LoadAddress(store::Connection& conn, int64_t id) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT id, division_code, township_code, community_code, street, house_number, "
                 "building, unit_no, room, full_text, station_code, created_at FROM addresses "
                 "WHERE id = $1",
                 {id}));
  if (r.empty()) return NotFoundError("address.not_found", "未找到该地址", "address_id");
  Address a;
  a.id = r.Int(0, 0);
  a.division_code = r.Text(0, 1);
  a.township_code = r.Text(0, 2);
  a.community_code = r.Text(0, 3);
  a.street = r.Text(0, 4);
  a.house_number = r.Text(0, 5);
  a.building = r.Text(0, 6);
  a.unit_no = r.Text(0, 7);
  a.room = r.Text(0, 8);
  a.full_text = r.Text(0, 9);
  a.station_code = r.Text(0, 10);
  a.created_at = r.Text(0, 11);
  return a;
}

Error HouseholdNotFound() {
  return NotFoundError("household.not_found", "未找到该户", "household_number");
}

// Members of household `id` currently (one indexed query).
Result<std::vector<PersonSummary>> CurrentMembers(store::Connection& conn, int64_t id,
                                                  const std::string& number,
                                                  const std::string& address) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT id, id_number, name, sex, birth_date, ethnicity, status, station_code, "
                 "relation_to_head FROM persons WHERE household_id = $1",
                 {id}));
  std::vector<PersonSummary> out;
  for (size_t i = 0; i < r.size(); ++i) {
    PersonSummary s;
    s.id = r.Int(i, 0);
    s.id_number_masked = codes::MaskIdNumber(r.Text(i, 1));
    s.name = r.Text(i, 2);
    s.sex = r.Text(i, 3);
    s.birth_date = r.Text(i, 4);
    s.ethnicity = r.Text(i, 5);
    s.status = r.Text(i, 6);
    s.station_code = r.Text(i, 7);
    s.relation_to_head = r.Text(i, 8);
    s.household_number = number;
    s.address = address;
    out.push_back(std::move(s));
  }
  return out;
}

void SortMembers(std::vector<PersonSummary>& members) {
  std::sort(members.begin(), members.end(), [](const PersonSummary& a, const PersonSummary& b) {
    bool ha = a.relation_to_head == "02", hb = b.relation_to_head == "02";
    if (ha != hb) return ha;
    if (a.status != b.status) return a.status == "active";
    if (a.relation_to_head != b.relation_to_head) return a.relation_to_head < b.relation_to_head;
    if (a.birth_date != b.birth_date) return a.birth_date < b.birth_date;
    return a.id < b.id;
  });
}

}  // namespace

std::string LikeEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

Result<Address> CreateAddress(store::Connection& conn, const Address& in, const org::Actor& actor,
                              const Clock& clock) {
  HUKOU_RETURN_IF_ERROR(internal::CheckCanEdit(actor, "登记地址"));
  const codes::Divisions& divisions = codes::Divisions::Get();
  if (in.division_code.size() != 6 || !AllDigits(in.division_code) ||
      !divisions.IsKnown(in.division_code)) {
    return ValidationError("address.division", "行政区划代码无效", "division_code");
  }
  if (in.township_code.size() != 9 || !AllDigits(in.township_code) ||
      !in.township_code.starts_with(in.division_code)) {
    return ValidationError("address.township", "乡镇（街道）代码应为9位且属于该区县",
                           "township_code");
  }
  if (in.community_code.size() != 12 || !AllDigits(in.community_code) ||
      !in.community_code.starts_with(in.township_code)) {
    return ValidationError("address.community", "社区（村）代码应为12位且属于该乡镇",
                           "community_code");
  }
  Address a = in;
  std::optional<codes::Place> community = divisions.FindPlace(a.community_code);
  if (a.station_code.empty() && community) a.station_code = community->station_code;
  if (a.station_code.size() != 12 || !AllDigits(a.station_code)) {
    return ValidationError("address.station", "派出所代码应为12位数字", "station_code");
  }
  for (const auto& [value, field] :
       std::vector<std::pair<std::string, std::string>>{{a.street, "street"},
                                                        {a.house_number, "house_number"},
                                                        {a.building, "building"},
                                                        {a.unit_no, "unit_no"},
                                                        {a.room, "room"},
                                                        {a.full_text, "full_text"}}) {
    Status s = validate::FreeText(value, field, 200);
    if (!s.ok()) {
      Error e = s.error();
      e.code = "address." + field;
      return e;
    }
  }
  if (a.full_text.empty()) {
    if (auto d = divisions.Find(a.division_code)) a.full_text = d->FullName();
    if (auto t = divisions.FindPlace(a.township_code)) a.full_text += t->name;
    if (community) a.full_text += community->name;
    a.full_text += a.street + a.house_number;
    if (!a.building.empty()) a.full_text += a.building + "栋";
    if (!a.unit_no.empty()) a.full_text += a.unit_no + "单元";
    if (!a.room.empty()) a.full_text += a.room + "室";
  }
  if (a.full_text.empty()) {
    return ValidationError("address.full_text", "地址不能为空", "full_text");
  }
  HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, a.station_code));
  a.created_at = clock.NowIso();
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("INSERT INTO addresses (division_code, township_code, community_code, street, "
                 "house_number, building, unit_no, room, full_text, station_code, created_at) "
                 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                 {a.division_code, a.township_code, a.community_code, a.street, a.house_number,
                  a.building, a.unit_no, a.room, a.full_text, a.station_code, a.created_at}));
  a.id = r.Int(0, 0);
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
      conn, {actor.user_id, "address.create", "address", std::to_string(a.id), ""}, clock));
  return a;
}

Result<Household> CreateHousehold(store::Connection& conn, std::string_view kind,
                                  int64_t address_id, const org::Actor& actor, const Clock& clock,
                                  const ChangeContext& ctx) {
  HUKOU_RETURN_IF_ERROR(internal::CheckCanEdit(actor, "立户"));
  if (!codes::CodeTables::Get().Contains("household_kind", kind)) {
    return ValidationError("household.kind", "户别无效（家庭户、集体户或社区公共户）", "kind");
  }
  HUKOU_ASSIGN_OR_RETURN(Address a, LoadAddress(conn, address_id));
  HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, a.station_code));
  HUKOU_ASSIGN_OR_RETURN(std::string effective, internal::EffectiveDate(ctx, clock));
  if (kind == "community_public") {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows existing,
        conn.Query("SELECT h.household_number FROM households h JOIN addresses a ON a.id = "
                   "h.address_id WHERE h.kind = 'community_public' AND h.status = 'active' AND "
                   "a.township_code = $1",
                   {a.township_code}));
    if (!existing.empty()) {
      return BusinessRuleError("household.community_public_exists",
                               "该乡镇（街道）已有社区公共户：" + existing.Text(0, 0), "kind");
    }
  }
  std::string number;
  while (true) {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows seq,
        conn.Query("INSERT INTO household_sequences (station_code, last_value) VALUES ($1, 1) "
                   "ON CONFLICT (station_code) DO UPDATE SET last_value = "
                   "household_sequences.last_value + 1 RETURNING last_value",
                   {a.station_code}));
    int64_t value = seq.Int(0, 0);
    if (value > 999999) {
      return BusinessRuleError("household.number_exhausted", "该派出所户号已用完", "kind");
    }
    number = FormatHouseholdNumber(a.station_code, value);
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows used,
        conn.Query("SELECT 1 FROM households WHERE household_number = $1", {number}));
    if (used.empty()) break;
  }
  const std::string now = clock.NowIso();
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("INSERT INTO households (household_number, kind, address_id, station_code, "
                 "status, created_at, updated_at) VALUES ($1, $2, $3, $4, 'active', $5, $5) "
                 "RETURNING id",
                 {number, std::string(kind), a.id, a.station_code, now}));
  Household h;
  h.id = r.Int(0, 0);
  h.household_number = number;
  h.kind = std::string(kind);
  h.status = "active";
  h.station_code = a.station_code;
  h.created_at = now;
  h.updated_at = now;
  h.address = a;
  ChangeContext c = ctx;
  c.effective_date = effective;
  HUKOU_RETURN_IF_ERROR(internal::LogChange(conn, "household", h.id, "*", "", number, "create", c,
                                            actor, a.station_code, clock));
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
      conn,
      {actor.user_id, "household.create", "household", number,
       "{\"kind\":\"" + h.kind + "\",\"address_id\":" + std::to_string(a.id) + "}"},
      clock));
  return h;
}

Result<Household> ReadHousehold(store::Connection& conn, std::string_view household_number,
                                const org::Actor& actor, const std::optional<Date>& as_of) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT h.id, h.household_number, h.kind, h.status, h.head_person_id, "
                 "h.station_code, h.created_at, h.updated_at, h.address_id, u.name "
                 "FROM households h LEFT JOIN units u ON u.code = h.station_code "
                 "WHERE h.household_number = $1",
                 {std::string(household_number)}));
  if (r.empty()) return HouseholdNotFound();
  Household h;
  h.id = r.Int(0, 0);
  h.household_number = r.Text(0, 1);
  h.kind = r.Text(0, 2);
  h.status = r.Text(0, 3);
  if (!r.IsNull(0, 4)) h.head_person_id = r.Int(0, 4);
  h.station_code = r.Text(0, 5);
  h.created_at = r.Text(0, 6);
  h.updated_at = r.Text(0, 7);
  int64_t address_id = r.Int(0, 8);
  h.station_name = r.Text(0, 9);
  HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, h.station_code));
  if (!as_of) {
    HUKOU_ASSIGN_OR_RETURN(h.address, LoadAddress(conn, address_id));
    HUKOU_ASSIGN_OR_RETURN(h.members,
                           CurrentMembers(conn, h.id, h.household_number, h.address.full_text));
    SortMembers(h.members);
    return h;
  }
  const std::string date = as_of->ToString();
  h.as_of = date;
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows changes,
      conn.Query("SELECT field, old_value FROM change_log WHERE entity = 'household' AND "
                 "entity_id = $1 AND effective_date > $2 ORDER BY effective_date DESC, id DESC",
                 {h.id, date}));
  for (size_t i = 0; i < changes.size(); ++i) {
    std::string field = changes.Text(i, 0), old_value = changes.Text(i, 1);
    if (field == "*") {
      if (old_value.empty()) return HouseholdNotFound();
    } else if (field == "kind") {
      h.kind = old_value;
    } else if (field == "status") {
      h.status = old_value;
    } else if (field == "station_code") {
      h.station_code = old_value;
    } else if (field == "address_id" && !old_value.empty()) {
      address_id = std::stoll(old_value);
    } else if (field == "head_person_id") {
      h.head_person_id =
          old_value.empty() ? std::nullopt : std::optional<int64_t>(std::stoll(old_value));
    }
  }
  HUKOU_ASSIGN_OR_RETURN(h.address, LoadAddress(conn, address_id));
  // Candidates: current members and everyone who joined or left after the date.
  const std::string hid = std::to_string(h.id);
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows candidates,
      conn.Query("SELECT id FROM persons WHERE household_id = $1 UNION "
                 "SELECT entity_id FROM change_log WHERE field = 'household_id' AND new_value = $2 "
                 "AND entity = 'person' AND effective_date > $3 UNION "
                 "SELECT entity_id FROM change_log WHERE field = 'household_id' AND old_value = $2 "
                 "AND entity = 'person' AND effective_date > $3",
                 {h.id, hid, date}));
  org::Actor reader = actor;
  reader.scope_prefix.clear();  // members who moved away since are still shown as of the date
  for (size_t i = 0; i < candidates.size(); ++i) {
    auto p = ReadPersonById(conn, candidates.Int(i, 0), reader, as_of);
    if (!p.ok()) {
      if (p.error().kind == ErrorKind::kNotFound) continue;
      return p.error();
    }
    if (p->household_id != h.id) continue;
    PersonSummary s = Summarize(*p);
    s.household_number = h.household_number;
    s.address = h.address.full_text;
    h.members.push_back(std::move(s));
  }
  SortMembers(h.members);
  return h;
}

Result<PageOf<HouseholdSummary>> ListHouseholds(store::Connection& conn,
                                                std::string_view household_number,
                                                std::string_view address_text,
                                                const org::Actor& actor, int limit, int offset) {
  if (household_number.empty() && address_text.empty()) {
    return ValidationError("household.query", "请输入户号或地址", "household_number");
  }
  std::vector<store::Value> params;
  std::string where = "WHERE 1 = 1";
  if (!household_number.empty()) {
    params.emplace_back(std::string(household_number));
    where += " AND h.household_number = $" + std::to_string(params.size());
  }
  if (!address_text.empty()) {
    params.emplace_back("%" + LikeEscape(address_text) + "%");
    where += " AND a.full_text LIKE $" + std::to_string(params.size()) + " ESCAPE '\\'";
  }
  where += internal::ScopeFilter("h.station_code", actor, params);
  const std::string from = " FROM households h JOIN addresses a ON a.id = h.address_id ";
  HUKOU_ASSIGN_OR_RETURN(store::Rows count, conn.Query("SELECT COUNT(*)" + from + where, params));
  PageOf<HouseholdSummary> page;
  page.total = count.Int(0, 0);
  if (page.total == 0) return page;
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT h.id, h.household_number, h.kind, h.status, a.full_text, h.station_code, "
                 "(SELECT p.name FROM persons p WHERE p.id = h.head_person_id), "
                 "(SELECT COUNT(*) FROM persons m WHERE m.household_id = h.id AND m.status = "
                 "'active')" +
                     from + where + " ORDER BY h.household_number" + Limit(limit, offset),
                 params));
  for (size_t i = 0; i < r.size(); ++i) {
    page.items.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                          r.Text(i, 5), r.Text(i, 6), r.Int(i, 7)});
  }
  return page;
}

Result<PageOf<AddressListItem>> ListAddresses(store::Connection& conn,
                                              std::string_view community_code, std::string_view q,
                                              const org::Actor& actor, int limit, int offset) {
  if (community_code.empty() && q.empty()) {
    return ValidationError("address.query", "请选择社区或输入地址关键字", "community_code");
  }
  std::vector<store::Value> params;
  std::string where = " FROM addresses a WHERE 1 = 1";
  if (!community_code.empty()) {
    params.emplace_back(std::string(community_code));
    where += " AND a.community_code = $" + std::to_string(params.size());
  }
  if (!q.empty()) {
    params.emplace_back("%" + LikeEscape(q) + "%");
    where += " AND a.full_text LIKE $" + std::to_string(params.size()) + " ESCAPE '\\'";
  }
  where += internal::ScopeFilter("a.station_code", actor, params);
  HUKOU_ASSIGN_OR_RETURN(store::Rows count, conn.Query("SELECT COUNT(*)" + where, params));
  PageOf<AddressListItem> page;
  page.total = count.Int(0, 0);
  if (page.total == 0) return page;
  HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                         conn.Query("SELECT a.id, a.full_text, a.community_code" + where +
                                        " ORDER BY a.id" + Limit(limit, offset),
                                    params));
  std::map<int64_t, size_t> index;
  std::string ids;
  for (size_t i = 0; i < r.size(); ++i) {
    index[r.Int(i, 0)] = page.items.size();
    page.items.push_back({r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), {}});
    ids += (i ? "," : "") + std::to_string(r.Int(i, 0));
  }
  HUKOU_ASSIGN_OR_RETURN(store::Rows hh,
                         conn.Query("SELECT address_id, household_number FROM households WHERE "
                                    "address_id IN (" +
                                    ids + ") ORDER BY household_number"));
  for (size_t i = 0; i < hh.size(); ++i) {
    page.items[index[hh.Int(i, 0)]].household_numbers.push_back(hh.Text(i, 1));
  }
  return page;
}

Result<std::vector<PlaceNode>> AddressTree(std::string_view parent, const org::Actor& actor) {
  const codes::Divisions& divisions = codes::Divisions::Get();
  // Places in scope, over every city with place data.
  std::vector<const codes::Place*> places;
  for (const std::string& city : codes::Divisions::Cities()) {
    for (const codes::Place& p : divisions.Places(city)) {
      if (actor.InScope(p.station_code) || (p.station_code.size() < actor.scope_prefix.size() &&
                                            actor.scope_prefix.starts_with(p.station_code))) {
        places.push_back(&p);
      }
    }
  }
  std::vector<PlaceNode> out;
  if (parent.empty()) {
    std::set<std::string> counties;
    for (const codes::Place* p : places) {
      if (p->kind == "township") counties.insert(p->parent_code);
    }
    for (const std::string& code : counties) {
      auto d = divisions.Find(code);
      out.push_back({code, d ? d->name : code, "county", true});
    }
    return out;
  }
  if (!AllDigits(parent) || (parent.size() != 6 && parent.size() != 9 && parent.size() != 12)) {
    return ValidationError("address.parent", "上级区划代码无效", "parent");
  }
  if (parent.size() == 12) return out;  // communities have no children in the tree
  if (parent.size() == 6 && !divisions.IsKnown(parent)) {
    return ValidationError("address.parent", "上级区划代码无效", "parent");
  }
  if (parent.size() == 9 && !divisions.FindPlace(parent)) {
    return ValidationError("address.parent", "上级区划代码无效", "parent");
  }
  std::set<std::string> with_children;
  for (const codes::Place* p : places) {
    if (p->kind == "community") with_children.insert(p->parent_code);
  }
  for (const codes::Place* p : places) {
    if (p->parent_code != parent) continue;
    out.push_back(
        {p->code, p->name, p->kind, p->kind == "township" && with_children.count(p->code) > 0});
  }
  std::sort(out.begin(), out.end(),
            [](const PlaceNode& a, const PlaceNode& b) { return a.code < b.code; });
  return out;
}

}  // namespace hukou::registry
