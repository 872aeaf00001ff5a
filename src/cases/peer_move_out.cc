#include "cases/peer_move_out.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "codes/code_tables.h"
#include "codes/id_number.h"
#include "org/actor.h"
#include "registry/person.h"
#include "trust/audit.h"

namespace hukou::cases {
namespace {

using nlohmann::json;

constexpr size_t kMaxCaseNo = 40;
constexpr size_t kMaxText = 200;

bool IsCaseNo(const std::string& s) {
  if (s.empty() || s.size() > kMaxCaseNo) return false;
  for (char ch : s) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') return false;
  }
  return true;
}

Status Validate(PeerMoveOutInput& in, const Clock& clock) {
  auto number = codes::ValidateIdNumber(in.id_number, clock.Today());
  if (!number.ok()) {
    return ValidationError("move_out.id_number", "公民身份号码无效：" + number.error().message,
                           "id_number");
  }
  in.id_number = number->number;
  if (!IsCaseNo(in.case_no)) {
    return ValidationError("move_out.case_no", "迁入地办件编号无效（1–40位字母、数字、-、_）",
                           "case_no");
  }
  if (in.destination_station_name.empty() || in.destination_station_name.size() > kMaxText ||
      in.destination_division_name.size() > kMaxText ||
      in.destination_station_code.size() > kMaxText ||
      in.destination_division_code.size() > kMaxText || in.name.size() > kMaxText ||
      in.item_name.size() > kMaxText) {
    return ValidationError("move_out.destination", "请写明迁入地（派出所名称，不超过200字节）",
                           "destination");
  }
  if (in.move_date.empty()) in.move_date = clock.Today().ToString();
  std::optional<Date> d = Date::Parse(in.move_date);
  if (!d) {
    return ValidationError("move_out.move_date", "迁移日期须为 YYYY-MM-DD 格式的日期", "move_date");
  }
  // The destination's day may be ahead of ours around midnight: never cancel in the future.
  in.move_date = std::min(*d, clock.Today()).ToString();
  return Status::Ok();
}

std::string Destination(const PeerMoveOutInput& in) {
  return in.destination_division_name + in.destination_station_name;
}

json DestinationJson(const PeerMoveOutInput& in) {
  return {{"station_code", in.destination_station_code},
          {"station_name", in.destination_station_name},
          {"division_code", in.destination_division_code},
          {"division_name", in.destination_division_name}};
}

Result<PeerMoveOutResult> Answered(store::Connection& conn, int64_t person_id, bool repeated,
                                   const std::string& done_at) {
  HUKOU_ASSIGN_OR_RETURN(
      auto rows, conn.Query("SELECT p.id_number, p.station_code, COALESCE(u.name, ''), "
                            "p.cancel_reason, p.cancel_date FROM persons p LEFT JOIN units u ON "
                            "u.code = p.station_code WHERE p.id = $1",
                            {person_id}));
  PeerMoveOutResult r;
  r.repeated = repeated;
  if (!rows.empty()) {
    r.id_number = rows.Text(0, 0);
    r.station_code = rows.Text(0, 1);
    r.station = rows.Text(0, 2);
    r.cancel_reason = rows.Text(0, 3);
    r.cancel_date = rows.Text(0, 4);
  }
  r.done_at = done_at;
  return r;
}

}  // namespace

Result<PeerMoveOutResult> ApplyPeerMoveOut(store::Database& db, const PeerMoveOutInput& request,
                                           const Clock& clock) {
  PeerMoveOutInput in = request;
  HUKOU_RETURN_IF_ERROR(Validate(in, clock));
  PeerMoveOutResult out;
  Status done = db.Transact([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(auto before,
                           conn.Query("SELECT person_id, done_at FROM peer_move_outs WHERE "
                                      "peer = $1 AND case_no = $2 AND id_number = $3",
                                      {in.peer, in.case_no, in.id_number}));
    if (!before.empty()) {
      HUKOU_ASSIGN_OR_RETURN(out, Answered(conn, before.Int(0, 0), true, before.Text(0, 1)));
      return Status::Ok();
    }
    HUKOU_ASSIGN_OR_RETURN(auto person, conn.Query("SELECT id, status, cancel_reason, cancel_date, "
                                                   "station_code FROM persons WHERE id_number = $1",
                                                   {in.id_number}));
    if (person.empty()) {
      return BusinessRuleError("move_out.not_registered",
                               "本地未登记公民身份号码为" + in.id_number + "的人员，无法迁出",
                               "id_number");
    }
    if (person.Text(0, 1) == "cancelled") {
      const std::string reason = person.Text(0, 2);
      const std::string reason_name =
          codes::CodeTables::Get().Name("cancel_reason", reason).value_or(reason);
      return BusinessRuleError(
          "move_out.already_cancelled",
          "该人员户口已于" + person.Text(0, 3) + "注销（" + reason_name + "），不能再次迁出",
          "id_number");
    }
    const int64_t person_id = person.Int(0, 0);
    const std::string station_code = person.Text(0, 4);
    registry::ChangeContext ctx;
    ctx.action = "move_out";
    ctx.effective_date = in.move_date;
    ctx.reason = (in.item_name.empty() ? std::string("户口迁移") : in.item_name) + "（迁入地 " +
                 in.peer + " 办件 " + in.case_no + "），迁往" + Destination(in);
    HUKOU_RETURN_IF_ERROR(registry::CancelPerson(conn, person_id, kMovedOutReason, in.move_date,
                                                 org::Actor::System(), clock, ctx)
                              .status());
    const std::string now = clock.NowIso();
    HUKOU_RETURN_IF_ERROR(
        conn.Exec("INSERT INTO peer_move_outs (peer, case_no, id_number, person_id, destination, "
                  "move_date, station_code, done_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                  {in.peer, in.case_no, in.id_number, person_id, DestinationJson(in).dump(),
                   in.move_date, station_code, now})
            .status());
    HUKOU_RETURN_IF_ERROR(trust::AppendAudit(conn,
                                             {0, "move_out.peer", "person", in.id_number,
                                              json{{"peer", in.peer},
                                                   {"case_no", in.case_no},
                                                   {"destination", DestinationJson(in)},
                                                   {"move_date", in.move_date},
                                                   {"station_code", station_code}}
                                                  .dump()},
                                             clock));
    HUKOU_ASSIGN_OR_RETURN(out, Answered(conn, person_id, false, now));
    out.station_code = station_code;  // where the person was registered until now
    return Status::Ok();
  });
  if (done.ok()) return out;
  if (done.error().kind == ErrorKind::kBusinessRule) {
    Status audited = db.Transact([&](store::Connection& conn) -> Status {
      return trust::AppendAudit(
          conn,
          {0, "move_out.peer_refused", "person", in.id_number,
           json{{"peer", in.peer}, {"case_no", in.case_no}, {"refusal", done.error().code}}.dump()},
          clock);
    });
    if (!audited.ok()) return audited.error();
  }
  return done.error();
}

}  // namespace hukou::cases
