// SM3 (GM/T 0004-2012) digests through OpenSSL 3's EVP interface.
#pragma once

#include <string>
#include <string_view>

struct evp_md_st;

namespace hukou::trust {

// Lower-case hex SM3 digest (64 characters) of the bytes.
std::string Sm3Hex(std::string_view bytes);

// OpenSSL's SM3 implementation, fetched once (for EVP calls that take a digest).
const evp_md_st* Sm3Md();

// Lower-case hex of arbitrary bytes.
std::string Hex(std::string_view bytes);

}  // namespace hukou::trust
