// GET /api/v1/units, GET /api/v1/users, POST /api/v1/users.
#include "http/app.h"
#include "org/units.h"
#include "org/users.h"

namespace hukou::http {

nlohmann::json UserJson(const org::User& u) {
  return {{"id", u.id},
          {"login", u.login},
          {"name", u.name},
          {"role", std::string(org::RoleName(u.role))},
          {"role_title", std::string(org::RoleTitle(u.role))},
          {"unit_code", u.unit_code},
          {"unit_name", u.unit_name},
          {"police_number", u.police_number},
          {"active", u.active}};
}

namespace {
std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
}  // namespace

void RegisterOrgRoutes(Router& router, App& app) {
  router.Add("GET", "/api/v1/units", [&app](const Request& req) {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    nlohmann::json items = nlohmann::json::array();
    Status s = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(auto units, org::ListUnits(conn));
      for (const org::Unit& u : units) {
        items.push_back({{"code", u.code},
                         {"name", u.name},
                         {"kind", u.kind},
                         {"parent_code", u.parent_code},
                         {"division_code", u.division_code}});
      }
      return Status::Ok();
    });
    if (!s.ok()) return ErrorResponse(s.error());
    return Json({{"items", items}});
  });

  router.Add("GET", "/api/v1/users", [&app](const Request& req) {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    Status allowed = org::CheckRole(*actor, org::CanManageUsers(actor->role), "管理用户");
    if (!allowed.ok()) return ErrorResponse(allowed.error());
    nlohmann::json items = nlohmann::json::array();
    Status s = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(auto users, org::ListUsers(conn));
      for (const org::User& u : users) items.push_back(UserJson(u));
      return Status::Ok();
    });
    if (!s.ok()) return ErrorResponse(s.error());
    return Json({{"items", items}, {"total", items.size()}});
  });

  router.Add("POST", "/api/v1/users", [&app](const Request& req) {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    Status allowed = org::CheckRole(*actor, org::CanManageUsers(actor->role), "管理用户");
    if (!allowed.ok()) return ErrorResponse(allowed.error());
    auto body = ParseJsonBody(req);
    if (!body.ok()) return ErrorResponse(body.error());
    org::NewUser nu{StringField(*body, "login"),     StringField(*body, "password"),
                    StringField(*body, "name"),      StringField(*body, "role"),
                    StringField(*body, "unit_code"), StringField(*body, "police_number")};
    Result<org::User> created = InternalError("internal", "");
    Status s = app.db->Transact([&](store::Connection& conn) -> Status {
      created = org::CreateUser(conn, nu, *actor, *app.clock, app.keys);
      return created.status();
    });
    if (!s.ok()) return ErrorResponse(s.error());
    return Json(UserJson(*created), 201);
  });
}

}  // namespace hukou::http
