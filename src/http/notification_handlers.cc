// Notifications (docs/api.md): the logged-in user's unit inbox (站内消息) and notices
// (通知公告) that administrators send to units.
#include <charconv>

#include "http/app.h"
#include "services/inbox.h"

namespace hukou::http {
namespace {

using nlohmann::json;

json MessageJson(const services::InboxMessage& m) {
  return {{"id", m.id},
          {"subject_kind", m.subject_kind},
          {"subject_id", m.subject_id},
          {"text", m.text},
          {"created_at", m.created_at},
          {"read", !m.read_at.empty()},
          {"read_at", m.read_at.empty() ? json(nullptr) : json(m.read_at)}};
}

Result<int64_t> MessageId(const Request& req) {
  const std::string text = req.Param("id");
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id < 1) {
    return NotFoundError("notification.not_found", "没有这条消息", "id");
  }
  return id;
}

Response List(const App& app, const Request& req) {
  auto actor = Authenticate(app, req);
  if (!actor.ok()) return ErrorResponse(actor.error());
  auto page = ParsePage(req);
  if (!page.ok()) return ErrorResponse(page.error());
  services::Inbox inbox;
  Status read = app.db->Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(
        inbox, services::ListInbox(conn, actor->unit_code, page->Offset(), page->page_size));
    return Status::Ok();
  });
  if (!read.ok()) return ErrorResponse(read.error());
  json items = json::array();
  for (const auto& m : inbox.messages) items.push_back(MessageJson(m));
  return Json({{"items", items},
               {"total", inbox.total},
               {"unread", inbox.unread},
               {"page", page->page},
               {"page_size", page->page_size}});
}

Response MarkRead(const App& app, const Request& req) {
  auto actor = Authenticate(app, req);
  if (!actor.ok()) return ErrorResponse(actor.error());
  auto id = MessageId(req);
  if (!id.ok()) return ErrorResponse(id.error());
  std::string read_at;
  Status write = app.db->Transact([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(
        read_at, services::MarkRead(conn, *id, actor->unit_code, actor->user_id, *app.clock));
    return Status::Ok();
  });
  if (!write.ok()) return ErrorResponse(write.error());
  return Json({{"id", *id}, {"read", true}, {"read_at", read_at}});
}

Response SendNotice(const App& app, const Request& req) {
  auto actor = Authenticate(app, req);
  if (!actor.ok()) return ErrorResponse(actor.error());
  Status role = org::CheckRole(*actor, actor->role == org::Role::kAdmin, "发布通知公告");
  if (!role.ok()) return ErrorResponse(role.error());
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.error());
  const json& b = *body;
  if (!b.contains("unit_code") || !b["unit_code"].is_string()) {
    return ErrorResponse(ValidationError("request.unit_code", "请填写接收单位代码", "unit_code"));
  }
  if (!b.contains("text") || !b["text"].is_string()) {
    return ErrorResponse(ValidationError("notify.text", "请填写通知内容", "text"));
  }
  if (b.contains("include_subunits") && !b["include_subunits"].is_boolean()) {
    return ErrorResponse(ValidationError("request.include_subunits", "include_subunits 应为布尔值",
                                         "include_subunits"));
  }
  bool include_subunits = b.value("include_subunits", false);
  int units = 0;
  Status write = app.db->Transact([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(
        units, services::SendNotice(conn, b["unit_code"].get<std::string>(), include_subunits,
                                    b["text"].get<std::string>(), actor->user_id, *app.clock));
    return Status::Ok();
  });
  if (!write.ok()) return ErrorResponse(write.error());
  return Json({{"units", units}}, 201);
}

}  // namespace

void RegisterNotificationRoutes(Router& router, App& app) {
  router.Add("GET", "/api/v1/notifications", [&app](const Request& req) { return List(app, req); });
  router.Add("POST", "/api/v1/notifications",
             [&app](const Request& req) { return SendNotice(app, req); });
  router.Add("POST", "/api/v1/notifications/{id}/read",
             [&app](const Request& req) { return MarkRead(app, req); });
}

}  // namespace hukou::http
