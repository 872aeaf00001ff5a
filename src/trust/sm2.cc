#include "trust/sm2.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdexcept>

#include "trust/sm3.h"

namespace hukou::trust {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using Bio = std::unique_ptr<BIO, BioFree>;

[[noreturn]] void Broken(const char* what) {
  throw std::runtime_error(std::string("OpenSSL SM2: ") + what);  // OpenSSL itself is broken
}

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* k) { return {k, EVP_PKEY_free}; }

// The digest context for one SM2 signature or verification, with the signer ID set on the key
// context (EVP_PKEY_CTX_set1_id) before DigestSign/VerifyInit, as OpenSSL's SM2 page prescribes.
struct Sm2Ctx {
  MdCtx md{EVP_MD_CTX_new()};
  PkeyCtx pkey;
  explicit Sm2Ctx(EVP_PKEY* key) : pkey(EVP_PKEY_CTX_new(key, nullptr)) {
    if (!md || !pkey ||
        EVP_PKEY_CTX_set1_id(pkey.get(), kSm2SignerId.data(),
                             static_cast<int>(kSm2SignerId.size())) != 1) {
      Broken("context");
    }
    EVP_MD_CTX_set_pkey_ctx(md.get(), pkey.get());
  }
};

bool IsSm2(EVP_PKEY* k) { return k != nullptr && EVP_PKEY_is_a(k, "SM2") == 1; }

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

Error BadKey() { return ValidationError("trust.bad_key", "不是有效的 SM2 密钥"); }

}  // namespace

Sm2Key Sm2Key::Generate() {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_generate(ctx.get(), &key) != 1) {
    Broken("keygen");
  }
  Sm2Key k;
  k.pkey_ = Own(key);
  return k;
}

Result<Sm2Key> Sm2Key::FromPem(std::string_view pem, bool with_private) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key = with_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                               : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (!IsSm2(key)) {
    EVP_PKEY_free(key);
    return BadKey();
  }
  Sm2Key k;
  k.pkey_ = Own(key);
  return k;
}

Result<Sm2Key> Sm2Key::FromPublicPem(std::string_view pem) { return FromPem(pem, false); }

Result<Sm2Key> Sm2Key::FromPrivatePem(std::string_view pem) { return FromPem(pem, true); }

std::string Sm2Key::PublicPem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) Broken("public PEM");
  return BioText(bio.get());
}

std::string Sm2Key::PrivatePem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
      1) {
    Broken("private PEM");
  }
  return BioText(bio.get());
}

std::string Sm2Key::Sign(std::string_view payload) const {
  Sm2Ctx c(pkey_.get());
  size_t len = 0;
  if (EVP_DigestSignInit(c.md.get(), nullptr, Sm3Md(), nullptr, pkey_.get()) != 1 ||
      EVP_DigestSignUpdate(c.md.get(), payload.data(), payload.size()) != 1 ||
      EVP_DigestSignFinal(c.md.get(), nullptr, &len) != 1) {
    Broken("sign");
  }
  std::string der(len, '\0');
  if (EVP_DigestSignFinal(c.md.get(), reinterpret_cast<unsigned char*>(der.data()), &len) != 1) {
    Broken("sign");
  }
  der.resize(len);
  return der;
}

bool Sm2Key::Verify(std::string_view payload, std::string_view der) const {
  if (!pkey_) return false;
  Sm2Ctx c(pkey_.get());
  return EVP_DigestVerifyInit(c.md.get(), nullptr, Sm3Md(), nullptr, pkey_.get()) == 1 &&
         EVP_DigestVerify(c.md.get(), reinterpret_cast<const unsigned char*>(der.data()),
                          der.size(), reinterpret_cast<const unsigned char*>(payload.data()),
                          payload.size()) == 1;
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> FromBase64(std::string_view text) {
  if (text.size() % 4 != 0) return ValidationError("trust.base64", "base64 编码无效");
  std::string out(3 * text.size() / 4 + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return ValidationError("trust.base64", "base64 编码无效");
  size_t len = static_cast<size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes.
  for (size_t i = text.size(); i > 0 && text[i - 1] == '=' && len > 0; --i) --len;
  out.resize(len);
  return out;
}

}  // namespace hukou::trust
