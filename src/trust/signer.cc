#include "trust/signer.h"

#include "trust/sm2.h"
#include "trust/sm3.h"

namespace hukou::trust {

bool VerifySignature(std::string_view public_key_pem, std::string_view payload,
                     const Signature& signature) {
  if (!signature.payload_sm3.empty() && signature.payload_sm3 != Sm3Hex(payload)) return false;
  auto key = Sm2Key::FromPublicPem(public_key_pem);
  auto der = FromBase64(signature.value);
  return key.ok() && der.ok() && key->Verify(payload, *der);
}

}  // namespace hukou::trust
