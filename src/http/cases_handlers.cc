// Cases (办件, docs/api.md "Cases"): receive at any window, decisions along the item's chain,
// resubmission, issue, national check, biometrics, queries and the public progress query. Reads
// of a case (personal data) are written to the access log.
#include <algorithm>
#include <string>

#include "cases/engine.h"
#include "cases/rules.h"
#include "codes/id_number.h"
#include "http/app.h"
#include "registry/access_log.h"
#include "services/move_out.h"

namespace hukou::http {
namespace {

using nlohmann::json;

json Parse(const std::string& text, const json& fallback) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

// ID numbers are shown in full only to police whose scope holds the handling station.
bool SeesFullIds(const org::Actor& actor, const cases::Case& c) {
  return org::IsPolice(actor.role) && actor.InScope(c.station_code);
}

std::string Id(bool full, const std::string& id_number) {
  return full || id_number.empty() ? id_number : codes::MaskIdNumber(id_number);
}

json StepJson(const cases::CaseStep& s) {
  return {{"step_no", s.step_no},
          {"chain_index", s.chain_index},
          {"action", s.action},
          {"action_name", cases::ActionTitle(s.action)},
          {"level", s.level},
          {"level_name", cases::LevelTitle(s.level)},
          {"decision", s.decision},
          {"opinion", s.opinion},
          {"officer", {{"id", s.officer_id}, {"name", s.officer_name}}},
          {"unit_code", s.unit_code},
          {"unit_name", s.unit_name},
          {"acted_at", s.acted_at},
          {"due_date", s.due_date},
          {"duration_seconds", s.duration_seconds},
          {"overdue", s.overdue},
          {"signed", s.signed_},
          {"payload_sm3", s.payload_sm3}};
}

json ChainJson(const catalog::Item& item, const cases::Case& c, const Date& today) {
  json chain = json::array();
  for (size_t i = 0; i < item.chain.size(); ++i) {
    const catalog::ApprovalStep& st = item.chain[i];
    std::string state = "pending";
    if (c.status == cases::kApproved || c.status == cases::kIssued ||
        static_cast<int>(i) < c.current_step) {
      state = "done";
    } else if (static_cast<int>(i) == c.current_step && cases::IsOpen(c.status)) {
      state = c.status == cases::kReturned ? "returned" : "current";
    }
    chain.push_back(
        {{"index", i},
         {"action", st.action},
         {"action_name", cases::ActionTitle(st.action)},
         {"level", st.level},
         {"level_name", cases::LevelTitle(st.level)},
         {"role", st.role},
         {"time_limit_days", st.time_limit_days},
         {"state", state},
         {"due_date", state == "current" ? json(c.step_due_date) : json(nullptr)},
         {"overdue", state == "current" && cases::IsOverdue(c.step_due_date, c.status, today)}});
  }
  return chain;
}

json CaseJson(const cases::Case& c, const catalog::Item& item, const org::Actor& actor,
              const Date& today) {
  const bool full = SeesFullIds(actor, c);
  json persons = json::array();
  for (const cases::CasePerson& p : c.persons) {
    persons.push_back({{"seq", p.seq},
                       {"person_id", p.person_id ? json(*p.person_id) : json(nullptr)},
                       {"id_number", Id(full, p.id_number)},
                       {"name", p.name},
                       {"birth_date", p.birth_date},
                       {"relation_to_head", p.relation_to_head},
                       {"new_person", p.new_person.empty() ? json(nullptr)
                                                           : Parse(p.new_person, json(nullptr))}});
  }
  if (!full) {
    for (json& p : persons) {
      if (p["new_person"].is_object()) {
        for (const char* k : {"id_number", "father_id_number", "mother_id_number",
                              "guardian_id_number", "spouse_id_number"}) {
          if (p["new_person"].contains(k) && p["new_person"][k].is_string()) {
            p["new_person"][k] = Id(false, p["new_person"][k].get<std::string>());
          }
        }
      }
    }
  }
  json materials = json::array();
  for (const cases::CaseMaterial& m : c.materials) {
    materials.push_back(
        {{"code", m.code}, {"name", m.name}, {"mandatory", m.mandatory}, {"state", m.state}});
  }
  json fees = json::array();
  for (const cases::CaseFee& f : c.fees) {
    fees.push_back({{"amount_fen", f.amount_fen},
                    {"paid", f.paid},
                    {"payment_ref", f.payment_ref},
                    {"free_reason", f.free_reason},
                    {"recorded_at", f.recorded_at}});
  }
  json steps = json::array();
  for (const cases::CaseStep& s : c.steps) steps.push_back(StepJson(s));
  json checks = json::array();
  for (const cases::CaseCheck& k : c.checks) {
    checks.push_back({{"id_number", Id(full, k.id_number)},
                      {"person_seq", k.person_seq},
                      {"query", k.query},
                      {"found_id_number", Id(full, k.found_id_number)},
                      {"outcome", k.outcome},
                      {"peer", k.peer},
                      {"station", k.station},
                      {"cancel_reason", k.cancel_reason},
                      {"cancel_date", k.cancel_date},
                      {"checked_at", k.checked_at}});
  }
  json bio = json::array();
  for (const cases::CaseBiometric& b : c.biometrics) {
    bio.push_back({{"person_seq", b.person_seq},
                   {"kind", b.kind},
                   {"finger", b.finger},
                   {"file_id", b.file_id ? json(*b.file_id) : json(nullptr)},
                   {"result", b.result},
                   {"score", b.score},
                   {"captured_at", b.captured_at}});
  }
  // The registry effect names new ID numbers: masked like the rest for whoever is not police in
  // scope (the applicant learns the number from the issued documents).
  json effect_result = Parse(c.effect_result, json::object());
  if (!full && effect_result.contains("persons") && effect_result["persons"].is_array()) {
    for (json& p : effect_result["persons"]) {
      if (p.contains("id_number") && p["id_number"].is_string()) {
        p["id_number"] = Id(false, p["id_number"].get<std::string>());
      }
    }
  }
  json move_outs = json::array();
  for (const services::MoveOutState& m : c.move_outs) {
    move_outs.push_back(
        {{"person_seq", m.person_seq},
         {"id_number", Id(full, m.id_number)},
         {"name", m.name},
         {"peer", m.peer},
         {"status", m.status},
         {"status_name", m.status == "done"      ? "已完成"
                         : m.status == "refused" ? "被拒绝"
                                                 : "待办"},
         {"destination", m.destination_division_name + m.destination_station_name},
         {"move_date", m.move_date},
         {"requested_at", m.created_at},
         {"attempts", m.attempts},
         {"last_error", m.last_error},
         {"answered_at", m.answered_at.empty() ? json(nullptr) : json(m.answered_at)},
         {"answer_code", m.answer_code},
         {"answer_message", m.answer_message},
         {"origin_station", m.origin_station}});
  }
  const cases::Permissions may = cases::Engine::MayDo(item, c, actor);
  const cases::Case& cc = c;
  const catalog::ApprovalStep* awaited = cases::Engine::AwaitedStep(item, cc);
  return {
      {"case_no", c.case_no},
      {"item",
       {{"code", c.item_code},
        {"version", c.item_version},
        {"name", c.item_name},
        {"effect", c.effect},
        {"handling_mode", catalog::HandlingModeName(item.handling_mode)},
        {"national_check", item.national_check},
        {"biometrics", item.biometrics},
        {"time_limit_days", item.time_limit_days}}},
      {"status", c.status},
      {"status_name", cases::StatusTitle(c.status)},
      {"receiving",
       {{"unit_code", c.receiving_unit_code},
        {"unit_name", c.receiving_unit_name},
        {"station_code", c.receiving_station_code},
        {"user", {{"id", c.receiving_user_id}, {"name", c.receiving_user_name}}}}},
      {"station_code", c.station_code},
      {"station_name", c.station_name},
      {"applicant",
       {{"name", c.applicant_name},
        {"id_number", Id(full, c.applicant_id_number)},
        {"phone", c.applicant_phone}}},
      {"persons", persons},
      {"form", Parse(c.form, json::object())},
      {"trafficked", c.trafficked},
      {"materials", materials},
      {"fees", fees},
      {"received_at", c.received_at},
      {"due_date", c.due_date},
      {"overdue", cases::IsOverdue(c.due_date, c.status, today) ||
                      cases::IsOverdue(c.step_due_date, c.status, today)},
      {"closed_at", c.closed_at.empty() ? json(nullptr) : json(c.closed_at)},
      {"current_step", awaited ? json({{"index", c.current_step},
                                       {"action", awaited->action},
                                       {"action_name", cases::ActionTitle(awaited->action)},
                                       {"level", awaited->level},
                                       {"role", awaited->role},
                                       {"due_date", c.step_due_date}})
                               : json(nullptr)},
      {"chain", ChainJson(item, c, today)},
      {"steps", steps},
      {"return_reason", c.return_reason},
      {"missing", Parse(c.missing, json::array())},
      {"checks", checks},
      {"biometrics", bio},
      {"effect_result", effect_result},
      {"origin_move_outs", move_outs},
      {"may",
       {{"decide", may.decide},
        {"issue", may.issue},
        {"resubmit", may.resubmit},
        {"withdraw", may.withdraw},
        {"national_check", may.national_check},
        {"capture", may.capture}}},
      {"notice", c.notice.empty() ? json(nullptr) : json(c.notice)},
      {"query_code", c.query_code.empty() ? json(nullptr) : json(c.query_code)},
      {"version", c.version},
  };
}

json SummaryJson(const cases::CaseSummary& s, const org::Actor& actor) {
  (void)actor;
  return {{"case_no", s.case_no},
          {"item_code", s.item_code},
          {"item_name", s.item_name},
          {"status", s.status},
          {"status_name", cases::StatusTitle(s.status)},
          {"station_code", s.station_code},
          {"station_name", s.station_name},
          {"receiving_unit_code", s.receiving_unit_code},
          {"applicant_name", s.applicant_name},
          {"applicant_id_number_masked", codes::MaskIdNumber(s.applicant_id_number)},
          {"received_at", s.received_at},
          {"due_date", s.due_date},
          {"step_due_date", s.step_due_date},
          {"current_action", s.current_action},
          {"current_action_name", cases::ActionTitle(s.current_action)},
          {"current_level", s.current_level},
          {"current_role", s.current_role},
          {"overdue", s.overdue}};
}

Status LogCaseRead(const App& app, const org::Actor& actor, const Request& req,
                   const cases::Case& c) {
  if (!app.access_log) return InternalError("access_log.missing", "查询留痕服务未启用");
  return app.access_log->Record(
      {actor.user_id, "read_case", "case", c.case_no, req.Query("purpose"), req.remote});
}

// The case as JSON for the actor, with its item (the version it was received under).
Response CaseResponse(const App& app, const cases::Case& c, const org::Actor& actor,
                      int status = 200) {
  catalog::Item item;
  Status s = app.db->Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(item, catalog::GetItem(conn, c.item_code, c.item_version));
    return Status::Ok();
  });
  if (!s.ok()) return ErrorResponse(s.error());
  return Json(CaseJson(c, item, actor, app.clock->Today()), status);
}

std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array()) {
    for (const json& v : j[key]) {
      if (v.is_string()) out.push_back(v.get<std::string>());
      if (v.is_object() && v.contains("code") && v["code"].is_string()) {
        out.push_back(v["code"].get<std::string>());
      }
    }
  }
  return out;
}

std::string Text(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// j[key] as a boolean (absent: false). Errors: kValidation `code` naming `field`.
Result<bool> Bool(const json& j, const char* key, const char* code, const char* field) {
  if (!j.contains(key) || j[key].is_null()) return false;
  if (!j[key].is_boolean())
    return ValidationError(code, std::string(key) + " 须为 true 或 false", field);
  return j[key].get<bool>();
}

Result<cases::ReceiveInput> ParseReceive(const json& body) {
  cases::ReceiveInput in;
  in.item_code = Text(body, "item_code");
  if (in.item_code.empty()) return ValidationError("case.item_code", "请选择办理事项", "item_code");
  const json applicant = body.value("applicant", json::object());
  if (!applicant.is_object()) {
    return ValidationError("case.applicant", "applicant 须为对象", "applicant");
  }
  in.applicant_name = Text(applicant, "name");
  in.applicant_id_number = Text(applicant, "id_number");
  in.applicant_phone = Text(applicant, "phone");
  if (body.contains("subjects")) {
    if (!body["subjects"].is_array()) {
      return ValidationError("case.subjects", "subjects 须为数组", "subjects");
    }
    for (const json& s : body["subjects"]) {
      if (!s.is_object()) return ValidationError("case.subjects", "办理对象须为对象", "subjects");
      cases::SubjectInput si;
      si.id_number = Text(s, "id_number");
      si.relation_to_head = Text(s, "relation_to_head");
      si.new_person = s.value("new_person", json());
      if (!si.new_person.is_null() && !si.new_person.is_object()) {
        return ValidationError("case.new_person", "new_person 须为对象", "subjects.new_person");
      }
      in.subjects.push_back(std::move(si));
    }
  }
  in.materials = Strings(body, "materials");
  in.form = body.value("form", json::object());
  if (!in.form.is_object()) return ValidationError("case.form", "form 须为对象", "form");
  const json fee = body.value("fee", json::object());
  if (!fee.is_object()) return ValidationError("case.fee", "fee 须为对象", "fee");
  HUKOU_ASSIGN_OR_RETURN(in.fee_paid, Bool(fee, "paid", "case.fee", "fee.paid"));
  for (const char* key : {"payment_ref", "free_reason"}) {
    if (fee.contains(key) && !fee[key].is_string() && !fee[key].is_null()) {
      return ValidationError("case.fee", std::string(key) + " 须为文字", std::string("fee.") + key);
    }
  }
  in.payment_ref = Text(fee, "payment_ref");
  in.free_reason = Text(fee, "free_reason");
  HUKOU_ASSIGN_OR_RETURN(in.trafficked, Bool(body, "trafficked", "case.trafficked", "trafficked"));
  return in;
}

// 422 case.materials_missing carries the whole list: {"error":{…,"missing":[names]}}.
Response MaterialsMissing(const App& app, const Error& error, const std::string& item_code,
                          const std::vector<std::string>& provided) {
  Response r = ErrorResponse(error);
  std::vector<std::string> missing;
  Status s = app.db->Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(catalog::Item item, catalog::GetItem(conn, item_code));
    missing = cases::MissingMaterials(item, provided);
    return Status::Ok();
  });
  json body = json::parse(r.body);
  body["error"]["missing"] = missing;
  r.body = body.dump();
  return r;
}

// Base64 (standard alphabet, padding optional) → bytes; nullopt when malformed.
std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string out;
  int bits = 0;
  uint32_t acc = 0;
  for (char ch : text) {
    int v = -1;
    if (ch >= 'A' && ch <= 'Z')
      v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z')
      v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9')
      v = ch - '0' + 52;
    else if (ch == '+')
      v = 62;
    else if (ch == '/')
      v = 63;
    else if (ch == '=' || ch == '\n' || ch == '\r')
      continue;
    else
      return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

cases::Engine EngineOf(const App& app) { return cases::Engine(*app.db, *app.clock, app.signer); }

}  // namespace

void RegisterCaseRoutes(Router& router, App& app) {
  router.Add("POST", "/api/v1/cases", [&app](const Request& req) {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto body = ParseJsonBody(req);
    if (!body.ok()) return ErrorResponse(body.error());
    auto in = ParseReceive(*body);
    if (!in.ok()) return ErrorResponse(in.error());
    // The subjects' registry records are read to receive the case: 查询留痕.
    for (const cases::SubjectInput& s : in->subjects) {
      if (s.id_number.empty() || !app.access_log) continue;
      Status logged = app.access_log->Record(
          {actor->user_id, "case_receive", "person", s.id_number, in->item_code, req.remote});
      if (!logged.ok()) return ErrorResponse(logged.error());
    }
    auto c = EngineOf(app).Receive(*in, *actor);
    if (!c.ok()) {
      if (c.error().code == "case.materials_missing") {
        return MaterialsMissing(app, c.error(), in->item_code, in->materials);
      }
      return ErrorResponse(c.error());
    }
    return CaseResponse(app, *c, *actor, 201);
  });

  auto list = [&app](const Request& req, bool overdue) {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error());
    cases::CaseFilter f;
    f.status = req.Query("status");
    f.item_code = req.Query("item");
    f.overdue_only = overdue || req.Query("overdue") == "true";
    f.todo = !overdue && req.Query("scope") != "all";
    f.limit = page->page_size;
    f.offset = page->Offset();
    auto r = EngineOf(app).List(f, *actor);
    if (!r.ok()) return ErrorResponse(r.error());
    if (!app.access_log) {
      return ErrorResponse(InternalError("access_log.missing", "查询留痕服务未启用"));
    }
    Status logged =
        app.access_log->Record({actor->user_id, "list_cases", "query",
                                req.path + "?status=" + f.status + "&item=" + f.item_code,
                                req.Query("purpose"), req.remote});
    if (!logged.ok()) return ErrorResponse(logged.error());
    json items = json::array();
    for (const cases::CaseSummary& s : r->first) items.push_back(SummaryJson(s, *actor));
    return Json({{"items", items},
                 {"total", r->second},
                 {"page", page->page},
                 {"page_size", page->page_size}});
  };
  router.Add("GET", "/api/v1/cases", [list](const Request& req) { return list(req, false); });
  router.Add("GET", "/api/v1/cases/overdue",
             [list](const Request& req) { return list(req, true); });

  router.Add("GET", "/api/v1/cases/stats", [&app](const Request& req) {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto r = EngineOf(app).Stats(*actor);
    if (!r.ok()) return ErrorResponse(r.error());
    json items = json::array();
    for (const cases::UnitStats& u : *r) {
      items.push_back({{"station_code", u.station_code},
                       {"station_name", u.station_name},
                       {"cases", u.cases},
                       {"closed", u.closed},
                       {"open", u.open},
                       {"overdue", u.overdue},
                       {"average_hours", u.average_hours},
                       {"average_step_hours", u.average_step_hours}});
    }
    return Json({{"items", items}});
  });

  router.Add("GET", "/api/v1/cases/{case_no}", [&app](const Request& req) {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto c = EngineOf(app).Get(req.Param("case_no"), *actor);
    if (!c.ok()) return ErrorResponse(c.error());
    Status logged = LogCaseRead(app, *actor, req, *c);
    if (!logged.ok()) return ErrorResponse(logged.error());
    return CaseResponse(app, *c, *actor);
  });

  router.Add("POST", "/api/v1/cases/{case_no}/decisions", [&app](const Request& req) {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto body = ParseJsonBody(req);
    if (!body.ok()) return ErrorResponse(body.error());
    cases::DecisionInput in{Text(*body, "decision"), Text(*body, "opinion"),
                            Strings(*body, "missing"), 0};
    if (body->contains("version") && (*body)["version"].is_number_integer()) {
      in.expected_version = (*body)["version"].get<int64_t>();
    }
    auto c = EngineOf(app).Decide(req.Param("case_no"), in, *actor);
    if (!c.ok()) return ErrorResponse(c.error());
    // One-stop migration (B9): the approval queued the origin's move-out; ask the peer right
    // after the commit, so that the case usually shows the answer at once. A peer that does not
    // answer is left to the background loop (its retries and back-off); the approval stands.
    const bool pending = std::any_of(c->move_outs.begin(), c->move_outs.end(),
                                     [](const auto& m) { return m.status == "pending"; });
    if (pending && app.move_outs) {
      auto sent = services::DeliverMoveOuts(*app.db, *app.move_outs, *app.clock, 20, c->id);
      if (sent.ok() && *sent > 0) {
        auto again = EngineOf(app).Get(req.Param("case_no"), *actor);
        if (again.ok()) return CaseResponse(app, *again, *actor);
      }
    }
    return CaseResponse(app, *c, *actor);
  });

  router.Add("POST", "/api/v1/cases/{case_no}/resubmit", [&app](const Request& req) {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto body = ParseJsonBody(req);
    if (!body.ok()) return ErrorResponse(body.error());
    cases::ResubmitInput in{Strings(*body, "materials"), body->value("form", json::object()),
                            Text(*body, "opinion")};
    auto c = EngineOf(app).Resubmit(req.Param("case_no"), in, *actor);
    if (!c.ok()) return ErrorResponse(c.error());
    return CaseResponse(app, *c, *actor);
  });

  router.Add("POST", "/api/v1/cases/{case_no}/issue", [&app](const Request& req) {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto c = EngineOf(app).Issue(req.Param("case_no"), *actor);
    if (!c.ok()) return ErrorResponse(c.error());
    return CaseResponse(app, *c, *actor);
  });

  router.Add("POST", "/api/v1/cases/{case_no}/withdraw", [&app](const Request& req) {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto body = ParseJsonBody(req);
    if (!body.ok()) return ErrorResponse(body.error());
    auto c = EngineOf(app).Withdraw(req.Param("case_no"), Text(*body, "opinion"), *actor);
    if (!c.ok()) return ErrorResponse(c.error());
    return CaseResponse(app, *c, *actor);
  });

  router.Add("POST", "/api/v1/cases/{case_no}/national-check", [&app](const Request& req) {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    if (!app.national_check) {
      return ErrorResponse(
          UnavailableError("national_check.unavailable", "全国户籍信息核查服务未配置"));
    }
    auto c = EngineOf(app).NationalCheck(req.Param("case_no"), *app.national_check, *actor);
    if (!c.ok()) return ErrorResponse(c.error());
    return CaseResponse(app, *c, *actor);
  });

  router.Add("POST", "/api/v1/cases/{case_no}/biometrics", [&app](const Request& req) {
    auto actor = Authenticate(app, req);
    if (!actor.ok()) return ErrorResponse(actor.error());
    auto body = ParseJsonBody(req);
    if (!body.ok()) return ErrorResponse(body.error());
    cases::BiometricInput in;
    in.person_seq = body->value("person_seq", 1);
    in.kind = Text(*body, "kind");
    in.finger = body->value("finger", 0);
    in.mime = Text(*body, "mime");
    in.result = Text(*body, "result");
    in.score = body->value("score", 0);
    if (!Text(*body, "data").empty()) {
      std::optional<std::string> bytes = DecodeBase64(Text(*body, "data"));
      if (!bytes) {
        return ErrorResponse(ValidationError("case.biometric_file", "data 须为 Base64", "data"));
      }
      in.bytes = std::move(*bytes);
    }
    auto c = EngineOf(app).CaptureBiometric(req.Param("case_no"), in, *actor);
    if (!c.ok()) return ErrorResponse(c.error());
    return CaseResponse(app, *c, *actor, 201);
  });

  router.Add("GET", "/api/v1/public/cases/progress", [&app](const Request& req) {
    const std::string case_no = req.Query("case_no");
    const std::string id_number = req.Query("id_number");
    const std::string code = req.Query("code");  // 查询码 from the receipt's QR code
    if (case_no.empty() || (id_number.empty() && code.empty())) {
      return ErrorResponse(
          ValidationError("case.progress_query", "请输入办件编号和身份号码", "case_no"));
    }
    auto c = EngineOf(app).PublicProgress(case_no, id_number, code);
    if (!c.ok()) return ErrorResponse(c.error());
    catalog::Item item;
    Status s = app.db->Read([&](store::Connection& conn) -> Status {
      HUKOU_ASSIGN_OR_RETURN(item, catalog::GetItem(conn, c->item_code, c->item_version));
      return Status::Ok();
    });
    if (!s.ok()) return ErrorResponse(s.error());
    json steps = json::array();
    for (const cases::CaseStep& st : c->steps) {
      steps.push_back({{"action_name", cases::ActionTitle(st.action)},
                       {"level_name", cases::LevelTitle(st.level)},
                       {"acted_at", st.acted_at}});
    }
    json chain = ChainJson(item, *c, app.clock->Today());
    for (json& st : chain) {
      st.erase("role");
    }
    return Json({{"case_no", c->case_no},
                 {"item_name", c->item_name},
                 {"status", c->status},
                 {"status_name", cases::StatusTitle(c->status)},
                 {"received_at", c->received_at},
                 {"due_date", c->due_date},
                 {"closed_at", c->closed_at.empty() ? json(nullptr) : json(c->closed_at)},
                 {"chain", chain},
                 {"steps", steps}});
  });
}

}  // namespace hukou::http
