// GET /api/v1/health, /metrics, /api/v1/codes, /api/v1/codes/{table}, /api/v1/id-numbers/{number}.
// Public: code tables and ID-number checks carry no personal data.
#include <utility>

#include "codes/code_tables.h"
#include "codes/divisions.h"
#include "codes/id_number.h"
#include "http/app.h"
#include "http/metrics.h"

namespace hukou::http {

void RegisterCodeRoutes(Router& router, App& app) {
  router.Add("GET", "/api/v1/health", [&app](const Request&) {
    Status s =
        app.db->Read([](store::Connection& conn) { return conn.Query("SELECT 1").status(); });
    if (!s.ok()) return ErrorResponse(s.error());
    const char* backend = app.db->backend() == store::Backend::kSqlite ? "sqlite" : "postgresql";
    return Json({{"status", "ok"}, {"backend", backend}});
  });

  router.Add("GET", "/metrics", [](const Request&) {
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = RenderPrometheus();
    return r;
  });

  router.Add("GET", "/api/v1/codes", [](const Request&) {
    nlohmann::json tables = nlohmann::json::array();
    for (const codes::CodeTable& t : codes::CodeTables::Get().All()) {
      tables.push_back({{"id", t.id}, {"title", t.title}, {"size", t.entries.size()}});
    }
    return Json({{"tables", tables}});
  });

  router.Add("GET", "/api/v1/codes/{table}", [](const Request& req) {
    const codes::CodeTable* t = codes::CodeTables::Get().Find(req.Param("table"));
    if (t == nullptr) {
      return ErrorResponse(
          NotFoundError("codes.table_not_found", "未找到代码表：" + req.Param("table"), "table"));
    }
    nlohmann::json entries = nlohmann::json::array();
    for (const codes::CodeEntry& e : t->entries) {
      entries.push_back({{"code", e.code}, {"name", e.name}});
    }
    return Json({{"id", t->id}, {"title", t->title}, {"entries", entries}});
  });

  // A 15-digit number (first-generation cards) is upgraded to 18 digits and then checked.
  router.Add("GET", "/api/v1/id-numbers/{number}", [&app](const Request& req) {
    std::string number = req.Param("number");
    std::string upgraded_from;
    if (number.size() == 15) {
      auto upgraded = codes::UpgradeIdNumber15(number);
      if (!upgraded.ok()) return ErrorResponse(upgraded.error());
      upgraded_from = std::exchange(number, *upgraded);
    }
    auto info = codes::ValidateIdNumber(number, app.clock->Today());
    if (!info.ok()) return ErrorResponse(info.error());
    auto division = codes::Divisions::Get().Find(info->division_code);
    nlohmann::json body = {{"valid", true},
                           {"id_number", info->number},
                           {"division_code", info->division_code},
                           {"division_name", division ? division->FullName() : ""},
                           {"birth_date", info->birth_date.ToString()},
                           {"sex", info->sex},
                           {"sex_name", info->sex == "1" ? "男" : "女"}};
    if (!upgraded_from.empty()) body["upgraded_from"] = upgraded_from;
    return Json(body);
  });
}

}  // namespace hukou::http
