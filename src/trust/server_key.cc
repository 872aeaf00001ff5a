#include "trust/server_key.h"

#include <argon2.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "trust/sm2.h"
#include "trust/sm3.h"

namespace hukou::trust {
namespace {

constexpr std::string_view kVersion = "v1:";
constexpr size_t kIvLen = 16;
constexpr size_t kTagLen = 32;

std::string RandomBytes(size_t n) {
  std::string s(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return s;
}

std::string HmacSm3(const unsigned char* key, size_t key_len, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SM3", nullptr, key, key_len,
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, sizeof out,
                &len) == nullptr) {
    throw std::runtime_error("HMAC-SM3 failed");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// SM4-CBC with PKCS#7 padding; nullopt when decryption fails.
std::optional<std::string> Sm4Cbc(bool encrypt, const unsigned char* key, std::string_view iv,
                                  std::string_view in) {
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  std::string out(in.size() + 16, '\0');
  int n1 = 0;
  int n2 = 0;
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), EVP_sm4_cbc(), nullptr, key,
                        reinterpret_cast<const unsigned char*>(iv.data()), encrypt ? 1 : 0) != 1 ||
      EVP_CipherUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n1,
                       reinterpret_cast<const unsigned char*>(in.data()),
                       static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + n1, &n2) != 1) {
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(n1) + static_cast<size_t>(n2));
  return out;
}

std::optional<std::string> Unhex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

Error KeyFileError(const std::string& path, const std::string& why) {
  return UnavailableError("trust.key_file", "服务器密钥文件 " + path + " " + why);
}

Result<std::string> Setting(store::Connection& conn, std::string_view name) {
  HUKOU_ASSIGN_OR_RETURN(
      store::Rows r,
      conn.Query("SELECT value FROM trust_settings WHERE name = $1", {std::string(name)}));
  return r.empty() ? std::string() : r.Text(0, 0);
}

// Stores the setting unless one is there already (another process may race); returns the value
// now stored.
Result<std::string> SettingOrInsert(store::Database& db, std::string_view name,
                                    const std::string& value) {
  std::string stored;
  HUKOU_RETURN_IF_ERROR(db.Transact([&](store::Connection& conn) -> Status {
    HUKOU_RETURN_IF_ERROR(conn.Exec("INSERT INTO trust_settings (name, value) VALUES ($1, $2) "
                                    "ON CONFLICT (name) DO NOTHING",
                                    {std::string(name), value})
                              .status());
    HUKOU_ASSIGN_OR_RETURN(stored, Setting(conn, name));
    return Status::Ok();
  }));
  return stored;
}

}  // namespace

ServerKey ServerKey::FromMaterial(std::string_view material) {
  ServerKey k;
  const auto* m = reinterpret_cast<const unsigned char*>(material.data());
  const std::string enc = HmacSm3(m, material.size(), "hukou server key: SM4 encryption");
  const std::string mac = HmacSm3(m, material.size(), "hukou server key: HMAC-SM3");
  std::copy_n(enc.begin(), k.enc_.size(), k.enc_.begin());
  std::copy_n(mac.begin(), k.mac_.size(), k.mac_.begin());
  return k;
}

Result<ServerKey> ServerKey::FromFile(const std::string& path, bool create) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!create) return KeyFileError(path, "不存在");
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
      const std::string hex = Hex(RandomBytes(32)) + "\n";
      const bool written = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
      ::close(fd);
      if (!written) return KeyFileError(path, "无法写入");
    } else if (errno != EEXIST) {
      return KeyFileError(path, "无法创建");
    }
  }
  std::ifstream in(path);
  std::string hex;
  in >> hex;
  auto material = Unhex(hex);
  if (!in || !material || material->size() != 32) return KeyFileError(path, "内容无效");
  return FromMaterial(*material);
}

Result<ServerKey> ServerKey::FromPassphrase(std::string_view passphrase, std::string_view salt) {
  if (passphrase.size() < 8) {
    return ValidationError("trust.passphrase", "服务器密钥口令至少 8 个字符");
  }
  unsigned char out[32];
  const int rc = argon2id_hash_raw(3, 64 * 1024, 1, passphrase.data(), passphrase.size(),
                                   salt.data(), salt.size(), out, sizeof out);
  if (rc != ARGON2_OK) throw std::runtime_error(argon2_error_message(rc));
  return FromMaterial(std::string_view(reinterpret_cast<const char*>(out), sizeof out));
}

std::string ServerKey::Seal(std::string_view plaintext, std::string_view context) const {
  const std::string iv = RandomBytes(kIvLen);
  auto ct = Sm4Cbc(true, enc_.data(), iv, plaintext);
  if (!ct) throw std::runtime_error("SM4 encryption failed");
  const std::string body = iv + *ct;
  const std::string tag =
      HmacSm3(mac_.data(), mac_.size(), std::string(kVersion) + std::string(context) + body);
  return std::string(kVersion) + Base64(body + tag);
}

Result<std::string> ServerKey::Open(std::string_view sealed, std::string_view context) const {
  const Error broken = InternalError("trust.unseal", "私钥无法解密（服务器密钥不符或数据被改动）");
  if (!sealed.starts_with(kVersion)) return broken;
  auto raw = FromBase64(sealed.substr(kVersion.size()));
  if (!raw.ok() || raw->size() < kIvLen + 16 + kTagLen) return broken;
  const std::string_view all(*raw);
  const std::string_view body = all.substr(0, all.size() - kTagLen);
  const std::string_view tag = all.substr(all.size() - kTagLen);
  const std::string expected = HmacSm3(
      mac_.data(), mac_.size(), std::string(kVersion) + std::string(context) + std::string(body));
  if (CRYPTO_memcmp(expected.data(), tag.data(), kTagLen) != 0) return broken;
  auto plain = Sm4Cbc(false, enc_.data(), body.substr(0, kIvLen), body.substr(kIvLen));
  if (!plain) return broken;
  return *plain;
}

std::string ServerKey::CheckValue() const {
  return Hex(HmacSm3(mac_.data(), mac_.size(), "hukou server key check value"));
}

std::string DefaultKeyFile(std::string_view db_url) {
  if (db_url.starts_with("postgres")) return "hukou.key";
  if (db_url.starts_with("sqlite:")) db_url.remove_prefix(7);
  if (db_url.empty() || db_url == ":memory:") return "hukou.key";
  return (std::filesystem::path(db_url).parent_path() / "hukou.key").string();
}

Result<ServerKey> LoadServerKey(store::Database& db, std::string_view db_url,
                                const std::string& key_file) {
  const char* passphrase = std::getenv(kPassphraseEnv);
  std::optional<ServerKey> key;
  if (key_file.empty() && passphrase != nullptr && *passphrase != '\0') {
    HUKOU_ASSIGN_OR_RETURN(std::string salt, SettingOrInsert(db, "kdf_salt", Hex(RandomBytes(16))));
    HUKOU_ASSIGN_OR_RETURN(key, ServerKey::FromPassphrase(passphrase, salt));
  } else {
    HUKOU_ASSIGN_OR_RETURN(
        key, ServerKey::FromFile(key_file.empty() ? DefaultKeyFile(db_url) : key_file, true));
  }
  HUKOU_ASSIGN_OR_RETURN(std::string check,
                         SettingOrInsert(db, "server_key_check", key->CheckValue()));
  if (check != key->CheckValue()) {
    return UnavailableError("trust.server_key_mismatch",
                            "服务器密钥与数据库不符（密钥文件或口令错误），无法使用签名私钥");
  }
  return *key;
}

}  // namespace hukou::trust
