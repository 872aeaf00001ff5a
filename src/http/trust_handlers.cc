// Signing keys (admin: list, rotate, revoke) and the public verification of issued documents
// (no login): GET /api/v1/public/documents/{doc_no}, POST …/{doc_no}/check with the PDF bytes.
#include <charconv>

#include "http/app.h"
#include "trust/documents.h"
#include "trust/keys.h"

namespace hukou::http {
namespace {

nlohmann::json KeyJson(const trust::KeyInfo& k) {
  return {{"id", k.id},
          {"owner_kind", k.owner_kind},
          {"owner_id", k.owner_id},
          {"owner_name", k.owner_name},
          {"algorithm", k.algorithm},
          {"status", k.status},
          {"public_key_pem", k.public_key_pem},
          {"created_at", k.created_at},
          {"retired_at", k.retired_at},
          {"revoked_at", k.revoked_at},
          {"revoke_reason", k.revoke_reason},
          {"seal_image_file_id", k.seal_image_file_id == 0 ? nlohmann::json(nullptr)
                                                           : nlohmann::json(k.seal_image_file_id)},
          {"uses", k.uses}};
}

Result<int64_t> IdParam(const Request& req, std::string_view name) {
  const std::string text = req.Param(name);
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id < 1) {
    return ValidationError("request." + std::string(name), "编号须为正整数", std::string(name));
  }
  return id;
}

// The admin actor behind the request, or the error response to send.
Result<org::Actor> Admin(const App& app, const Request& req, bool read_only) {
  HUKOU_ASSIGN_OR_RETURN(org::Actor actor, Authenticate(app, req));
  const bool allowed =
      org::CanManageUsers(actor.role) || (read_only && org::CanSeeAccessLog(actor.role));
  HUKOU_RETURN_IF_ERROR(org::CheckRole(actor, allowed, "管理签名密钥"));
  if (app.keys == nullptr && !read_only) {
    return UnavailableError("trust.unavailable", "签名服务未启用");
  }
  return actor;
}

Response RotateResponse(const App& app, Result<int64_t> id) {
  if (!id.ok()) return ErrorResponse(id.error());
  nlohmann::json body;
  Status s = app.db->Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(trust::KeyInfo k, trust::FindKey(conn, *id));
    body = KeyJson(k);
    return Status::Ok();
  });
  if (!s.ok()) return ErrorResponse(s.error());
  return Json(body, 201);
}

const char* KindTitle(const std::string& kind) {
  if (kind == "receipt") return "收件单";
  if (kind == "approval_form") return "审批表";
  if (kind == "notice") return "办理通知书";
  if (kind == "certificate") return "证明";
  if (kind == "booklet") return "案卷（一件一册）";
  return "文书";
}

nlohmann::json DocumentJson(const trust::DocumentRecord& rec, const trust::DocumentVerdict& v) {
  const trust::SignedDocument& s = rec.signed_doc;
  nlohmann::json j = {{"doc_no", s.doc.doc_no},
                      {"kind", s.doc.kind},
                      {"kind_title", KindTitle(s.doc.kind)},
                      {"case_ref", s.doc.case_ref},
                      {"signed_at", s.signed_at},
                      {"officer_name", rec.officer_name},
                      {"unit_name", rec.unit_name},
                      {"pdf_sm3", s.pdf_sm3},
                      {"algorithm", "SM2-SM3"},
                      {"seal_key_id", s.seal.key_id},
                      {"officer_key_id", s.officer.key_id},
                      {"authentic", v.authentic}};
  if (!v.reason.empty()) j["reason"] = v.reason;
  return j;
}

Result<trust::DocumentRecord> LoadDocument(const App& app, const Request& req) {
  Result<trust::DocumentRecord> rec = NotFoundError("document.not_found", "查无此文书编号");
  HUKOU_RETURN_IF_ERROR(app.db->Read([&](store::Connection& conn) -> Status {
    rec = trust::FindDocument(conn, req.Param("doc_no"));
    return rec.status();
  }));
  return rec;
}

}  // namespace

void RegisterTrustRoutes(Router& router, App& app) {
  router.Add("GET", "/api/v1/keys", [&app](const Request& req) {
    auto actor = Admin(app, req, true);
    if (!actor.ok()) return ErrorResponse(actor.error());
    nlohmann::json items = nlohmann::json::array();
    Status s = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(auto keys,
                             trust::ListKeys(conn, req.Query("owner_kind"), req.Query("owner_id")));
      for (const trust::KeyInfo& k : keys) items.push_back(KeyJson(k));
      return Status::Ok();
    });
    if (!s.ok()) return ErrorResponse(s.error());
    return Json({{"items", items}, {"total", items.size()}});
  });

  router.Add("GET", "/api/v1/keys/{id}", [&app](const Request& req) {
    auto actor = Admin(app, req, true);
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto id = IdParam(req, "id");
    if (!id.ok()) return ErrorResponse(id.error());
    nlohmann::json body;
    Status s = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(trust::KeyInfo k, trust::FindKey(conn, *id));
      body = KeyJson(k);
      HUKOU_ASSIGN_OR_RETURN(auto events, trust::KeyEvents(conn, *id));
      body["events"] = nlohmann::json::array();
      for (const trust::KeyEvent& e : events) {
        body["events"].push_back({{"id", e.id},
                                  {"event", e.event},
                                  {"at", e.at},
                                  {"user_id", e.user_id},
                                  {"reason", e.reason}});
      }
      HUKOU_ASSIGN_OR_RETURN(auto uses, trust::KeyUses(conn, *id, 50));
      body["recent_uses"] = nlohmann::json::array();
      for (const trust::KeyUse& u : uses) {
        body["recent_uses"].push_back({{"id", u.id},
                                       {"at", u.at},
                                       {"purpose", u.purpose},
                                       {"object_kind", u.object_kind},
                                       {"object_id", u.object_id},
                                       {"payload_sm3", u.payload_sm3},
                                       {"user_id", u.user_id}});
      }
      return Status::Ok();
    });
    if (!s.ok()) return ErrorResponse(s.error());
    return Json(body);
  });

  router.Add("POST", "/api/v1/keys/{id}/revoke", [&app](const Request& req) {
    auto actor = Admin(app, req, false);
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto id = IdParam(req, "id");
    if (!id.ok()) return ErrorResponse(id.error());
    auto body = ParseJsonBody(req);
    if (!body.ok()) return ErrorResponse(body.error());
    const std::string reason = body->value("reason", nlohmann::json("")).is_string()
                                   ? body->value("reason", std::string())
                                   : std::string();
    if (reason.empty()) {
      return ErrorResponse(ValidationError("key.reason", "请填写吊销原因", "reason"));
    }
    Status s = app.keys->Revoke(*id, actor->user_id, reason, *app.clock);
    if (!s.ok()) return ErrorResponse(s.error());
    return RotateResponse(app, *id);
  });

  router.Add("POST", "/api/v1/users/{id}/keys/rotate", [&app](const Request& req) {
    auto actor = Admin(app, req, false);
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto id = IdParam(req, "id");
    if (!id.ok()) return ErrorResponse(id.error());
    Status exists = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                             conn.Query("SELECT role FROM users WHERE id = $1", {*id}));
      if (r.empty()) return NotFoundError("user.not_found", "用户不存在", "id");
      HUKOU_ASSIGN_OR_RETURN(org::Role role, org::ParseRole(r.Text(0, 0)));
      if (!org::NeedsSigningKey(role)) {
        return BusinessRuleError("key.role", "该用户的角色不持有签名密钥", "id");
      }
      return Status::Ok();
    });
    if (!exists.ok()) return ErrorResponse(exists.error());
    return RotateResponse(
        app, app.keys->Rotate(trust::kOwnerUser, std::to_string(*id), actor->user_id, *app.clock));
  });

  router.Add("POST", "/api/v1/units/{code}/seal/rotate", [&app](const Request& req) {
    auto actor = Admin(app, req, false);
    if (!actor.ok()) return ErrorResponse(actor.error());
    const std::string code = req.Param("code");
    Status exists = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(store::Rows r,
                             conn.Query("SELECT code FROM units WHERE code = $1", {code}));
      if (r.empty()) return NotFoundError("unit.not_found", "单位不存在", "code");
      return Status::Ok();
    });
    if (!exists.ok()) return ErrorResponse(exists.error());
    return RotateResponse(app,
                          app.keys->Rotate(trust::kOwnerUnit, code, actor->user_id, *app.clock));
  });

  router.Add("GET", "/api/v1/public/documents/{doc_no}", [&app](const Request& req) {
    auto rec = LoadDocument(app, req);
    if (!rec.ok()) return ErrorResponse(rec.error());
    return Json(DocumentJson(*rec, trust::CheckDocument(*rec, nullptr)));
  });

  router.Add("POST", "/api/v1/public/documents/{doc_no}/check", [&app](const Request& req) {
    auto rec = LoadDocument(app, req);
    if (!rec.ok()) return ErrorResponse(rec.error());
    if (req.body.empty()) {
      return ErrorResponse(ValidationError("document.file", "请上传文书的 PDF 文件", "file"));
    }
    return Json(DocumentJson(*rec, trust::CheckDocument(*rec, &req.body)));
  });
}

}  // namespace hukou::http
