// Persons (人员): the population record of requirement A1, its writes (register, update, move,
// cancel) with full history (A5, A6), "as of" reads and missing-information prompts (A7).
//
// A consistent person row has: id_number (valid GB 11643), name, name_simplified
// (codes::ToSimplified(name)), name_pinyin (codes::ToPinyin(name_simplified)), sex, ethnicity,
// birth_date, household_id, relation_to_head, station_code (= the household's station_code),
// status 'active', registered_at, updated_at, version 1; one person_former_names row per former
// name; and a change_log row (entity 'person', field '*', old '', new 'active', action
// 'register'|'import'|'demo') whose effective_date is the day the person entered the registry.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "org/actor.h"
#include "store/database.h"

namespace hukou::registry {

struct Person {
  int64_t id = 0;
  std::string id_number;
  std::string name;
  std::string former_names;  // '、'-separated; see SplitFormerNames
  std::string sex;
  std::string ethnicity;
  std::string birth_date;
  std::string native_place;
  std::string birthplace;
  std::string religion;
  std::string education;
  std::string marital_status;
  std::string military_service;
  std::string workplace;
  std::string occupation;
  std::string phone;
  std::string father_name;
  std::string father_id_number;
  std::string mother_name;
  std::string mother_id_number;
  std::string guardian_name;
  std::string guardian_id_number;
  std::string spouse_name;
  std::string spouse_id_number;
  std::optional<int64_t> photo_file_id;
  std::optional<int64_t> household_id;
  std::string relation_to_head;
  std::string status;  // active | cancelled
  std::string cancel_reason;
  std::string cancel_date;
  std::string station_code;
  std::string registered_at;
  std::string updated_at;
  int64_t version = 0;

  // Joined for display (as of the read date).
  std::string household_number;
  std::string household_kind;
  int64_t address_id = 0;
  std::string address;  // addresses.full_text
  std::string station_name;
  std::string as_of;  // "YYYY-MM-DD" for an "as of" read, empty for the current record
};

// A person in lists: ID number masked (codes::MaskIdNumber).
struct PersonSummary {
  int64_t id = 0;
  std::string id_number_masked;
  std::string name;
  std::string sex;
  std::string birth_date;
  std::string ethnicity;
  std::string household_number;
  std::string address;
  std::string status;
  std::string station_code;
  std::string relation_to_head;
};

// The summary of a full record.
PersonSummary Summarize(const Person& person);

// Splits "张三、张四" into its names (empty parts dropped).
std::vector<std::string> SplitFormerNames(std::string_view text);

// Chinese name of a person column or change_log field ("phone" → "联系电话"); the column itself
// when unknown.
std::string FieldTitle(std::string_view field);

// A7: Chinese names of missing auxiliary items on `today` (婚姻状况, 服务处所, 兵役状况, 宗教信仰,
// 联系电话, 父亲, 母亲 — or 监护人 for minors —, 配偶 when married, 照片 for persons aged 16+).
std::vector<std::string> MissingItems(const Person& person, const Date& today);

// Reads a person by ID number (18 characters) or by record id (digits), as of a date when given:
// the current row with every change_log entry whose effective_date is after as_of undone.
// Errors: kNotFound person.not_found (also when registered after as_of), kForbidden scope.outside.
Result<Person> ReadPerson(store::Connection& conn, std::string_view key, const org::Actor& actor,
                          const std::optional<Date>& as_of = std::nullopt);
Result<Person> ReadPersonById(store::Connection& conn, int64_t id, const org::Actor& actor,
                              const std::optional<Date>& as_of = std::nullopt);

// What every write records in change_log besides old → new.
struct ChangeContext {
  std::string effective_date;  // "YYYY-MM-DD"; empty: today
  std::optional<int64_t> case_id;
  std::string action;  // empty: the operation's default (register, update, move, cancel)
  std::string reason;  // why (变更事由); kept in the change log and the audit entry
};

struct NewPerson {
  std::string id_number;
  std::string name;
  std::vector<std::string> former_names;
  std::string sex;         // must match the ID number
  std::string ethnicity;   // GB/T 3304 code
  std::string birth_date;  // must match the ID number
  std::string native_place, birthplace, religion, education, marital_status, military_service;
  std::string workplace, occupation, phone;
  std::string father_name, father_id_number, mother_name, mother_id_number;
  std::string guardian_name, guardian_id_number, spouse_name, spouse_id_number;
  std::optional<int64_t> photo_file_id;
  int64_t household_id = 0;
  std::string relation_to_head;  // GB/T 4761; '02' makes the person the head of the household
};

// Registers a new person into an active household (station = the household's), with the '*'
// creation entry, former names and the audit entry. Role: CanEditRegistry (or the system actor);
// scope: the household's station. Errors: kValidation (field named), kConflict
// person.duplicate_id_number, kNotFound household.not_found, kForbidden.
Result<Person> RegisterPerson(store::Connection& conn, const NewPerson& person,
                              const org::Actor& actor, const Clock& clock,
                              const ChangeContext& ctx = {});

// Changes the given columns (column → new value) of a person; only changed values are written,
// each as a change_log row. Allowed: every NewPerson item except household_id (MovePerson) and
// status (CancelPerson). expected_version > 0 is checked (kConflict person.version_conflict).
// Errors: kValidation, kNotFound, kForbidden, kBusinessRule person.cancelled.
Result<Person> UpdatePerson(store::Connection& conn, int64_t person_id,
                            const std::map<std::string, std::string>& changes,
                            int64_t expected_version, const org::Actor& actor, const Clock& clock,
                            const ChangeContext& ctx = {});

// Moves a person to another active household with a new relation to its head (household_id,
// relation_to_head and station_code change rows). Scope: both stations.
Result<Person> MovePerson(store::Connection& conn, int64_t person_id, int64_t to_household_id,
                          std::string_view relation_to_head, const org::Actor& actor,
                          const Clock& clock, const ChangeContext& ctx = {});

// Cancels (注销) a person: status, cancel_reason (cancel_reason code table), cancel_date. The
// record is kept. Errors: kValidation person.cancel_reason / person.cancel_date, kBusinessRule
// person.cancelled when already cancelled.
Result<Person> CancelPerson(store::Connection& conn, int64_t person_id,
                            std::string_view cancel_reason, std::string_view cancel_date,
                            const org::Actor& actor, const Clock& clock,
                            const ChangeContext& ctx = {});

// Restores (恢复户口) a cancelled person into an active household with a relation to its head:
// status active, cancel_reason and cancel_date cleared, household moved when different, each a
// change_log row (action 'restore'). Scope: the household's station. Errors: kBusinessRule
// person.active when not cancelled, kNotFound, kForbidden, kValidation relation_to_head.
Result<Person> RestorePerson(store::Connection& conn, int64_t person_id, int64_t household_id,
                             std::string_view relation_to_head, const org::Actor& actor,
                             const Clock& clock, const ChangeContext& ctx = {});

// A new ID number for a newborn: the next unused odd (sex "1") or even (sex "2") sequence for
// the division and birth date, skipping numbers already in persons; never reused. Call inside
// the caller's write transaction. Errors: kValidation, kBusinessRule id_number.exhausted.
Result<std::string> AllocateIdNumber(store::Connection& conn, std::string_view division_code,
                                     const Date& birth_date, std::string_view sex);

namespace internal {
// Appends one change_log row.
Status LogChange(store::Connection& conn, std::string_view entity, int64_t entity_id,
                 std::string_view field, std::string_view old_value, std::string_view new_value,
                 std::string_view action, const ChangeContext& ctx, const org::Actor& actor,
                 std::string_view station_code, const Clock& clock);
// ctx.effective_date validated, or today.
Result<std::string> EffectiveDate(const ChangeContext& ctx, const Clock& clock);
// Ok for the system actor and roles with CanEditRegistry.
Status CheckCanEdit(const org::Actor& actor, std::string_view what);
// "abc" → first string greater than every string starting with "abc" (for range scans).
std::string PrefixUpperBound(std::string_view prefix);
// " AND column >= $n AND column < $m" restricting rows to the actor's scope prefix (index-friendly
// range), with the bounds appended to params; "" for an actor who sees everything.
std::string ScopeFilter(std::string_view column, const org::Actor& actor,
                        std::vector<store::Value>& params);
}  // namespace internal

}  // namespace hukou::registry
