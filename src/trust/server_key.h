// The server key: encrypts officers' and units' private keys at rest (SM4-CBC, then HMAC-SM3
// over the context, IV and ciphertext). It comes from a key file (32 random bytes, hex, created
// with mode 0600 on first use) or from a passphrase (HUKOU_KEY_PASSPHRASE, stretched with
// argon2id; the salt is kept in trust_settings). A check value in trust_settings makes a wrong
// key fail at startup instead of at the first signature.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/database.h"

namespace hukou::trust {

inline constexpr char kPassphraseEnv[] = "HUKOU_KEY_PASSPHRASE";

class ServerKey {
 public:
  // From 32 bytes of key material.
  static ServerKey FromMaterial(std::string_view material32);
  // Reads the key file, creating it (0600, fresh random key) when absent and `create`.
  // Errors: kUnavailable trust.key_file (unreadable, malformed, or absent and !create).
  static Result<ServerKey> FromFile(const std::string& path, bool create);
  // argon2id(passphrase, salt): t=3, 64 MiB, 1 lane. Errors: kValidation trust.passphrase (< 8).
  static Result<ServerKey> FromPassphrase(std::string_view passphrase, std::string_view salt);

  // Encrypts `plaintext` bound to `context` (the same context is needed to open it).
  std::string Seal(std::string_view plaintext, std::string_view context) const;
  // Errors: kInternal trust.unseal when the MAC does not match (wrong key, context or data).
  Result<std::string> Open(std::string_view sealed, std::string_view context) const;
  // Hex HMAC-SM3 of a fixed text: identifies the key without revealing it.
  std::string CheckValue() const;

 private:
  std::array<unsigned char, 16> enc_{};
  std::array<unsigned char, 32> mac_{};
};

// Where the key file lives by default: beside a SQLite database file ("sqlite:/d/x.db" →
// "/d/hukou.key"), else "./hukou.key".
std::string DefaultKeyFile(std::string_view db_url);

// The server key of a database: from the passphrase in HUKOU_KEY_PASSPHRASE when it is set and
// no key file is named, else from `key_file` (or DefaultKeyFile), created when absent. Checks
// it against the database's check value, storing it on first use. Errors: those of the sources;
// kUnavailable trust.server_key_mismatch (服务器密钥与数据库不符).
Result<ServerKey> LoadServerKey(store::Database& db, std::string_view db_url,
                                const std::string& key_file);

}  // namespace hukou::trust
