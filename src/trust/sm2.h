// SM2 keys and signatures (GM/T 0003-2012) with SM3, through OpenSSL 3's EVP interface only.
// Every signature and verification uses the signer ID "1234567812345678" (GM/T 0009 default).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

struct evp_pkey_st;

namespace hukou::trust {

inline constexpr std::string_view kSm2SignerId = "1234567812345678";

// An SM2 key pair or a public key alone. Copies share the OpenSSL key; signing and verifying
// with one key from several threads at once is safe.
class Sm2Key {
 public:
  // A fresh key pair from OpenSSL's random generator.
  static Sm2Key Generate();
  // Errors: kValidation trust.bad_key when the PEM is not an SM2 key.
  static Result<Sm2Key> FromPublicPem(std::string_view pem);
  static Result<Sm2Key> FromPrivatePem(std::string_view pem);

  std::string PublicPem() const;   // SubjectPublicKeyInfo PEM
  std::string PrivatePem() const;  // PKCS#8 PEM, unencrypted: seal it before storing
  // DER-encoded SM2 signature of SM3(Z || payload). Precondition: a key pair.
  std::string Sign(std::string_view payload) const;
  // True when `der` is a valid signature of payload under this key.
  bool Verify(std::string_view payload, std::string_view der) const;

 private:
  static Result<Sm2Key> FromPem(std::string_view pem, bool with_private);
  std::shared_ptr<evp_pkey_st> pkey_;
};

// Standard base64 with padding, no line breaks.
std::string Base64(std::string_view bytes);
// Errors: kValidation trust.base64.
Result<std::string> FromBase64(std::string_view text);

}  // namespace hukou::trust
