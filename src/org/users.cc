#include "org/users.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "org/units.h"
#include "trust/audit.h"

namespace hukou::org {
namespace {
// argon2id parameters: 2 passes over 19 MiB, one lane (the OWASP baseline for argon2id).
constexpr uint32_t kTimeCost = 2;
constexpr uint32_t kMemoryKiB = 19 * 1024;
constexpr uint32_t kLanes = 1;
constexpr size_t kSaltLen = 16;
constexpr size_t kHashLen = 32;

constexpr char kUserColumns[] =
    "SELECT u.id, u.login, u.name, u.role, u.unit_code, n.name AS unit_name, "
    "COALESCE(u.police_number, '') AS police_number, u.active FROM users u "
    "JOIN units n ON n.code = u.unit_code";

Result<User> UserAt(const store::Rows& rows, size_t i) {
  HUKOU_ASSIGN_OR_RETURN(Role role, ParseRole(rows.Text(i, 3)));
  User u;
  u.id = rows.Int(i, 0);
  u.login = rows.Text(i, 1);
  u.name = rows.Text(i, 2);
  u.role = role;
  u.unit_code = rows.Text(i, 4);
  u.unit_name = rows.Text(i, 5);
  u.police_number = rows.Text(i, 6);
  u.active = rows.Int(i, 7) != 0;
  return u;
}

bool ValidLogin(const std::string& login) {
  if (login.size() < 3 || login.size() > 32) return false;
  for (char c : login) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Counts code points so that a Chinese name's length is measured in characters.
size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}
}  // namespace

std::string HashPassword(const std::string& password) {
  unsigned char salt[kSaltLen];
  if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string encoded(
      argon2_encodedlen(kTimeCost, kMemoryKiB, kLanes, kSaltLen, kHashLen, Argon2_id), '\0');
  const int rc =
      argon2id_hash_encoded(kTimeCost, kMemoryKiB, kLanes, password.data(), password.size(), salt,
                            kSaltLen, kHashLen, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) throw std::runtime_error(argon2_error_message(rc));
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(const std::string& encoded, const std::string& password) {
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

Result<User> CreateUser(store::Connection& conn, const NewUser& in, const Actor& by,
                        const Clock& clock, const trust::KeyStore* keys) {
  if (!ValidLogin(in.login)) {
    return ValidationError("user.login", "登录名须为 3–32 位字母、数字或 _ . -", "login");
  }
  if (in.password.size() < 8) {
    return ValidationError("user.password", "密码至少 8 位", "password");
  }
  if (in.name.empty() || Utf8Length(in.name) > 32) {
    return ValidationError("user.name", "请填写姓名（不超过 32 个字）", "name");
  }
  HUKOU_ASSIGN_OR_RETURN(Role role, ParseRole(in.role));
  auto unit = FindUnit(conn, in.unit_code);
  if (!unit.ok()) {
    if (unit.error().kind != ErrorKind::kNotFound) return unit.status();
    return ValidationError("user.unit", "所属单位不存在：" + in.unit_code, "unit_code");
  }
  if (!in.police_number.empty()) {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows taken,
        conn.Query("SELECT login FROM users WHERE police_number = $1", {in.police_number}));
    if (!taken.empty()) {
      return ConflictError("user.police_number_taken",
                           "警号已被用户 " + taken.Text(0, 0) + " 使用：" + in.police_number,
                           "police_number");
    }
  }
  const std::string now = clock.NowIso();
  auto inserted = conn.Query(
      "INSERT INTO users (login, password_hash, name, police_number, role, unit_code, active, "
      "created_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id",
      {in.login, HashPassword(in.password), in.name, store::TextOrNull(in.police_number),
       std::string(RoleName(role)), in.unit_code, now});
  if (!inserted.ok()) {
    // The police number was checked above; a unique violation left is the login (or a race).
    if (inserted.error().code == "db.unique_violation") {
      return ConflictError("user.login_taken", "登录名已被使用：" + in.login, "login");
    }
    return inserted.status();
  }
  User u;
  u.id = inserted->Int(0, 0);
  u.login = in.login;
  u.name = in.name;
  u.role = role;
  u.unit_code = in.unit_code;
  u.unit_name = unit->name;
  u.police_number = in.police_number;
  nlohmann::json detail = {{"login", u.login}, {"role", in.role}, {"unit_code", u.unit_code}};
  HUKOU_RETURN_IF_ERROR(trust::AppendAudit(
      conn, {by.user_id, "user.create", "user", std::to_string(u.id), detail.dump()}, clock));
  if (keys != nullptr && NeedsSigningKey(role)) {
    HUKOU_RETURN_IF_ERROR(
        keys->Enroll(conn, trust::kOwnerUser, std::to_string(u.id), by.user_id, clock).status());
  }
  return u;
}

Result<int> EnrollSigningKeys(store::Database& db, const trust::KeyStore& keys,
                              const Clock& clock) {
  std::vector<std::pair<std::string, std::string>> owners;
  HUKOU_RETURN_IF_ERROR(db.Read([&](store::Connection& conn) -> Status {
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows users,
        conn.Query("SELECT u.id, u.role FROM users u WHERE NOT EXISTS (SELECT 1 FROM signing_keys "
                   "k WHERE k.owner_kind = 'user' AND k.owner_id = CAST(u.id AS TEXT)) "
                   "ORDER BY u.id"));
    for (size_t i = 0; i < users.size(); ++i) {
      auto role = ParseRole(users.Text(i, 1));
      if (role.ok() && NeedsSigningKey(*role))
        owners.emplace_back(trust::kOwnerUser, users.Text(i, 0));
    }
    HUKOU_ASSIGN_OR_RETURN(
        store::Rows units,
        conn.Query("SELECT n.code FROM units n WHERE NOT EXISTS (SELECT 1 FROM signing_keys k "
                   "WHERE k.owner_kind = 'unit' AND k.owner_id = n.code) ORDER BY n.code"));
    for (size_t i = 0; i < units.size(); ++i)
      owners.emplace_back(trust::kOwnerUnit, units.Text(i, 0));
    return Status::Ok();
  }));
  int created = 0;
  for (const auto& owner : owners) {
    HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) {
      return keys.Enroll(conn, owner.first, owner.second, 0, clock).status();
    }));
    ++created;
  }
  return created;
}

Result<std::vector<User>> ListUsers(store::Connection& conn) {
  HUKOU_ASSIGN_OR_RETURN(store::Rows rows,
                         conn.Query(std::string(kUserColumns) + " ORDER BY u.login"));
  std::vector<User> users;
  for (size_t i = 0; i < rows.size(); ++i) {
    HUKOU_ASSIGN_OR_RETURN(User u, UserAt(rows, i));
    users.push_back(std::move(u));
  }
  return users;
}

Result<User> FindUserByLogin(store::Connection& conn, const std::string& login) {
  HUKOU_ASSIGN_OR_RETURN(store::Rows rows,
                         conn.Query(std::string(kUserColumns) + " WHERE u.login = $1", {login}));
  if (rows.empty()) return NotFoundError("user.not_found", "用户不存在：" + login, "login");
  return UserAt(rows, 0);
}

Result<Actor> ActorForUser(store::Connection& conn, int64_t user_id) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query("SELECT u.id, u.login, u.name, u.role, u.unit_code, n.scope_prefix, u.active "
                 "FROM users u JOIN units n ON n.code = u.unit_code WHERE u.id = $1",
                 {user_id}));
  if (rows.empty() || rows.Int(0, 6) == 0) {
    return UnauthenticatedError("auth.required", "请先登录");
  }
  HUKOU_ASSIGN_OR_RETURN(Role role, ParseRole(rows.Text(0, 3)));
  Actor a;
  a.user_id = rows.Int(0, 0);
  a.login = rows.Text(0, 1);
  a.name = rows.Text(0, 2);
  a.role = role;
  a.unit_code = rows.Text(0, 4);
  a.scope_prefix = rows.Text(0, 5);
  return a;
}

}  // namespace hukou::org
