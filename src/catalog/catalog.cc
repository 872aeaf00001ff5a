#include "catalog/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "codes/code_tables.h"
#include "trust/audit.h"

namespace hukou::catalog {

namespace data {
// Defined by the file cmake/embed.cmake generates from data/catalog/items.json.
std::string_view Embedded(std::string_view name);
}  // namespace data

namespace {

using nlohmann::json;

constexpr std::string_view kItemColumns =
    "SELECT code, version, content, active, updated_at FROM catalog_items";

// Rank of an approval level; a chain never goes back down.
int LevelRank(std::string_view level) {
  if (level == "station") return 0;
  if (level == "branch") return 1;
  if (level == "city") return 2;
  return -1;
}

// The roles that may act at a level.
bool RoleFitsLevel(std::string_view role, std::string_view level) {
  if (level == "station") return role == "police" || role == "station_chief";
  if (level == "branch") return role == "branch_approver";
  if (level == "city") return role == "city_approver";
  return false;
}

const std::set<std::string, std::less<>>& KnownEffects() {
  static const std::set<std::string, std::less<>> effects = {
      "birth",       "death",           "cancel",           "migrate_in",
      "migrate_out", "restore",         "register",         "change_main",
      "change_aux",  "household_split", "household_create", "household_head",
      "document"};
  return effects;
}

// Item and material codes: ASCII letters, digits, '_' and '-'.
bool IsCode(std::string_view code, size_t max_size) {
  return !code.empty() && code.size() <= max_size &&
         std::all_of(code.begin(), code.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
         });
}

Error Invalid(std::string code, std::string message, std::string field) {
  return ValidationError(std::move(code), std::move(message), std::move(field));
}

std::string FeeText(const Item& item) {
  if (item.fee_fen == 0) return "免费";
  return fmt::format("{}.{:02d} 元", item.fee_fen / 100, item.fee_fen % 100);
}

json ItemJson(const Item& item) {
  json materials = json::array();
  for (const Material& m : item.materials) {
    materials.push_back({{"code", m.code},
                         {"name", m.name},
                         {"capture", m.capture},
                         {"mandatory", m.mandatory},
                         {"system_verified", m.system_verified},
                         {"note", m.note}});
  }
  json chain = json::array();
  for (const ApprovalStep& s : item.chain) {
    chain.push_back({{"action", s.action},
                     {"level", s.level},
                     {"role", s.role},
                     {"time_limit_days", s.time_limit_days}});
  }
  return {{"code", item.code},
          {"version", item.version},
          {"name", item.name},
          {"major_category", item.major_category},
          {"category", item.major_category},
          {"minor_category", item.minor_category},
          {"legal_basis", item.legal_basis},
          {"conditions", item.conditions},
          {"materials", materials},
          {"handling_mode", HandlingModeName(item.handling_mode)},
          {"chain", chain},
          {"time_limit_days", item.time_limit_days},
          {"fee_fen", item.fee_fen},
          {"fee", FeeText(item)},
          {"fee_note", item.fee_note},
          {"police_only", item.police_only},
          {"national_check", item.national_check},
          {"biometrics", item.biometrics},
          {"effect", item.effect},
          {"effect_param", item.effect_param},
          {"active", item.active},
          {"updated_at", item.updated_at}};
}

// Reads a member of the expected JSON type into out; absent members keep their default.
template <typename T>
Status Member(const json& obj, const char* key, T& out, std::string_view field_prefix = "") {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  const std::string field = std::string(field_prefix) + key;
  bool fits = false;
  if constexpr (std::is_same_v<T, bool>) {
    fits = it->is_boolean();
  } else if constexpr (std::is_integral_v<T>) {
    fits = it->is_number_integer();
  } else {
    fits = it->is_string();
  }
  if (!fits) return Invalid("catalog.type", fmt::format("字段 {} 的类型不正确", field), field);
  out = it->get<T>();
  return Status::Ok();
}

// Runs fn on each object of the array member `key` (absent or null: none) with its field prefix
// ("materials[0].").
Status EachObject(const json& obj, const char* key,
                  const std::function<Status(const json&, const std::string&)>& fn) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return Invalid("catalog.type", fmt::format("{} 应为数组", key), key);
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string prefix = fmt::format("{}[{}].", key, i);
    if (!(*it)[i].is_object()) return Invalid("catalog.type", "数组元素应为 JSON 对象", prefix);
    HUKOU_RETURN_IF_ERROR(fn((*it)[i], prefix));
  }
  return Status::Ok();
}

Result<Item> ItemFromObject(const json& obj) {
  if (!obj.is_object()) return Invalid("catalog.json", "事项应为 JSON 对象", "");
  Item item;
  HUKOU_RETURN_IF_ERROR(Member(obj, "code", item.code));
  HUKOU_RETURN_IF_ERROR(Member(obj, "version", item.version));
  HUKOU_RETURN_IF_ERROR(Member(obj, "name", item.name));
  HUKOU_RETURN_IF_ERROR(Member(obj, "category", item.major_category));
  HUKOU_RETURN_IF_ERROR(Member(obj, "major_category", item.major_category));
  HUKOU_RETURN_IF_ERROR(Member(obj, "minor_category", item.minor_category));
  HUKOU_RETURN_IF_ERROR(Member(obj, "legal_basis", item.legal_basis));
  HUKOU_RETURN_IF_ERROR(Member(obj, "conditions", item.conditions));
  std::string mode = std::string(HandlingModeName(item.handling_mode));
  HUKOU_RETURN_IF_ERROR(Member(obj, "handling_mode", mode));
  HUKOU_ASSIGN_OR_RETURN(item.handling_mode, ParseHandlingMode(mode));
  HUKOU_RETURN_IF_ERROR(Member(obj, "time_limit_days", item.time_limit_days));
  HUKOU_RETURN_IF_ERROR(Member(obj, "fee_fen", item.fee_fen));
  HUKOU_RETURN_IF_ERROR(Member(obj, "fee_note", item.fee_note));
  HUKOU_RETURN_IF_ERROR(Member(obj, "police_only", item.police_only));
  HUKOU_RETURN_IF_ERROR(Member(obj, "national_check", item.national_check));
  HUKOU_RETURN_IF_ERROR(Member(obj, "biometrics", item.biometrics));
  HUKOU_RETURN_IF_ERROR(Member(obj, "effect", item.effect));
  HUKOU_RETURN_IF_ERROR(Member(obj, "effect_param", item.effect_param));
  HUKOU_RETURN_IF_ERROR(Member(obj, "active", item.active));
  HUKOU_RETURN_IF_ERROR(Member(obj, "updated_at", item.updated_at));
  HUKOU_RETURN_IF_ERROR(
      EachObject(obj, "materials", [&](const json& m, const std::string& prefix) -> Status {
        Material material;
        HUKOU_RETURN_IF_ERROR(Member(m, "code", material.code, prefix));
        HUKOU_RETURN_IF_ERROR(Member(m, "name", material.name, prefix));
        HUKOU_RETURN_IF_ERROR(Member(m, "capture", material.capture, prefix));
        HUKOU_RETURN_IF_ERROR(Member(m, "mandatory", material.mandatory, prefix));
        HUKOU_RETURN_IF_ERROR(Member(m, "system_verified", material.system_verified, prefix));
        HUKOU_RETURN_IF_ERROR(Member(m, "note", material.note, prefix));
        item.materials.push_back(std::move(material));
        return Status::Ok();
      }));
  HUKOU_RETURN_IF_ERROR(
      EachObject(obj, "chain", [&](const json& s, const std::string& prefix) -> Status {
        ApprovalStep step;
        HUKOU_RETURN_IF_ERROR(Member(s, "action", step.action, prefix));
        HUKOU_RETURN_IF_ERROR(Member(s, "level", step.level, prefix));
        HUKOU_RETURN_IF_ERROR(Member(s, "role", step.role, prefix));
        HUKOU_RETURN_IF_ERROR(Member(s, "time_limit_days", step.time_limit_days, prefix));
        item.chain.push_back(std::move(step));
        return Status::Ok();
      }));
  return item;
}

// Parsed item contents by their JSON text. Stored versions are never changed (an edit inserts
// a new version), and the key is the text itself, so an entry cannot go stale, whichever
// database it came from. A case's every act reads its item; parsing it was ~4% of a case.
Result<Item> ParseCached(const std::string& content) {
  static std::mutex mu;
  static std::unordered_map<std::string, Item> parsed;
  {
    std::lock_guard lock(mu);
    auto it = parsed.find(content);
    if (it != parsed.end()) return it->second;
  }
  Result<Item> item = ItemFromJson(content);
  if (!item.ok()) return item;
  std::lock_guard lock(mu);
  if (parsed.size() >= 512) parsed.clear();  // far more than the catalogue's live versions
  parsed.emplace(content, *item);
  return item;
}

Result<Item> ItemFromRow(const store::Rows& rows, size_t i) {
  Result<Item> item = ParseCached(rows.Text(i, 2));
  if (!item.ok()) {
    return InternalError("catalog.corrupt",
                         fmt::format("事项 {} 第 {} 版数据损坏：{}", rows.Text(i, 0),
                                     rows.Int(i, 1), item.error().message));
  }
  item->code = rows.Text(i, 0);
  item->version = static_cast<int>(rows.Int(i, 1));
  item->active = rows.Int(i, 3) != 0;
  item->updated_at = rows.Text(i, 4);
  return item;
}

// Inserts one version; returns 0 when that (code, version) is already stored.
Result<int64_t> InsertItem(store::Connection& conn, const Item& item, int64_t user_id) {
  return conn.Exec(
      "INSERT INTO catalog_items (code, version, content, name, major_category, active, "
      "updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
      "ON CONFLICT (code, version) DO NOTHING",
      {item.code, int64_t{item.version}, ItemToJson(item), item.name, item.major_category,
       int64_t{item.active ? 1 : 0}, item.updated_at,
       user_id == 0 ? store::Value() : store::Value(user_id)});
}

// Adds the shipped holidays and make-up workdays that calendar_days does not hold yet.
Result<int> SeedCalendar(store::Connection& conn, const Clock& clock) {
  HUKOU_ASSIGN_OR_RETURN(store::Rows stored, conn.Query("SELECT date FROM calendar_days"));
  std::set<std::string> have;
  for (size_t i = 0; i < stored.size(); ++i) have.insert(stored.Text(i, 0));
  const std::string now = clock.NowIso();
  int inserted = 0;
  for (const auto& [days, entry] : WorkCalendar::Shipped().days()) {
    const std::string date = Date::FromDays(days).ToString();
    if (have.count(date) > 0) continue;
    HUKOU_ASSIGN_OR_RETURN(
        int64_t n,
        conn.Exec("INSERT INTO calendar_days (date, kind, name, updated_at) VALUES ($1, $2, $3, "
                  "$4) ON CONFLICT (date) DO NOTHING",
                  {date, std::string(DayKindName(entry.first)), entry.second, now}));
    inserted += static_cast<int>(n);
  }
  return inserted;
}

}  // namespace

std::string_view HandlingModeName(HandlingMode mode) {
  switch (mode) {
    case HandlingMode::kAnyWindow:
      return "any_window";
    case HandlingMode::kRegistrationPlace:
      return "registration_place";
    case HandlingMode::kDestination:
      return "destination";
  }
  return "any_window";
}

Result<HandlingMode> ParseHandlingMode(std::string_view name) {
  if (name == "any_window") return HandlingMode::kAnyWindow;
  if (name == "registration_place") return HandlingMode::kRegistrationPlace;
  if (name == "destination") return HandlingMode::kDestination;
  return Invalid("catalog.handling_mode",
                 "办理方式应为 any_window、registration_place 或 destination", "handling_mode");
}

const std::vector<std::string>& MajorCategories() {
  static const std::vector<std::string> categories = {
      "出生登记",           "死亡注销",       "户口迁入",     "户口迁出",     "注销户口",
      "恢复户口",           "补录户口",       "主项变更更正", "辅项变更更正", "分户立户",
      "集体户与社区公共户", "无户口人员登记", "户口簿",       "户籍证明"};
  return categories;
}

namespace {

// B4: a main-item change (主项变更) spends at most 15 working days at the station (its steps
// together) and 5 at the branch; a change of sex or ethnicity needs a city-level step.
Status CheckMainChangeChain(const Item& item) {
  int station = 0, branch = 0;
  bool city = false;
  for (size_t i = 0; i < item.chain.size(); ++i) {
    const ApprovalStep& s = item.chain[i];
    const std::string field = fmt::format("chain[{}].time_limit_days", i);
    if (s.level == "station") station += s.time_limit_days;
    if (s.level == "branch") branch += s.time_limit_days;
    if (s.level == "city") city = true;
    if (station > kMainChangeStationDays) {
      return Invalid("catalog.main_change_station_limit",
                     fmt::format("主项变更在派出所的办理时限合计不得超过 {} 个工作日（现为 {} 个）",
                                 kMainChangeStationDays, station),
                     field);
    }
    if (branch > kMainChangeBranchDays) {
      return Invalid("catalog.main_change_branch_limit",
                     fmt::format("主项变更在分局的办理时限合计不得超过 {} 个工作日（现为 {} 个）",
                                 kMainChangeBranchDays, branch),
                     field);
    }
  }
  if ((item.effect_param == "sex" || item.effect_param == "ethnicity") && !city) {
    return Invalid("catalog.city_approval_required",
                   item.effect_param == "sex" ? "变更性别须经市局审批：审批流程应包括市局环节"
                                              : "变更民族须经市局审批：审批流程应包括市局环节",
                   "chain");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateItem(const Item& item) {
  if (item.code.size() < 2 || !IsCode(item.code, 20)) {
    return Invalid("catalog.code", "事项编码应为 2–20 位字母、数字、下划线或连字符", "code");
  }
  if (item.version < 1) return Invalid("catalog.version", "版本号应从 1 开始", "version");
  if (item.name.empty()) return Invalid("catalog.name", "事项名称不能为空", "name");
  const auto& categories = MajorCategories();
  if (std::find(categories.begin(), categories.end(), item.major_category) == categories.end()) {
    return Invalid("catalog.category", "事项大类不在 14 个大类之中", "major_category");
  }
  if (item.minor_category.empty()) {
    return Invalid("catalog.minor_category", "事项小类不能为空", "minor_category");
  }
  std::set<std::string> material_codes;
  for (size_t i = 0; i < item.materials.size(); ++i) {
    const Material& m = item.materials[i];
    const std::string prefix = fmt::format("materials[{}].", i);
    if (!IsCode(m.code, 40)) {
      return Invalid("catalog.material_code", "材料编码应为字母、数字或下划线", prefix + "code");
    }
    if (!material_codes.insert(m.code).second) {
      return Invalid("catalog.material_duplicate", fmt::format("材料编码 {} 重复", m.code),
                     prefix + "code");
    }
    if (m.name.empty())
      return Invalid("catalog.material_name", "材料名称不能为空", prefix + "name");
    if (m.capture != "scan" && m.capture != "photo" && m.capture != "form" &&
        m.capture != "data_sharing") {
      return Invalid("catalog.material_capture",
                     "材料采集方式应为 scan、photo、form 或 data_sharing", prefix + "capture");
    }
    if (m.system_verified != (m.capture == "data_sharing")) {
      return Invalid("catalog.material_verified",
                     "系统核验的材料采集方式应为 data_sharing（共享核验），反之亦然",
                     prefix + "system_verified");
    }
  }
  if (item.chain.size() < 2) {
    return Invalid("catalog.chain", "审批流程至少包括受理和审批两个环节", "chain");
  }
  int sum = 0;
  int rank = 0;
  for (size_t i = 0; i < item.chain.size(); ++i) {
    const ApprovalStep& s = item.chain[i];
    const std::string prefix = fmt::format("chain[{}].", i);
    const bool first = i == 0;
    const bool last = i + 1 == item.chain.size();
    if (s.action != "accept" && s.action != "review" && s.action != "approve") {
      return Invalid("catalog.chain_action", "环节动作应为 accept、review 或 approve",
                     prefix + "action");
    }
    if (first != (s.action == "accept")) {
      return Invalid("catalog.chain_action", "第一个环节是受理（accept），且只有第一个环节是受理",
                     prefix + "action");
    }
    if (last && s.action != "approve") {
      return Invalid("catalog.chain_action", "最后一个环节应为审批（approve）", prefix + "action");
    }
    const int level_rank = LevelRank(s.level);
    if (level_rank < 0) {
      return Invalid("catalog.chain_level", "审批层级应为 station、branch 或 city",
                     prefix + "level");
    }
    if (level_rank < rank) {
      return Invalid("catalog.chain_level", "审批层级只能逐级向上（派出所→分局→市局）",
                     prefix + "level");
    }
    rank = level_rank;
    if (first && s.level != "station") {
      return Invalid("catalog.chain_level", "受理环节应在派出所", prefix + "level");
    }
    if (!RoleFitsLevel(s.role, s.level)) {
      return Invalid("catalog.chain_role",
                     fmt::format("角色 {} 不能在 {} 层级办理", s.role, s.level), prefix + "role");
    }
    if (s.time_limit_days < 1 || s.time_limit_days > 20) {
      return Invalid("catalog.chain_limit", "环节时限应为 1–20 个工作日",
                     prefix + "time_limit_days");
    }
    sum += s.time_limit_days;
  }
  if (item.time_limit_days < 1 || item.time_limit_days > 20) {
    return Invalid("catalog.time_limit", "办理时限应为 1–20 个工作日", "time_limit_days");
  }
  if (item.time_limit_days < sum) {
    return Invalid("catalog.time_limit",
                   fmt::format("办理时限 {} 个工作日少于各环节时限之和 {} 个工作日",
                               item.time_limit_days, sum),
                   "time_limit_days");
  }
  if (item.fee_fen < 0) return Invalid("catalog.fee", "收费金额不能为负数", "fee_fen");
  if (KnownEffects().count(item.effect) == 0) {
    return Invalid("catalog.effect", fmt::format("未知的登记效果 {}", item.effect), "effect");
  }
  const codes::CodeTables& tables = codes::CodeTables::Get();
  if (item.effect == "cancel" && !tables.Contains("cancel_reason", item.effect_param)) {
    return Invalid("catalog.effect_param", "注销类事项的参数应为注销原因代码", "effect_param");
  }
  if (item.effect == "household_create" && !tables.Contains("household_kind", item.effect_param)) {
    return Invalid("catalog.effect_param", "立户类事项的参数应为户别代码", "effect_param");
  }
  if (item.effect == "change_main") {
    static const std::set<std::string, std::less<>> fields = {"name", "sex", "ethnicity",
                                                              "birth_date", "id_number"};
    if (fields.count(item.effect_param) == 0) {
      return Invalid("catalog.effect_param",
                     "主项变更的参数应为 name、sex、ethnicity、birth_date 或 id_number",
                     "effect_param");
    }
    HUKOU_RETURN_IF_ERROR(CheckMainChangeChain(item));
  }
  return Status::Ok();
}

std::string ItemToJson(const Item& item) { return ItemJson(item).dump(); }

Result<Item> ItemFromJson(std::string_view json_text) {
  json obj = json::parse(json_text, nullptr, false);
  if (obj.is_discarded()) return Invalid("catalog.json", "事项不是合法的 JSON", "");
  return ItemFromObject(obj);
}

Result<int> LoadShippedCatalog(store::Connection& conn, const Clock& clock) {
  json doc = json::parse(data::Embedded("items.json"), nullptr, false);
  if (doc.is_discarded() || !doc.contains("items") || !doc["items"].is_array()) {
    return InternalError("catalog.shipped", "内置事项清单 items.json 格式错误");
  }
  HUKOU_ASSIGN_OR_RETURN(store::Rows stored, conn.Query("SELECT DISTINCT code FROM catalog_items"));
  std::set<std::string> have;
  for (size_t i = 0; i < stored.size(); ++i) have.insert(stored.Text(i, 0));
  const std::string now = clock.NowIso();
  int inserted = 0;
  for (const json& obj : doc["items"]) {
    Result<Item> item = ItemFromObject(obj);
    Status valid = item.ok() ? ValidateItem(*item) : item.status();
    if (!valid.ok()) {
      return InternalError("catalog.shipped",
                           fmt::format("内置事项 {} 无效：{}（{}）", obj.value("code", "?"),
                                       valid.error().message, valid.error().field));
    }
    if (have.count(item->code) > 0) continue;
    item->version = 1;
    item->updated_at = now;
    HUKOU_ASSIGN_OR_RETURN(int64_t n, InsertItem(conn, *item, 0));
    inserted += static_cast<int>(n);
    have.insert(item->code);
  }
  HUKOU_RETURN_IF_ERROR(SeedCalendar(conn, clock).status());
  return inserted;
}

Result<Item> GetItem(store::Connection& conn, std::string_view code, std::optional<int> version) {
  store::Rows rows;
  if (version) {
    HUKOU_ASSIGN_OR_RETURN(
        rows, conn.Query(std::string(kItemColumns) + " WHERE code = $1 AND version = $2",
                         {std::string(code), int64_t{*version}}));
  } else {
    HUKOU_ASSIGN_OR_RETURN(rows, conn.Query(std::string(kItemColumns) +
                                                " WHERE code = $1 ORDER BY version DESC LIMIT 1",
                                            {std::string(code)}));
  }
  if (rows.empty()) {
    return NotFoundError("catalog.not_found",
                         version ? fmt::format("事项 {} 没有第 {} 版", code, *version)
                                 : fmt::format("没有编码为 {} 的事项", code),
                         "code");
  }
  return ItemFromRow(rows, 0);
}

Result<std::vector<Item>> ListItems(store::Connection& conn, bool include_inactive) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query(std::string(kItemColumns) +
                 " c WHERE version = (SELECT MAX(version) FROM catalog_items m WHERE m.code = "
                 "c.code) ORDER BY code"));
  std::vector<Item> items;
  items.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!include_inactive && rows.Int(i, 3) == 0) continue;
    HUKOU_ASSIGN_OR_RETURN(Item item, ItemFromRow(rows, i));
    items.push_back(std::move(item));
  }
  return items;
}

Result<Item> SaveItem(store::Connection& conn, const Item& item, const org::Actor& actor,
                      const Clock& clock) {
  HUKOU_RETURN_IF_ERROR(org::CheckRole(actor, actor.role == org::Role::kAdmin, "维护事项清单"));
  Item saved = item;
  saved.version = 1;
  HUKOU_RETURN_IF_ERROR(ValidateItem(saved));
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows last,
      conn.Query("SELECT MAX(version) FROM catalog_items WHERE code = $1", {item.code}));
  saved.version = static_cast<int>(last.Int(0, 0)) + 1;
  saved.updated_at = clock.NowIso();
  HUKOU_ASSIGN_OR_RETURN(int64_t inserted, InsertItem(conn, saved, actor.user_id));
  if (inserted == 0) {
    return ConflictError("catalog.concurrent", "该事项刚被他人修改，请刷新后重试", "code");
  }
  json detail = {{"version", saved.version}, {"name", saved.name}, {"active", saved.active}};
  HUKOU_RETURN_IF_ERROR(
      trust::AppendAudit(conn,
                         {actor.user_id, saved.version == 1 ? "catalog.create" : "catalog.update",
                          "catalog_item", saved.code, detail.dump()},
                         clock));
  return saved;
}

Result<WorkCalendar> LoadCalendar(store::Connection& conn) {
  WorkCalendar calendar = WorkCalendar::Shipped();
  HUKOU_ASSIGN_OR_RETURN(store::Rows rows,
                         conn.Query("SELECT date, kind, name FROM calendar_days ORDER BY date"));
  for (size_t i = 0; i < rows.size(); ++i) {
    std::optional<Date> date = Date::Parse(rows.Text(i, 0));
    Result<DayKind> kind = ParseDayKind(rows.Text(i, 1));
    if (!date || !kind.ok()) {
      return InternalError("calendar.corrupt",
                           fmt::format("日历数据损坏：{} {}", rows.Text(i, 0), rows.Text(i, 1)));
    }
    calendar.Set(*date, *kind, rows.Text(i, 2));
  }
  return calendar;
}

Status SetCalendarDay(store::Connection& conn, const Date& date, DayKind kind,
                      std::string_view name, const org::Actor& actor, const Clock& clock) {
  HUKOU_RETURN_IF_ERROR(org::CheckRole(actor, actor.role == org::Role::kAdmin, "维护节假日"));
  if (!date.IsValid()) return Invalid("calendar.date", "日期无效", "date");
  if (kind != DayKind::kOrdinary && name.empty()) {
    return Invalid("calendar.name", "节假日或调休上班日需填写名称", "name");
  }
  const std::string now = clock.NowIso();
  const std::string kind_name(DayKindName(kind));
  const std::string stored_name = kind == DayKind::kOrdinary ? "" : std::string(name);
  HUKOU_RETURN_IF_ERROR(
      conn.Exec("INSERT INTO calendar_days (date, kind, name, updated_at, updated_by) VALUES ($1, "
                "$2, $3, $4, $5) ON CONFLICT (date) DO UPDATE SET kind = excluded.kind, name = "
                "excluded.name, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                {date.ToString(), kind_name, stored_name, now,
                 actor.user_id == 0 ? store::Value() : store::Value(actor.user_id)})
          .status());
  json detail = {{"kind", kind_name}, {"name", stored_name}};
  return trust::AppendAudit(
      conn, {actor.user_id, "calendar.set", "calendar_day", date.ToString(), detail.dump()}, clock);
}

}  // namespace hukou::catalog
