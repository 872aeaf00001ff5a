// Persons, households and addresses (docs/api.md). Every successful read of personal data is
// written to the access log (查询留痕) before the response is returned.
#include <algorithm>
#include <set>
#include <string>

#include "codes/code_tables.h"
#include "codes/divisions.h"
#include "http/app.h"
#include "registry/access_log.h"
#include "registry/history.h"
#include "registry/household.h"
#include "registry/person.h"
#include "registry/photo.h"
#include "registry/search.h"

namespace hukou::http {
namespace {

using nlohmann::json;

// 籍贯 and 出生地 may be stored as a GB/T 2260 code (420702) or as text: the code reads as
// 湖北省鄂州市梁子湖区, text as itself.
std::string PlaceName(const std::string& value) {
  if (value.size() == 6 && std::all_of(value.begin(), value.end(), ::isdigit)) {
    if (auto d = codes::Divisions::Get().Find(value)) return d->FullName();
  }
  return value;
}

std::string CodeName(std::string_view table, const std::string& code) {
  if (code.empty()) return "";
  return codes::CodeTables::Get().Name(table, code).value_or("");
}

json OrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

// 400 request.parameter for a query parameter the endpoint does not know.
Status CheckParams(const Request& req, std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : req.query) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == name;
    if (!known) {
      return ValidationError("request.parameter", "不支持的查询参数：" + name, name);
    }
  }
  return Status::Ok();
}

Result<std::optional<Date>> ParseAsOf(const Request& req) {
  std::string text = req.Query("as_of");
  if (text.empty()) return std::optional<Date>();
  std::optional<Date> d = Date::Parse(text);
  if (!d || text.size() != 10) {
    return ValidationError("request.as_of", "as_of 应为 YYYY-MM-DD 格式的日期", "as_of");
  }
  return d;
}

Status CheckPurpose(const Request& req) {
  if (req.Query("purpose").size() > 200) {
    return ValidationError("request.purpose", "查询事由过长（最多200字节）", "purpose");
  }
  return Status::Ok();
}

// Writes the access-log entry and waits until it is durable.
Status LogAccess(const App& app, const org::Actor& actor, const Request& req, std::string action,
                 std::string kind, std::string subject) {
  if (!app.access_log) return InternalError("access_log.missing", "查询留痕服务未启用");
  return app.access_log->Record({actor.user_id, std::move(action), std::move(kind),
                                 std::move(subject), req.Query("purpose"), req.remote});
}

// `response`, sent only once the read's access-log entry is durable (the server holds no thread
// meanwhile), or the log's error instead.
Response AfterLogged(const App& app, const org::Actor& actor, const Request& req,
                     std::string action, std::string kind, std::string subject, Response response) {
  if (!app.access_log) {
    return ErrorResponse(InternalError("access_log.missing", "查询留痕服务未启用"));
  }
  response.before_send =
      [log = app.access_log,
       entry = registry::AccessEntry{actor.user_id, std::move(action), std::move(kind),
                                     std::move(subject), req.Query("purpose"),
                                     req.remote}](Response::Continuation done) mutable {
        log->RecordAsync(std::move(entry), std::move(done));
      };
  return response;
}

json SummaryJson(const registry::PersonSummary& s) {
  return {{"id", s.id},
          {"id_number_masked", s.id_number_masked},
          {"name", s.name},
          {"sex", s.sex},
          {"sex_name", CodeName("sex", s.sex)},
          {"birth_date", s.birth_date},
          {"ethnicity_name", CodeName("ethnicity", s.ethnicity)},
          {"household_number", s.household_number},
          {"address", s.address},
          {"status", s.status},
          {"station_code", s.station_code}};
}

json PartyJson(const std::string& name, const std::string& id_number) {
  return {{"name", name}, {"id_number", id_number}};
}

json PersonJson(const registry::Person& p, const Date& today) {
  json former = json::array();
  for (const std::string& n : registry::SplitFormerNames(p.former_names)) former.push_back(n);
  json household = nullptr;
  if (p.household_id) {
    household = {{"number", p.household_number},
                 {"kind", p.household_kind},
                 {"kind_name", CodeName("household_kind", p.household_kind)},
                 {"address", p.address}};
  }
  return {
      {"id", p.id},
      {"id_number", p.id_number},
      {"name", p.name},
      {"former_names", former},
      {"sex", p.sex},
      {"sex_name", CodeName("sex", p.sex)},
      {"ethnicity", p.ethnicity},
      {"ethnicity_name", CodeName("ethnicity", p.ethnicity)},
      {"birth_date", p.birth_date},
      {"native_place", p.native_place},
      {"native_place_name", PlaceName(p.native_place)},
      {"birthplace", p.birthplace},
      {"birthplace_name", PlaceName(p.birthplace)},
      {"religion", p.religion},
      {"religion_name", CodeName("religion", p.religion)},
      {"education", p.education},
      {"education_name", CodeName("education", p.education)},
      {"marital_status", p.marital_status},
      {"marital_status_name", CodeName("marital_status", p.marital_status)},
      {"military_service", p.military_service},
      {"military_service_name", CodeName("military_service", p.military_service)},
      {"workplace", p.workplace},
      {"occupation", p.occupation},
      {"phone", p.phone},
      {"father", PartyJson(p.father_name, p.father_id_number)},
      {"mother", PartyJson(p.mother_name, p.mother_id_number)},
      {"guardian", PartyJson(p.guardian_name, p.guardian_id_number)},
      {"spouse", PartyJson(p.spouse_name, p.spouse_id_number)},
      {"photo_url", p.photo_file_id ? json("/api/v1/persons/" + std::to_string(p.id) + "/photo")
                                    : json(nullptr)},
      {"household", household},
      {"relation_to_head", p.relation_to_head},
      {"relation_name", CodeName("relation", p.relation_to_head)},
      {"status", p.status},
      {"cancel_reason", p.cancel_reason},
      {"cancel_reason_name", CodeName("cancel_reason", p.cancel_reason)},
      {"cancel_date", p.cancel_date},
      {"station_code", p.station_code},
      {"station_name", p.station_name},
      {"registered_at", p.registered_at},
      {"updated_at", p.updated_at},
      {"version", p.version},
      {"missing_items", registry::MissingItems(p, p.as_of.empty() ? today : *Date::Parse(p.as_of))},
      {"as_of", OrNull(p.as_of)},
  };
}

json ChangesJson(const std::vector<registry::Change>& changes) {
  json items = json::array();
  for (const registry::Change& c : changes) {
    items.push_back({{"id", c.id},
                     {"field", c.field},
                     {"field_name", c.field_name},
                     {"old_value", c.old_value},
                     {"reason", c.reason},
                     {"new_value", c.new_value},
                     {"changed_at", c.changed_at},
                     {"effective_date", c.effective_date},
                     {"operator",
                      {{"id", c.operator_id == 0 ? json(nullptr) : json(c.operator_id)},
                       {"name", c.operator_name}}},
                     {"case_id", c.case_id ? json(*c.case_id) : json(nullptr)},
                     {"action", c.action}});
  }
  return {{"items", items}};
}

json ListJson(json items, int64_t total, const Page& page) {
  return {{"items", std::move(items)},
          {"total", total},
          {"page", page.page},
          {"page_size", page.page_size}};
}

// Authenticates, checks that the role may read persons, and that the query carries only the
// `allowed` parameters (and a purpose of sensible length).
Result<org::Actor> Officer(const App& app, const Request& req,
                           std::initializer_list<std::string_view> allowed) {
  HUKOU_ASSIGN_OR_RETURN(org::Actor actor, Authenticate(app, req));
  HUKOU_RETURN_IF_ERROR(org::CheckRole(actor, org::CanReadPersons(actor.role), "查询人口信息"));
  HUKOU_RETURN_IF_ERROR(CheckParams(req, allowed));
  HUKOU_RETURN_IF_ERROR(CheckPurpose(req));
  return actor;
}

// The auxiliary items PATCH may change (flat names; father/mother/guardian/spouse also nested).
const std::set<std::string>& PatchableItems() {
  static const std::set<std::string> items = {"phone",
                                              "workplace",
                                              "occupation",
                                              "religion",
                                              "education",
                                              "marital_status",
                                              "military_service",
                                              "native_place",
                                              "birthplace",
                                              "father_name",
                                              "father_id_number",
                                              "mother_name",
                                              "mother_id_number",
                                              "guardian_name",
                                              "guardian_id_number",
                                              "spouse_name",
                                              "spouse_id_number"};
  return items;
}

Result<std::map<std::string, std::string>> PatchChanges(const json& body) {
  std::map<std::string, std::string> changes;
  for (const auto& [key, value] : body.items()) {
    if (key == "reason" || key == "version") continue;
    if ((key == "father" || key == "mother" || key == "guardian" || key == "spouse") &&
        value.is_object()) {
      for (const auto& [sub, v] : value.items()) {
        if ((sub != "name" && sub != "id_number") || !v.is_string()) {
          const std::string field = key + '.' + sub;
          return ValidationError("request.field", "不支持的字段：" + field, field);
        }
        changes[key + '_' + sub] = v.get<std::string>();
      }
      continue;
    }
    if (!PatchableItems().count(key)) {
      return ValidationError("request.field", "该项不能在此修改：" + key, key);
    }
    if (!value.is_string()) {
      return ValidationError("request.field", key + " 应为字符串", key);
    }
    changes[key] = value.get<std::string>();
  }
  if (changes.empty()) {
    return ValidationError("request.empty", "没有要修改的项", "phone");
  }
  return changes;
}

void AddPersonRoutes(Router& router, App& app) {
  router.Add("GET", "/api/v1/persons", [&app](const Request& req) -> Response {
    auto actor = Officer(app, req,
                         {"id_number", "name", "name_mode", "former_name", "address",
                          "household_number", "status", "page", "page_size", "purpose"});
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error());
    registry::PersonQuery q;
    q.id_number = req.Query("id_number");
    q.name = req.Query("name");
    if (req.query.count("name_mode")) q.name_mode = req.Query("name_mode");
    q.former_name = req.Query("former_name");
    q.address = req.Query("address");
    q.household_number = req.Query("household_number");
    q.status = req.Query("status");
    if (Status v = registry::ValidateQuery(q); !v.ok()) return ErrorResponse(v.error());
    registry::PersonSearchResult result;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(
          result, registry::SearchPersons(conn, q, *actor, page->page_size, page->Offset()));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    std::string subject;
    for (const auto& [k, v] : req.query) {
      if (k == "page" || k == "page_size" || k == "purpose") continue;
      if (!subject.empty()) subject += '&';
      subject.append(k).append("=").append(v);
    }
    json items = json::array();
    for (const auto& s : result.items) items.push_back(SummaryJson(s));
    json body = ListJson(std::move(items), result.total, *page);
    if (!result.id_match.empty()) body["id_match"] = result.id_match;
    return AfterLogged(app, *actor, req, "search_persons", "query", subject, Json(body));
  });

  router.Add("GET", "/api/v1/persons/{key}", [&app](const Request& req) -> Response {
    auto actor = Officer(app, req, {"as_of", "purpose"});
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto as_of = ParseAsOf(req);
    if (!as_of.ok()) return ErrorResponse(as_of.error());
    registry::Person person;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(person, registry::ReadPerson(conn, req.Param("key"), *actor, *as_of));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    return AfterLogged(app, *actor, req, as_of->has_value() ? "read_person_as_of" : "read_person",
                       "person", person.id_number, Json(PersonJson(person, app.clock->Today())));
  });

  router.Add("PATCH", "/api/v1/persons/{key}", [&app](const Request& req) -> Response {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    Status role = org::CheckRole(*actor, org::CanEditRegistry(actor->role), "修改人员信息");
    if (role.ok()) role = CheckParams(req, {});
    if (!role.ok()) return ErrorResponse(role.error());
    auto body = ParseJsonBody(req);
    if (!body.ok()) return ErrorResponse(body.error());
    const json& reason = (*body)["reason"];
    if (!reason.is_string() ||
        reason.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) {
      return ErrorResponse(ValidationError("request.reason", "请填写变更事由", "reason"));
    }
    int64_t version = 0;
    if (body->contains("version")) {
      if (!(*body)["version"].is_number_integer()) {
        return ErrorResponse(ValidationError("request.version", "version 应为整数", "version"));
      }
      version = (*body)["version"].get<int64_t>();
    }
    auto changes = PatchChanges(*body);
    if (!changes.ok()) return ErrorResponse(changes.error());
    registry::ChangeContext ctx;
    ctx.reason = reason.get<std::string>();
    registry::Person person;
    Status write = app.db->Transact([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(registry::Person current,
                             registry::ReadPerson(conn, req.Param("key"), *actor));
      HUKOU_ASSIGN_OR_RETURN(person, registry::UpdatePerson(conn, current.id, *changes, version,
                                                            *actor, *app.clock, ctx));
      return Status::Ok();
    });
    if (!write.ok()) return ErrorResponse(write.error());
    Status logged = LogAccess(app, *actor, req, "update_person", "person", person.id_number);
    if (!logged.ok()) return ErrorResponse(logged.error());
    return Json(PersonJson(person, app.clock->Today()));
  });

  router.Add("GET", "/api/v1/persons/{key}/history", [&app](const Request& req) -> Response {
    auto actor = Officer(app, req, {"purpose"});
    if (!actor.ok()) return ErrorResponse(actor.error());
    std::vector<registry::Change> changes;
    std::string id_number;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(registry::Person p,
                             registry::ReadPerson(conn, req.Param("key"), *actor));
      id_number = p.id_number;
      HUKOU_ASSIGN_OR_RETURN(changes, registry::PersonHistory(conn, p.id));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    return AfterLogged(app, *actor, req, "read_person_history", "person", id_number,
                       Json(ChangesJson(changes)));
  });

  router.Add("GET", "/api/v1/persons/{key}/access-log", [&app](const Request& req) -> Response {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    Status s = org::CheckRole(*actor, org::CanSeeAccessLog(actor->role), "查看查询留痕");
    if (s.ok()) s = CheckParams(req, {});
    if (!s.ok()) return ErrorResponse(s.error());
    std::vector<registry::AccessRecord> records;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(registry::Person p,
                             registry::ReadPerson(conn, req.Param("key"), *actor));
      HUKOU_ASSIGN_OR_RETURN(records, registry::ListAccess(conn, "person", p.id_number, 500));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    json items = json::array();
    for (const auto& r : records) {
      items.push_back({{"at", r.at},
                       {"user",
                        {{"id", r.user_id == 0 ? json(nullptr) : json(r.user_id)},
                         {"name", r.user_id == 0 ? "系统" : r.user_name},
                         {"login", r.user_login}}},
                       {"action", r.action},
                       {"purpose", r.purpose},
                       {"client", r.client}});
    }
    return Json({{"items", items}});
  });
}

json HouseholdJson(const registry::Household& h) {
  json members = json::array();
  for (const auto& m : h.members) {
    json j = SummaryJson(m);
    j["relation_to_head"] = m.relation_to_head;
    j["relation_name"] = CodeName("relation", m.relation_to_head);
    members.push_back(std::move(j));
  }
  const registry::Address& a = h.address;
  return {{"household_number", h.household_number},
          {"kind", h.kind},
          {"kind_name", CodeName("household_kind", h.kind)},
          {"status", h.status},
          {"address",
           {{"id", a.id},
            {"full_text", a.full_text},
            {"division_code", a.division_code},
            {"township_code", a.township_code},
            {"community_code", a.community_code},
            {"street", a.street},
            {"house_number", a.house_number},
            {"building", a.building},
            {"unit_no", a.unit_no},
            {"room", a.room}}},
          {"station_code", h.station_code},
          {"station_name", h.station_name},
          {"members", members},
          {"as_of", OrNull(h.as_of)}};
}

// GET / PUT /api/v1/persons/{key}/photo: the photo as image bytes (a logged read), and a new
// photo as the raw request body (police only; JPEG or PNG judged from the bytes).
void AddPhotoRoutes(Router& router, App& app) {
  router.Add("GET", "/api/v1/persons/{key}/photo", [&app](const Request& req) -> Response {
    auto actor = Officer(app, req, {"purpose"});
    if (!actor.ok()) return ErrorResponse(actor.error());
    registry::Person person;
    registry::Photo photo;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(person, registry::ReadPerson(conn, req.Param("key"), *actor));
      HUKOU_ASSIGN_OR_RETURN(photo, registry::ReadPhoto(conn, person.id, *actor));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    Response r;
    r.content_type = photo.mime;
    r.body = std::move(photo.bytes);
    r.headers.emplace_back("Cache-Control", "private, no-store");
    r.headers.emplace_back("X-Content-SM3", photo.sm3);
    return AfterLogged(app, *actor, req, "read_photo", "person", person.id_number, std::move(r));
  });

  router.Add("PUT", "/api/v1/persons/{key}/photo", [&app](const Request& req) -> Response {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    Status s = org::CheckRole(*actor, org::CanEditRegistry(actor->role), "采集照片");
    if (s.ok()) s = CheckParams(req, {});
    if (!s.ok()) return ErrorResponse(s.error());
    registry::Person updated;
    Status write = app.db->Transact([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(registry::Person person,
                             registry::ReadPerson(conn, req.Param("key"), *actor));
      HUKOU_ASSIGN_OR_RETURN(updated,
                             registry::SetPhoto(conn, person.id, req.body, *actor, *app.clock));
      return Status::Ok();
    });
    if (!write.ok()) return ErrorResponse(write.error());
    return Json(PersonJson(updated, app.clock->Today()));
  });
}

void AddHouseholdRoutes(Router& router, App& app) {
  router.Add("GET", "/api/v1/households", [&app](const Request& req) -> Response {
    auto actor = Officer(app, req, {"household_number", "address", "page", "page_size", "purpose"});
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error());
    registry::PageOf<registry::HouseholdSummary> result;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(result, registry::ListHouseholds(conn, req.Query("household_number"),
                                                              req.Query("address"), *actor,
                                                              page->page_size, page->Offset()));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    json items = json::array();
    for (const auto& h : result.items) {
      items.push_back({{"id", h.id},
                       {"household_number", h.household_number},
                       {"kind", h.kind},
                       {"kind_name", CodeName("household_kind", h.kind)},
                       {"status", h.status},
                       {"address", h.address},
                       {"station_code", h.station_code},
                       {"head_name", h.head_name},
                       {"member_count", h.member_count}});
    }
    return AfterLogged(
        app, *actor, req, "search_households", "query",
        "household_number=" + req.Query("household_number") + "&address=" + req.Query("address"),
        Json(ListJson(std::move(items), result.total, *page)));
  });

  router.Add("GET", "/api/v1/households/{number}", [&app](const Request& req) -> Response {
    auto actor = Officer(app, req, {"as_of", "purpose"});
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto as_of = ParseAsOf(req);
    if (!as_of.ok()) return ErrorResponse(as_of.error());
    registry::Household household;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(household,
                             registry::ReadHousehold(conn, req.Param("number"), *actor, *as_of));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    return AfterLogged(app, *actor, req, "read_household", "household", household.household_number,
                       Json(HouseholdJson(household)));
  });

  router.Add("GET", "/api/v1/households/{number}/history", [&app](const Request& req) -> Response {
    auto actor = Officer(app, req, {"purpose"});
    if (!actor.ok()) return ErrorResponse(actor.error());
    std::vector<registry::Change> changes;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                             conn.Query("SELECT id, station_code FROM households WHERE "
                                        "household_number = $1",
                                        {req.Param("number")}));
      if (r.empty()) {
        return NotFoundError("household.not_found", "未找到该户", "household_number");
      }
      HUKOU_RETURN_IF_ERROR(org::CheckScope(*actor, r.Text(0, 1)));
      HUKOU_ASSIGN_OR_RETURN(changes, registry::HouseholdHistory(conn, r.Int(0, 0)));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    return AfterLogged(app, *actor, req, "read_household_history", "household", req.Param("number"),
                       Json(ChangesJson(changes)));
  });
}

void AddAddressRoutes(Router& router, App& app) {
  router.Add("GET", "/api/v1/addresses/tree", [&app](const Request& req) -> Response {
    auto actor = Officer(app, req, {"parent"});
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto nodes = registry::AddressTree(req.Query("parent"), *actor);
    if (!nodes.ok()) return ErrorResponse(nodes.error());
    json items = json::array();
    for (const auto& n : *nodes) {
      items.push_back(
          {{"code", n.code}, {"name", n.name}, {"kind", n.kind}, {"has_children", n.has_children}});
    }
    return Json({{"items", items}});
  });

  router.Add("GET", "/api/v1/addresses", [&app](const Request& req) -> Response {
    auto actor = Officer(app, req, {"community_code", "q", "page", "page_size"});
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error());
    registry::PageOf<registry::AddressListItem> result;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(
          result, registry::ListAddresses(conn, req.Query("community_code"), req.Query("q"), *actor,
                                          page->page_size, page->Offset()));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    json items = json::array();
    for (const auto& a : result.items) {
      items.push_back({{"id", a.id},
                       {"full_text", a.full_text},
                       {"community_code", a.community_code},
                       {"household_numbers", a.household_numbers}});
    }
    return Json(ListJson(std::move(items), result.total, *page));
  });
}

}  // namespace

void RegisterRegistryRoutes(Router& router, App& app) {
  AddPersonRoutes(router, app);
  AddPhotoRoutes(router, app);
  AddHouseholdRoutes(router, app);
  AddAddressRoutes(router, app);
}

}  // namespace hukou::http
