// `hukou bench-audit`: fills a database with a large signed audit trail for benchmarking
// `hukou verify` (bench/verify.sh), and measures the latency of one officer signature.
#pragma once

#include <cstdint>
#include <ostream>

#include "base/clock.h"
#include "base/status.h"
#include "store/database.h"
#include "trust/keys.h"

namespace hukou::trust {

struct BenchTrailOptions {
  int64_t entries = 1000000;  // chained access_log rows
  int64_t documents = 10000;  // registered documents, two SM2 signatures each
};

struct BenchTrailSummary {
  int64_t entries = 0;
  int64_t documents = 0;
  double sign_mean_ms = 0;  // one SignAsOfficer, cached key
  double sign_p99_ms = 0;
};

// Appends the rows and documents (signed by the first officer holding a key and their unit's
// seal). Errors: kBusinessRule bench.no_officer when no officer has a key.
Result<BenchTrailSummary> GenerateBenchTrail(store::Database& db, KeyStore& keys,
                                             const BenchTrailOptions& options, const Clock& clock,
                                             std::ostream& progress);

}  // namespace hukou::trust
