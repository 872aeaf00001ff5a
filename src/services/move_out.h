// One-stop migration (一站式迁移, B9), the destination's half: an outbox of move-out requests to
// peer instances. The final approval of an in-migration whose subject the national check found
// active at a peer queues a request in its own transaction (QueueMoveOut); DeliverMoveOuts sends
// pending requests to the peer (POST /api/v1/peer/move-outs with the peer's token, the same
// peers the national check asks) and records the answer: done, or refused with the peer's reason.
// A peer that cannot be reached (or answers 401/403/5xx) is tried again with back-off, never
// given up: the person must not stay registered in two places.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "services/national_check_peer.h"
#include "store/database.h"

namespace hukou::services {

struct MoveOutRequest {
  std::string peer;  // the instance that moves the person out (a configured peer's name)
  std::string case_no, item_name;
  std::string id_number, name;
  std::string destination_station_code, destination_station_name;
  std::string destination_division_code, destination_division_name;
  std::string move_date;  // YYYY-MM-DD
};

// What the origin answered. done: the person is moved out there (or was, by this very case);
// otherwise refused with the peer's error code and message.
struct MoveOutAnswer {
  bool done = false;
  std::string code;     // refused: e.g. move_out.not_registered
  std::string message;  // the peer's words
  std::string station;  // done: the origin station that cancelled
};

// Queues a request in move_out_requests inside the caller's transaction (one per case and
// subject; kConflict move_out.exists when the subject has one already).
Status QueueMoveOut(store::Connection& conn, int64_t case_id, int person_seq,
                    const MoveOutRequest& r, const Clock& clock);

class MoveOutTransport {
 public:
  virtual ~MoveOutTransport() = default;
  // Sends one request and returns the peer's answer. An error means no answer (peer unknown,
  // unreachable, refusing our token, failing): the request stays pending for another attempt.
  virtual Result<MoveOutAnswer> Send(const MoveOutRequest& r) = 0;
};

// POSTs to <peer url>/api/v1/peer/move-outs with "Authorization: Bearer <peer token>" (libcurl).
// 200 → done; 400 and 422 (the project's error shape) → refused with the error's code and message;
// anything else, or no connection → kUnavailable move_out.peer.
class PeerMoveOutTransport : public MoveOutTransport {
 public:
  explicit PeerMoveOutTransport(std::vector<Peer> peers,
                                std::chrono::milliseconds timeout = std::chrono::seconds(5));
  Result<MoveOutAnswer> Send(const MoveOutRequest& r) override;

 private:
  std::vector<Peer> peers_;
  std::chrono::milliseconds timeout_;
};

// Between attempts a request waits kMoveOutRetrySeconds × 2^(attempts-1), at most
// kMoveOutMaxWaitSeconds; a request being sent is leased for kMoveOutLeaseSeconds so that two
// deliverers do not send it at once.
inline constexpr int kMoveOutRetrySeconds = 15;
inline constexpr int kMoveOutMaxWaitSeconds = 3600;
inline constexpr int kMoveOutLeaseSeconds = 60;
// Seconds to wait after `attempts` failed attempts (1, 2, …).
int64_t MoveOutRetryDelay(int64_t attempts);

// Delivers up to `limit` pending requests that are due (of one case when case_id > 0), recording
// each answer or failed attempt (with an audit entry). Returns how many got an answer.
Result<int> DeliverMoveOuts(store::Database& db, MoveOutTransport& transport, const Clock& clock,
                            int limit, int64_t case_id = 0);

// A case's requests as the case page shows them.
struct MoveOutState {
  int person_seq = 0;
  std::string id_number, name, peer;
  std::string status;  // pending | done | refused
  int64_t attempts = 0;
  std::string last_error, answer_code, answer_message, origin_station;
  std::string move_date, created_at, answered_at;
  std::string destination_station_name, destination_division_name;
};
Result<std::vector<MoveOutState>> MoveOutsOfCase(store::Connection& conn, int64_t case_id);

}  // namespace hukou::services
