// Internal: the migration files compiled into the binary by hukou_embed (see cmake/hukou.cmake).
#pragma once

#include <string_view>
#include <vector>

namespace hukou::store::migrations {

// Bytes of the embedded file with this base name ("001_foundation.sql"); empty when absent.
std::string_view Embedded(std::string_view name);
// Base names of all embedded files.
std::vector<std::string_view> EmbeddedNames();

}  // namespace hukou::store::migrations
