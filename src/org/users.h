// Users, roles and passwords (argon2id).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "org/actor.h"
#include "store/database.h"
#include "trust/keys.h"

namespace hukou::org {

struct NewUser {
  std::string login;
  std::string password;
  std::string name;
  std::string role;  // role name, see actor.h
  std::string unit_code;
  std::string police_number;
};

struct User {
  int64_t id = 0;
  std::string login;
  std::string name;
  Role role = Role::kPolice;
  std::string unit_code;
  std::string unit_name;
  std::string police_number;
  bool active = true;
};

// Hashes a password with argon2id (encoded form, random salt).
std::string HashPassword(const std::string& password);
// True when password matches the argon2id encoded hash.
bool VerifyPassword(const std::string& encoded, const std::string& password);

// Validates and inserts a user, with an audit entry by `by`. Errors (kValidation): user.login
// (3–32 of [A-Za-z0-9_.-]), user.password (at least 8 characters), user.name, user.role,
// user.unit (unknown unit); kConflict user.login_taken, user.police_number_taken (警号 unique).
// With `keys`, a user whose role NeedsSigningKey is enrolled with an SM2 key in the same
// transaction.
Result<User> CreateUser(store::Connection& conn, const NewUser& user, const Actor& by,
                        const Clock& clock, const trust::KeyStore* keys = nullptr);

// Enrols every user whose role NeedsSigningKey and has no active key, every unit without a seal
// key (each in its own transaction). Returns how many keys were created.
Result<int> EnrollSigningKeys(store::Database& db, const trust::KeyStore& keys, const Clock& clock);

// Users whose unit lies in `scope_prefix`'s subtree ("" = all), ordered by login.
Result<std::vector<User>> ListUsers(store::Connection& conn);
// Errors: kNotFound user.not_found.
Result<User> FindUserByLogin(store::Connection& conn, const std::string& login);

// The Actor a user acts as (role, unit, scope prefix of the unit).
Result<Actor> ActorForUser(store::Connection& conn, int64_t user_id);

}  // namespace hukou::org
