// The default national-check provider (A9): asks every configured peer — another hukou instance —
// over its API (GET /api/v1/national-check/{id_number}, or GET /api/v1/national-check?name=&sex=
// &birth_date= for a person without a number), and the serving side that answers such questions
// from this instance's registry.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "services/national_check.h"
#include "store/database.h"

namespace hukou::services {

// An instance this one asks: its name (used in results and logs), base URL and the token it
// accepts from us.
struct Peer {
  std::string name;
  std::string url;  // http(s)://host:port, without /api/v1
  std::string token;
};

// Parses "NAME=URL=TOKEN" (hukou serve --peer). Errors: kValidation national_check.peer_spec.
Result<Peer> ParsePeer(std::string_view spec);

// The peer settings of `hukou serve --peers-file`: one setting a line, "peer NAME=URL=TOKEN" or
// "peer-token [NAME=]TOKEN"; blank lines and lines starting with '#' are skipped. Keeps the
// tokens off the command line. Errors: kValidation national_check.peers_file (unreadable file,
// unknown setting, with the line number).
struct PeerSettings {
  std::vector<std::string> peers;   // NAME=URL=TOKEN
  std::vector<std::string> tokens;  // [NAME=]TOKEN
};
Status ReadPeersFile(const std::string& path, PeerSettings& settings);

// Bearer tokens that other instances present to this one, each with the peer's name.
class PeerTokens {
 public:
  // Parses "NAME=TOKEN" or a bare "TOKEN" (named peer1, peer2, … by position) (--peer-token).
  // Errors: kValidation national_check.peer_token (empty, or shorter than 16 characters).
  static Result<PeerTokens> Parse(const std::vector<std::string>& specs);
  // The name of the peer presenting `token`, compared in constant time; nullopt if unknown.
  std::optional<std::string> Find(std::string_view token) const;
  bool empty() const { return tokens_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> tokens_;  // name, token
};

// This instance's answer for one number: outcome none | active | cancelled, with the registering
// station, the cancellation, and whether `name` is the registered (or a former) name.
struct LocalAnswer {
  std::string outcome;
  std::string station_code;
  std::string station;
  std::string cancel_reason;
  std::string cancel_date;
  bool name_matches = false;
};
Result<LocalAnswer> CheckLocal(store::Connection& conn, std::string_view id_number,
                               std::string_view name);

// This instance's answer for a person without a number: everyone registered with the name (or a
// former name), sex and birth date, active ones first, at most kMaxIdentityMatches; the outcome
// is the first match's (none when there is none).
inline constexpr int kMaxIdentityMatches = 20;
struct IdentityMatch {
  std::string id_number;
  LocalAnswer answer;  // name_matches is always true
};
struct LocalIdentityAnswer {
  std::string outcome;  // none | active | cancelled
  std::vector<IdentityMatch> matches;
};
// Errors: kValidation national_check.name (empty or over 150 bytes), national_check.sex (not a
// sex code), national_check.birth_date (not a date, or after `today`).
Status ValidateIdentityQuery(const IdentityQuery& query, const Date& today);
Result<LocalIdentityAnswer> CheckLocalIdentity(store::Connection& conn, const IdentityQuery& query);

// Asks every peer (in parallel, libcurl) and merges: active anywhere beats cancelled beats none;
// `peer` is the first peer with the winning outcome; `detail` is {"peers":[{"peer", answer…}]}
// (for a query by identity also {"query":{"name","sex","birth_date"}}, and each answer carries
// the number found and its matches).
// Errors: kValidation for a bad number (id_number.*), kUnavailable national_check.peer when a peer
// cannot be reached, times out or refuses (the message names it).
class PeerNationalCheck : public NationalCheckProvider {
 public:
  PeerNationalCheck(std::vector<Peer> peers, const Clock& clock,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));
  Result<NationalCheckResult> Check(std::string_view id_number, std::string_view name) override;
  Result<NationalCheckResult> CheckIdentity(const IdentityQuery& query) override;

 private:
  std::vector<Peer> peers_;
  const Clock& clock_;
  std::chrono::milliseconds timeout_;
};

}  // namespace hukou::services
