// Requests of peer instances that change this instance's registry (docs/api.md "One-stop
// migration"): POST /api/v1/peer/move-outs, the origin's move-out of a person whom a peer
// registered by an approved in-migration (一站式迁移, B9). Authorised by the peer's bearer token
// only (--peer-token / --peers-file), never by a user session.
#include "cases/peer_move_out.h"
#include "codes/code_tables.h"
#include "http/app.h"
#include "services/national_check_peer.h"

namespace hukou::http {
namespace {

using nlohmann::json;

// The peer presenting its token. No token: 401 peer.token_required, or 403 peer.only for a
// logged-in user (a session never stands in for a peer); an unknown token: 401 peer.token.
Result<std::string> IdentifyPeer(const App& app, const Request& req) {
  const std::string auth = req.Header("authorization");
  if (auth.empty()) {
    if (Authenticate(app, req).ok()) {
      return ForbiddenError("peer.only",
                            "该接口只接受对端实例（对端访问令牌）的请求，不接受用户登录");
    }
    return UnauthenticatedError("peer.token_required",
                                "需要对端访问令牌（Authorization: Bearer 令牌）");
  }
  constexpr std::string_view kBearer = "Bearer ";
  std::optional<std::string> peer;
  if (auth.starts_with(kBearer) && app.peer_tokens) {
    peer = app.peer_tokens->Find(std::string_view(auth).substr(kBearer.size()));
  }
  if (!peer) return UnauthenticatedError("peer.token", "对端访问令牌无效");
  return *peer;
}

std::string Text(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

Response MoveOut(const App& app, const Request& req) {
  auto peer = IdentifyPeer(app, req);
  if (!peer.ok()) return ErrorResponse(peer.error());
  auto body = ParseJsonBody(req);
  if (!body.ok()) return ErrorResponse(body.error());
  const json destination = body->value("destination", json::object());
  cases::PeerMoveOutInput in;
  in.peer = *peer;
  in.case_no = Text(*body, "case_no");
  in.item_name = Text(*body, "item_name");
  in.id_number = Text(*body, "id_number");
  in.name = Text(*body, "name");
  in.destination_station_code = Text(destination, "station_code");
  in.destination_station_name = Text(destination, "station_name");
  in.destination_division_code = Text(destination, "division_code");
  in.destination_division_name = Text(destination, "division_name");
  in.move_date = Text(*body, "move_date");
  auto r = cases::ApplyPeerMoveOut(*app.db, in, *app.clock);
  if (!r.ok()) return ErrorResponse(r.error());
  return Json({{"outcome", "done"},
               {"repeated", r->repeated},
               {"id_number", r->id_number},
               {"case_no", in.case_no},
               {"station_code", r->station_code},
               {"station", r->station},
               {"cancel_reason", r->cancel_reason},
               {"cancel_reason_name",
                codes::CodeTables::Get().Name("cancel_reason", r->cancel_reason).value_or("")},
               {"cancel_date", r->cancel_date},
               {"done_at", r->done_at},
               {"message", r->repeated ? "已按该办件迁出（重复请求）" : "已迁出"}});
}

}  // namespace

void RegisterPeerRoutes(Router& router, App& app) {
  router.Add("POST", "/api/v1/peer/move-outs",
             [&app](const Request& req) { return MoveOut(app, req); });
}

}  // namespace hukou::http
