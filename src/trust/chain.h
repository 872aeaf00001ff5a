// The SM3 chains over audit_log (writes, logins) and access_log (reads of personal data): each
// row holds its position `seq`, the previous row's hash and its own hash
//   hash = SM3(prev_hash "\n" seq "\n" len(f1) ":" f1 ";" len(f2) ":" f2 ";" …)
// over the chain's fields in a fixed order (NULL reads as ""). Appending locks the chain's head
// row in audit_chains until the transaction ends, so any number of server processes on one
// PostgreSQL append in one order, and a rolled-back transaction leaves no hole.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "store/database.h"

namespace hukou::trust {

inline constexpr char kGenesisHash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct ChainSpec {
  std::string_view name;                 // audit_chains.name: "audit" | "access"
  std::string_view table;                // "audit_log" | "access_log"
  std::vector<std::string_view> fields;  // hashed columns, in order
};
const ChainSpec& AuditChain();
const ChainSpec& AccessChain();
// Both chains.
std::vector<const ChainSpec*> AllChains();

struct ChainLink {
  int64_t seq = 0;
  std::string prev_hash;
  std::string hash;
};

// The hash of a row at `seq` after `prev_hash` (see the file comment).
std::string ChainHash(std::string_view prev_hash, int64_t seq,
                      const std::vector<std::string_view>& fields);

// Appends rows to one chain inside the caller's write transaction: Open locks the head, Next
// gives each new row its link, Close stores the new head (call it before the commit).
class ChainWriter {
 public:
  static Result<ChainWriter> Open(store::Connection& conn, const ChainSpec& chain);
  ChainLink Next(const std::vector<std::string_view>& fields);
  Status Close();

 private:
  ChainWriter(store::Connection& conn, const ChainSpec& chain) : conn_(&conn), chain_(&chain) {}
  store::Connection* conn_;
  const ChainSpec* chain_;
  int64_t seq_ = 0;
  std::string hash_;
};

// One access_log row (查询留痕).
struct AccessLogRow {
  std::string at;
  int64_t user_id = 0;  // 0: the system (NULL)
  std::string action;
  std::string subject_kind;
  std::string subject;
  std::string purpose;
  std::string client;
};

// Inserts the rows into access_log, chained, inside the caller's transaction.
Status AppendAccessRows(store::Connection& conn, const std::vector<AccessLogRow>& rows);

// Links rows that were inserted without a chain position (rows older than the chain, direct
// inserts) in id order, in batches, each its own transaction. Returns how many were linked.
Result<int64_t> LinkPending(store::Database& db);

// The text a checkpoint signs.
std::string CheckpointPayload(std::string_view chain, int64_t seq, std::string_view hash,
                              std::string_view at);

}  // namespace hukou::trust
