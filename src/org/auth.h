// Sessions: login with password, a random token in a cookie, the token's hash in the database
// (so several server processes share sessions and a stolen database leaks no usable token).
#pragma once

#include <string>

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

}  // namespace hukou::org
