// The audit-trail search for supervisors (issue #4 §3, D1 H4): audit_log (writes) and
// access_log (reads) as one newest-first list with each entry's chain position and the signed
// checkpoint that seals it, and the health of the chains (their latest checkpoints).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/database.h"

namespace hukou::trust {

struct TrailFilter {
  std::string person;   // ID number: writes on the person and reads of the person
  int64_t user_id = 0;  // the acting officer (0: any)
  std::string case_no;  // the case's actions, material captures, documents and reads
  std::string from;     // at >= from (ISO text), "" for no bound
  std::string before;   // at < before (ISO text), "" for no bound
  std::string action;   // exact action ("case.approve", "read_person"), "" for all
  std::string source;   // "audit" (writes) | "access" (reads) | "" for both
  // Row-level data scope: "" for all; otherwise an entry is kept when the station of its object
  // (person, household, case) — or, for objects without one, the acting officer's unit scope —
  // starts with it. System entries without a station object are then left out.
  std::string scope_prefix;
  int limit = 20;
  int offset = 0;
};

// A signed checkpoint of one chain.
struct CheckpointInfo {
  int64_t id = 0;
  std::string chain;  // audit | access
  int64_t seq = 0;
  std::string hash;
  std::string at;
  int64_t key_id = 0;
  std::string signed_by;  // the key's owner ("city": the server key)
  bool signature_valid = false;
  bool hash_matches = false;  // the row at seq still has the signed hash
};

struct TrailEntry {
  std::string source;  // audit | access
  int64_t id = 0;
  std::string at;
  int64_t user_id = 0;  // 0: the system
  std::string user_name, user_login, police_number, unit_code, unit_name;
  std::string action, object_kind, object_id, detail, purpose, client;
  int64_t seq = 0;  // 0: not yet linked into the chain
  std::string hash;
  std::optional<CheckpointInfo> checkpoint;  // the first checkpoint at or after seq
};

struct TrailPage {
  std::vector<TrailEntry> entries;
  bool has_more = false;
};

// Entries matching every set filter, newest first (at, then id).
Result<TrailPage> SearchTrail(store::Connection& conn, const TrailFilter& filter);

struct ChainHealth {
  std::string chain;
  int64_t head_seq = 0;                     // the chain's last position
  std::string head_at;                      // time of the head entry ("" when empty)
  std::vector<CheckpointInfo> checkpoints;  // newest first, at most `per_chain`
  int64_t unsealed = 0;                     // entries after the latest checkpoint
};

// Both chains' heads and latest checkpoints, each signature checked (no full chain walk).
Result<std::vector<ChainHealth>> ChainsHealth(store::Connection& conn, int per_chain);

}  // namespace hukou::trust
