// `hukou demo`: builds a believable synthetic city — units, demo users, addresses in the city's
// real townships and communities, family / collective / community public households, persons
// with valid ID numbers and decades of change history, and planted anomalies listed in a truth
// file (JSON) that tests and benchmarks score against. Same seed and same clock date → the same
// city, row for row (`hukou demo` passes a clock fixed at --as-of, so the same seed always gives
// the same city).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "store/database.h"
#include "trust/keys.h"

namespace hukou::demo {

struct DemoOptions {
  int64_t persons = 10000;
  uint64_t seed = 1;
  std::string city = "ezhou";  // "ezhou" | "ordos"
  std::string truth_path;      // optional: where to write the truth file
  int64_t cases = 0;           // business cases taken through the case engine (cases_demo.h)
};

struct DemoSummary {
  int64_t persons = 0;
  int64_t households = 0;
  int64_t addresses = 0;
  int64_t changes = 0;
  int64_t cancelled = 0;
  int users_created = 0;
  int64_t cases = 0;
  std::string truth_json;  // the truth file's content
};

// One demo login (password kDemoPassword).
struct DemoUser {
  std::string login;
  std::string name;
  std::string role;
  std::string unit_code;
  std::string police_number;  // empty for civilians
};

inline constexpr char kDemoPassword[] = "hukou123";

// The demo users of a city: admin, city1, supervisor1, branch1, chief1, police1, aux1, clerk1,
// worker1 (first branch / first station) and police2, clerk2 (a station of another branch).
std::vector<DemoUser> DemoUsers(const std::string& city);

// Seeds the city's units and demo users (skipping existing ones; with `keys`, officers are
// enrolled with SM2 keys), then generates options.persons persons in one transaction, printing
// progress every 10 %, then options.cases cases (RunCaseDemo, decisions signed with `keys` when
// given; counts under "cases" in the truth file). Writes the truth file when options.truth_path
// is set. Errors: demo.city (unknown city), demo.persons (< 1), demo.not_empty (the database
// already holds persons), demo.truth_file, and RunCaseDemo's.
Result<DemoSummary> RunDemo(store::Database& db, const DemoOptions& options, const Clock& clock,
                            std::ostream& progress, trust::KeyStore* keys = nullptr);

}  // namespace hukou::demo
