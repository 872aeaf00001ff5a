// The case engine (办件): receive at any window (收受分离), route to the handling station, accept,
// review and approve along the item's chain with signed steps, apply the registry effect in the
// transaction of the final approval, issue at the receiving window (B2–B4, B6, B7, B10–B16, A9).
//
// Every decision is signed before its write transaction opens (never inside one, never twice);
// the write then checks that the case version is unchanged (kConflict case.conflict otherwise),
// so of two officers deciding at the same moment exactly one succeeds.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archive/material.h"
#include "base/clock.h"
#include "base/status.h"
#include "catalog/catalog.h"
#include "org/actor.h"
#include "services/move_out.h"
#include "services/national_check.h"
#include "store/database.h"
#include "trust/signer.h"

namespace hukou::cases {

struct CaseStep {
  int step_no = 0;
  int chain_index = -1;
  std::string action, level, decision, opinion;
  int64_t officer_id = 0;
  std::string officer_name, unit_code, acted_at, due_date;
  std::string unit_name;  // of unit_code
  int64_t duration_seconds = 0;
  bool overdue = false;
  bool signed_ = false;
  int64_t signature_key_id = 0;
  std::string payload_sm3;
};

struct CasePerson {
  int seq = 0;
  std::optional<int64_t> person_id;
  std::string id_number, name, birth_date;
  std::string new_person;  // JSON object text, "" for a registered person
  std::string relation_to_head;
};

struct CaseMaterial {
  std::string code, name;
  bool mandatory = true;
  std::string state;  // provided | system_verified | missing
};

struct CaseFee {
  int64_t amount_fen = 0;
  bool paid = false;
  std::string payment_ref, free_reason, recorded_at;
};

struct CaseCheck {
  std::string id_number, outcome, peer, station, cancel_reason, cancel_date, checked_at;
  int64_t checked_by = 0;
  int person_seq = 0;           // the subject (case_persons.seq); 0 in checks recorded before 011
  std::string query;            // id_number | identity (name, sex and birth date)
  std::string found_id_number;  // identity: the number of the registration found, "" for none
};

struct CaseBiometric {
  int person_seq = 0;
  std::string id_number, kind;  // photo | fingerprint | portrait_comparison
  int finger = 0;
  std::optional<int64_t> file_id;
  std::string result;
  int score = 0;
  std::string captured_at;
};

struct Case {
  int64_t id = 0;
  std::string case_no, item_code;
  int item_version = 0;
  std::string item_name, effect, status;
  std::string receiving_unit_code, receiving_station_code;
  int64_t receiving_user_id = 0;
  std::string receiving_user_name;
  std::string station_code, station_name, receiving_unit_name;
  std::string applicant_name, applicant_id_number, applicant_phone;
  std::string form = "{}";  // JSON object text
  bool trafficked = false;
  std::string received_at, received_date, due_date, closed_at;
  int current_step = 0;
  std::string step_due_date, step_started_at;
  std::string return_reason;
  std::string missing = "[]";        // JSON array text
  std::string effect_result = "{}";  // JSON object text
  std::string notice;
  std::string query_code;  // 查询码 in the receipt's QR code ("" for cases received before it)
  int64_t version = 0;
  std::vector<CasePerson> persons;
  std::vector<CaseMaterial> materials;
  std::vector<CaseFee> fees;
  std::vector<CaseStep> steps;
  std::vector<CaseCheck> checks;
  std::vector<CaseBiometric> biometrics;
  // One-stop migration (B9): the origin's move-out asked of a peer, one per subject concerned.
  std::vector<services::MoveOutState> move_outs;
};

// One subject of a case: a registered person (id_number) or new person data (births,
// registrations, arrivals from outside the city).
struct SubjectInput {
  std::string id_number;
  nlohmann::json new_person;  // object or null: NewPerson fields (name, sex, ethnicity, …)
  std::string relation_to_head;
};

struct ReceiveInput {
  std::string item_code;
  std::string applicant_name, applicant_id_number, applicant_phone;
  std::vector<SubjectInput> subjects;
  std::vector<std::string> materials;              // codes of the materials handed in
  nlohmann::json form = nlohmann::json::object();  // effect data: household_number, changes, …
  bool fee_paid = false;
  std::string payment_ref, free_reason;
  bool trafficked = false;
};

struct DecisionInput {
  std::string decision;  // approve | return | reject
  std::string opinion;
  std::vector<std::string> missing;  // return: what is missing (一次告知)
  int64_t expected_version = 0;      // > 0: the case version the officer saw (kConflict otherwise)
};

struct ResubmitInput {
  std::vector<std::string> materials;              // codes handed in now
  nlohmann::json form = nlohmann::json::object();  // keys replace those of the case's form
  std::string opinion;
};

struct BiometricInput {
  int person_seq = 1;
  std::string kind;   // photo | fingerprint | portrait_comparison
  int finger = 0;     // 1..10 for fingerprint
  std::string bytes;  // file content for photo and fingerprint
  std::string mime;
  std::string result;  // portrait_comparison: match | no_match
  int score = 0;
};

// What an actor may do on a case now, by the engine's own rules and data scope (the console
// shows buttons by it).
struct Permissions {
  bool decide = false, issue = false, resubmit = false, withdraw = false;
  bool national_check = false, capture = false;
};

struct CaseSummary {
  std::string case_no, item_code, item_name, status, station_code, station_name;
  std::string receiving_unit_code, applicant_name, applicant_id_number;
  std::string received_at, due_date, step_due_date;
  int current_step = 0;
  std::string current_action, current_level, current_role;
  bool overdue = false;
};

struct CaseFilter {
  std::string status;  // "" any
  std::string item_code;
  bool overdue_only = false;
  bool todo = false;  // 待办: only cases whose awaited act the actor may take
  int limit = 20, offset = 0;
};

struct UnitStats {
  std::string station_code, station_name;
  int64_t cases = 0, closed = 0, open = 0, overdue = 0;
  double average_hours = 0;  // receipt → approval, closed cases
  double average_step_hours = 0;
};

class Engine {
 public:
  Engine(store::Database& db, const Clock& clock, trust::Signer* signer = nullptr)
      : db_(db), clock_(clock), signer_(signer) {}

  // Receives a case at the actor's window. Errors: kBusinessRule case.materials_missing (message
  // lists every missing material; nothing written), case.registration_place_only, case.fee_unpaid,
  // catalog.inactive; kValidation case.* (case.payment_ref: paid without a reference); kNotFound
  // catalog.not_found / person.not_found / household.not_found; kForbidden.
  Result<Case> Receive(const ReceiveInput& in, const org::Actor& actor);
  // The awaited step's decision. Approving the acceptance step (chain index 0, which sends the
  // case on to review/approval) needs every mandatory material captured in the archive
  // (kBusinessRule archive.incomplete listing all missing). Final approval applies the registry
  // effect in the same transaction; a rejection closes and archives the case (one booklet).
  // Errors: see CheckMayDecide; kBusinessRule case.national_check_required,
  // case.biometrics_required, case.missing_required (return without a list), kConflict
  // case.conflict, kValidation case.decision.
  Result<Case> Decide(std::string_view case_no, const DecisionInput& in, const org::Actor& actor);
  // The receiving window resubmits a returned case with supplements; it waits for acceptance again.
  Result<Case> Resubmit(std::string_view case_no, const ResubmitInput& in, const org::Actor& actor);
  // Issues an approved case at the receiving window, closes and archives it (one booklet).
  Result<Case> Issue(std::string_view case_no, const org::Actor& actor);
  // Withdraws an open case (police only, in scope), closing it without effect, and archives it.
  Result<Case> Withdraw(std::string_view case_no, std::string_view reason, const org::Actor& actor);
  // Runs the national check for every subject (outside any transaction) and records the results
  // (one per subject): by ID number, or by name, sex and birth date for a subject without one.
  // Errors: the provider's (kUnavailable national_check.peer); kValidation
  // case.national_check_identity when a subject has neither a number nor name, sex, birth date.
  Result<Case> NationalCheck(std::string_view case_no, services::NationalCheckProvider& provider,
                             const org::Actor& actor);
  // Records a photo, a fingerprint or a portrait comparison for a subject (police, in scope).
  Result<Case> CaptureBiometric(std::string_view case_no, const BiometricInput& in,
                                const org::Actor& actor);

  // Captures a material of the case into the archive (C1): the station, item and step come from
  // the case, a capture after the acceptance step completed is late (D2), and the case's
  // material slot (case_materials) is marked provided, all in one transaction. Errors:
  // kNotFound case.not_found; kBusinessRule case.closed; those of archive::CaptureMaterial.
  Result<archive::Material> CaptureMaterial(std::string_view case_no, archive::Capture capture,
                                            const org::Actor& actor);
  // What `actor` may do on the case now (the same checks as the acts themselves).
  static Permissions MayDo(const catalog::Item& item, const Case& c, const org::Actor& actor);

  // A case with its persons, materials, fees, steps, checks and biometrics. Visible to officers
  // whose scope holds the handling station or the receiving station. kNotFound case.not_found.
  Result<Case> Get(std::string_view case_no, const org::Actor& actor);
  Result<std::pair<std::vector<CaseSummary>, int64_t>> List(const CaseFilter& filter,
                                                            const org::Actor& actor);
  // Turnaround per handling station (B16) over the actor's scope.
  Result<std::vector<UnitStats>> Stats(const org::Actor& actor);
  // Public progress: status and step names only when the case number and either the applicant's
  // or a subject's ID number or the case's query code (the receipt's QR code) match; otherwise
  // kNotFound case.not_found.
  Result<Case> PublicProgress(std::string_view case_no, std::string_view id_number,
                              std::string_view query_code = {});

  // The chain step the case waits for, or nullptr when none.
  static const catalog::ApprovalStep* AwaitedStep(const catalog::Item& item, const Case& c);

 private:
  store::Database& db_;
  const Clock& clock_;
  trust::Signer* signer_;
};

// Reads a case by number inside a transaction (no scope check). kNotFound case.not_found.
Result<Case> LoadCase(store::Connection& conn, std::string_view case_no);

}  // namespace hukou::cases
