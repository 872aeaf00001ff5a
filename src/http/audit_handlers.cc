// The audit-trail search for supervisors (issue #4 §3, D1 H2 H4): GET /api/v1/audit over the
// write log and the read log, and GET /api/v1/audit/verify-status (the chains' latest signed
// checkpoints). Every search is itself written to the access log with its purpose (查询事由).
#include <charconv>
#include <map>

#include "cases/rules.h"
#include "codes/id_number.h"
#include "http/app.h"
#include "registry/access_log.h"
#include "trust/trail.h"

namespace hukou::http {
namespace {

using nlohmann::json;

// Chinese names of the actions in audit_log and access_log.
const std::map<std::string_view, std::string_view>& ActionNames() {
  static const std::map<std::string_view, std::string_view> names = {
      {"auth.login", "登录"},
      {"auth.login_failed", "登录失败"},
      {"auth.logout", "退出登录"},
      {"user.create", "创建用户"},
      {"person.register", "人员登记"},
      {"person.update", "人员信息变更"},
      {"person.move", "人员迁移"},
      {"person.cancel", "注销户口"},
      {"person.restore", "恢复户口"},
      {"person.photo", "更新照片"},
      {"household.create", "立户"},
      {"address.create", "新增地址"},
      {"registry.import", "批量导入"},
      {"catalog.create", "新增事项"},
      {"catalog.update", "修改事项"},
      {"calendar.set", "设置工作日"},
      {"case.return", "退回补正"},
      {"case.reject", "不予办理"},
      {"archive.capture", "材料采集"},
      {"archive.mark_late", "材料补录标记"},
      {"archive.import_history", "历史档案导入"},
      {"archive.import_start", "开始历史档案导入"},
      {"archive.import_end", "结束历史档案导入"},
      {"document.register", "文书登记"},
      {"key.create", "生成密钥"},
      {"key.rotate", "更换密钥"},
      {"key.revoke", "吊销密钥"},
      {"seal.image", "更换印章图像"},
      {"notification.sent", "发送通知"},
      {"notification.send_failed", "通知发送失败"},
      {"notification.read", "阅读通知"},
      {"notification.notice", "发布通知"},
      {"read_person", "查看人员"},
      {"read_person_as_of", "查看人员历史状态"},
      {"read_person_history", "查看变更记录"},
      {"read_photo", "查看照片"},
      {"update_person", "变更人员信息"},
      {"search_persons", "查询人员"},
      {"search_households", "查询户"},
      {"read_household", "查看户"},
      {"read_household_history", "查看户变更记录"},
      {"export", "导出数据"},
      {"national_check", "全国人口信息核查"},
      {"national_check_request", "发起全国核查"},
      {"case_receive", "收件读取人员信息"},
      {"read_case", "查看办件"},
      {"list_cases", "查询办件"},
      {"read_materials", "查看材料"},
      {"view_material", "查看材料原件"},
      {"view_material_thumbnail", "查看材料缩略图"},
      {"read_booklet", "查看案卷"},
      {"list_booklets", "查询案卷"},
      {"read_history_docs", "查看历史档案"},
      {"view_history_doc", "查看历史档案原件"},
      {"search_audit", "审计追溯查询"},
  };
  return names;
}

std::string ActionName(std::string_view action) {
  auto it = ActionNames().find(action);
  if (it != ActionNames().end()) return std::string(it->second);
  // Case decisions: "case." + the step action (收件, 受理, 审核, 审批, 补正, 发证办结, 撤销).
  if (action.starts_with("case.")) return std::string(cases::ActionTitle(action.substr(5)));
  return std::string(action);
}

// The object as shown in a list: ID numbers masked, other objects as they are.
std::string ObjectShown(const trust::TrailEntry& e) {
  if (e.object_kind == "person") return codes::MaskIdNumber(e.object_id);
  return e.object_id;
}

json CheckpointJson(const trust::CheckpointInfo& c) {
  return {{"chain", c.chain},
          {"seq", c.seq},
          {"at", c.at},
          {"signed_by", c.signed_by},
          {"key_id", c.key_id},
          {"hash_prefix", c.hash.substr(0, 16)},
          {"signature_valid", c.signature_valid},
          {"hash_matches", c.hash_matches}};
}

json EntryJson(const trust::TrailEntry& e) {
  json officer = nullptr;
  if (e.user_id != 0) {
    officer = {{"id", e.user_id},          {"name", e.user_name},
               {"login", e.user_login},    {"police_number", e.police_number},
               {"unit_code", e.unit_code}, {"unit_name", e.unit_name}};
  }
  json detail = nullptr;
  if (!e.detail.empty()) {
    detail = json::parse(e.detail, nullptr, false);
    if (detail.is_discarded()) detail = e.detail;
  }
  json chain = {
      {"name", e.source},
      {"seq", e.seq == 0 ? json(nullptr) : json(e.seq)},
      {"hash_prefix", e.hash.substr(0, 16)},
      {"checkpoint", e.checkpoint ? CheckpointJson(*e.checkpoint) : json(nullptr)},
      {"sealed", e.checkpoint && e.checkpoint->signature_valid && e.checkpoint->hash_matches}};
  return {{"source", e.source},
          {"kind_name", e.source == "audit" ? "操作" : "查询"},
          {"id", e.id},
          {"at", e.at},
          {"officer", officer},
          {"action", e.action},
          {"action_name", ActionName(e.action)},
          {"object_kind", e.object_kind},
          {"object", ObjectShown(e)},
          {"detail", detail},
          {"purpose", e.purpose},
          {"client", e.client},
          {"chain", chain}};
}

// The supervisor (or admin) behind the request, with only `allowed` query parameters.
Result<org::Actor> Supervisor(const App& app, const Request& req,
                              std::initializer_list<std::string_view> allowed) {
  HUKOU_ASSIGN_OR_RETURN(org::Actor actor, Authenticate(app, req));
  HUKOU_RETURN_IF_ERROR(org::CheckRole(actor, org::CanSeeAccessLog(actor.role), "审计追溯"));
  for (const auto& [name, value] : req.query) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return ValidationError("request.parameter", "不支持的查询参数：" + name, name);
    }
  }
  return actor;
}

// "YYYY-MM-DD" or a full ISO instant; a bare date as `to` means the whole day.
Result<std::string> TimeBound(const Request& req, const char* name, bool upper) {
  const std::string text = req.Query(name);
  if (text.empty()) return text;
  std::optional<Date> d = Date::Parse(text.substr(0, 10));
  if (!d || (text.size() > 10 && text[10] != 'T') || text.size() > 40) {
    return ValidationError(std::string("request.") + name, "时间应为 YYYY-MM-DD 或 ISO 8601 格式",
                           name);
  }
  if (text.size() == 10 && upper) return Date::FromDays(d->ToDays() + 1).ToString();
  return d->ToString() + text.substr(10);
}

// Reads the filter from the query; resolves the officer and checks the person's or case's scope.
Result<trust::TrailFilter> ParseFilter(store::Connection& conn, const Request& req,
                                       const org::Actor& actor) {
  trust::TrailFilter f;
  f.scope_prefix = actor.scope_prefix;
  f.person = req.Query("person");
  f.case_no = req.Query("case");
  f.action = req.Query("action");
  f.source = req.Query("source");
  if (f.source != "" && f.source != "audit" && f.source != "access") {
    return ValidationError("request.source", "source 应为 audit（操作）或 access（查询）",
                           "source");
  }
  HUKOU_ASSIGN_OR_RETURN(f.from, TimeBound(req, "from", false));
  HUKOU_ASSIGN_OR_RETURN(f.before, TimeBound(req, "to", true));
  bool whole = false;
  if (!f.person.empty()) {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows r,
        conn.Query("SELECT station_code FROM persons WHERE id_number = $1", {f.person}));
    if (!r.empty()) HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, r.Text(0, 0)));
    whole = !r.empty();
  }
  if (!f.case_no.empty()) {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows r,
        conn.Query("SELECT station_code, receiving_station_code FROM cases WHERE case_no = $1",
                   {f.case_no}));
    if (!r.empty() && !actor.InScope(r.Text(0, 1))) {
      HUKOU_RETURN_IF_ERROR(org::CheckScope(actor, r.Text(0, 0)));
    }
    whole = whole || !r.empty();
  }
  // Everything about a registered person or a case in scope is shown, whoever acted; otherwise
  // (an ID number or case number not on record) each entry is checked on its own.
  if (whole) f.scope_prefix.clear();
  const std::string officer = req.Query("officer");
  if (!officer.empty()) {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows r, conn.Query("SELECT id FROM users WHERE login = $1 OR police_number = $1 OR "
                                  "CAST(id AS TEXT) = $1",
                                  {officer}));
    if (r.empty()) return NotFoundError("audit.officer_not_found", "未找到该民警", "officer");
    f.user_id = r.Int(0, 0);
  }
  return f;
}

// What the search was about, for its own access-log entry.
registry::AccessEntry SearchLogEntry(const Request& req, const org::Actor& actor,
                                     const trust::TrailFilter& f) {
  registry::AccessEntry e{actor.user_id,        "search_audit", "query", "",
                          req.Query("purpose"), req.remote};
  if (!f.person.empty()) {
    e.subject_kind = "person";
    e.subject = f.person;
  } else if (!f.case_no.empty()) {
    e.subject_kind = "case";
    e.subject = f.case_no;
  } else {
    e.subject = "/api/v1/audit?officer=" + req.Query("officer") + "&from=" + req.Query("from") +
                "&to=" + req.Query("to") + "&action=" + f.action + "&source=" + f.source;
  }
  return e;
}

}  // namespace

void RegisterAuditRoutes(Router& router, App& app) {
  router.Add("GET", "/api/v1/audit", [&app](const Request& req) -> Response {
    auto actor = Supervisor(app, req,
                            {"person", "officer", "case", "from", "to", "action", "source",
                             "purpose", "page", "page_size"});
    if (!actor.ok()) return ErrorResponse(actor.error());
    const std::string purpose = req.Query("purpose");
    if (purpose.empty() || purpose.size() > 200) {
      return ErrorResponse(ValidationError(
          "request.purpose", purpose.empty() ? "请填写查询事由" : "查询事由过长（最多200字节）",
          "purpose"));
    }
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error());
    trust::TrailFilter filter;
    trust::TrailPage found;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(filter, ParseFilter(conn, req, *actor));
      filter.limit = page->page_size;
      filter.offset = page->Offset();
      HUKOU_ASSIGN_OR_RETURN(found, trust::SearchTrail(conn, filter));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    if (!app.access_log) {
      return ErrorResponse(InternalError("access_log.missing", "查询留痕服务未启用"));
    }
    Status logged = app.access_log->Record(SearchLogEntry(req, *actor, filter));
    if (!logged.ok()) return ErrorResponse(logged.error());
    json items = json::array();
    for (const trust::TrailEntry& e : found.entries) items.push_back(EntryJson(e));
    return Json({{"items", items},
                 {"page", page->page},
                 {"page_size", page->page_size},
                 {"has_more", found.has_more},
                 {"scope_prefix", actor->scope_prefix}});
  });

  router.Add("GET", "/api/v1/audit/verify-status", [&app](const Request& req) -> Response {
    auto actor = Supervisor(app, req, {});
    if (!actor.ok()) return ErrorResponse(actor.error());
    std::vector<trust::ChainHealth> chains;
    Status read = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(chains, trust::ChainsHealth(conn, 5));
      return Status::Ok();
    });
    if (!read.ok()) return ErrorResponse(read.error());
    json out = json::array();
    for (const trust::ChainHealth& h : chains) {
      json checkpoints = json::array();
      bool healthy = true;
      for (const trust::CheckpointInfo& c : h.checkpoints) {
        checkpoints.push_back(CheckpointJson(c));
        healthy = healthy && c.signature_valid && c.hash_matches;
      }
      out.push_back({{"chain", h.chain},
                     {"name", h.chain == "audit" ? "操作日志链" : "查询留痕链"},
                     {"head_seq", h.head_seq},
                     {"head_at", h.head_at},
                     {"unsealed", h.unsealed},
                     {"healthy", healthy},
                     {"checkpoints", checkpoints}});
    }
    return Json({{"chains", out}});
  });
}

}  // namespace hukou::http
