// Fast bulk writing of registry rows (addresses, households, persons, former names, change
// history, ID-number sequences) inside ONE caller-provided transaction. Shared by `hukou demo`
// and `hukou import`: both produce rows that look exactly like rows the registry writes itself.
//
// Statements are prepared once per connection (the store caches them by text) and reused; the
// writer only fills the derived columns (station_code from the address's community,
// name_simplified / name_pinyin, person_former_names) and checks nothing else: callers validate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "store/database.h"

namespace hukou::exchange {

struct AddressRow {
  std::string division_code;   // county, 6 digits
  std::string township_code;   // 9 digits
  std::string community_code;  // 12 digits, a known Place (it gives the station)
  std::string street;
  std::string house_number;
  std::string building;
  std::string unit_no;
  std::string room;
  std::string full_text;
  std::string created_at;  // instant
};

struct HouseholdRow {
  std::string household_number;
  std::string kind;  // family | collective | community_public
  int64_t address_id = 0;
  std::string station_code;
  std::string status = "active";
  std::string created_at;  // instant
  std::string updated_at;  // instant
};

// A person with every column of `persons` that is not derived.
struct PersonRow {
  std::string id_number;
  std::string name;
  std::string sex;
  std::string ethnicity;
  std::string birth_date;
  std::vector<std::string> former_names;  // stored joined by '、' and one row each
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
  int64_t household_id = 0;  // 0: none
  std::string relation_to_head;
  std::string status = "active";
  std::string cancel_reason;
  std::string cancel_date;
  std::string station_code;
  std::string registered_at;  // instant
  std::string updated_at;     // instant
};

// One row of change_log (变动记录).
struct ChangeRow {
  std::string entity;  // person | household
  int64_t entity_id = 0;
  std::string field;  // column name, '*' for creation / cancellation
  std::string old_value;
  std::string new_value;
  std::string changed_at;      // instant
  std::string effective_date;  // YYYY-MM-DD
  int64_t operator_id = 0;     // 0: system (NULL)
  std::string action;          // register | update | move | cancel | import | …
  std::string station_code;
};

// Joins former names with '、' as persons.former_names stores them; splits them back.
std::string JoinFormerNames(const std::vector<std::string>& names);
std::vector<std::string> SplitFormerNames(std::string_view joined);

class BulkWriter {
 public:
  // conn must be inside a write transaction for the writer's whole life.
  explicit BulkWriter(store::Connection& conn);

  // Inserts an address; its station_code is the community's station (codes::Divisions).
  // Errors: kValidation address.community (unknown community).
  Result<int64_t> AddAddress(const AddressRow& row);
  // The station of an address added through this writer (empty when unknown).
  std::string StationOfAddress(int64_t address_id) const;

  // Inserts a household (head_person_id NULL; see SetHead) and raises the station's
  // household_sequences entry when the number has the registry::FormatHouseholdNumber shape,
  // so the registry continues where the demo or an import stopped.
  Result<int64_t> AddHousehold(const HouseholdRow& row);
  Status SetHead(int64_t household_id, int64_t person_id);

  // Inserts a person with name_simplified / name_pinyin and its person_former_names rows.
  Result<int64_t> AddPerson(const PersonRow& row);

  Status AddChange(const ChangeRow& row);

  // Remembers that an ID-number sequence was used (written to id_sequences by Finish).
  void NoteIdSequence(std::string_view division_code, std::string_view birth_compact, int sequence);

  // For loads into EMPTY registry tables (the demo): drops the non-unique secondary indexes of
  // persons, households, addresses, change_log and person_former_names, to be rebuilt by
  // RestoreIndexes in the same transaction (building an index once, sorted, is much faster than
  // growing it row by row).
  Status DeferIndexes();
  // Recreates the indexes DeferIndexes dropped. Must be called before the transaction commits.
  Status RestoreIndexes();

  // Writes the remembered id_sequences and household_sequences (raising, never lowering, what
  // the database holds). Call once, before the transaction commits.
  Status Finish();

  int64_t addresses() const { return addresses_; }
  int64_t households() const { return households_; }
  int64_t persons() const { return persons_; }
  int64_t changes() const { return changes_; }

 private:
  store::Connection& conn_;
  std::vector<store::Value> params_;
  std::vector<std::string> deferred_indexes_;  // CREATE INDEX statements to run again
  std::unordered_map<int64_t, std::string> address_station_;
  std::unordered_map<std::string, int64_t> household_seq_;  // station → last sequence
  struct SeqPair {
    int last_male = -1;
    int last_female = -2;
  };
  std::unordered_map<std::string, SeqPair> id_seq_;  // division + YYYYMMDD
  int64_t addresses_ = 0;
  int64_t households_ = 0;
  int64_t persons_ = 0;
  int64_t changes_ = 0;
};

}  // namespace hukou::exchange
