#include "org/auth.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "trust/audit.h"
#include "trust/sm3.h"

namespace hukou::org {
namespace {
constexpr auto kSessionLifetime = std::chrono::hours(12);

// SM3 of the token: only the hash is stored, so the sessions table leaks no usable token.
std::string TokenHash(const std::string& token) { return trust::Sm3Hex(token); }

std::string NewToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  return trust::Hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

Error InvalidCredentials() {
  return UnauthenticatedError("auth.invalid_credentials", "用户名或密码错误");
}

// A hash to verify against when the login does not exist, so that the answer takes as long as
// for a wrong password and does not reveal which logins exist.
const std::string& DummyHash() {
  static const std::string hash = HashPassword("not-a-password-of-anyone");
  return hash;
}
}  // namespace

Result<LoginResult> Login(store::Database& db, const std::string& login,
                          const std::string& password, const std::string& client,
                          const Clock& clock) {
  std::string encoded;
  int64_t user_id = 0;
  bool active = false;
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows rows,
        conn.Query("SELECT id, password_hash, active FROM users WHERE login = $1", {login}));
    if (!rows.empty()) {
      user_id = rows.Int(0, 0);
      encoded = rows.Text(0, 1);
      active = rows.Int(0, 2) != 0;
    }
    return Status::Ok();
  }));
  const bool password_ok = VerifyPassword(user_id != 0 ? encoded : DummyHash(), password);
  if (user_id == 0 || !password_ok || !active) {
    nlohmann::json detail = {{"login", login}, {"client", client}};
    HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) {
      return trust::AppendAudit(conn, {user_id, "auth.login_failed", "user", login, detail.dump()},
                                clock);
    }));
    return InvalidCredentials();
  }

  LoginResult result;
  result.token = NewToken();
  HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) -> Status {
    const auto now = clock.Now();
    HUKOU_RETURN_IF_ERROR(conn.Exec("INSERT INTO sessions (token_hash, user_id, created_at, "
                                    "expires_at) VALUES ($1, $2, $3, $4)",
                                    {TokenHash(result.token), user_id, FormatIso(now),
                                     FormatIso(now + kSessionLifetime)})
                              .status());
    HUKOU_ASSIGN_OR_RETURN(result.user, FindUserByLogin(conn, login));
    HUKOU_ASSIGN_OR_RETURN(result.actor, ActorForUser(conn, user_id));
    nlohmann::json detail = {{"client", client}};
    return trust::AppendAudit(
        conn, {user_id, "auth.login", "user", std::to_string(user_id), detail.dump()}, clock);
  }));
  return result;
}

namespace {
struct Authenticated {
  Actor actor;
  std::string expires_at;  // ISO text as stored (compares as the time it names)
};

Result<Authenticated> Lookup(store::Database& db, const std::string& hash, const Clock& clock) {
  Authenticated out;
  bool found = false;
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows rows,
        conn.Query("SELECT u.id, u.login, u.name, u.role, u.unit_code, n.scope_prefix, "
                   "s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
                   "JOIN units n ON n.code = u.unit_code "
                   "WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 "
                   "AND u.active = 1",
                   {hash, clock.NowIso()}));
    if (rows.empty()) return Status::Ok();
    HUKOU_ASSIGN_OR_RETURN(out.actor.role, ParseRole(rows.Text(0, 3)));
    out.actor.user_id = rows.Int(0, 0);
    out.actor.login = rows.Text(0, 1);
    out.actor.name = rows.Text(0, 2);
    out.actor.unit_code = rows.Text(0, 4);
    out.actor.scope_prefix = rows.Text(0, 5);
    out.expires_at = rows.Text(0, 6);
    found = true;
    return Status::Ok();
  }));
  if (!found) return UnauthenticatedError("auth.required", "登录已失效，请重新登录");
  return out;
}
}  // namespace

Result<Actor> Authenticate(store::Database& db, const std::string& token, const Clock& clock) {
  if (token.empty()) return UnauthenticatedError("auth.required", "请先登录");
  HUKOU_ASSIGN_OR_RETURN(Authenticated found, Lookup(db, TokenHash(token), clock));
  return found.actor;
}

SessionCache::SessionCache(std::chrono::milliseconds ttl, size_t capacity)
    : ttl_(ttl), capacity_(std::max<size_t>(capacity, 1)) {}

Result<Actor> SessionCache::Authenticate(store::Database& db, const std::string& token,
                                         const Clock& clock) {
  if (token.empty()) return UnauthenticatedError("auth.required", "请先登录");
  const std::string hash = TokenHash(token);
  const auto now = clock.Now();
  const std::string now_iso = FormatIso(now);
  uint64_t logouts_seen = 0;
  {
    std::lock_guard lock(mu_);
    logouts_seen = logouts_;
    auto it = entries_.find(hash);
    if (it != entries_.end()) {
      if (now < it->second.fresh_until && now_iso < it->second.expires_at) {
        return it->second.actor;
      }
      entries_.erase(it);
    }
  }
  HUKOU_ASSIGN_OR_RETURN(Authenticated found, Lookup(db, hash, clock));
  std::lock_guard lock(mu_);
  // A logout through this cache since the lookup began may be of this very session, read just
  // before it was revoked: then the answer stands for this request but is not kept.
  if (logouts_ != logouts_seen) return found.actor;
  if (entries_.size() >= capacity_) {
    // Stale entries go first; when every entry is fresh, start over (a lookup each is cheap).
    std::erase_if(entries_, [&](const auto& e) { return !(now < e.second.fresh_until); });
    if (entries_.size() >= capacity_) entries_.clear();
  }
  entries_.insert_or_assign(hash, Entry{found.actor, now + ttl_, std::move(found.expires_at)});
  return found.actor;
}

Status SessionCache::Logout(store::Database& db, const std::string& token, const Clock& clock) {
  Status revoked = org::Logout(db, token, clock);
  std::lock_guard lock(mu_);
  entries_.erase(TokenHash(token));
  ++logouts_;
  return revoked;
}

Status Logout(store::Database& db, const std::string& token, const Clock& clock) {
  if (token.empty()) return Status::Ok();
  return db.Transact([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows rows,
        conn.Query("UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS "
                   "NULL RETURNING user_id",
                   {TokenHash(token), clock.NowIso()}));
    if (rows.empty()) return Status::Ok();
    return trust::AppendAudit(conn, {rows.Int(0, 0), "auth.logout", "user", rows.Text(0, 0), ""},
                              clock);
  });
}

}  // namespace hukou::org
