// National hukou check (A9, docs/api.md): the questions other instances ask this one
// (GET /api/v1/national-check/{id_number}, GET /api/v1/national-check?name=&sex=&birth_date= for
// a person without a number; peer token or an administrator's session), and the
// check an officer runs by hand across the configured peers (POST /api/v1/national-check).
#include "codes/code_tables.h"
#include "codes/id_number.h"
#include "http/app.h"
#include "registry/access_log.h"
#include "services/national_check.h"
#include "services/national_check_peer.h"

namespace hukou::http {
namespace {

using nlohmann::json;

constexpr size_t kMaxNameBytes = 150;

std::string CancelReasonName(const std::string& code) {
  if (code.empty()) return "";
  return codes::CodeTables::Get().Name("cancel_reason", code).value_or("");
}

// Who asks: a peer presenting its bearer token, or a logged-in administrator.
struct Caller {
  int64_t user_id = 0;
  std::string peer;  // empty for a user
};

Result<Caller> Identify(const App& app, const Request& req) {
  std::string auth = req.Header("authorization");
  if (!auth.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    std::optional<std::string> peer;
    if (auth.starts_with(kBearer) && app.peer_tokens) {
      peer = app.peer_tokens->Find(std::string_view(auth).substr(kBearer.size()));
    }
    if (!peer) return UnauthenticatedError("national_check.token", "对端访问令牌无效");
    return Caller{0, *peer};
  }
  HUKOU_ASSIGN_OR_RETURN(org::Actor actor, Authenticate(app, req));
  HUKOU_RETURN_IF_ERROR(
      org::CheckRole(actor, actor.role == org::Role::kAdmin, "以对端身份查询户籍核查"));
  return Caller{actor.user_id, ""};
}

Status CheckName(const std::string& name) {
  if (name.size() > kMaxNameBytes) {
    return ValidationError("national_check.name", "姓名过长", "name");
  }
  return Status::Ok();
}

Status LogAccess(const App& app, const Request& req, int64_t user_id, std::string action,
                 const std::string& id_number, std::string purpose, const std::string& client) {
  if (!app.access_log) return InternalError("access_log.missing", "查询留痕服务未启用");
  return app.access_log->Record({user_id, std::move(action), "person", id_number,
                                 std::move(purpose), client.empty() ? req.remote : client});
}

Response Answer(const App& app, const Request& req) {
  auto caller = Identify(app, req);
  if (!caller.ok()) return ErrorResponse(caller.error());
  auto number = codes::ValidateIdNumber(req.Param("id_number"), app.clock->Today());
  if (!number.ok()) return ErrorResponse(number.error());
  const std::string name = req.Query("name");
  if (Status s = CheckName(name); !s.ok()) return ErrorResponse(s.error());
  services::LocalAnswer a;
  Status read = app.db->Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(a, services::CheckLocal(conn, number->number, name));
    return Status::Ok();
  });
  if (!read.ok()) return ErrorResponse(read.error());
  Status logged = caller->peer.empty() ? LogAccess(app, req, caller->user_id, "national_check",
                                                   number->number, req.Query("purpose"), "")
                                       : LogAccess(app, req, 0, "national_check", number->number,
                                                   "全国户籍信息核查（对端 " + caller->peer + "）",
                                                   "peer:" + caller->peer + " " + req.remote);
  if (!logged.ok()) return ErrorResponse(logged.error());
  return Json({{"id_number", number->number},
               {"outcome", a.outcome},
               {"station", a.station},
               {"station_code", a.station_code},
               {"cancel_reason", a.cancel_reason},
               {"cancel_reason_name", CancelReasonName(a.cancel_reason)},
               {"cancel_date", a.cancel_date},
               {"name_matches", a.name_matches},
               {"checked_at", app.clock->NowIso()}});
}

// A person without an ID number, asked by name, sex and birth date: every registration found
// (active first), the outcome and number of the first. Each match is logged as a read of that
// person; a query that finds no one is logged as a query.
Response AnswerIdentity(const App& app, const Request& req) {
  auto caller = Identify(app, req);
  if (!caller.ok()) return ErrorResponse(caller.error());
  const services::IdentityQuery query{req.Query("name"), req.Query("sex"), req.Query("birth_date")};
  if (Status s = services::ValidateIdentityQuery(query, app.clock->Today()); !s.ok()) {
    return ErrorResponse(s.error());
  }
  services::LocalIdentityAnswer a;
  Status read = app.db->Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(a, services::CheckLocalIdentity(conn, query));
    return Status::Ok();
  });
  if (!read.ok()) return ErrorResponse(read.error());
  const std::string purpose = caller->peer.empty() ? req.Query("purpose")
                                                   : "全国户籍信息核查（对端 " + caller->peer +
                                                         "，按姓名、性别、出生日期）";
  const std::string client = caller->peer.empty() ? "" : "peer:" + caller->peer + " " + req.remote;
  if (!app.access_log) {
    return ErrorResponse(InternalError("access_log.missing", "查询留痕服务未启用"));
  }
  if (a.matches.empty()) {
    Status logged = app.access_log->Record({caller->user_id, "national_check", "query",
                                            query.name + "/" + query.sex + "/" + query.birth_date,
                                            purpose, client.empty() ? req.remote : client});
    if (!logged.ok()) return ErrorResponse(logged.error());
  }
  json matches = json::array();
  for (const services::IdentityMatch& m : a.matches) {
    Status logged =
        LogAccess(app, req, caller->user_id, "national_check", m.id_number, purpose, client);
    if (!logged.ok()) return ErrorResponse(logged.error());
    matches.push_back({{"id_number", m.id_number},
                       {"outcome", m.answer.outcome},
                       {"station", m.answer.station},
                       {"station_code", m.answer.station_code},
                       {"cancel_reason", m.answer.cancel_reason},
                       {"cancel_reason_name", CancelReasonName(m.answer.cancel_reason)},
                       {"cancel_date", m.answer.cancel_date}});
  }
  const services::IdentityMatch* first = a.matches.empty() ? nullptr : &a.matches.front();
  auto field = [&](std::string services::LocalAnswer::*member) {
    return first ? first->answer.*member : std::string();
  };
  return Json(
      {{"query", "identity"},
       {"name", query.name},
       {"sex", query.sex},
       {"birth_date", query.birth_date},
       {"outcome", a.outcome},
       {"id_number", first ? first->id_number : ""},
       {"station", field(&services::LocalAnswer::station)},
       {"station_code", field(&services::LocalAnswer::station_code)},
       {"cancel_reason", field(&services::LocalAnswer::cancel_reason)},
       {"cancel_reason_name", CancelReasonName(field(&services::LocalAnswer::cancel_reason))},
       {"cancel_date", field(&services::LocalAnswer::cancel_date)},
       {"name_matches", first != nullptr},
       {"matches", matches},
       {"checked_at", app.clock->NowIso()}});
}

// An officer's check of a person without a number: by name, sex and birth date.

// A recorded national-check result as the officer's API returns it.
json CheckJson(const services::NationalCheckResult& r) {
  return {{"id_number", r.id_number},
          {"outcome", r.outcome},
          {"peer", r.peer},
          {"station", r.station},
          {"cancel_reason", r.cancel_reason},
          {"cancel_reason_name", CancelReasonName(r.cancel_reason)},
          {"cancel_date", r.cancel_date},
          {"checked_at", r.checked_at},
          {"detail", json::parse(r.detail, nullptr, false)}};
}

Response RunIdentityCheck(const App& app, const Request& req, const org::Actor& actor,
                          const services::IdentityQuery& query) {
  if (Status s = services::ValidateIdentityQuery(query, app.clock->Today()); !s.ok()) {
    return ErrorResponse(s.error());
  }
  if (!app.national_check) {
    return ErrorResponse(UnavailableError("national_check.not_configured",
                                          "未配置全国户籍信息核查对端（hukou serve --peer）"));
  }
  auto r = app.national_check->CheckIdentity(query);
  if (!r.ok()) return ErrorResponse(r.error());
  if (!app.access_log) {
    return ErrorResponse(InternalError("access_log.missing", "查询留痕服务未启用"));
  }
  Status logged = app.access_log->Record(
      {actor.user_id, "national_check_request", r->id_number.empty() ? "query" : "person",
       r->id_number.empty() ? query.name + "/" + query.sex + "/" + query.birth_date : r->id_number,
       "全国户籍信息核查（按姓名、性别、出生日期）", req.remote});
  if (!logged.ok()) return ErrorResponse(logged.error());
  json body = CheckJson(*r);
  body["query"] = "identity";
  body["name"] = query.name;
  body["sex"] = query.sex;
  body["birth_date"] = query.birth_date;
  return Json(body);
}

Response RunCheck(const App& app, const Request& req) {
  auto actor = Authenticate(app, req);
  if (!actor.ok()) return ErrorResponse(actor.error());
  Status role = org::CheckRole(*actor, org::IsPolice(actor->role), "发起全国户籍信息核查");
  if (!role.ok()) return ErrorResponse(role.error());
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.error());
  auto text = [&](const char* key) {
    return body->contains(key) && (*body)[key].is_string() ? (*body)[key].get<std::string>()
                                                           : std::string();
  };
  if (text("id_number").empty() && (body->contains("sex") || body->contains("birth_date"))) {
    return RunIdentityCheck(app, req, *actor, {text("name"), text("sex"), text("birth_date")});
  }
  if (!body->contains("id_number") || !(*body)["id_number"].is_string()) {
    return ErrorResponse(ValidationError("id_number.length", "请填写公民身份号码", "id_number"));
  }
  if (!body->contains("name") || !(*body)["name"].is_string() ||
      (*body)["name"].get<std::string>().empty()) {
    return ErrorResponse(ValidationError("national_check.name", "请填写姓名", "name"));
  }
  const std::string name = (*body)["name"];
  if (Status s = CheckName(name); !s.ok()) return ErrorResponse(s.error());
  auto number =
      codes::ValidateIdNumber((*body)["id_number"].get<std::string>(), app.clock->Today());
  if (!number.ok()) return ErrorResponse(number.error());
  if (!app.national_check) {
    return ErrorResponse(UnavailableError("national_check.not_configured",
                                          "未配置全国户籍信息核查对端（hukou serve --peer）"));
  }
  auto r = app.national_check->Check(number->number, name);
  if (!r.ok()) return ErrorResponse(r.error());
  Status logged = LogAccess(app, req, actor->user_id, "national_check_request", r->id_number,
                            "全国户籍信息核查", "");
  if (!logged.ok()) return ErrorResponse(logged.error());
  return Json(CheckJson(*r));
}

}  // namespace

void RegisterNationalCheckRoutes(Router& router, App& app) {
  router.Add("GET", "/api/v1/national-check/{id_number}",
             [&app](const Request& req) { return Answer(app, req); });
  router.Add("GET", "/api/v1/national-check",
             [&app](const Request& req) { return AnswerIdentity(app, req); });
  router.Add("POST", "/api/v1/national-check",
             [&app](const Request& req) { return RunCheck(app, req); });
}

}  // namespace hukou::http
