// National hukou check (全国户籍信息核查, A9): before in-migration from outside the city,
// restoration or supplementary registration, the registration elsewhere is checked. Pluggable;
// the default provider asks other hukou instances (configured peers) over their API.
#pragma once
#include <string>
#include <string_view>

#include "base/status.h"

namespace hukou::services {

struct NationalCheckResult {
  std::string id_number;      // the number asked about; for a query by identity the number of
                              // the registration found ("" when none)
  std::string outcome;        // none (registered nowhere) | active | cancelled
  std::string peer;           // which instance answered (its name), "" for none
  std::string station;        // registration station name there, when found
  std::string cancel_reason;  // when cancelled (cancel_reason code)
  std::string cancel_date;
  std::string checked_at;  // ISO-8601 UTC
  std::string detail;      // JSON text of what the peers answered, kept with the case
};

// A person without an ID number (supplementary or no-hukou registration) is looked for by name
// (the registered or a former name), sex (GB/T 2261.1 code) and birth date (YYYY-MM-DD).
struct IdentityQuery {
  std::string name;
  std::string sex;
  std::string birth_date;
};

class NationalCheckProvider {
 public:
  virtual ~NationalCheckProvider() = default;
  // Thread-safe; no database access of the caller's. Errors: kUnavailable national_check.peer
  // when a peer cannot be reached (the check is then not recorded), kValidation for a bad number.
  virtual Result<NationalCheckResult> Check(std::string_view id_number, std::string_view name) = 0;
  // Is anyone registered with this name, sex and birth date? outcome none | active | cancelled as
  // above (active anywhere beats cancelled), id_number the number found. Same errors; kValidation
  // national_check.name / national_check.sex / national_check.birth_date for a bad query.
  virtual Result<NationalCheckResult> CheckIdentity(const IdentityQuery& query) = 0;
};

}  // namespace hukou::services
