// Sessions: login with password, a random token in a cookie, the token's hash in the database
// (so several server processes share sessions and a stolen database leaks no usable token).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/clock.h"
#include "base/status.h"
#include "org/actor.h"
#include "org/users.h"
#include "store/database.h"

namespace hukou::org {

struct LoginResult {
  std::string token;  // give to the client; never stored
  User user;
  Actor actor;
};

// Checks the password; creates a session valid for 12 hours and audits the login.
// Errors: kUnauthenticated auth.invalid_credentials (用户名或密码错误) for a wrong login or
// password or an inactive user — the same error either way.
Result<LoginResult> Login(store::Database& db, const std::string& login,
                          const std::string& password, const std::string& client,
                          const Clock& clock);

// The actor behind a session token. Errors: kUnauthenticated auth.required (请先登录) when the
// token is empty, unknown, revoked or expired.
Result<Actor> Authenticate(store::Database& db, const std::string& token, const Clock& clock);

// Revokes the session. Unknown tokens are ignored.
Status Logout(store::Database& db, const std::string& token, const Clock& clock);

// Sessions this process has just checked, so that a busy client's every request does not look
// its session up again (the lookup was an eighth of a person lookup's cost). An entry is trusted
// for at most `ttl` and never past the session's expiry: a logout through this cache ends the
// session here at once, one through another server process is seen here within `ttl`. Users
// are never edited in place (no role or unit changes, no deactivation), so the actor of a
// session cannot go stale otherwise. Thread-safe.
class SessionCache {
 public:
  explicit SessionCache(std::chrono::milliseconds ttl = std::chrono::seconds(5),
                        size_t capacity = 20000);
  // As org::Authenticate, from the cache while the entry is fresh.
  Result<Actor> Authenticate(store::Database& db, const std::string& token, const Clock& clock);
  // As org::Logout, dropping the session from the cache first.
  Status Logout(store::Database& db, const std::string& token, const Clock& clock);

 private:
  struct Entry {
    Actor actor;
    std::chrono::system_clock::time_point fresh_until;  // cached at + ttl
    std::string expires_at;                             // the session's, as stored
  };
  const std::chrono::milliseconds ttl_;
  const size_t capacity_;
  std::mutex mu_;                                   // guards the members below
  std::unordered_map<std::string, Entry> entries_;  // by token hash
  uint64_t logouts_ = 0;  // logouts through this cache: a lookup overtaken by one is not kept
};

}  // namespace hukou::org
