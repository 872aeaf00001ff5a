// The catalogue of hukou business items (事项清单, B1) and the working-day calendar it is timed by
// (B7). Shipped as data in data/catalog/ and data/holidays/, loaded into the database, edited by
// administrators, versioned: a case keeps the item version it was received under.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "base/workdays.h"
#include "org/actor.h"
#include "store/database.h"

namespace hukou::catalog {

// Where a case of the item may be received and which station handles it (B2, B3).
enum class HandlingMode {
  kAnyWindow,  // "any_window" 全市通办: any window receives; routed to the registration place
  kRegistrationPlace,  // "registration_place" 户籍地办理: only windows of the registration station
  kDestination,  // "destination" 迁入地办理: routed to the station of the destination address
};
std::string_view HandlingModeName(HandlingMode mode);  // "any_window"
Result<HandlingMode> ParseHandlingMode(std::string_view name);

// One required material (申请材料) and how it is captured (C1, C2, G4).
struct Material {
  std::string code;     // unique within the item, e.g. "birth_certificate"
  std::string name;     // 《出生医学证明》
  std::string capture;  // scan | photo | form | data_sharing (the system verifies it itself)
  bool mandatory = true;
  bool system_verified = false;  // true: verified by data sharing, the resident need not bring it
  std::string note;
};

// One level of the approval chain (B4). Steps run in order; the first is acceptance (受理) at the
// handling station, the last is the final approval that applies the registry effect.
struct ApprovalStep {
  std::string action;       // accept 受理 | review 审核 | approve 审批
  std::string level;        // station | branch | city
  std::string role;         // the org::Role name allowed to act: police, station_chief,
                            // branch_approver, city_approver
  int time_limit_days = 1;  // working days for this step
};

// Registry effects applied on final approval (implemented by src/cases). Item.effect is one of:
//   birth            new person (newly allocated ID number) into a household
//   death            cancel the person, reason death
//   cancel           cancel the person, reason = effect_param (cancel_reason code)
//   migrate_in       person into a household at the destination (moved within the registry when
//                    already registered in it, the origin's move-out done in the same case; a new
//                    record when coming from outside)
//   migrate_out      cancel with reason moved out; migration certificate data recorded
//   restore          re-activate a cancelled person (or register one from outside) into a household
//   register         new person for supplementary / no-hukou registration (漏报补录, 无户口登记)
//   change_main      change a main item; effect_param names the field (name, sex, ethnicity,
//                    birth_date, id_number)
//   change_aux       change auxiliary items named by the applicant
//   household_split  new household at an address, listed members moved into it
//   household_create new household (family, collective or community_public = effect_param)
//   household_head   change of the head of household and relations
//   document         issue a document (hukou booklet, certificate): no registry change
struct Item {
  std::string code;  // stable, e.g. "HK0101"
  int version = 1;
  std::string name;
  std::string major_category;  // one of the 14 major categories (大类)
  std::string minor_category;  // 小类
  std::string legal_basis;
  std::string conditions;
  std::vector<Material> materials;
  HandlingMode handling_mode = HandlingMode::kAnyWindow;
  std::vector<ApprovalStep> chain;  // accept first, approve last: at least two steps
  int time_limit_days = 20;         // total, 1..20; at least the sum of the chain's limits
  int64_t fee_fen = 0;              // fee in fen (分); 0 free
  std::string fee_note;             // e.g. 首次申领免费
  bool police_only = true;          // acts after receipt reserved for police (B12)
  bool national_check = false;      // A9 check must be recorded before acceptance
  bool biometrics = false;          // B10 photo, ten fingerprints, portrait comparison for 16+
  std::string effect;               // see above
  std::string effect_param;         // e.g. "name" for change_main, "abroad" code for cancel
  bool active = true;
  std::string updated_at;
};

// The 14 major categories (大类) in display order; Item.major_category is one of them.
const std::vector<std::string>& MajorCategories();

// B4: working days a main-item change (change_main) may spend at the station and at the branch.
inline constexpr int kMainChangeStationDays = 15;
inline constexpr int kMainChangeBranchDays = 5;

// Checks an item's own consistency (code, name, category, chain roles and actions, limits ≤ 20
// and ≥ the sum of the steps, effect known, material codes unique) and the approval rules of B4:
// a change_main item's station steps total ≤ 15 working days (catalog.main_change_station_limit)
// and its branch steps ≤ 5 (catalog.main_change_branch_limit), both naming the step
// (chain[i].time_limit_days) where the total passes the limit; a change of sex or ethnicity needs
// a city-level step (catalog.city_approval_required, field chain). kValidation with the field.
Status ValidateItem(const Item& item);

// Item ↔ JSON object (the API and data/catalog/items.json share this shape).
std::string ItemToJson(const Item& item);
Result<Item> ItemFromJson(std::string_view json_text);

// Loads data/catalog/items.json (embedded) into catalog_items when an item code is missing; items
// already present (edited by an administrator) are left alone. Returns how many were inserted.
// Also seeds calendar_days with the shipped days (data/holidays) that it does not hold yet.
Result<int> LoadShippedCatalog(store::Connection& conn, const Clock& clock);

// The current version of an item, or a given version. Errors: kNotFound catalog.not_found.
Result<Item> GetItem(store::Connection& conn, std::string_view code,
                     std::optional<int> version = std::nullopt);

// Current versions of all items (active only unless include_inactive), ordered by code.
Result<std::vector<Item>> ListItems(store::Connection& conn, bool include_inactive = false);

// Saves an item as a new version (version = previous + 1, or 1 for a new code), with an audit
// entry. Role: admin. Errors: kValidation (ValidateItem), kForbidden.
Result<Item> SaveItem(store::Connection& conn, const Item& item, const org::Actor& actor,
                      const Clock& clock);

// The working-day calendar as stored (shipped data/holidays/*.tsv plus administrators' edits,
// which win; a day set to ordinary undoes a shipped holiday or make-up workday).
Result<WorkCalendar> LoadCalendar(store::Connection& conn);

// Sets one day's kind (holiday / make-up workday / ordinary) with a name, with an audit entry.
// Role: admin. Errors: kValidation calendar.date / calendar.kind, kForbidden.
Status SetCalendarDay(store::Connection& conn, const Date& date, DayKind kind,
                      std::string_view name, const org::Actor& actor, const Clock& clock);

}  // namespace hukou::catalog
