#include "trust/sm3.h"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace hukou::trust {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    s[2 * i] = kDigits[b >> 4];
    s[2 * i + 1] = kDigits[b & 15];
  }
  return s;
}

const EVP_MD* Sm3Md() {
  // Fetched once: an implicit fetch per digest (EVP_sm3()) costs more than hashing a short text
  // and contends on OpenSSL's method store across threads.
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SM3", nullptr);
  if (md == nullptr) throw std::runtime_error("SM3 unavailable");
  return md;
}

std::string Sm3Hex(std::string_view bytes) {
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex2(ctx.get(), Sm3Md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), md, &len) != 1) {
    throw std::runtime_error("SM3 digest failed");  // only when OpenSSL itself is broken
  }
  return Hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

}  // namespace hukou::trust
