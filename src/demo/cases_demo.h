// `hukou demo --cases N`: business cases (births, deaths, migrations within the city, main and
// auxiliary item changes, household head changes, booklets, certificates) taken through the
// real case engine by the demo users, on a clock moved through the months before the demo date,
// with generated scans captured into each case's material slots. Same seed → same cases.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "store/database.h"
#include "trust/signer.h"

namespace hukou::demo {

struct CaseDemoSummary {
  int64_t cases = 0;
  int64_t materials = 0;                     // captured scans
  std::map<std::string, int64_t> by_status;  // issued, accepted, received, returned, …
  std::map<std::string, int64_t> by_item;    // item code → cases
  int64_t overdue = 0;                       // open past their due date on the demo date
  int64_t returned_once = 0;                 // cases returned for correction at least once
  nlohmann::json ToJson() const;
};

// Runs `cases` cases in the city's demo users' names, decisions signed by `signer` when given.
// The persons must exist already (RunDemo). `as_of` is the demo date: cases are received over
// the 180 days before it. Errors: demo.users (demo users missing), demo.cases (no persons to
// work on), and any engine error of a case (with its number in the message).
Result<CaseDemoSummary> RunCaseDemo(store::Database& db, const std::string& city, int64_t cases,
                                    uint64_t seed, const Clock& as_of, trust::Signer* signer,
                                    std::ostream& progress);

}  // namespace hukou::demo
