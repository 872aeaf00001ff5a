#include "cases/rules.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "registry/person.h"

namespace hukou::cases {

std::string_view StatusTitle(std::string_view status) {
  if (status == kReceived) return "已收件";
  if (status == kAccepted) return "已受理";
  if (status == kReturned) return "退回补正";
  if (status == kApproved) return "已审批";
  if (status == kRejected) return "不予办理";
  if (status == kIssued) return "已办结";
  if (status == kWithdrawn) return "已撤销";
  return status;
}

std::string_view ActionTitle(std::string_view action) {
  if (action == "receive") return "收件";
  if (action == "accept") return "受理";
  if (action == "review") return "审核";
  if (action == "approve") return "审批";
  if (action == "resubmit") return "补正";
  if (action == "issue") return "发证办结";
  if (action == "withdraw") return "撤销";
  return action;
}

std::string_view LevelTitle(std::string_view level) {
  if (level == "station") return "派出所";
  if (level == "branch") return "分局";
  if (level == "city") return "市局";
  return level;
}

bool IsFinalStep(const catalog::Item& item, int chain_index) {
  return chain_index == static_cast<int>(item.chain.size()) - 1;
}

std::optional<int> NextStep(const catalog::Item& item, int chain_index) {
  if (chain_index + 1 >= static_cast<int>(item.chain.size())) return std::nullopt;
  return chain_index + 1;
}

Status CheckPolice(const org::Actor& actor, std::string_view what) {
  if (actor.user_id == 0 || org::IsPolice(actor.role)) return Status::Ok();
  return ForbiddenError("case.auxiliary", std::string(org::RoleTitle(actor.role)) + "不能" +
                                              std::string(what) + "，须由民警办理");
}

Status CheckMayDecide(const catalog::Item& item, const CaseFacts& c, const org::Actor& actor) {
  if (c.status == kReturned) {
    return BusinessRuleError("case.returned", "该件已退回补正，须由收件窗口补正后重新提交",
                             "status");
  }
  if (c.status != kReceived && c.status != kAccepted) {
    return BusinessRuleError(
        "case.closed", "该件当前状态为“" + std::string(StatusTitle(c.status)) + "”，不能再审批",
        "status");
  }
  if (c.current_step < 0 || c.current_step >= static_cast<int>(item.chain.size())) {
    return InternalError("case.step", "办件环节无效");
  }
  const catalog::ApprovalStep& step = item.chain[c.current_step];
  const std::string what = std::string(ActionTitle(step.action));
  if (item.police_only) HUKOU_RETURN_IF_ERROR(CheckPolice(actor, what));
  const std::string_view role = org::RoleName(actor.role);
  const bool allowed =
      role == step.role || (step.role == "police" && actor.role == org::Role::kStationChief);
  if (!allowed) {
    return ForbiddenError(
        "role.forbidden",
        "本环节（" + std::string(LevelTitle(step.level)) + what + "）须由" +
            std::string(org::RoleTitle(org::ParseRole(step.role).ok() ? *org::ParseRole(step.role)
                                                                      : org::Role::kPolice)) +
            "办理");
  }
  if (step.action == "approve" && actor.user_id == c.receiving_user_id) {
    return ForbiddenError("case.receiver_cannot_approve",
                          "收件人不能审批本人收件的业务（收受分离）");
  }
  return org::CheckScope(actor, c.station_code);
}

Status CheckMayReceive(const catalog::Item& item, const org::Actor& actor,
                       std::string_view receiving_station, std::string_view handling_station,
                       std::string_view handling_station_name) {
  const bool allowed = actor.role == org::Role::kWindowClerk || org::IsPolice(actor.role);
  if (!allowed) return org::CheckRole(actor, false, "窗口收件");
  if (item.handling_mode == catalog::HandlingMode::kRegistrationPlace &&
      receiving_station != handling_station) {
    return BusinessRuleError("case.registration_place_only",
                             "“" + item.name + "”须在户籍地派出所（" +
                                 std::string(handling_station_name) +
                                 "）窗口办理，本窗口不能收件：该事项需户籍地调查核实",
                             "item_code");
  }
  return Status::Ok();
}

Date CaseDueDate(const WorkCalendar& cal, const catalog::Item& item, const Date& received) {
  return cal.AddWorkdays(received, std::clamp(item.time_limit_days, 1, kMaxCaseWorkdays));
}

Date StepDueDate(const WorkCalendar& cal, const catalog::ApprovalStep& step, const Date& started,
                 const Date& case_due) {
  return std::min(cal.AddWorkdays(started, std::max(step.time_limit_days, 1)), case_due);
}

Date NoHukouDueDate(const WorkCalendar& cal, const Date& discovered) {
  return cal.AddWorkdays(discovered, kMaxCaseWorkdays);
}

bool IsNoHukouRegistration(const catalog::Item& item) {
  return item.effect == "register" && item.major_category == "无户口人员登记";
}

bool IsOpen(std::string_view status) {
  return status == kReceived || status == kAccepted || status == kReturned;
}

bool IsOverdue(std::string_view due_date, std::string_view status, const Date& today) {
  std::optional<Date> due = Date::Parse(due_date);
  return IsOpen(status) && due && *due < today;
}

namespace {
std::optional<int64_t> EpochSeconds(std::string_view iso) {
  if (iso.size() < 19) return std::nullopt;
  std::optional<Date> d = Date::Parse(iso.substr(0, 10));
  int h = 0, m = 0, s = 0;
  if (!d || std::sscanf(std::string(iso.substr(11, 8)).c_str(), "%d:%d:%d", &h, &m, &s) != 3) {
    return std::nullopt;
  }
  return d->ToDays() * 86400 + int64_t{h} * 3600 + int64_t{m} * 60 + s;
}
}  // namespace

int64_t SecondsBetween(std::string_view from_iso, std::string_view to_iso) {
  std::optional<int64_t> a = EpochSeconds(from_iso), b = EpochSeconds(to_iso);
  return a && b ? *b - *a : 0;
}

std::vector<std::string> MissingBiometrics(const catalog::Item& item, std::string_view birth_date,
                                           const BiometricState& state, const Date& today) {
  std::vector<std::string> missing;
  if (!item.biometrics) return missing;
  // An unknown or unreadable birth date cannot prove the subject under 16: capture is needed.
  std::optional<Date> born = Date::Parse(birth_date);
  if (born && born->AgeOn(today) < 16) return missing;
  if (!state.photo) missing.push_back("照片");
  if (state.fingerprints < 10) {
    missing.push_back("十指指纹（已采集" + std::to_string(state.fingerprints) + "枚）");
  }
  if (!state.portrait_match) missing.push_back("人像比对");
  return missing;
}

namespace {
// The main items (主项) and what a change_main item of each field may change with it.
const std::map<std::string, std::vector<std::string>, std::less<>>& MainItemFields() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> kFields = {
      {"name", {"name", "former_names"}}, {"sex", {"sex", "id_number"}},
      {"ethnicity", {"ethnicity"}},       {"birth_date", {"birth_date", "id_number"}},
      {"id_number", {"id_number"}},
  };
  return kFields;
}

bool IsMainItem(std::string_view field) {
  return field == "former_names" || MainItemFields().count(field) > 0;
}
}  // namespace

Status CheckChangeField(const catalog::Item& item, std::string_view field) {
  const std::string title = registry::FieldTitle(field);
  auto refuse = [&](const std::string& why) {
    return ValidationError("case.change_field",
                           "“" + item.name + "”不能变更“" + title + "”：" + why,
                           "form.changes." + std::string(field));
  };
  if (item.effect == "change_aux") {
    if (IsMainItem(field)) return refuse("主项变更须按相应的主项变更事项办理");
    if (field == "household_id" || field == "status") return refuse("不属于辅项变更");
    return Status::Ok();
  }
  if (item.effect != "change_main") return refuse("本事项不变更人员信息");
  if (item.effect_param.empty()) {
    if (MainItemFields().count(field) > 0) return Status::Ok();
    return refuse("本事项只能变更主项");
  }
  auto it = MainItemFields().find(item.effect_param);
  if (it == MainItemFields().end()) return refuse("事项的变更项目配置无效");
  if (std::find(it->second.begin(), it->second.end(), field) != it->second.end()) {
    return Status::Ok();
  }
  std::string allowed;
  for (const std::string& f : it->second) {
    allowed += (allowed.empty() ? "" : "、") + registry::FieldTitle(f);
  }
  return refuse("本事项只能变更" + allowed);
}

std::vector<std::string> MissingMaterials(const catalog::Item& item,
                                          const std::vector<std::string>& provided_codes) {
  std::set<std::string> provided(provided_codes.begin(), provided_codes.end());
  std::vector<std::string> missing;
  for (const catalog::Material& m : item.materials) {
    if (m.mandatory && !m.system_verified && !provided.count(m.code)) missing.push_back(m.name);
  }
  return missing;
}

std::string CanonicalPayload(const DecisionRecord& r) {
  auto line = [](std::string_view key, std::string_view value) {
    std::string v;
    for (char ch : value) v += (ch == '\n' || ch == '\r') ? ' ' : ch;
    return std::string(key) + "=" + v + "\n";
  };
  std::string out = line("hukou-case-step", "2") + line("case_no", r.case_no) +
                    line("step_no", std::to_string(r.step_no)) + line("action", r.action) +
                    line("decision", r.decision) + line("opinion", r.opinion) +
                    line("officer_id", std::to_string(r.officer_id)) +
                    line("officer_name", r.officer_name) + line("unit_code", r.unit_code) +
                    line("acted_at", r.acted_at) + line("form_sm3", r.form_sm3);
  for (const trust::MaterialHash& m : r.materials) out += trust::MaterialLine(m);
  return out;
}

bool MovesOutAtOrigin(const catalog::Item& item) {
  return item.effect == "migrate_in" && item.national_check;
}

std::vector<OriginMoveOut> OriginMoveOuts(const catalog::Item& item,
                                          const std::vector<MoveOutSubject>& subjects,
                                          const std::vector<SubjectCheck>& checks) {
  std::vector<OriginMoveOut> out;
  if (!MovesOutAtOrigin(item)) return out;
  for (const MoveOutSubject& s : subjects) {
    if (s.id_number.empty()) continue;
    const SubjectCheck* latest = nullptr;
    for (const SubjectCheck& k : checks) {
      if (k.id_number == s.id_number) latest = &k;
    }
    if (latest && latest->outcome == "active" && !latest->peer.empty()) {
      out.push_back({s.person_seq, s.id_number, s.name, latest->peer});
    }
  }
  return out;
}

std::string FormatCaseNo(const Date& day, int64_t seq) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(seq % 1000000));
  return day.Compact() + buf;
}

std::string DnaNoticeText(std::string_view case_no, std::string_view person_name,
                          std::string_view station_name) {
  return "【DNA采样通知】办件" + std::string(case_no) + "涉及疑似被拐卖人员" +
         std::string(person_name) + "，请刑侦部门安排DNA采样比对（" + std::string(station_name) +
         "）。";
}

}  // namespace hukou::cases
