// Digital signatures of officers and electronic seals of units (H1, B5): the interface the case
// engine and the document renderer sign through. Implemented in src/trust (SM2 with SM3, signer
// ID "1234567812345678"); keys live in the database, private keys encrypted under the server key.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace hukou::trust {

struct Signature {
  std::string signer_kind;  // user | unit
  std::string signer_id;    // users.id as text, or the unit code
  int64_t key_id = 0;       // signing_keys.id of the key used
  std::string algorithm;    // "SM2-SM3"
  std::string payload_sm3;  // hex SM3 of the signed bytes
  std::string value;        // base64 of the DER-encoded SM2 signature
};

// Thread-safe; Sign* does no database write and takes no database lock, so callers sign before
// opening their write transaction and store the Signature inside it.
class Signer {
 public:
  virtual ~Signer() = default;
  // Signs with the officer's current key. Errors: kBusinessRule trust.no_key (not enrolled or
  // revoked).
  virtual Result<Signature> SignAsOfficer(int64_t user_id, std::string_view payload) = 0;
  // Seals with the unit's current seal key. Errors: kBusinessRule trust.no_seal.
  virtual Result<Signature> SignAsUnit(std::string_view unit_code, std::string_view payload) = 0;
};

// Offline check with the public key alone (PEM, as `hukou keys export` writes it): true when
// signature.value is a valid SM2-SM3 signature of payload and payload_sm3 (when set) matches.
bool VerifySignature(std::string_view public_key_pem, std::string_view payload,
                     const Signature& signature);

}  // namespace hukou::trust
