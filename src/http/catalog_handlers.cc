// The catalogue of business items and the working-day calendar (docs/api.md). Reading is public
// (residents read the catalogue before they come, 一次告知); writing is for administrators and
// every write carries an audit entry (catalog.h).
#include <charconv>
#include <map>

#include "catalog/catalog.h"
#include "http/app.h"

namespace hukou::http {
namespace {

using nlohmann::json;

json ItemJson(const catalog::Item& item) { return json::parse(catalog::ItemToJson(item)); }

// Parses an integer query parameter in [min, max]; fallback when absent.
Result<int> IntParam(const Request& req, std::string_view name, int fallback, int min, int max,
                     std::string_view what) {
  const std::string text = req.Query(name);
  if (text.empty()) return fallback;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return ValidationError("request." + std::string(name),
                           std::string(what) + "须为 " + std::to_string(min) + " 到 " +
                               std::to_string(max) + " 之间的整数",
                           std::string(name));
  }
  return value;
}

Result<Date> DateParam(std::string_view text, std::string_view field) {
  std::optional<Date> date = Date::Parse(text);
  if (!date || text.size() != 10) {
    return ValidationError("request." + std::string(field), "日期应为 YYYY-MM-DD 格式",
                           std::string(field));
  }
  return *date;
}

// Administrators only; 401 without a session, 403 for other roles.
Result<org::Actor> RequireAdmin(const App& app, const Request& req, std::string_view what) {
  HUKOU_ASSIGN_OR_RETURN(org::Actor actor, Authenticate(app, req));
  HUKOU_RETURN_IF_ERROR(org::CheckRole(actor, actor.role == org::Role::kAdmin, what));
  return actor;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

bool Matches(const catalog::Item& item, const std::string& q) {
  if (q.empty()) return true;
  if (Contains(item.code, q) || Contains(item.name, q) || Contains(item.minor_category, q) ||
      Contains(item.conditions, q) || Contains(item.legal_basis, q)) {
    return true;
  }
  for (const catalog::Material& m : item.materials) {
    if (Contains(m.name, q)) return true;
  }
  return false;
}

// The item in a PUT / POST body; the path's code wins over a different one in the body.
Result<catalog::Item> ItemFromBody(const Request& req, const std::string& path_code) {
  HUKOU_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  if (!path_code.empty()) {
    if (body.contains("code") && body["code"] != path_code) {
      return ValidationError("catalog.code", "请求体中的事项编码与地址不一致", "code");
    }
    body["code"] = path_code;
  }
  return catalog::ItemFromJson(body.dump());
}

json CalendarDayJson(const Date& date, DayKind kind, const std::string& name) {
  static constexpr const char* kWeekdays[] = {"星期一", "星期二", "星期三", "星期四",
                                              "星期五", "星期六", "星期日"};
  const int64_t weekday = ((date.ToDays() + 3) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
  return {{"date", date.ToString()},
          {"kind", std::string(DayKindName(kind))},
          {"name", name},
          {"weekday", kWeekdays[weekday]}};
}

Result<WorkCalendar> LoadCalendar(const App& app) {
  Result<WorkCalendar> calendar = InternalError("internal", "");
  Status s = app.db->Read([&](store::Connection& conn) -> Status {
    calendar = catalog::LoadCalendar(conn);
    return calendar.status();
  });
  if (!s.ok()) return s.error();
  return calendar;
}

Status CheckParams(const Request& req, std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : req.query) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return ValidationError("request.parameter", "不支持的查询参数：" + name, name);
    }
  }
  return Status::Ok();
}

}  // namespace

void RegisterCatalogRoutes(Router& router, App& app) {
  router.Add("GET", "/api/v1/catalog/items", [&app](const Request& req) {
    Status params = CheckParams(req, {"category", "q", "include_inactive"});
    if (!params.ok()) return ErrorResponse(params.error());
    const bool include_inactive = req.Query("include_inactive") == "true";
    if (include_inactive) {
      auto admin = RequireAdmin(app, req, "查看已停用事项");
      if (!admin.ok()) return ErrorResponse(admin.error());
    }
    const std::string category = req.Query("category");
    const std::string q = req.Query("q");
    json items = json::array();
    Status s = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(auto all, catalog::ListItems(conn, include_inactive));
      for (const catalog::Item& item : all) {
        if (!category.empty() && item.major_category != category) continue;
        if (Matches(item, q)) items.push_back(ItemJson(item));
      }
      return Status::Ok();
    });
    if (!s.ok()) return ErrorResponse(s.error());
    return Json({{"items", items}, {"total", items.size()}});
  });

  router.Add("GET", "/api/v1/catalog/items/{code}", [&app](const Request& req) {
    Status params = CheckParams(req, {"version"});
    if (!params.ok()) return ErrorResponse(params.error());
    std::optional<int> version;
    if (!req.Query("version").empty()) {
      auto v = IntParam(req, "version", 1, 1, 1000000, "版本号");
      if (!v.ok()) return ErrorResponse(v.error());
      version = *v;
    }
    Result<catalog::Item> item = InternalError("internal", "");
    Status s = app.db->Read([&](store::Connection& conn) -> Status {
      item = catalog::GetItem(conn, req.Param("code"), version);
      return item.status();
    });
    if (!s.ok()) return ErrorResponse(s.error());
    return Json(ItemJson(*item));
  });

  router.Add("GET", "/api/v1/catalog/categories", [&app](const Request&) {
    std::map<std::string, std::pair<int, std::vector<std::string>>> by_category;
    Status s = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(auto all, catalog::ListItems(conn));
      for (const catalog::Item& item : all) {
        auto& [count, minors] = by_category[item.major_category];
        ++count;
        if (std::find(minors.begin(), minors.end(), item.minor_category) == minors.end()) {
          minors.push_back(item.minor_category);
        }
      }
      return Status::Ok();
    });
    if (!s.ok()) return ErrorResponse(s.error());
    json items = json::array();
    for (const std::string& name : catalog::MajorCategories()) {
      const auto& entry = by_category[name];
      items.push_back(
          {{"name", name}, {"item_count", entry.first}, {"minor_categories", entry.second}});
    }
    return Json({{"items", items}, {"total", items.size()}});
  });

  router.Add("PUT", "/api/v1/catalog/items/{code}", [&app](const Request& req) {
    auto admin = RequireAdmin(app, req, "维护事项清单");
    if (!admin.ok()) return ErrorResponse(admin.error());
    auto item = ItemFromBody(req, req.Param("code"));
    if (!item.ok()) return ErrorResponse(item.error());
    Result<catalog::Item> saved = InternalError("internal", "");
    Status s = app.db->Transact([&](store::Connection& conn) -> Status {
      HUKOU_RETURN_IF_ERROR(catalog::GetItem(conn, item->code).status());
      saved = catalog::SaveItem(conn, *item, *admin, *app.clock);
      return saved.status();
    });
    if (!s.ok()) return ErrorResponse(s.error());
    return Json(ItemJson(*saved));
  });

  router.Add("POST", "/api/v1/catalog/items", [&app](const Request& req) {
    auto admin = RequireAdmin(app, req, "维护事项清单");
    if (!admin.ok()) return ErrorResponse(admin.error());
    auto item = ItemFromBody(req, "");
    if (!item.ok()) return ErrorResponse(item.error());
    Result<catalog::Item> saved = InternalError("internal", "");
    Status s = app.db->Transact([&](store::Connection& conn) -> Status {
      if (catalog::GetItem(conn, item->code).ok()) {
        return ConflictError("catalog.exists", "事项编码 " + item->code + " 已存在", "code");
      }
      saved = catalog::SaveItem(conn, *item, *admin, *app.clock);
      return saved.status();
    });
    if (!s.ok()) return ErrorResponse(s.error());
    return Json(ItemJson(*saved), 201);
  });

  router.Add("GET", "/api/v1/calendar", [&app](const Request& req) {
    Status params = CheckParams(req, {"year"});
    if (!params.ok()) return ErrorResponse(params.error());
    auto year = IntParam(req, "year", app.clock->Today().year, 1950, 2100, "年份");
    if (!year.ok()) return ErrorResponse(year.error());
    Result<WorkCalendar> calendar = LoadCalendar(app);
    if (!calendar.ok()) return ErrorResponse(calendar.error());
    const Date first{*year, 1, 1};
    const Date last{*year, 12, 31};
    json days = json::array();
    for (auto it = calendar->days().lower_bound(first.ToDays());
         it != calendar->days().end() && it->first <= last.ToDays(); ++it) {
      days.push_back(
          CalendarDayJson(Date::FromDays(it->first), it->second.first, it->second.second));
    }
    return Json({{"year", *year},
                 {"days", days},
                 {"workdays", calendar->WorkdaysBetween(Date{*year - 1, 12, 31}, last)}});
  });

  router.Add("GET", "/api/v1/calendar/due", [&app](const Request& req) {
    Status params = CheckParams(req, {"from", "days"});
    if (!params.ok()) return ErrorResponse(params.error());
    auto from = req.Query("from").empty() ? Result<Date>(app.clock->Today())
                                          : DateParam(req.Query("from"), "from");
    if (!from.ok()) return ErrorResponse(from.error());
    if (req.Query("days").empty()) {
      return ErrorResponse(ValidationError("request.days", "请填写工作日天数", "days"));
    }
    auto days = IntParam(req, "days", 0, 0, 366, "工作日天数");
    if (!days.ok()) return ErrorResponse(days.error());
    Result<WorkCalendar> calendar = LoadCalendar(app);
    if (!calendar.ok()) return ErrorResponse(calendar.error());
    const Date due = calendar->AddWorkdays(*from, *days);
    return Json({{"from", from->ToString()},
                 {"days", *days},
                 {"due", due.ToString()},
                 {"calendar_days", due.ToDays() - from->ToDays()}});
  });

  router.Add("PUT", "/api/v1/calendar/{date}", [&app](const Request& req) {
    auto admin = RequireAdmin(app, req, "维护节假日");
    if (!admin.ok()) return ErrorResponse(admin.error());
    auto date = DateParam(req.Param("date"), "date");
    if (!date.ok()) return ErrorResponse(date.error());
    auto body = ParseJsonBody(req);
    if (!body.ok()) return ErrorResponse(body.error());
    const json& kind_field = (*body)["kind"];
    const json& name_field = (*body)["name"];
    if (!kind_field.is_string()) {
      return ErrorResponse(ValidationError(
          "calendar.kind", "请填写日期类别（holiday、workday 或 ordinary）", "kind"));
    }
    if (!name_field.is_null() && !name_field.is_string()) {
      return ErrorResponse(ValidationError("calendar.name", "名称应为文字", "name"));
    }
    auto kind = ParseDayKind(kind_field.get<std::string>());
    if (!kind.ok()) return ErrorResponse(kind.error());
    const std::string name = name_field.is_string() ? name_field.get<std::string>() : "";
    if (name.size() > 60) {
      return ErrorResponse(ValidationError("calendar.name", "名称过长（最多60字节）", "name"));
    }
    Status s = app.db->Transact([&](store::Connection& conn) {
      return catalog::SetCalendarDay(conn, *date, *kind, name, *admin, *app.clock);
    });
    if (!s.ok()) return ErrorResponse(s.error());
    return Json(CalendarDayJson(*date, *kind, *kind == DayKind::kOrdinary ? "" : name));
  });
}

}  // namespace hukou::http
