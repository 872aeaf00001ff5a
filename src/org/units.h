// Units (单位): city bureau → branches (分局) → police stations (派出所) → windows (窗口).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "store/database.h"

namespace hukou::org {

struct Unit {
  std::string code;  // 12-digit unit code
  std::string name;
  std::string kind;          // city | branch | station | window
  std::string parent_code;   // empty for the city bureau
  std::string scope_prefix;  // data scope: station codes under this unit start with it
  std::string division_code;
};

// Inserts the units of a demo city ("ezhou" | "ordos") from the code tables, skipping those that
// exist. Errors: kValidation "unit.city" for an unknown city.
Status SeedUnits(store::Connection& conn, std::string_view city, const Clock& clock);

// All units ordered by code.
Result<std::vector<Unit>> ListUnits(store::Connection& conn);
// Errors: kNotFound "unit.not_found".
Result<Unit> FindUnit(store::Connection& conn, std::string_view code);

}  // namespace hukou::org
