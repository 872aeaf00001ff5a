#include "cases/engine.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "archive/booklet.h"
#include "archive/material.h"
#include "cases/rules.h"
#include "codes/divisions.h"
#include "codes/id_number.h"
#include "org/units.h"
#include "registry/household.h"
#include "registry/person.h"
#include "services/move_out.h"
#include "services/notify.h"
#include "trust/audit.h"
#include "trust/keys.h"
#include "trust/sm3.h"

namespace hukou::cases {
namespace {

// A fresh 查询码: 10 characters of an alphabet without look-alikes (0/O, 1/I), 50 random bits from
// OpenSSL's generator; printed in the receipt's QR code, never reused as a credential elsewhere.
std::string NewQueryCode() {
  static constexpr char kAlphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  unsigned char bytes[10];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string code;
  for (unsigned char b : bytes) code.push_back(kAlphabet[b % 32]);
  return code;
}

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

std::string UnitName(store::Connection& conn, std::string_view code) {
  auto u = org::FindUnit(conn, code);
  return u.ok() ? u->name : std::string(code);
}

// The station a unit belongs to: a window's parent station, else the unit itself.
Result<std::string> StationOfUnit(store::Connection& conn, std::string_view unit_code) {
  HUKOU_ASSIGN_OR_RETURN(org::Unit u, org::FindUnit(conn, unit_code));
  if (u.kind == "window") return u.parent_code;
  return u.code;
}

struct HouseholdRow {
  int64_t id = 0;
  std::string station_code, division_code;
};

Result<HouseholdRow> FindHousehold(store::Connection& conn, std::string_view number) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows rows, conn.Query("SELECT h.id, h.station_code, a.division_code FROM households h "
                                   "JOIN addresses a ON a.id = h.address_id "
                                   "WHERE h.household_number = $1 AND h.status = 'active'",
                                   {std::string(number)}));
  if (rows.empty()) {
    return NotFoundError("household.not_found", "未找到户号为" + std::string(number) + "的户",
                         "form.household_number");
  }
  return HouseholdRow{rows.Int(0, 0), rows.Text(0, 1), rows.Text(0, 2)};
}

struct PersonRow {
  int64_t id = 0;
  std::string name, status, station_code, birth_date;
  int64_t version = 0;
};

Result<std::optional<PersonRow>> FindPerson(store::Connection& conn, std::string_view id_number) {
  HUKOU_ASSIGN_OR_RETURN(store::Rows rows,
                         conn.Query("SELECT id, name, status, station_code, birth_date, version "
                                    "FROM persons WHERE id_number = $1",
                                    {std::string(id_number)}));
  if (rows.empty()) return std::optional<PersonRow>();
  return std::optional<PersonRow>(PersonRow{rows.Int(0, 0), rows.Text(0, 1), rows.Text(0, 2),
                                            rows.Text(0, 3), rows.Text(0, 4), rows.Int(0, 5)});
}

bool NeedsNewPersonData(std::string_view effect) {
  return effect == "birth" || effect == "register";
}

// Where the case is handled (B2): the household the subject joins for births, registrations and
// arrivals, the address of a new household, otherwise the first subject's registration station.
Result<std::string> RouteCase(store::Connection& conn, const catalog::Item& item,
                              const ReceiveInput& in) {
  const std::string number = Str(in.form, "household_number");
  const std::string& e = item.effect;
  if (e == "birth" || e == "register" || e == "migrate_in" || e == "restore") {
    if (number.empty()) {
      return ValidationError("case.household_number", "请填写落户的户号", "form.household_number");
    }
    HUKOU_ASSIGN_OR_RETURN(HouseholdRow h, FindHousehold(conn, number));
    return h.station_code;
  }
  if (e == "household_create" || e == "household_split") {
    if (!in.form.contains("address_id") || !in.form["address_id"].is_number_integer()) {
      return ValidationError("case.address_id", "请选择立户地址", "form.address_id");
    }
    HUKOU_ASSIGN_OR_RETURN(store::Rows rows,
                           conn.Query("SELECT station_code FROM addresses WHERE id = $1",
                                      {in.form["address_id"].get<int64_t>()}));
    if (rows.empty()) return NotFoundError("address.not_found", "未找到该地址", "form.address_id");
    return rows.Text(0, 0);
  }
  if (e == "household_head" && !number.empty()) {
    HUKOU_ASSIGN_OR_RETURN(HouseholdRow h, FindHousehold(conn, number));
    return h.station_code;
  }
  for (const SubjectInput& s : in.subjects) {
    if (s.id_number.empty()) continue;
    HUKOU_ASSIGN_OR_RETURN(std::optional<PersonRow> p, FindPerson(conn, s.id_number));
    if (p) return p->station_code;
  }
  if (!number.empty()) {
    HUKOU_ASSIGN_OR_RETURN(HouseholdRow h, FindHousehold(conn, number));
    return h.station_code;
  }
  return ValidationError("case.subjects", "请填写本市户籍的办理对象", "subjects");
}

// SM3 of the form and the material states at this moment: what the signature covers.
std::string FormDigest(const Case& c) {
  std::string text = c.form + "\n";
  for (const CaseMaterial& m : c.materials) text += m.code + "=" + m.state + "\n";
  return trust::Sm3Hex(text);
}

struct Signed {
  std::string payload, payload_sm3;
  std::optional<trust::Signature> signature;
};

Result<Signed> SignRecord(trust::Signer* signer, const DecisionRecord& r) {
  Signed s;
  s.payload = CanonicalPayload(r);
  s.payload_sm3 = trust::Sm3Hex(s.payload);
  if (signer && r.officer_id != 0) {
    HUKOU_ASSIGN_OR_RETURN(trust::Signature sig, signer->SignAsOfficer(r.officer_id, s.payload));
    s.signature = std::move(sig);
  }
  return s;
}

Status InsertStep(store::Connection& conn, const Case& c, int step_no, int chain_index,
                  std::string_view level, const DecisionRecord& r, const Signed& s,
                  std::string_view due_date, int64_t duration, bool overdue) {
  store::Value sig, key;
  const store::Value signer = r.officer_id != 0 ? store::Value(r.officer_id) : store::Value();
  if (s.signature) {
    sig = s.signature->value;
    key = s.signature->key_id;
  }
  return conn
      .Exec(
          "INSERT INTO case_steps (case_id, step_no, chain_index, action, level, decision, "
          "opinion, officer_id, officer_name, unit_code, acted_at, due_date, duration_seconds, "
          "overdue, payload, payload_sm3, signature, signature_key_id, signer_id) VALUES ($1, $2, "
          "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
          {c.id, int64_t{step_no}, int64_t{chain_index}, r.action, std::string(level), r.decision,
           r.opinion, r.officer_id, r.officer_name, r.unit_code, r.acted_at, std::string(due_date),
           duration, int64_t{overdue ? 1 : 0}, s.payload, s.payload_sm3, sig, key, signer})
      .status();
}

// Registers the use of the officer's certificate for a signed step, in the step's transaction.
Status RecordStepKeyUse(store::Connection& conn, const DecisionRecord& r, const Signed& s,
                        const Clock& clock) {
  if (!s.signature) return Status::Ok();
  return trust::RecordKeyUse(conn, *s.signature, "case_step", "case_step",
                             r.case_no + "/" + std::to_string(r.step_no), r.officer_id, clock);
}

Status Audit(store::Connection& conn, const org::Actor& actor, std::string action, const Case& c,
             const json& detail, const Clock& clock) {
  return trust::AppendAudit(
      conn, {actor.user_id, std::move(action), "case", c.case_no, detail.dump()}, clock);
}

// Bumps the version when it is still `expected`; kConflict case.conflict otherwise.
Status BumpVersion(store::Connection& conn, const Case& c) {
  HUKOU_ASSIGN_OR_RETURN(int64_t n, conn.Exec("UPDATE cases SET version = version + 1 "
                                              "WHERE id = $1 AND version = $2",
                                              {c.id, c.version}));
  if (n != 1) {
    return ConflictError("case.conflict", "该件已被他人处理，请刷新后重试", "version");
  }
  return Status::Ok();
}

registry::NewPerson NewPersonFrom(const json& j) {
  registry::NewPerson p;
  auto s = [&](const char* k) { return Str(j, k); };
  p.id_number = s("id_number");
  p.name = s("name");
  p.sex = s("sex");
  p.ethnicity = s("ethnicity");
  p.birth_date = s("birth_date");
  p.native_place = s("native_place");
  p.birthplace = s("birthplace");
  p.religion = s("religion");
  p.education = s("education");
  p.marital_status = s("marital_status");
  p.military_service = s("military_service");
  p.workplace = s("workplace");
  p.occupation = s("occupation");
  p.phone = s("phone");
  p.father_name = s("father_name");
  p.father_id_number = s("father_id_number");
  p.mother_name = s("mother_name");
  p.mother_id_number = s("mother_id_number");
  p.guardian_name = s("guardian_name");
  p.guardian_id_number = s("guardian_id_number");
  p.spouse_name = s("spouse_name");
  p.spouse_id_number = s("spouse_id_number");
  return p;
}

// The person items a change case sets (form.changes), each one the item may change
// (CheckChangeField). kValidation case.changes (none given), case.change_field.
Result<std::map<std::string, std::string>> ChangesOf(const catalog::Item& item, const json& form) {
  if (!form.contains("changes") || !form["changes"].is_object() || form["changes"].empty()) {
    return ValidationError("case.changes", "请填写变更的项目和内容", "form.changes");
  }
  std::map<std::string, std::string> changes;
  for (const auto& [k, v] : form["changes"].items()) {
    HUKOU_RETURN_IF_ERROR(CheckChangeField(item, k));
    if (!v.is_string()) {
      return ValidationError("case.change_field", "变更内容须为文本", "form.changes." + k);
    }
    changes[k] = v.get<std::string>();
  }
  return changes;
}

// B11: the discovery date of a person without hukou, required for no-hukou registrations and
// optional otherwise; never in the future. kValidation case.discovery_date (form.discovery_date).
Result<std::optional<Date>> DiscoveryDate(const catalog::Item& item, const json& form,
                                          const Date& today) {
  const char* field = "form.discovery_date";
  if (form.contains("discovery_date") && !form["discovery_date"].is_null() &&
      !form["discovery_date"].is_string()) {
    return ValidationError("case.discovery_date", "发现日期须为 YYYY-MM-DD 格式的日期", field);
  }
  const std::string text = Str(form, "discovery_date");
  if (text.empty()) {
    if (IsNoHukouRegistration(item)) {
      return ValidationError("case.discovery_date",
                             "无户口人员登记须填写发现日期（自发现之日起20个工作日内办结）", field);
    }
    return std::optional<Date>();
  }
  std::optional<Date> found = Date::Parse(text);
  if (!found) {
    return ValidationError("case.discovery_date", "发现日期无效，须为 YYYY-MM-DD 格式的日期",
                           field);
  }
  if (*found > today) {
    return ValidationError("case.discovery_date", "发现日期不能晚于今天", field);
  }
  return found;
}

// What receipt and resubmission check of the form before anything is written: the changes of a
// change case, the discovery date of a no-hukou registration. Returns the discovery date.
Result<std::optional<Date>> CheckForm(const catalog::Item& item, const json& form,
                                      const Date& today) {
  if (item.effect == "change_main" || item.effect == "change_aux") {
    HUKOU_RETURN_IF_ERROR(ChangesOf(item, form).status());
  }
  return DiscoveryDate(item, form, today);
}

// One-stop migration (B9, rules.h OriginMoveOuts): queues the origin's move-out of every subject
// the national check found active at a peer, in the final approval's transaction. Returns the
// requests as JSON for the effect result and the audit entry.
Result<json> QueueOriginMoveOuts(store::Connection& conn, const catalog::Item& item, const Case& c,
                                 const Clock& clock) {
  std::vector<MoveOutSubject> subjects;
  for (const CasePerson& p : c.persons) subjects.push_back({p.seq, p.id_number, p.name});
  std::vector<SubjectCheck> checks;
  for (const CaseCheck& k : c.checks) {
    if (k.query == "identity") continue;
    checks.push_back({k.id_number, k.outcome, k.peer});
  }
  json queued = json::array();
  const std::vector<OriginMoveOut> moves = OriginMoveOuts(item, subjects, checks);
  if (moves.empty()) return queued;
  const json form = json::parse(c.form, nullptr, false);
  HUKOU_ASSIGN_OR_RETURN(HouseholdRow h, FindHousehold(conn, Str(form, "household_number")));
  std::optional<codes::Division> division = codes::Divisions::Get().Find(h.division_code);
  for (const OriginMoveOut& m : moves) {
    services::MoveOutRequest r;
    r.peer = m.peer;
    r.case_no = c.case_no;
    r.item_name = item.name;
    r.id_number = m.id_number;
    r.name = m.name;
    r.destination_station_code = c.station_code;
    r.destination_station_name = c.station_name;
    r.destination_division_code = h.division_code;
    r.destination_division_name = division ? division->FullName() : h.division_code;
    r.move_date = clock.Today().ToString();
    HUKOU_RETURN_IF_ERROR(services::QueueMoveOut(conn, c.id, m.person_seq, r, clock));
    queued.push_back({{"seq", m.person_seq}, {"peer", m.peer}});
  }
  return queued;
}

// Applies the item's registry effect (catalog.h) for an approved case; returns what it did.
Result<json> ApplyEffect(store::Connection& conn, const catalog::Item& item, Case& c,
                         const org::Actor& approver, const Clock& clock) {
  // The approved case is the authority for every station it touches (the origin's move-out in
  // the same case), so the effect runs with the approver's identity and the whole registry.
  org::Actor actor = approver;
  actor.scope_prefix = "";
  const json form = json::parse(c.form, nullptr, false);
  registry::ChangeContext ctx;
  ctx.case_id = c.id;
  ctx.reason = item.name + "（" + c.case_no + "）";
  json result = {{"effect", item.effect}, {"persons", json::array()}};
  const std::string number = Str(form, "household_number");
  auto relation_of = [&](const CasePerson& p) {
    std::string r = p.relation_to_head.empty() ? Str(form, "relation_to_head") : p.relation_to_head;
    return r.empty() ? std::string("99") : r;
  };
  auto note = [&](CasePerson& p, const registry::Person& done) {
    p.person_id = done.id;
    result["persons"].push_back({{"seq", p.seq},
                                 {"person_id", done.id},
                                 {"id_number", done.id_number},
                                 {"name", done.name}});
    return conn
        .Exec(
            "UPDATE case_persons SET person_id = $1, id_number = $2 WHERE case_id = $3 AND seq = "
            "$4",
            {done.id, done.id_number, c.id, int64_t{p.seq}})
        .status();
  };
  auto register_new = [&](CasePerson& p, const HouseholdRow& h) -> Status {
    registry::NewPerson np = NewPersonFrom(json::parse(p.new_person, nullptr, false));
    np.household_id = h.id;
    np.relation_to_head = relation_of(p);
    if (np.id_number.empty()) np.id_number = p.id_number;  // the number the arrival brought
    if (np.id_number.empty()) {
      std::optional<Date> born = Date::Parse(np.birth_date);
      if (!born) return ValidationError("person.birth_date", "出生日期无效", "birth_date");
      HUKOU_ASSIGN_OR_RETURN(np.id_number,
                             registry::AllocateIdNumber(conn, h.division_code, *born, np.sex));
    }
    registry::ChangeContext rc = ctx;
    rc.action = "register";
    HUKOU_ASSIGN_OR_RETURN(registry::Person done,
                           registry::RegisterPerson(conn, np, actor, clock, rc));
    return note(p, done);
  };
  const std::string& e = item.effect;
  if (e == "document") return result;
  if (e == "birth" || e == "register" || e == "migrate_in" || e == "restore") {
    HUKOU_ASSIGN_OR_RETURN(HouseholdRow h, FindHousehold(conn, number));
    for (CasePerson& p : c.persons) {
      std::optional<PersonRow> existing;
      if (!p.id_number.empty()) {
        HUKOU_ASSIGN_OR_RETURN(existing, FindPerson(conn, p.id_number));
      }
      if (!existing || e == "birth") {
        HUKOU_RETURN_IF_ERROR(register_new(p, h));
      } else if (existing->status == "cancelled") {
        HUKOU_ASSIGN_OR_RETURN(
            registry::Person done,
            registry::RestorePerson(conn, existing->id, h.id, relation_of(p), actor, clock, ctx));
        HUKOU_RETURN_IF_ERROR(note(p, done));
      } else if (e == "restore" || e == "register") {
        return BusinessRuleError("case.person_active", p.name + "已有有效户口，不能重复登记",
                                 "subjects");
      } else {
        HUKOU_ASSIGN_OR_RETURN(
            registry::Person done,
            registry::MovePerson(conn, existing->id, h.id, relation_of(p), actor, clock, ctx));
        HUKOU_RETURN_IF_ERROR(note(p, done));
      }
    }
    result["household_number"] = number;
    return result;
  }
  if (e == "death" || e == "cancel" || e == "migrate_out") {
    std::string reason = e == "death" ? "10" : e == "migrate_out" ? "20" : item.effect_param;
    if (reason.empty()) reason = Str(form, "cancel_reason");
    std::string date = Str(form, "cancel_date");
    for (CasePerson& p : c.persons) {
      if (!p.person_id) continue;
      HUKOU_ASSIGN_OR_RETURN(
          registry::Person done,
          registry::CancelPerson(conn, *p.person_id, reason, date, actor, clock, ctx));
      HUKOU_RETURN_IF_ERROR(note(p, done));
    }
    if (e == "migrate_out")
      result["migration_certificate"] = form.value("migration_certificate", json());
    return result;
  }
  if (e == "change_main" || e == "change_aux") {
    HUKOU_ASSIGN_OR_RETURN(auto changes, ChangesOf(item, form));
    for (CasePerson& p : c.persons) {
      if (!p.person_id) continue;
      registry::ChangeContext uc = ctx;
      uc.action = e == "change_main" ? "change_main" : "update";
      HUKOU_ASSIGN_OR_RETURN(
          registry::Person done,
          registry::UpdatePerson(conn, *p.person_id, changes, 0, actor, clock, uc));
      HUKOU_RETURN_IF_ERROR(note(p, done));
      break;  // the first subject only: changes are personal
    }
    result["changes"] = form["changes"];
    return result;
  }
  if (e == "household_create" || e == "household_split") {
    std::string kind = e == "household_split" ? "family" : item.effect_param;
    if (kind.empty()) kind = Str(form, "kind");
    if (kind.empty()) kind = "family";
    HUKOU_ASSIGN_OR_RETURN(registry::Household h,
                           registry::CreateHousehold(conn, kind, form["address_id"].get<int64_t>(),
                                                     actor, clock, ctx));
    HUKOU_ASSIGN_OR_RETURN(HouseholdRow row, FindHousehold(conn, h.household_number));
    bool first = true;
    for (CasePerson& p : c.persons) {
      if (!p.person_id) continue;
      std::string rel = p.relation_to_head.empty() ? (first ? "02" : "99") : p.relation_to_head;
      first = false;
      HUKOU_ASSIGN_OR_RETURN(registry::Person done, registry::MovePerson(conn, *p.person_id, row.id,
                                                                         rel, actor, clock, ctx));
      HUKOU_RETURN_IF_ERROR(note(p, done));
    }
    result["household_number"] = h.household_number;
    return result;
  }
  if (e == "household_head") {
    // Everyone else first, the new head (02) last, so that one head remains.
    std::vector<CasePerson*> order;
    for (CasePerson& p : c.persons) {
      if (p.person_id && p.relation_to_head != "02") order.push_back(&p);
    }
    for (CasePerson& p : c.persons) {
      if (p.person_id && p.relation_to_head == "02") order.push_back(&p);
    }
    for (CasePerson* p : order) {
      if (p->relation_to_head.empty()) continue;
      HUKOU_ASSIGN_OR_RETURN(
          store::Rows rows,
          conn.Query("SELECT household_id, station_code FROM persons WHERE id = $1",
                     {*p->person_id}));
      HUKOU_ASSIGN_OR_RETURN(
          registry::Person done,
          registry::UpdatePerson(conn, *p->person_id, {{"relation_to_head", p->relation_to_head}},
                                 0, actor, clock, ctx));
      if (p->relation_to_head == "02" && !rows.empty()) {
        HUKOU_RETURN_IF_ERROR(
            conn.Exec("UPDATE households SET head_person_id = $1, updated_at = $2 "
                      "WHERE id = $3",
                      {*p->person_id, clock.NowIso(), rows.Int(0, 0)})
                .status());
        HUKOU_RETURN_IF_ERROR(registry::internal::LogChange(
            conn, "household", rows.Int(0, 0), "head_person_id", "", std::to_string(*p->person_id),
            "update", ctx, actor, rows.Text(0, 1), clock));
      }
      HUKOU_RETURN_IF_ERROR(note(*p, done));
    }
    return result;
  }
  return InternalError("case.effect", "未知的登记效果：" + e);
}

std::string NoticeText(const Case& c, const catalog::Item& item, const std::string& station_name) {
  return "【电子告知单】" + c.applicant_name + "：您申请的“" + item.name + "”（办件编号" +
         c.case_no + "）已由" + station_name + "审批通过，请持身份证到" + c.receiving_unit_name +
         "领取办理结果。";
}

// One case, one booklet (一件一册): files the closing case in the archive in the closing
// transaction. The system files it (the closing act's own audit entry names the officer), so a
// window clerk issuing a case of another station's archive needs no archive rights.
Status ArchiveClosed(store::Connection& conn, const Case& c, std::string outcome,
                     const std::string& closed_at, const Clock& clock) {
  archive::CaseFacts f;
  f.case_no = c.case_no;
  f.item_code = c.item_code;
  f.item_version = c.item_version;
  f.item_name = c.item_name;
  f.effect = c.effect;
  f.station_code = c.station_code;
  f.receiving_station_code =
      c.receiving_station_code == c.station_code ? "" : c.receiving_station_code;
  f.applicant_name = c.applicant_name;
  f.applicant_id_number = c.applicant_id_number;
  f.outcome = std::move(outcome);
  f.received_at = c.received_at;
  f.closed_at = closed_at;
  return archive::ArchiveCase(conn, f, org::Actor::System(), clock).status();
}

// When the acceptance step (chain index 0) last completed, "" while the case has not passed it:
// materials belong to acceptance, so a capture after it is late (D2).
std::string AcceptanceCompletedAt(const Case& c) {
  if (c.status == kReceived || c.status == kReturned) return "";
  std::string at;
  for (const CaseStep& st : c.steps) {
    if (st.chain_index == 0 && st.decision == "approve") at = st.acted_at;
  }
  return at;
}

}  // namespace

const catalog::ApprovalStep* Engine::AwaitedStep(const catalog::Item& item, const Case& c) {
  if (c.status != kReceived && c.status != kAccepted) return nullptr;
  if (c.current_step < 0 || c.current_step >= static_cast<int>(item.chain.size())) return nullptr;
  return &item.chain[c.current_step];
}

Result<Case> LoadCase(store::Connection& conn, std::string_view case_no) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query(
          "SELECT c.id, c.case_no, c.item_code, c.item_version, c.item_name, c.effect, "
          "c.status, c.receiving_unit_code, c.receiving_station_code, c.receiving_user_id, "
          "COALESCE(u.name, '') AS receiving_user_name, c.station_code, "
          "COALESCE(s.name, c.station_code) AS station_name, "
          "COALESCE(w.name, c.receiving_unit_code) AS receiving_unit_name, c.applicant_name, "
          "c.applicant_id_number, c.applicant_phone, c.form, c.trafficked, c.received_at, "
          "c.received_date, c.due_date, COALESCE(c.closed_at, '') AS closed_at, "
          "c.current_step, c.step_due_date, c.step_started_at, c.return_reason, c.missing, "
          "c.effect_result, c.notice, c.version, c.query_code FROM cases c "
          "LEFT JOIN users u ON u.id = c.receiving_user_id "
          "LEFT JOIN units s ON s.code = c.station_code "
          "LEFT JOIN units w ON w.code = c.receiving_unit_code WHERE c.case_no = $1",
          {std::string(case_no)}));
  if (r.empty()) return NotFoundError("case.not_found", "未找到该办件", "case_no");
  Case c;
  size_t i = 0;
  c.id = r.Int(0, i++);
  c.case_no = r.Text(0, i++);
  c.item_code = r.Text(0, i++);
  c.item_version = static_cast<int>(r.Int(0, i++));
  c.item_name = r.Text(0, i++);
  c.effect = r.Text(0, i++);
  c.status = r.Text(0, i++);
  c.receiving_unit_code = r.Text(0, i++);
  c.receiving_station_code = r.Text(0, i++);
  c.receiving_user_id = r.Int(0, i++);
  c.receiving_user_name = r.Text(0, i++);
  c.station_code = r.Text(0, i++);
  c.station_name = r.Text(0, i++);
  c.receiving_unit_name = r.Text(0, i++);
  c.applicant_name = r.Text(0, i++);
  c.applicant_id_number = r.Text(0, i++);
  c.applicant_phone = r.Text(0, i++);
  c.form = r.Text(0, i++);
  c.trafficked = r.Int(0, i++) != 0;
  c.received_at = r.Text(0, i++);
  c.received_date = r.Text(0, i++);
  c.due_date = r.Text(0, i++);
  c.closed_at = r.Text(0, i++);
  c.current_step = static_cast<int>(r.Int(0, i++));
  c.step_due_date = r.Text(0, i++);
  c.step_started_at = r.Text(0, i++);
  c.return_reason = r.Text(0, i++);
  c.missing = r.Text(0, i++);
  c.effect_result = r.Text(0, i++);
  c.notice = r.Text(0, i++);
  c.version = r.Int(0, i++);
  c.query_code = r.Text(0, i++);
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows p, conn.Query("SELECT seq, person_id, id_number, name, birth_date, new_person, "
                                "relation_to_head FROM case_persons WHERE case_id = $1 "
                                "ORDER BY seq",
                                {c.id}));
  for (size_t k = 0; k < p.size(); ++k) {
    CasePerson cp;
    cp.seq = static_cast<int>(p.Int(k, 0));
    if (!p.IsNull(k, 1)) cp.person_id = p.Int(k, 1);
    cp.id_number = p.Text(k, 2);
    cp.name = p.Text(k, 3);
    cp.birth_date = p.Text(k, 4);
    cp.new_person = p.Text(k, 5);
    cp.relation_to_head = p.Text(k, 6);
    c.persons.push_back(std::move(cp));
  }
  HUKOU_ASSIGN_OR_RETURN(store::Rows m, conn.Query("SELECT code, name, mandatory, state FROM "
                                                   "case_materials WHERE case_id = $1 ORDER BY id",
                                                   {c.id}));
  for (size_t k = 0; k < m.size(); ++k) {
    c.materials.push_back({m.Text(k, 0), m.Text(k, 1), m.Int(k, 2) != 0, m.Text(k, 3)});
  }
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows f, conn.Query("SELECT amount_fen, paid, payment_ref, free_reason, recorded_at "
                                "FROM case_fees WHERE case_id = $1 ORDER BY id",
                                {c.id}));
  for (size_t k = 0; k < f.size(); ++k) {
    c.fees.push_back({f.Int(k, 0), f.Int(k, 1) != 0, f.Text(k, 2), f.Text(k, 3), f.Text(k, 4)});
  }
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows s,
      conn.Query("SELECT st.step_no, st.chain_index, st.action, st.level, st.decision, "
                 "st.opinion, st.officer_id, st.officer_name, st.unit_code, st.acted_at, "
                 "st.due_date, st.duration_seconds, st.overdue, st.signature, "
                 "COALESCE(st.signature_key_id, 0), st.payload_sm3, "
                 "COALESCE(un.name, st.unit_code) FROM case_steps st "
                 "LEFT JOIN units un ON un.code = st.unit_code "
                 "WHERE st.case_id = $1 ORDER BY st.step_no",
                 {c.id}));
  for (size_t k = 0; k < s.size(); ++k) {
    CaseStep st;
    st.step_no = static_cast<int>(s.Int(k, 0));
    st.chain_index = static_cast<int>(s.Int(k, 1));
    st.action = s.Text(k, 2);
    st.level = s.Text(k, 3);
    st.decision = s.Text(k, 4);
    st.opinion = s.Text(k, 5);
    st.officer_id = s.Int(k, 6);
    st.officer_name = s.Text(k, 7);
    st.unit_code = s.Text(k, 8);
    st.acted_at = s.Text(k, 9);
    st.due_date = s.Text(k, 10);
    st.duration_seconds = s.Int(k, 11);
    st.overdue = s.Int(k, 12) != 0;
    st.signed_ = !s.IsNull(k, 13);
    st.signature_key_id = s.Int(k, 14);
    st.payload_sm3 = s.Text(k, 15);
    st.unit_name = s.Text(k, 16);
    c.steps.push_back(std::move(st));
  }
  HUKOU_ASSIGN_OR_RETURN(store::Rows ch,
                         conn.Query("SELECT id_number, outcome, peer, station, cancel_reason, "
                                    "cancel_date, checked_at, checked_by, person_seq, query, "
                                    "found_id_number FROM case_checks "
                                    "WHERE case_id = $1 ORDER BY id",
                                    {c.id}));
  for (size_t k = 0; k < ch.size(); ++k) {
    c.checks.push_back({ch.Text(k, 0), ch.Text(k, 1), ch.Text(k, 2), ch.Text(k, 3), ch.Text(k, 4),
                        ch.Text(k, 5), ch.Text(k, 6), ch.Int(k, 7), static_cast<int>(ch.Int(k, 8)),
                        ch.Text(k, 9), ch.Text(k, 10)});
  }
  HUKOU_ASSIGN_OR_RETURN(store::Rows b,
                         conn.Query("SELECT person_seq, id_number, kind, finger, file_id, result, "
                                    "score, captured_at FROM case_biometrics WHERE case_id = $1 "
                                    "ORDER BY id",
                                    {c.id}));
  for (size_t k = 0; k < b.size(); ++k) {
    CaseBiometric bio;
    bio.person_seq = static_cast<int>(b.Int(k, 0));
    bio.id_number = b.Text(k, 1);
    bio.kind = b.Text(k, 2);
    bio.finger = static_cast<int>(b.Int(k, 3));
    if (!b.IsNull(k, 4)) bio.file_id = b.Int(k, 4);
    bio.result = b.Text(k, 5);
    bio.score = static_cast<int>(b.Int(k, 6));
    bio.captured_at = b.Text(k, 7);
    c.biometrics.push_back(std::move(bio));
  }
  HUKOU_ASSIGN_OR_RETURN(c.move_outs, services::MoveOutsOfCase(conn, c.id));
  return c;
}

namespace {

// The case as committed, read after its write transaction rather than inside it: that
// transaction holds the database's single writer, and a whole case is eight queries.
Result<Case> ReadCommitted(store::Database& db, std::string_view case_no) {
  Case out;
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(out, LoadCase(conn, case_no));
    return Status::Ok();
  }));
  return out;
}

using CheckFn =
    std::function<Status(store::Connection&, const Case&, const catalog::Item&, DecisionRecord&)>;
using ApplyFn = std::function<Status(store::Connection&, Case&, const catalog::Item&,
                                     const DecisionRecord&, const Signed&)>;

// One act on an existing case: `check` in a read transaction (rules; fills the record), the
// record signed outside any transaction, then `apply` in a write transaction once the case
// version is confirmed unchanged.
Result<Case> Act(store::Database& db, const Clock& clock, trust::Signer* signer,
                 std::string_view case_no, const org::Actor& actor, const CheckFn& check,
                 const ApplyFn& apply) {
  Case seen;
  catalog::Item item;
  DecisionRecord record;
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(seen, LoadCase(conn, case_no));
    HUKOU_ASSIGN_OR_RETURN(item, catalog::GetItem(conn, seen.item_code, seen.item_version));
    record = DecisionRecord{};
    record.case_no = seen.case_no;
    record.step_no = static_cast<int>(seen.steps.size()) + 1;
    record.officer_id = actor.user_id;
    record.officer_name = actor.name;
    record.unit_code = actor.unit_code;
    record.acted_at = clock.NowIso();
    record.form_sm3 = FormDigest(seen);
    HUKOU_ASSIGN_OR_RETURN(record.materials, archive::CurrentMaterialHashes(conn, seen.case_no));
    return check(conn, seen, item, record);
  }));
  HUKOU_ASSIGN_OR_RETURN(Signed s, SignRecord(signer, record));
  HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(Case c, LoadCase(conn, case_no));
    if (c.version != seen.version) {
      return ConflictError("case.conflict", "该件已被他人处理，请刷新后重试", "version");
    }
    HUKOU_RETURN_IF_ERROR(BumpVersion(conn, c));
    // A capture does not change the case's version: the materials signed over must still be
    // the current ones, or the signature would cover a state that never committed. Read after
    // the bump, which holds the case row until commit (a capture takes the same row first), so
    // no capture can commit between this check and the decision's commit.
    HUKOU_ASSIGN_OR_RETURN(std::vector<trust::MaterialHash> now,
                           archive::CurrentMaterialHashes(conn, case_no));
    if (now != record.materials) {
      return ConflictError("case.conflict", "该件材料已更新，请刷新后重试", "materials");
    }
    HUKOU_RETURN_IF_ERROR(apply(conn, c, item, record, s));
    return RecordStepKeyUse(conn, record, s, clock);
  }));
  return ReadCommitted(db, case_no);
}

Status CheckVisible(const org::Actor& actor, const Case& c) {
  if (actor.InScope(c.station_code) || actor.InScope(c.receiving_station_code)) {
    return Status::Ok();
  }
  return org::CheckScope(actor, c.station_code);
}

// The receiving window (or its station) acts on its own cases: issue and resubmit.
Status CheckReceivingSide(const org::Actor& actor, const Case& c, std::string_view what) {
  const bool allowed = actor.role == org::Role::kWindowClerk || org::IsPolice(actor.role);
  HUKOU_RETURN_IF_ERROR(org::CheckRole(actor, allowed, what));
  if (actor.unit_code == c.receiving_unit_code || actor.InScope(c.receiving_station_code)) {
    return Status::Ok();
  }
  return ForbiddenError("case.not_receiving_window",
                        "须由收件窗口（" + c.receiving_unit_name + "）" + std::string(what));
}

std::string Today(const Clock& clock) { return clock.Today().ToString(); }

// The case's form with the keys of a resubmission replacing its own.
json MergedForm(const Case& c, const json& update) {
  json form = json::parse(c.form, nullptr, false);
  if (!form.is_object()) form = json::object();
  if (update.is_object()) {
    for (const auto& [k, v] : update.items()) form[k] = v;
  }
  return form;
}

// 一次告知: kBusinessRule case.materials_missing naming every missing material at once.
Status CheckMaterials(const catalog::Item& item, const std::vector<std::string>& provided) {
  std::string list;
  for (const std::string& m : MissingMaterials(item, provided)) {
    list += (list.empty() ? "" : "、") + m;
  }
  if (list.empty()) return Status::Ok();
  return BusinessRuleError("case.materials_missing", "材料不全，请一次补齐：" + list, "materials");
}

}  // namespace

Result<Case> Engine::Receive(const ReceiveInput& in, const org::Actor& actor) {
  const Date today = clock_.Today();
  catalog::Item item;
  std::string handling, handling_name, receiving_station;
  WorkCalendar cal;
  if (!in.form.is_object()) return ValidationError("case.form", "form 须为对象", "form");
  if (in.applicant_name.empty()) {
    return ValidationError("case.applicant_name", "请填写申请人姓名", "applicant.name");
  }
  if (!codes::ValidateIdNumber(in.applicant_id_number, today).ok()) {
    return ValidationError("case.applicant_id_number", "申请人公民身份号码无效",
                           "applicant.id_number");
  }
  std::vector<PersonRow> subjects;
  HUKOU_RETURN_IF_ERROR(db_.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(item, catalog::GetItem(conn, in.item_code));
    if (!item.active) {
      return BusinessRuleError("catalog.inactive", "该事项已停用", "item_code");
    }
    HUKOU_ASSIGN_OR_RETURN(cal, catalog::LoadCalendar(conn));
    if (in.subjects.empty() && item.effect != "document") {
      return ValidationError("case.subjects", "请填写办理对象", "subjects");
    }
    subjects.clear();
    for (size_t i = 0; i < in.subjects.size(); ++i) {
      const SubjectInput& s = in.subjects[i];
      const std::string field = "subjects[" + std::to_string(i) + "]";
      std::optional<PersonRow> p;
      if (!s.id_number.empty()) {
        if (!codes::ValidateIdNumber(s.id_number, today).ok()) {
          return ValidationError("case.subject_id_number", "办理对象公民身份号码无效",
                                 field + ".id_number");
        }
        HUKOU_ASSIGN_OR_RETURN(p, FindPerson(conn, s.id_number));
      }
      const bool needs_data = NeedsNewPersonData(item.effect) ||
                              (!p && (item.effect == "migrate_in" || item.effect == "restore"));
      if (needs_data) {
        if (!s.new_person.is_object() || Str(s.new_person, "name").empty() ||
            Str(s.new_person, "sex").empty() || Str(s.new_person, "birth_date").empty()) {
          return ValidationError("case.new_person", "请填写新登记人员的姓名、性别、出生日期等信息",
                                 field + ".new_person");
        }
        if (item.effect == "birth" && p) {
          return BusinessRuleError("case.person_exists", "该公民身份号码已登记", field);
        }
        subjects.push_back(PersonRow{});
      } else {
        if (!p) {
          return NotFoundError("person.not_found", "未找到办理对象的户籍信息",
                               field + ".id_number");
        }
        subjects.push_back(*p);
      }
    }
    HUKOU_ASSIGN_OR_RETURN(handling, RouteCase(conn, item, in));
    handling_name = UnitName(conn, handling);
    HUKOU_ASSIGN_OR_RETURN(receiving_station, StationOfUnit(conn, actor.unit_code));
    return CheckMayReceive(item, actor, receiving_station, handling, handling_name);
  }));
  HUKOU_RETURN_IF_ERROR(CheckMaterials(item, in.materials));
  HUKOU_ASSIGN_OR_RETURN(std::optional<Date> discovered, CheckForm(item, in.form, today));
  if (item.fee_fen > 0 && !in.fee_paid && in.free_reason.empty()) {
    return BusinessRuleError("case.fee_unpaid", "本事项收费，请先缴费或注明免费理由", "fee");
  }
  if (item.fee_fen > 0 && in.fee_paid && in.payment_ref.empty()) {
    return ValidationError("case.payment_ref", "已缴费须填写缴费凭证号", "fee.payment_ref");
  }
  // The case number first, in its own small transaction, so that the receipt can be signed
  // before the case is written.
  const std::string day = today.Compact();
  int64_t seq = 0;
  HUKOU_RETURN_IF_ERROR(db_.Transact([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(store::Rows rows,
                           conn.Query("INSERT INTO case_sequences (day, last_value) VALUES ($1, 1) "
                                      "ON CONFLICT (day) DO UPDATE SET last_value = "
                                      "case_sequences.last_value + 1 RETURNING last_value",
                                      {day}));
    seq = rows.Int(0, 0);
    return Status::Ok();
  }));
  Case c;
  c.case_no = FormatCaseNo(today, seq);
  c.query_code = NewQueryCode();
  c.form = in.form.dump();
  for (const catalog::Material& m : item.materials) {
    const bool provided =
        std::find(in.materials.begin(), in.materials.end(), m.code) != in.materials.end();
    c.materials.push_back({m.code, m.name, m.mandatory,
                           provided            ? "provided"
                           : m.system_verified ? "system_verified"
                                               : "missing"});
  }
  // The receipt signs no archive materials: capture needs the case, which does not exist yet.
  DecisionRecord record{c.case_no,
                        1,
                        "receive",
                        "",
                        "收件",
                        actor.user_id,
                        actor.name,
                        actor.unit_code,
                        clock_.NowIso(),
                        FormDigest(c),
                        {}};
  HUKOU_ASSIGN_OR_RETURN(Signed s, SignRecord(signer_, record));
  Date case_due = CaseDueDate(cal, item, today);
  // B11: a person without hukou is registered within 20 working days of the discovery date.
  if (discovered) {
    case_due = std::min(case_due, std::max(NoHukouDueDate(cal, *discovered), today));
  }
  const Date step_due = StepDueDate(cal, item.chain.front(), today, case_due);
  HUKOU_RETURN_IF_ERROR(db_.Transact([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows ids,
        conn.Query(
            "INSERT INTO cases (case_no, item_code, item_version, item_name, effect, status, "
            "receiving_unit_code, receiving_station_code, receiving_user_id, station_code, "
            "applicant_name, applicant_id_number, applicant_phone, form, trafficked, "
            "received_at, received_date, due_date, current_step, step_due_date, "
            "step_started_at, query_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
            "$12, $13, $14, $15, $16, $17, $18, 0, $19, $20, $21) RETURNING id",
            {c.case_no,
             item.code,
             int64_t{item.version},
             item.name,
             item.effect,
             std::string(kReceived),
             actor.unit_code,
             receiving_station,
             actor.user_id,
             handling,
             in.applicant_name,
             in.applicant_id_number,
             in.applicant_phone,
             c.form,
             int64_t{in.trafficked ? 1 : 0},
             record.acted_at,
             today.ToString(),
             case_due.ToString(),
             step_due.ToString(),
             record.acted_at,
             c.query_code}));
    c.id = ids.Int(0, 0);
    for (size_t i = 0; i < in.subjects.size(); ++i) {
      const SubjectInput& si = in.subjects[i];
      const PersonRow& p = subjects[i];
      const bool is_new = p.id == 0;
      std::string name = is_new ? Str(si.new_person, "name") : p.name;
      std::string birth = is_new ? Str(si.new_person, "birth_date") : p.birth_date;
      std::string id_number = si.id_number.empty() ? Str(si.new_person, "id_number") : si.id_number;
      HUKOU_RETURN_IF_ERROR(
          conn.Exec("INSERT INTO case_persons (case_id, seq, person_id, id_number, name, "
                    "birth_date, new_person, relation_to_head) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                    "$8)",
                    {c.id, static_cast<int64_t>(i + 1),
                     is_new ? store::Value() : store::Value(p.id), id_number, name, birth,
                     is_new ? si.new_person.dump() : std::string(), si.relation_to_head})
              .status());
      if (in.trafficked) {
        HUKOU_RETURN_IF_ERROR(
            conn.Exec("INSERT INTO dna_notices (case_id, person_name, id_number, station_code, "
                      "text, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                      {c.id, name, id_number, handling,
                       DnaNoticeText(c.case_no, name, handling_name), record.acted_at})
                .status());
        HUKOU_RETURN_IF_ERROR(services::QueueNotification(
            conn,
            {"message", handling, "case", c.case_no, DnaNoticeText(c.case_no, name, handling_name)},
            clock_));
      }
    }
    for (const CaseMaterial& m : c.materials) {
      HUKOU_RETURN_IF_ERROR(
          conn.Exec("INSERT INTO case_materials (case_id, code, name, mandatory, "
                    "state, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    {c.id, m.code, m.name, int64_t{m.mandatory ? 1 : 0}, m.state, record.acted_at})
              .status());
    }
    HUKOU_RETURN_IF_ERROR(
        conn.Exec("INSERT INTO case_fees (case_id, amount_fen, paid, payment_ref, "
                  "free_reason, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, "
                  "$5, $6, $7)",
                  {c.id, item.fee_fen, int64_t{in.fee_paid ? 1 : 0}, in.payment_ref,
                   item.fee_fen == 0 && in.free_reason.empty()
                       ? (item.fee_note.empty() ? "不收费" : item.fee_note)
                       : in.free_reason,
                   record.acted_at, actor.user_id})
            .status());
    HUKOU_RETURN_IF_ERROR(InsertStep(conn, c, 1, -1, "", record, s, "", 0, false));
    HUKOU_RETURN_IF_ERROR(RecordStepKeyUse(conn, record, s, clock_));
    if (handling != receiving_station) {
      HUKOU_RETURN_IF_ERROR(
          services::QueueNotification(conn,
                                      {"message", handling, "case", c.case_no,
                                       "新收办件" + c.case_no + "（" + item.name + "），由" +
                                           UnitName(conn, actor.unit_code) + "收件，请受理。"},
                                      clock_));
    }
    return Audit(conn, actor, "case.receive", c,
                 {{"item_code", item.code}, {"station_code", handling}}, clock_);
  }));
  return ReadCommitted(db_, c.case_no);
}

Result<Case> Engine::Decide(std::string_view case_no, const DecisionInput& in,
                            const org::Actor& actor) {
  if (in.decision != "approve" && in.decision != "return" && in.decision != "reject") {
    return ValidationError("case.decision", "审批意见须为 approve、return 或 reject", "decision");
  }
  if (in.decision != "approve" && in.opinion.empty()) {
    return ValidationError("case.opinion", "退回或不予办理须写明理由", "opinion");
  }
  if (in.decision == "return" && in.missing.empty()) {
    return BusinessRuleError("case.missing_required", "退回补正须一次性列明需补正的全部内容",
                             "missing");
  }
  const Date today = clock_.Today();
  WorkCalendar cal;
  auto check = [&](store::Connection& conn, const Case& c, const catalog::Item& item,
                   DecisionRecord& r) -> Status {
    if (in.expected_version > 0 && c.version != in.expected_version) {
      return ConflictError("case.conflict", "该件已被他人处理，请刷新后重试", "version");
    }
    HUKOU_RETURN_IF_ERROR(CheckMayDecide(
        item, {c.status, c.current_step, c.station_code, c.receiving_user_id}, actor));
    const catalog::ApprovalStep& step = item.chain[c.current_step];
    r.action = step.action;
    r.decision = in.decision;
    r.opinion = in.opinion.empty() ? "同意" : in.opinion;
    HUKOU_ASSIGN_OR_RETURN(cal, catalog::LoadCalendar(conn));
    if (in.decision != "approve") return Status::Ok();
    // C2: leaving acceptance for review/approval needs every mandatory material captured.
    if (c.current_step == 0) HUKOU_RETURN_IF_ERROR(archive::CheckComplete(conn, c.case_no, item));
    if (step.action == "accept" && item.national_check) {
      for (const CasePerson& p : c.persons) {
        // A9: every subject is checked — by ID number, or by name, sex and birth date when the
        // subject has none (supplementary and no-hukou registrations).
        auto of_subject = [&](const CaseCheck& k) {
          if (!p.id_number.empty()) return k.id_number == p.id_number;
          return k.person_seq == p.seq && k.query == "identity";
        };
        const bool checked = std::any_of(c.checks.begin(), c.checks.end(), of_subject);
        // A9: restoring or registering someone still registered elsewhere is refused.
        const auto elsewhere =
            std::find_if(c.checks.begin(), c.checks.end(), [&](const CaseCheck& k) {
              return of_subject(k) && k.outcome == "active" && !k.peer.empty();
            });
        if (elsewhere != c.checks.end() &&
            (item.effect == "restore" || item.effect == "register")) {
          return BusinessRuleError(
              "case.registered_elsewhere",
              elsewhere->query == "identity"
                  ? p.name + "经全国户籍信息核查（按姓名、性别、出生日期）在" + elsewhere->peer +
                        (elsewhere->station.empty() ? "" : "（" + elsewhere->station + "）") +
                        "已有有效户口（公民身份号码" + elsewhere->found_id_number + "），不能受理"
                  : p.name + "经全国户籍信息核查在其他地方仍有有效户口，不能受理",
              "national_check");
        }
        if (!checked) {
          return BusinessRuleError("case.national_check_required",
                                   p.name + "尚无全国户籍信息核查结果，不能受理", "national_check");
        }
      }
    }
    if (IsFinalStep(item, c.current_step)) {
      std::string list;
      for (const CasePerson& p : c.persons) {
        BiometricState st;
        std::set<int> fingers;
        for (const CaseBiometric& b : c.biometrics) {
          if (b.person_seq != p.seq) continue;
          if (b.kind == "photo") st.photo = true;
          if (b.kind == "fingerprint") fingers.insert(b.finger);
          if (b.kind == "portrait_comparison") st.portrait_match = b.result == "match";
        }
        st.fingerprints = static_cast<int>(fingers.size());
        for (const std::string& m : MissingBiometrics(item, p.birth_date, st, today)) {
          list += (list.empty() ? "" : "；") + p.name + "：" + m;
        }
      }
      if (!list.empty()) {
        return BusinessRuleError("case.biometrics_required",
                                 "年满16周岁人员须采集照片、十指指纹并完成人像比对：" + list,
                                 "biometrics");
      }
    }
    return Status::Ok();
  };
  auto apply = [&](store::Connection& conn, Case& c, const catalog::Item& item,
                   const DecisionRecord& r, const Signed& s) -> Status {
    const catalog::ApprovalStep& step = item.chain[c.current_step];
    const int64_t duration = SecondsBetween(c.step_started_at, r.acted_at);
    const bool late = IsOverdue(c.step_due_date, c.status, today);
    HUKOU_RETURN_IF_ERROR(InsertStep(conn, c, r.step_no, c.current_step, step.level, r, s,
                                     c.step_due_date, duration, late));
    json detail = {{"decision", in.decision}, {"step", c.current_step}, {"action", step.action}};
    if (in.decision == "return") {
      HUKOU_RETURN_IF_ERROR(
          conn.Exec("UPDATE cases SET status = $1, return_reason = $2, "
                    "missing = $3, step_started_at = $4 WHERE id = $5",
                    {std::string(kReturned), in.opinion, json(in.missing).dump(), r.acted_at, c.id})
              .status());
      HUKOU_RETURN_IF_ERROR(
          services::QueueNotification(conn,
                                      {"message", c.receiving_unit_code, "case", c.case_no,
                                       "办件" + c.case_no + "退回补正：" + in.opinion},
                                      clock_));
      return Audit(conn, actor, "case.return", c, detail, clock_);
    }
    if (in.decision == "reject") {
      HUKOU_RETURN_IF_ERROR(conn.Exec("UPDATE cases SET status = $1, return_reason = $2, "
                                      "closed_at = $3 WHERE id = $4",
                                      {std::string(kRejected), in.opinion, r.acted_at, c.id})
                                .status());
      HUKOU_RETURN_IF_ERROR(
          services::QueueNotification(conn,
                                      {"message", c.receiving_unit_code, "case", c.case_no,
                                       "办件" + c.case_no + "不予办理：" + in.opinion},
                                      clock_));
      HUKOU_RETURN_IF_ERROR(ArchiveClosed(conn, c, kRejected, r.acted_at, clock_));
      return Audit(conn, actor, "case.reject", c, detail, clock_);
    }
    if (std::optional<int> next = NextStep(item, c.current_step)) {
      const Date due = StepDueDate(cal, item.chain[*next], today, *Date::Parse(c.due_date));
      HUKOU_RETURN_IF_ERROR(
          conn.Exec("UPDATE cases SET status = $1, current_step = $2, "
                    "step_due_date = $3, step_started_at = $4 WHERE id = $5",
                    {std::string(kAccepted), int64_t{*next}, due.ToString(), r.acted_at, c.id})
              .status());
      return Audit(conn, actor, "case." + step.action, c, detail, clock_);
    }
    HUKOU_ASSIGN_OR_RETURN(json result, ApplyEffect(conn, item, c, actor, clock_));
    HUKOU_ASSIGN_OR_RETURN(json move_outs, QueueOriginMoveOuts(conn, item, c, clock_));
    if (!move_outs.empty()) result["origin_move_outs"] = move_outs;
    const std::string notice = NoticeText(c, item, c.station_name);
    HUKOU_RETURN_IF_ERROR(
        conn.Exec("UPDATE cases SET status = $1, effect_result = $2, notice = $3, "
                  "step_started_at = $4 WHERE id = $5",
                  {std::string(kApproved), result.dump(), notice, r.acted_at, c.id})
            .status());
    HUKOU_RETURN_IF_ERROR(services::QueueNotification(
        conn,
        {"message", c.receiving_unit_code, "case", c.case_no,
         "办件" + c.case_no + "（" + item.name + "）已审批通过，请通知申请人领取。"},
        clock_));
    if (!c.applicant_phone.empty()) {
      HUKOU_RETURN_IF_ERROR(services::QueueNotification(
          conn, {"sms", c.applicant_phone, "case", c.case_no, notice}, clock_));
    }
    detail["effect"] = result;
    return Audit(conn, actor, "case.approve", c, detail, clock_);
  };
  return Act(db_, clock_, signer_, case_no, actor, check, apply);
}

Result<Case> Engine::Resubmit(std::string_view case_no, const ResubmitInput& in,
                              const org::Actor& actor) {
  const Date today = clock_.Today();
  WorkCalendar cal;
  auto check = [&](store::Connection& conn, const Case& c, const catalog::Item& item,
                   DecisionRecord& r) -> Status {
    if (c.status != kReturned) {
      return BusinessRuleError("case.not_returned", "只有退回补正的办件才能重新提交", "status");
    }
    HUKOU_RETURN_IF_ERROR(CheckReceivingSide(actor, c, "补正提交"));
    std::vector<std::string> provided = in.materials;
    for (const CaseMaterial& m : c.materials) {
      if (m.state == "provided") provided.push_back(m.code);
    }
    HUKOU_RETURN_IF_ERROR(CheckMaterials(item, provided));
    HUKOU_RETURN_IF_ERROR(CheckForm(item, MergedForm(c, in.form), today).status());
    r.action = "resubmit";
    r.opinion = in.opinion.empty() ? "已补正" : in.opinion;
    HUKOU_ASSIGN_OR_RETURN(cal, catalog::LoadCalendar(conn));
    return Status::Ok();
  };
  auto apply = [&](store::Connection& conn, Case& c, const catalog::Item& item,
                   const DecisionRecord& r, const Signed& s) -> Status {
    HUKOU_RETURN_IF_ERROR(InsertStep(conn, c, r.step_no, -1, "", r, s, "",
                                     SecondsBetween(c.step_started_at, r.acted_at), false));
    for (const std::string& code : in.materials) {
      HUKOU_RETURN_IF_ERROR(conn.Exec("UPDATE case_materials SET state = 'provided', updated_at = "
                                      "$1 WHERE case_id = $2 AND code = $3",
                                      {r.acted_at, c.id, code})
                                .status());
    }
    const json form = MergedForm(c, in.form);
    const Date due = StepDueDate(cal, item.chain.front(), today, *Date::Parse(c.due_date));
    HUKOU_RETURN_IF_ERROR(
        conn.Exec("UPDATE cases SET status = $1, current_step = 0, form = $2, "
                  "missing = '[]', step_due_date = $3, step_started_at = $4 "
                  "WHERE id = $5",
                  {std::string(kReceived), form.dump(), due.ToString(), r.acted_at, c.id})
            .status());
    HUKOU_RETURN_IF_ERROR(services::QueueNotification(
        conn,
        {"message", c.station_code, "case", c.case_no, "办件" + c.case_no + "已补正，请重新受理。"},
        clock_));
    return Audit(conn, actor, "case.resubmit", c, {{"materials", in.materials}}, clock_);
  };
  return Act(db_, clock_, signer_, case_no, actor, check, apply);
}

Result<Case> Engine::Issue(std::string_view case_no, const org::Actor& actor) {
  auto check = [&](store::Connection&, const Case& c, const catalog::Item&,
                   DecisionRecord& r) -> Status {
    if (c.status != kApproved) {
      return BusinessRuleError("case.not_approved", "该件尚未审批通过，不能发证办结", "status");
    }
    HUKOU_RETURN_IF_ERROR(CheckReceivingSide(actor, c, "发证办结"));
    r.action = "issue";
    r.opinion = "已发证";
    return Status::Ok();
  };
  auto apply = [&](store::Connection& conn, Case& c, const catalog::Item&, const DecisionRecord& r,
                   const Signed& s) -> Status {
    HUKOU_RETURN_IF_ERROR(InsertStep(conn, c, r.step_no, -1, "", r, s, "",
                                     SecondsBetween(c.step_started_at, r.acted_at), false));
    HUKOU_RETURN_IF_ERROR(conn.Exec("UPDATE cases SET status = $1, closed_at = $2 WHERE id = $3",
                                    {std::string(kIssued), r.acted_at, c.id})
                              .status());
    HUKOU_RETURN_IF_ERROR(ArchiveClosed(conn, c, kApproved, r.acted_at, clock_));
    return Audit(conn, actor, "case.issue", c, json::object(), clock_);
  };
  return Act(db_, clock_, signer_, case_no, actor, check, apply);
}

Result<Case> Engine::Withdraw(std::string_view case_no, std::string_view reason,
                              const org::Actor& actor) {
  if (reason.empty()) return ValidationError("case.opinion", "请写明撤销理由", "opinion");
  auto check = [&](store::Connection&, const Case& c, const catalog::Item&,
                   DecisionRecord& r) -> Status {
    if (!IsOpen(c.status)) {
      return BusinessRuleError("case.closed", "该件已办结，不能撤销", "status");
    }
    HUKOU_RETURN_IF_ERROR(CheckPolice(actor, "撤销办件"));
    HUKOU_RETURN_IF_ERROR(CheckVisible(actor, c));
    r.action = "withdraw";
    r.opinion = std::string(reason);
    return Status::Ok();
  };
  auto apply = [&](store::Connection& conn, Case& c, const catalog::Item&, const DecisionRecord& r,
                   const Signed& s) -> Status {
    HUKOU_RETURN_IF_ERROR(InsertStep(conn, c, r.step_no, -1, "", r, s, "", 0, false));
    HUKOU_RETURN_IF_ERROR(conn.Exec("UPDATE cases SET status = $1, closed_at = $2, "
                                    "return_reason = $3 WHERE id = $4",
                                    {std::string(kWithdrawn), r.acted_at, r.opinion, c.id})
                              .status());
    HUKOU_RETURN_IF_ERROR(ArchiveClosed(conn, c, kWithdrawn, r.acted_at, clock_));
    return Audit(conn, actor, "case.withdraw", c, {{"reason", r.opinion}}, clock_);
  };
  return Act(db_, clock_, signer_, case_no, actor, check, apply);
}

Result<Case> Engine::NationalCheck(std::string_view case_no,
                                   services::NationalCheckProvider& provider,
                                   const org::Actor& actor) {
  Case c;
  HUKOU_RETURN_IF_ERROR(CheckPolice(actor, "发起全国户籍信息核查"));
  HUKOU_RETURN_IF_ERROR(db_.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(c, LoadCase(conn, case_no));
    return CheckVisible(actor, c);
  }));
  struct Asked {
    const CasePerson* person;
    bool identity;
    services::NationalCheckResult result;
  };
  std::vector<Asked> results;
  for (const CasePerson& p : c.persons) {
    if (!p.id_number.empty()) {
      HUKOU_ASSIGN_OR_RETURN(services::NationalCheckResult r, provider.Check(p.id_number, p.name));
      results.push_back({&p, false, std::move(r)});
      continue;
    }
    // No number (yet): ask whether anyone is registered with the name, sex and birth date.
    const json np = json::parse(p.new_person, nullptr, false);
    services::IdentityQuery q{p.name, Str(np, "sex"), p.birth_date};
    const std::string field = "persons[" + std::to_string(p.seq - 1) + "]";
    if (q.name.empty() || q.sex.empty() || q.birth_date.empty()) {
      return ValidationError("case.national_check_identity",
                             "办理对象无公民身份号码，须有姓名、性别和出生日期才能核查", field);
    }
    HUKOU_ASSIGN_OR_RETURN(services::NationalCheckResult r, provider.CheckIdentity(q));
    results.push_back({&p, true, std::move(r)});
  }
  HUKOU_RETURN_IF_ERROR(db_.Transact([&](store::Connection& conn) -> Status {
    for (const Asked& a : results) {
      const services::NationalCheckResult& r = a.result;
      HUKOU_RETURN_IF_ERROR(
          conn.Exec("INSERT INTO case_checks (case_id, id_number, outcome, peer, station, "
                    "cancel_reason, cancel_date, detail, checked_at, checked_by, person_seq, "
                    "query, found_id_number) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                    "$11, $12, $13)",
                    {c.id, a.identity ? a.person->id_number : r.id_number, r.outcome, r.peer,
                     r.station, r.cancel_reason, r.cancel_date, r.detail,
                     r.checked_at.empty() ? clock_.NowIso() : r.checked_at, actor.user_id,
                     int64_t{a.person->seq}, std::string(a.identity ? "identity" : "id_number"),
                     a.identity ? r.id_number : std::string()})
              .status());
    }
    return Audit(conn, actor, "case.national_check", c,
                 {{"subjects", static_cast<int64_t>(results.size())}}, clock_);
  }));
  return ReadCommitted(db_, case_no);
}

Result<Case> Engine::CaptureBiometric(std::string_view case_no, const BiometricInput& in,
                                      const org::Actor& actor) {
  if (in.kind != "photo" && in.kind != "fingerprint" && in.kind != "portrait_comparison") {
    return ValidationError("case.biometric_kind",
                           "采集类型须为 photo、fingerprint 或 portrait_comparison", "kind");
  }
  if (in.kind == "fingerprint" && (in.finger < 1 || in.finger > 10)) {
    return ValidationError("case.finger", "指位须为 1 到 10", "finger");
  }
  if (in.kind != "portrait_comparison" && in.bytes.empty()) {
    return ValidationError("case.biometric_file", "请上传采集文件", "data");
  }
  if (in.kind == "portrait_comparison" && in.result != "match" && in.result != "no_match") {
    return ValidationError("case.portrait_result", "人像比对结果须为 match 或 no_match", "result");
  }
  HUKOU_RETURN_IF_ERROR(CheckPolice(actor, "采集生物特征"));
  HUKOU_RETURN_IF_ERROR(db_.Transact([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(Case c, LoadCase(conn, case_no));
    HUKOU_RETURN_IF_ERROR(CheckVisible(actor, c));
    if (!IsOpen(c.status)) return BusinessRuleError("case.closed", "该件已办结", "status");
    const CasePerson* person = nullptr;
    for (const CasePerson& p : c.persons) {
      if (p.seq == in.person_seq) person = &p;
    }
    if (!person) return ValidationError("case.person_seq", "办理对象序号无效", "person_seq");
    store::Value file_id;
    if (!in.bytes.empty()) {
      HUKOU_ASSIGN_OR_RETURN(
          store::Rows f,
          conn.Query(
              "INSERT INTO files (sm3, mime, size, data, created_at, created_by) VALUES ($1, "
              "$2, $3, $4, $5, $6) RETURNING id",
              {trust::Sm3Hex(in.bytes), in.mime.empty() ? "application/octet-stream" : in.mime,
               static_cast<int64_t>(in.bytes.size()), store::Blob{in.bytes}, clock_.NowIso(),
               actor.user_id}));
      file_id = f.Int(0, 0);
    }
    HUKOU_RETURN_IF_ERROR(
        conn.Exec("INSERT INTO case_biometrics (case_id, id_number, person_seq, kind, finger, "
                  "file_id, result, score, captured_at, captured_by) VALUES ($1, $2, $3, $4, $5, "
                  "$6, $7, $8, $9, $10)",
                  {c.id, person->id_number, int64_t{in.person_seq}, in.kind, int64_t{in.finger},
                   file_id, in.result, int64_t{in.score}, clock_.NowIso(), actor.user_id})
            .status());
    HUKOU_RETURN_IF_ERROR(
        Audit(conn, actor, "case.biometric", c,
              {{"kind", in.kind}, {"person_seq", in.person_seq}, {"finger", in.finger}}, clock_));
    return Status::Ok();
  }));
  return ReadCommitted(db_, case_no);
}

Result<archive::Material> Engine::CaptureMaterial(std::string_view case_no,
                                                  archive::Capture capture,
                                                  const org::Actor& actor) {
  // The case's own refusals, checked before the file is looked at and again in the transaction.
  auto capturable = [&](store::Connection& conn) -> Result<Case> {
    HUKOU_RETURN_IF_ERROR(org::CheckRole(actor, archive::CanCapture(actor.role), "采集材料"));
    HUKOU_ASSIGN_OR_RETURN(Case c, LoadCase(conn, case_no));
    HUKOU_RETURN_IF_ERROR(CheckVisible(actor, c));
    if (!IsOpen(c.status) && c.status != kApproved) {
      return BusinessRuleError("case.closed", "该件已办结，材料不能再采集", "status");
    }
    return c;
  };
  // What the capture takes from the case and its item, before and outside the write
  // transaction; the transaction only confirms that the case has not moved since.
  auto locate = [&](const Case& c, const catalog::Item& item) {
    capture.case_no = c.case_no;
    capture.station_code = c.station_code;
    capture.item_code = c.item_code;
    capture.item_version = c.item_version;
    const catalog::ApprovalStep* awaited = AwaitedStep(item, c);
    capture.step = awaited ? awaited->action : c.status;
    capture.belongs_step_completed_at = AcceptanceCompletedAt(c);
    for (const catalog::Material& m : item.materials) {
      if (m.code == capture.material_code && capture.material_name.empty()) {
        capture.material_name = m.name;
      }
    }
  };
  const std::string requested_name = capture.material_name;
  Case seen;
  HUKOU_RETURN_IF_ERROR(db_.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(seen, capturable(conn));
    HUKOU_ASSIGN_OR_RETURN(catalog::Item item,
                           catalog::GetItem(conn, seen.item_code, seen.item_version));
    locate(seen, item);
    return Status::Ok();
  }));
  if (!capture.prepared) {
    // Outside the write transaction: decoding and scaling the image must not hold the writer.
    HUKOU_ASSIGN_OR_RETURN(capture.prepared,
                           archive::PrepareContent(capture.bytes, capture.file_name));
  }
  archive::Material out;
  HUKOU_RETURN_IF_ERROR(db_.Transact([&](store::Connection& conn) -> Status {
    // The case row first (a no-op update, held until commit): a decision being stored meanwhile
    // either commits before this capture or sees it and refuses (Act).
    HUKOU_ASSIGN_OR_RETURN(store::Rows locked,
                           conn.Query("UPDATE cases SET version = version WHERE case_no = $1 "
                                      "RETURNING version",
                                      {std::string(case_no)}));
    Case c = seen;
    // Every act bumps the version, so an unchanged one means status, steps and station are
    // still as read; otherwise the case is read again here.
    if (locked.empty() || locked.Int(0, 0) != seen.version) {
      HUKOU_ASSIGN_OR_RETURN(c, capturable(conn));
      HUKOU_ASSIGN_OR_RETURN(catalog::Item item,
                             catalog::GetItem(conn, c.item_code, c.item_version));
      capture.material_name = requested_name;
      locate(c, item);
    }
    // The archive checks scope against the handling station; the receiving window (全域通办)
    // captures into it too, its visibility checked above.
    org::Actor capturer = actor;
    capturer.scope_prefix = "";
    HUKOU_ASSIGN_OR_RETURN(out, archive::CaptureMaterial(conn, capture, capturer, clock_));
    return conn
        .Exec(
            "UPDATE case_materials SET state = 'provided', updated_at = $1 WHERE case_id = $2 "
            "AND code = $3 AND state <> 'provided'",
            {clock_.NowIso(), c.id, capture.material_code})
        .status();
  }));
  return out;
}

Permissions Engine::MayDo(const catalog::Item& item, const Case& c, const org::Actor& actor) {
  Permissions p;
  const bool visible = CheckVisible(actor, c).ok();
  if (!visible) return p;
  p.decide =
      CheckMayDecide(item, {c.status, c.current_step, c.station_code, c.receiving_user_id}, actor)
          .ok();
  const bool receiving = CheckReceivingSide(actor, c, "").ok();
  p.issue = c.status == kApproved && receiving;
  p.resubmit = c.status == kReturned && receiving;
  p.withdraw = IsOpen(c.status) && CheckPolice(actor, "").ok();
  p.national_check = item.national_check && IsOpen(c.status) && CheckPolice(actor, "").ok();
  p.capture = (IsOpen(c.status) || c.status == kApproved) && archive::CanCapture(actor.role);
  return p;
}

Result<Case> Engine::Get(std::string_view case_no, const org::Actor& actor) {
  Case c;
  HUKOU_RETURN_IF_ERROR(db_.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(c, LoadCase(conn, case_no));
    return CheckVisible(actor, c);
  }));
  return c;
}

Result<std::pair<std::vector<CaseSummary>, int64_t>> Engine::List(const CaseFilter& filter,
                                                                  const org::Actor& actor) {
  const Date today = clock_.Today();
  std::vector<CaseSummary> items;
  int64_t total = 0;
  HUKOU_RETURN_IF_ERROR(db_.Read([&](store::Connection& conn) -> Status {
    items.clear();
    std::vector<store::Value> params;
    auto param = [&](store::Value v) {
      params.push_back(std::move(v));
      return "$" + std::to_string(params.size());
    };
    std::string where = " WHERE 1 = 1";
    if (!actor.scope_prefix.empty()) {
      const std::string p = param(actor.scope_prefix + "%");
      where += " AND (c.station_code LIKE " + p + " OR c.receiving_station_code LIKE " + p + ")";
    }
    if (!filter.status.empty()) where += " AND c.status = " + param(filter.status);
    if (!filter.item_code.empty()) where += " AND c.item_code = " + param(filter.item_code);
    if (filter.overdue_only) {
      const std::string p = param(today.ToString());
      where += " AND c.status IN ('received', 'accepted', 'returned') AND (c.step_due_date < " + p +
               " OR c.due_date < " + p + ")";
    }
    std::map<std::pair<std::string, int64_t>, catalog::Item> cache;
    auto item_of = [&](const std::string& code, int64_t version) -> Result<const catalog::Item*> {
      auto key = std::make_pair(code, version);
      if (!cache.count(key)) {
        HUKOU_ASSIGN_OR_RETURN(cache[key], catalog::GetItem(conn, code, static_cast<int>(version)));
      }
      return &cache[key];
    };
    if (filter.todo) {
      // 待办 in SQL: cases back at (returned) or approved for the actor's window, and open cases
      // at a chain step the actor may take. The rules run once per distinct (item, version,
      // step) of the open cases in scope, not per case.
      HUKOU_ASSIGN_OR_RETURN(
          store::Rows steps,
          conn.Query("SELECT DISTINCT c.status, c.item_code, c.item_version, c.current_step "
                     "FROM cases c" +
                         where + " AND c.status IN ('received', 'accepted')",
                     params));
      std::string todo = "(c.status IN ('returned', 'approved') AND c.receiving_unit_code = " +
                         param(actor.unit_code) + ")";
      for (size_t i = 0; i < steps.size(); ++i) {
        HUKOU_ASSIGN_OR_RETURN(const catalog::Item* item,
                               item_of(steps.Text(i, 1), steps.Int(i, 2)));
        const int step = static_cast<int>(steps.Int(i, 3));
        if (!CheckMayDecide(*item, {steps.Text(i, 0), step, actor.scope_prefix, 0}, actor).ok()) {
          continue;
        }
        todo += " OR (c.status = " + param(steps.Text(i, 0)) +
                " AND c.item_code = " + param(steps.Text(i, 1)) +
                " AND c.item_version = " + param(steps.Int(i, 2)) +
                " AND c.current_step = " + param(int64_t{step});
        if (!actor.scope_prefix.empty()) {
          todo += " AND c.station_code LIKE " + param(actor.scope_prefix + "%");
        }
        // H3: whoever received the case never approves it.
        if (item->chain[step].action == "approve") {
          todo += " AND c.receiving_user_id <> " + param(actor.user_id);
        }
        todo += ")";
      }
      where += " AND (" + todo + ")";
    }
    HUKOU_ASSIGN_OR_RETURN(store::Rows count,
                           conn.Query("SELECT COUNT(*) FROM cases c" + where, params));
    total = count.Int(0, 0);
    const std::string limit = param(int64_t{filter.limit});
    const std::string offset = param(int64_t{filter.offset});
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows rows,
        conn.Query("SELECT c.case_no, c.item_code, c.item_name, c.status, c.station_code, "
                   "COALESCE(s.name, c.station_code), c.receiving_unit_code, c.applicant_name, "
                   "c.applicant_id_number, c.received_at, c.due_date, c.step_due_date, "
                   "c.current_step, c.item_version "
                   "FROM cases c LEFT JOIN units s ON s.code = c.station_code" +
                       where + " ORDER BY c.step_due_date, c.id LIMIT " + limit + " OFFSET " +
                       offset,
                   params));
    for (size_t i = 0; i < rows.size(); ++i) {
      CaseSummary s;
      s.case_no = rows.Text(i, 0);
      s.item_code = rows.Text(i, 1);
      s.item_name = rows.Text(i, 2);
      s.status = rows.Text(i, 3);
      s.station_code = rows.Text(i, 4);
      s.station_name = rows.Text(i, 5);
      s.receiving_unit_code = rows.Text(i, 6);
      s.applicant_name = rows.Text(i, 7);
      s.applicant_id_number = rows.Text(i, 8);
      s.received_at = rows.Text(i, 9);
      s.due_date = rows.Text(i, 10);
      s.step_due_date = rows.Text(i, 11);
      s.current_step = static_cast<int>(rows.Int(i, 12));
      s.overdue =
          IsOverdue(s.step_due_date, s.status, today) || IsOverdue(s.due_date, s.status, today);
      HUKOU_ASSIGN_OR_RETURN(const catalog::Item* item, item_of(s.item_code, rows.Int(i, 13)));
      Case facts;
      facts.status = s.status;
      facts.current_step = s.current_step;
      if (const catalog::ApprovalStep* st = Engine::AwaitedStep(*item, facts)) {
        s.current_action = st->action;
        s.current_level = st->level;
        s.current_role = st->role;
      }
      items.push_back(std::move(s));
    }
    return Status::Ok();
  }));
  return std::make_pair(std::move(items), total);
}

Result<std::vector<UnitStats>> Engine::Stats(const org::Actor& actor) {
  const std::string today = Today(clock_);
  std::vector<UnitStats> out;
  HUKOU_RETURN_IF_ERROR(db_.Read([&](store::Connection& conn) -> Status {
    out.clear();
    std::vector<store::Value> params = {today};
    std::string where;
    if (!actor.scope_prefix.empty()) {
      params.emplace_back(actor.scope_prefix + "%");
      where = " WHERE c.station_code LIKE $2";
    }
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows rows,
        conn.Query("SELECT c.station_code, COALESCE(MAX(s.name), c.station_code), COUNT(*), "
                   "SUM(CASE WHEN c.status IN ('issued', 'rejected', 'withdrawn') THEN 1 ELSE 0 "
                   "END), SUM(CASE WHEN c.status IN ('received', 'accepted', 'returned') THEN 1 "
                   "ELSE 0 END), SUM(CASE WHEN c.status IN ('received', 'accepted', 'returned') "
                   "AND (c.step_due_date < $1 OR c.due_date < $1) THEN 1 ELSE 0 END) "
                   "FROM cases c LEFT JOIN units s ON s.code = c.station_code" +
                       where + " GROUP BY c.station_code ORDER BY c.station_code",
                   params));
    for (size_t i = 0; i < rows.size(); ++i) {
      UnitStats u;
      u.station_code = rows.Text(i, 0);
      u.station_name = rows.Text(i, 1);
      u.cases = rows.Int(i, 2);
      u.closed = rows.Int(i, 3);
      u.open = rows.Int(i, 4);
      u.overdue = rows.Int(i, 5);
      out.push_back(u);
    }
    // Turnaround in SQL: receipt → final decision (approve / reject) is the sum of the chain
    // steps' and resubmissions' durations of a decided case; and the mean chain step.
    const std::string scope = where.empty() ? "" : " AND c.station_code LIKE $1";
    const std::vector<store::Value> scope_params(params.begin() + 1, params.end());
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows cs,
        conn.Query("SELECT c.station_code, SUM(st.duration_seconds), COUNT(DISTINCT c.id) "
                   "FROM case_steps st JOIN cases c ON c.id = st.case_id WHERE c.status IN "
                   "('approved', 'issued', 'rejected') AND (st.chain_index >= 0 OR st.action = "
                   "'resubmit')" +
                       scope + " GROUP BY c.station_code",
                   scope_params));
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows ss,
        conn.Query("SELECT c.station_code, SUM(st.duration_seconds), COUNT(*) FROM case_steps st "
                   "JOIN cases c ON c.id = st.case_id WHERE st.chain_index >= 0" +
                       scope + " GROUP BY c.station_code",
                   scope_params));
    auto averages = [](const store::Rows& r) {
      std::map<std::string, double> hours;
      for (size_t i = 0; i < r.size(); ++i) {
        if (r.Int(i, 2) > 0) {
          hours[r.Text(i, 0)] =
              static_cast<double>(r.Int(i, 1)) / static_cast<double>(r.Int(i, 2)) / 3600.0;
        }
      }
      return hours;
    };
    const std::map<std::string, double> case_hours = averages(cs), step_hours = averages(ss);
    for (UnitStats& u : out) {
      if (auto it = case_hours.find(u.station_code); it != case_hours.end()) {
        u.average_hours = it->second;
      }
      if (auto it = step_hours.find(u.station_code); it != step_hours.end()) {
        u.average_step_hours = it->second;
      }
    }
    return Status::Ok();
  }));
  return out;
}

Result<Case> Engine::PublicProgress(std::string_view case_no, std::string_view id_number,
                                    std::string_view query_code) {
  Case c;
  HUKOU_RETURN_IF_ERROR(db_.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(c, LoadCase(conn, case_no));
    return Status::Ok();
  }));
  bool match = !id_number.empty() && c.applicant_id_number == id_number;
  match = match || (!query_code.empty() && c.query_code.size() == query_code.size() &&
                    CRYPTO_memcmp(c.query_code.data(), query_code.data(), query_code.size()) == 0);
  for (const CasePerson& p : c.persons)
    match = match || (!id_number.empty() && p.id_number == id_number);
  if (!match)
    return NotFoundError("case.not_found", "未找到该办件，请核对办件编号和身份号码（或查询码）",
                         "case_no");
  return c;
}

}  // namespace hukou::cases
