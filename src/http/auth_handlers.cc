// POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/me.
#include "http/app.h"
#include "org/auth.h"
#include "org/users.h"

namespace hukou::http {

nlohmann::json UserJson(const org::User& u);  // org_handlers.cc

namespace {
std::string SessionCookie(const std::string& token, bool clear) {
  std::string c = std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict";
  if (clear) c += "; Max-Age=0";
  return c;
}
}  // namespace

void RegisterAuthRoutes(Router& router, App& app) {
  router.Add("POST", "/api/v1/auth/login", [&app](const Request& req) {
    auto body = ParseJsonBody(req);
    if (!body.ok()) return ErrorResponse(body.error());
    const auto& j = *body;
    if (!j.contains("login") || !j["login"].is_string() || j["login"].get<std::string>().empty()) {
      return ErrorResponse(ValidationError("auth.login", "请输入登录名", "login"));
    }
    if (!j.contains("password") || !j["password"].is_string()) {
      return ErrorResponse(ValidationError("auth.password", "请输入密码", "password"));
    }
    auto result = org::Login(*app.db, j["login"].get<std::string>(),
                             j["password"].get<std::string>(), req.remote, *app.clock);
    if (!result.ok()) return ErrorResponse(result.error());
    Response r = Json({{"user", UserJson(result->user)}});
    r.headers.emplace_back("Set-Cookie", SessionCookie(result->token, false));
    return r;
  });

  router.Add("POST", "/api/v1/auth/logout", [&app](const Request& req) {
    const std::string token = req.Cookie(kSessionCookie).value_or("");
    Status s = app.sessions != nullptr ? app.sessions->Logout(*app.db, token, *app.clock)
                                       : org::Logout(*app.db, token, *app.clock);
    if (!s.ok()) return ErrorResponse(s.error());
    Response r = Json({{"ok", true}});
    r.headers.emplace_back("Set-Cookie", SessionCookie("", true));
    return r;
  });

  router.Add("GET", "/api/v1/auth/me", [&app](const Request& req) {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    Result<org::User> user = InternalError("internal", "");
    Status s = app.db->Read([&](store::Connection& conn) -> Status {
      user = org::FindUserByLogin(conn, actor->login);
      return user.status();
    });
    if (!s.ok()) return ErrorResponse(s.error());
    return Json({{"user", UserJson(*user)}});
  });
}

}  // namespace hukou::http
