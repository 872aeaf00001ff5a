#include "trust/sm3.h"

#include <openssl/evp.h>

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

std::string Sm3Hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sm3(), nullptr) != 1) {
    throw std::runtime_error("SM3 digest failed");  // only when OpenSSL itself is broken
  }
  return Hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

}  // namespace hukou::trust
