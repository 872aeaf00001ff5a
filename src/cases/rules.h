// Domain rules of the case lifecycle (B2–B4, B7, B10–B12, H3), as plain functions without a
// database: the chain, who may act, routing refusals, due dates, biometrics, the signed payload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "base/workdays.h"
#include "catalog/catalog.h"
#include "org/actor.h"
#include "trust/step_payload.h"

namespace hukou::cases {

inline constexpr int kMaxCaseWorkdays = 20;  // B7: no hukou business above 20 working days

// Case statuses. Open: received, accepted, returned. Closed: issued, rejected, withdrawn.
// approved: decided, waiting to be issued at the receiving window.
inline constexpr char kReceived[] = "received";    // 已收件, awaiting acceptance at the station
inline constexpr char kAccepted[] = "accepted";    // 已受理, moving along the chain
inline constexpr char kReturned[] = "returned";    // 退回补正, back at the receiving window
inline constexpr char kApproved[] = "approved";    // 已审批, to be issued
inline constexpr char kRejected[] = "rejected";    // 不予办理
inline constexpr char kIssued[] = "issued";        // 已办结
inline constexpr char kWithdrawn[] = "withdrawn";  // 已撤销

// Chinese name of a status ("accepted" → "已受理"), of a step action ("approve" → "审批") and of
// a level ("branch" → "分局").
std::string_view StatusTitle(std::string_view status);
std::string_view ActionTitle(std::string_view action);
std::string_view LevelTitle(std::string_view level);

// True when `chain_index` is the last step (final approval applies the registry effect).
bool IsFinalStep(const catalog::Item& item, int chain_index);
// The step after `chain_index`, or nullopt after the last.
std::optional<int> NextStep(const catalog::Item& item, int chain_index);

// What the rules need to know of a case.
struct CaseFacts {
  std::string status;
  int current_step = 0;
  std::string station_code;  // handling station
  int64_t receiving_user_id = 0;
};

// May `actor` take the awaited step of the case? kBusinessRule case.closed / case.returned when
// nothing is awaited; kForbidden case.auxiliary (B12: auxiliary staff and clerks never act after
// receipt on police-only items), role.forbidden (not the step's role), case.receiver_cannot_approve
// (H3: whoever received the case never approves it), scope.outside (not in the actor's scope).
Status CheckMayDecide(const catalog::Item& item, const CaseFacts& c, const org::Actor& actor);

// May `actor` receive a case of `item` at a window of `receiving_station` that is handled by
// `handling_station`? Window clerks and police only (kForbidden role.forbidden); a
// registration-place item received elsewhere: kBusinessRule case.registration_place_only with the
// reason (B3).
Status CheckMayReceive(const catalog::Item& item, const org::Actor& actor,
                       std::string_view receiving_station, std::string_view handling_station,
                       std::string_view handling_station_name);

// Police-only acts outside the chain (withdrawing a case): kForbidden case.auxiliary otherwise.
Status CheckPolice(const org::Actor& actor, std::string_view what);

// Due date of the whole case: min(item limit, 20) working days after receipt.
Date CaseDueDate(const WorkCalendar& cal, const catalog::Item& item, const Date& received);
// Due date of a chain step started on `started`: its limit in working days, never after the
// case's due date.
Date StepDueDate(const WorkCalendar& cal, const catalog::ApprovalStep& step, const Date& started,
                 const Date& case_due);
// B11: registration of a person without hukou within 20 working days of the discovery date.
Date NoHukouDueDate(const WorkCalendar& cal, const Date& discovered);
// B11: is the item a registration of a person without hukou (effect register in the major
// category 无户口人员登记)? Such a case needs the discovery date (form.discovery_date).
bool IsNoHukouRegistration(const catalog::Item& item);
// True when the due date ("YYYY-MM-DD") is before today and the case is still open.
bool IsOverdue(std::string_view due_date, std::string_view status, const Date& today);
bool IsOpen(std::string_view status);

// Seconds between two ISO-8601 UTC instants ("YYYY-MM-DDTHH:MM:SS…Z"); 0 when either is malformed.
int64_t SecondsBetween(std::string_view from_iso, std::string_view to_iso);

// B10: what a subject still needs before final approval of a biometrics item: "照片",
// "十指指纹（已采集N枚）", "人像比对". Empty when the item has no biometrics, the subject is under
// 16 on `today`, or everything is there. An unknown (empty or invalid) birth date cannot prove the
// subject under 16, so it needs the capture like an adult.
struct BiometricState {
  bool photo = false;
  int fingerprints = 0;  // distinct fingers 1..10
  bool portrait_match = false;
};
std::vector<std::string> MissingBiometrics(const catalog::Item& item, std::string_view birth_date,
                                           const BiometricState& state, const Date& today);

// B4: may a change case of `item` (effect change_main / change_aux) change the person item
// `field`? change_main changes the item's own field (effect_param) and what goes with it: a name
// item the name and the former names (曾用名), a sex or birth-date item also the ID number (which
// encodes both), an ethnicity or ID-number item only that field; a change_main item without
// effect_param any main item. change_aux changes any other person item (not household_id, status
// or a main item). kValidation case.change_field naming the field (form.changes.<field>) and what
// the item may change.
Status CheckChangeField(const catalog::Item& item, std::string_view field);

// One complete list of the mandatory materials not provided and not verified by the system
// (一次告知), as their names, in catalogue order.
std::vector<std::string> MissingMaterials(const catalog::Item& item,
                                          const std::vector<std::string>& provided_codes);

// One-stop migration (一站式迁移, B9): an in-migration (effect migrate_in) of an item with the
// national check registers the arrival at the destination, and the origin's move-out is part of
// the same case — the resident does not go back to the origin. For every subject whose latest
// national check by ID number found the person active at a peer instance, the final approval
// asks that peer to move the person out. This covers HK0302 (省内跨市) and every other migrate_in
// item with the check (投靠, 毕业生, 人才, 购房, 公共户, 集体户, and HK0303 跨省 too: a person who
// holds a 迁移证 is already cancelled at the origin, so a check still finding them active means
// the origin's move-out is missing). A subject checked as cancelled or registered nowhere, or
// found active here (the check asks only peers), needs no request; items without the check
// (HK0301 市内, moved inside this instance by the effect itself) never do.
struct MoveOutSubject {
  int person_seq = 0;
  std::string id_number, name;
};
struct SubjectCheck {
  std::string id_number;  // the number asked about ("" for a check by identity)
  std::string outcome;    // none | active | cancelled
  std::string peer;       // the instance whose answer won ("" for none)
};
struct OriginMoveOut {
  int person_seq = 0;
  std::string id_number, name, peer;
};
bool MovesOutAtOrigin(const catalog::Item& item);
// The requests to send, in subject order; `checks` in the order they were recorded.
std::vector<OriginMoveOut> OriginMoveOuts(const catalog::Item& item,
                                          const std::vector<MoveOutSubject>& subjects,
                                          const std::vector<SubjectCheck>& checks);

// The signed text of a decision (deterministic; one "key=value" line each, in this order,
// header hukou-case-step=2), then one trust::MaterialLine per material. Stored with the step:
// payloads of version 1 (without material lines) stay verifiable as they were written.
struct DecisionRecord {
  std::string case_no;
  int step_no = 0;
  std::string action;    // receive | accept | review | approve | resubmit | issue | withdraw
  std::string decision;  // approve | return | reject | ""
  std::string opinion;
  int64_t officer_id = 0;
  std::string officer_name;
  std::string unit_code;
  std::string acted_at;
  std::string form_sm3;  // SM3 of the case's form and material list at that moment
  // The case's current archive materials at that moment (archive::CurrentMaterialHashes), so
  // that a captured file swapped after the decision no longer matches what was signed.
  std::vector<trust::MaterialHash> materials;
};
std::string CanonicalPayload(const DecisionRecord& r);

// Case number: receipt day and a 6-digit daily sequence ("20261122000042").
std::string FormatCaseNo(const Date& day, int64_t seq);

// The DNA-sampling notice (B10) for a trafficked person found in a case.
std::string DnaNoticeText(std::string_view case_no, std::string_view person_name,
                          std::string_view station_name);

}  // namespace hukou::cases
