// Change history (变动记录, A5): change_log entries of a person or household for display, newest
// first, with Chinese field names and the operator's name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/database.h"

namespace hukou::registry {

struct Change {
  int64_t id = 0;
  std::string field;       // column name, '*' for the whole record
  std::string field_name;  // 姓名, 联系电话, 户号/所属户 …
  std::string old_value;   // household ids are shown as household numbers, codes as
  std::string new_value;   // "name（code）", e.g. 已婚（20）
  std::string reason;      // the officer's stated reason, may be empty
  std::string changed_at;
  std::string effective_date;
  int64_t operator_id = 0;  // 0: system
  std::string operator_name;
  std::optional<int64_t> case_id;
  std::string action;
};

// Every change of the person, newest first.
Result<std::vector<Change>> PersonHistory(store::Connection& conn, int64_t person_id);
// Every change of the household and every member joining or leaving it, newest first.
Result<std::vector<Change>> HouseholdHistory(store::Connection& conn, int64_t household_id);

}  // namespace hukou::registry
