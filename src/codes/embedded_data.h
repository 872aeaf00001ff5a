// Files compiled into the binary by hukou_embed (see src/codes/CMakeLists.txt): Debian's
// stdnum loc.dat and data/codes/*.tsv, data/places/*.tsv, each under its base file name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hukou::codes::data {

// Bytes of the embedded file with that base name ("loc.dat", "sex.tsv"); empty when absent.
std::string_view Embedded(std::string_view name);
// Base names of all embedded files.
std::vector<std::string_view> EmbeddedNames();

}  // namespace hukou::codes::data

namespace hukou::codes::internal {

// Splits embedded TSV text into rows of fields; skips blank lines and lines starting with '#'.
// Trailing '\r' is removed.
std::vector<std::vector<std::string>> ParseTsv(std::string_view text);

}  // namespace hukou::codes::internal
