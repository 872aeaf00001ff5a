// `hukou verify`: checks everything the trust module promises, with the public keys alone —
// both audit chains (every entry's SM3 hash, every link, no gaps, the chain heads), every
// checkpoint signature, every stored signature (documents; case_steps when that table exists)
// and every stored file's SM3 (table files). When archive_materials exists: every material row
// points at an existing file, a file that fails its SM3 is also named as the material (or
// thumbnail) it holds, and every material a case step's payload names
// (trust/step_payload.h) still exists with the SM3 that was signed. Work is split into ranges
// run on several threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/database.h"

namespace hukou::trust {

struct VerifyProblem {
  std::string table;
  int64_t row_id = 0;  // 0 when the problem is not one row (a gap, a head)
  // stable: content_altered, broken_link, missing_entries, file_altered, payload_altered,
  // bad_signature, material_replaced, material_missing, material_file_altered, …
  std::string code;
  std::string message;  // Chinese, names the row or range
};

struct VerifyReport {
  int64_t chain_entries = 0;  // audit_log + access_log rows checked
  int64_t checkpoints = 0;
  int64_t signatures = 0;  // SM2 signatures verified (checkpoints, documents, case steps)
  int64_t files = 0;
  int64_t documents = 0;
  int64_t case_steps = 0;
  int64_t materials = 0;                // archive_materials rows checked
  int64_t signed_materials = 0;         // material hashes named by step payloads, compared
  std::vector<VerifyProblem> problems;  // ordered by table, then row id
  bool ok() const { return problems.empty(); }
};

struct VerifyOptions {
  int threads = 2;
  int64_t chunk = 50000;  // rows per range
};

// Errors: database errors only; what is broken goes into the report.
Result<VerifyReport> Verify(store::Database& db, const VerifyOptions& options = {});

}  // namespace hukou::trust
