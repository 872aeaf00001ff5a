// One-stop migration (一站式迁移, B9), the origin's half: a peer instance that registered an
// arrival (its in-migration case approved) asks this instance to move the person out
// (POST /api/v1/peer/move-outs, peer token). The person is cancelled here with the reason 迁出
// (cancel_reason 20), the change history naming the peer's case and the destination, and an
// audit entry, in one transaction; the same request again (a retry after a lost answer) is done
// again without a second change.
#pragma once
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "store/database.h"

namespace hukou::cases {

inline constexpr char kMovedOutReason[] = "20";  // cancel_reason 迁出

struct PeerMoveOutInput {
  std::string peer;  // who asks (from its token), not from the body
  std::string case_no, item_name;
  std::string id_number, name;
  std::string destination_station_code, destination_station_name;
  std::string destination_division_code, destination_division_name;
  std::string move_date;  // YYYY-MM-DD; empty: today
};

struct PeerMoveOutResult {
  bool repeated = false;  // this request was done before (same peer, case and person)
  std::string id_number, station_code, station, cancel_reason, cancel_date, done_at;
};

// Errors: kValidation move_out.id_number / move_out.case_no / move_out.destination /
// move_out.move_date (malformed request); kBusinessRule move_out.not_registered (no such person
// here), move_out.already_cancelled (cancelled before, not by this request; the message says
// when and why). A refusal is written to the audit log as move_out.peer_refused.
Result<PeerMoveOutResult> ApplyPeerMoveOut(store::Database& db, const PeerMoveOutInput& in,
                                           const Clock& clock);

}  // namespace hukou::cases
